network "backend" {}

service "web" {
  image = "nginx"
  network "frontend" {
    aliases = ["www"]
  }
}
