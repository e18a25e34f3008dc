name = "profiles"

service "app" {
  image = "app:latest"
  depends_on "debug" {
    required = false
  }
}

service "debug" {
  image    = "debugger:latest"
  profiles = ["debug"]
}

service "seed" {
  image      = "seeder:latest"
  profiles   = ["tools", "debug"]
  depends_on = [service.app]
}
