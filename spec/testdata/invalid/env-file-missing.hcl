service "web" {
  image    = "nginx"
  env_file = ["./missing.env"]
}
