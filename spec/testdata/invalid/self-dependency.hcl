service "web" {
  image = "nginx"
  depends_on "web" {}
}
