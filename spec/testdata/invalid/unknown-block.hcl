servce "web" {
  image = "nginx"
}
