volume "data" {}

service "web" {
  image   = "nginx"
  volumes = ["data:relative/path"]
}
