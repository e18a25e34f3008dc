service "web" {
  image = "web"
  build {
    context = "."
    ulimit "nofile" {
      soft = 10
      hard = 5
    }
  }
}
