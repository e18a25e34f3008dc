service "web" {
  command = ["nginx"]
}
