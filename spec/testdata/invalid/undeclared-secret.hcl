service "web" {
  image   = "nginx"
  secrets = ["api_key"]
}
