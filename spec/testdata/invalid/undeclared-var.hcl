service "web" {
  image = "nginx:${var.tag}"
}
