name = "My App"

service "web" {
  image = "nginx"
}
