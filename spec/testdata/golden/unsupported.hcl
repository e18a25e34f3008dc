name = "unsupported"

service "app" {
  image = "app:latest"
}
