name = "override"

service "api" {
  image = "api:dev"
  environment = {
    DEBUG = "1"
    MODE  = "development"
  }
  ports      = ["8080:8080"]
  volumes    = ["./src:/src"]
  depends_on = [service.db]
}

service "db" {
  image = "postgres:16"
}
