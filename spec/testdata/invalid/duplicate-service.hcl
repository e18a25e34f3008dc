service "web" {
  image = "nginx"
}

service "web" {
  image = "caddy"
}
