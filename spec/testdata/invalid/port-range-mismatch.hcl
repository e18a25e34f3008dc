service "web" {
  image = "nginx"
  ports = ["8000-8002:9000-9001"]
}
