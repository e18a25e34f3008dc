service "web" {
  image = "nginx"
  ports = ["8080:80"]
}

service "admin" {
  image = "adminer"
  ports = ["127.0.0.1:8080:8080"]
}
