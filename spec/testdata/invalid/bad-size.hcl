service "web" {
  image = "nginx"
  resources {
    memory = "lots"
  }
}
