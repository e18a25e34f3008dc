service "debug" {
  image    = "busybox"
  profiles = ["debug"]
}

service "web" {
  image      = "nginx"
  depends_on = [service.debug]
}
