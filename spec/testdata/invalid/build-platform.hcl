service "web" {
  image    = "web"
  platform = "linux/arm64"
  build {
    context   = "."
    platforms = ["linux/amd64"]
  }
}
