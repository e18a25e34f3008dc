service "web" {
  image = "caddy"
}
