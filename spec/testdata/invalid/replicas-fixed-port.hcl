service "web" {
  image    = "nginx"
  replicas = 3
  ports    = ["8080:80"]
}
