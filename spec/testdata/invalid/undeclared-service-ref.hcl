service "web" {
  image      = "nginx"
  depends_on = [service.db]
}
