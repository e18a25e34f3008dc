volume "data" {}

service "web" {
  image   = "nginx"
  volumes = ["data:/data", "cache:/cache"]
}
