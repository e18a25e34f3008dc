service "web" {
  image = "web"
  build {
    context           = "."
    dockerfile        = "Dockerfile"
    dockerfile_inline = "FROM scratch"
  }
}
