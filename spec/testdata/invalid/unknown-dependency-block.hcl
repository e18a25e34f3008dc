service "web" {
  image = "nginx"
  depends_on "ghost" {
    condition = "service_healthy"
  }
}
