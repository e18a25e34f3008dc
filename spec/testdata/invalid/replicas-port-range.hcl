service "web" {
  image    = "nginx"
  replicas = 4
  ports    = ["127.0.0.1:18080-18082:8080", "9000-9003:90"]
}
