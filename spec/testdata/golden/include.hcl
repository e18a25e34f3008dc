name = "include"

service "app" {
  image      = "app:latest"
  depends_on = [service.metrics]
}

service "metrics" {
  image   = "prom/prometheus:v2"
  ports   = ["9090:9090"]
  volumes = ["./monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro"]
}
