service "web" {
  image = "nginx"
  port {
    target = 80
    mode   = "bridge"
  }
}
