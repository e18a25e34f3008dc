service "web" {
  image = "web"
  build {
    target = "final"
  }
}
