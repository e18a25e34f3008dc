name = "extends"

service "api" {
  image   = "golang-runtime:1"
  command = ["/api"]
  environment = {
    GOMAXPROCS = "2"
    LOG_LEVEL  = "info"
  }
  labels = {
    team = "platform"
  }
  ports      = ["8080:8080"]
  depends_on = [service.worker]
  restart    = "on-failure:3"
}

service "worker" {
  image   = "golang-runtime:1"
  command = ["/worker"]
  environment = {
    GOMAXPROCS = "2"
    LOG_LEVEL  = "debug"
  }
  labels = {
    team = "platform"
  }
  restart = "on-failure:3"
}
