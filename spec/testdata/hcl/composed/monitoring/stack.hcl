# A monitoring stack that works on its own or included.
variable "retention" {
  type    = string
  default = "15d"
}

variable "scrape" {
  type    = list(string)
  default = []
}

volume "prometheus-data" {}

config "prometheus" {
  file = "./prometheus.yml"
}

service "prometheus" {
  image   = "prom/prometheus:v2.53.0"
  command = ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=${var.retention}"]
  volumes = ["prometheus-data:/prometheus"]
  config "prometheus" {
    target = "/etc/prometheus/prometheus.yml"
  }
  environment = {
    SCRAPE_TARGETS = join(",", var.scrape)
  }
  ports = ["127.0.0.1:9090:9090"]
}
