network "back" {
  subnets = ["10.1.0.0/24"]
  ipam {
    config {
      subnet  = "10.2.0.0/33"
      gateway = "10.2.0.x"
    }
  }
}
service "web" {
  image    = "nginx"
  networks = [network.back]
}
