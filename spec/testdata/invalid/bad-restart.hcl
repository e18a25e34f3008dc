service "web" {
  image   = "nginx"
  restart = "sometimes"
}
