service "web" {
  image = "web"
  build {
    context = "."
    ssh     = ["=/tmp/key"]
  }
}
