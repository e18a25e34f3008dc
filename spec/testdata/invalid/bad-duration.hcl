service "web" {
  image = "nginx"
  healthcheck {
    test     = ["CMD", "/web", "-healthcheck"]
    interval = "5 seconds"
  }
}
