service "web" {
  image = "nginx"
  healthcheck {
    interval = "5s"
    retries  = -1
  }
}
