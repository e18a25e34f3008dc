service "web" {
  image   = "nginx"
  command = { run = "nginx" }
}
