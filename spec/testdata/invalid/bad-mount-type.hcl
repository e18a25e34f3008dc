service "web" {
  image = "nginx"
  mount {
    type   = "nfs"
    source = "server:/export"
    target = "/data"
  }
}
