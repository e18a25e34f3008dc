service "db" {
  image = "postgres"
}

service "web" {
  image = "nginx"
  depends_on "db" {
    condition = "service_ready"
  }
}
