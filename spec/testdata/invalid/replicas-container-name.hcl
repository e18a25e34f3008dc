service "web" {
  image          = "nginx"
  replicas       = 2
  container_name = "my-web"
}
