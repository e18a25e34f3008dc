volume "data" {}

service "web" {
  image = "nginx"
  mount {
    type       = "volume"
    source     = "data"
    target     = "/data"
    tmpfs_size = "64m"
  }
}
