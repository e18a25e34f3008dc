service "web" {
  image = "web"
  build {
    context = "."
  }
  build {
    context = "./web"
  }
}
