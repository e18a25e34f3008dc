service "web" {
  image    = "nginx"
  networks = [network.backend]
}
