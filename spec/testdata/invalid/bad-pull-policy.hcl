service "web" {
  image       = "nginx"
  pull_policy = "daily"
}
