service "web" {
  image       = "nginx"
  pull_policy = "hourly"
}

service "cache" {
  image       = "redis"
  pull_policy = "every_soon"
}
