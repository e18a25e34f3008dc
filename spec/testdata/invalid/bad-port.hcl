service "web" {
  image = "nginx"
  ports = ["8080:80", "70000"]
}
