service "web" {
  image = uppercase("nginx")
}
