variable "retention" {
  type = string
}

service "metrics" {
  image   = "prom/prometheus"
  command = ["--storage.tsdb.retention.time=${var.retention}"]
}
