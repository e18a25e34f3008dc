service "api" {
  image      = "api"
  depends_on = [service.worker]
}

service "worker" {
  image = "worker"
  environment = {
    API_URL = "http://${service.api.name}:8080"
  }
}
