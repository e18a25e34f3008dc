# Variables, locals and an included monitoring stack.
name = "composed"

variable "env" {
  type    = string
  default = "dev"
  validation {
    condition     = contains(["dev", "ci", "prod"], var.env)
    error_message = "env must be dev, ci or prod."
  }
}

variable "replicas" {
  type    = number
  default = 2
}

variable "features" {
  type    = list(string)
  default = ["search"]
}

variable "db_password" {
  type      = string
  sensitive = true
}

locals {
  # Declared out of order on purpose: locals evaluate by dependency.
  image  = "${local.prefix}/api:${local.tag}"
  tag    = "v${var.replicas}-${var.env}"
  prefix = lower("Example.COM/${var.env}")
  common_labels = {
    "dev.stack.env" = var.env
    "dev.stack.tag" = local.tag
  }
}

include "monitoring" {
  source = "./monitoring/stack.hcl"
  inputs = {
    retention = "7d"
    scrape    = [service.api.name, service.worker.name]
  }
}

config "api" {
  content = templatefile("./config/api.toml.tmpl", { env = var.env, features = var.features })
}

secret "db_password" {
  environment = "COMPOSED_DB_PASSWORD"
}

service "api" {
  image  = local.image
  labels = merge(local.common_labels, { "dev.stack.role" = "api" })
  environment = {
    FEATURES    = join(",", var.features)
    HOME_DIR    = env("HOME", "/nowhere")
    BANNER      = trimspace(file("./config/banner.txt"))
    ENVIRONMENT = upper(var.env)
  }
  port {
    target    = 8080
    published = 18080
    host_ip   = "127.0.0.1"
  }
  secret "db_password" {
    target = "/run/secrets/db"
    uid    = "1000"
    mode   = "0400"
  }
  configs  = [config.api]
  replicas = 1
}

service "worker" {
  image      = local.image
  command    = ["worker", "--queue", "jobs"]
  replicas   = var.replicas
  depends_on = [service.api]
  labels     = local.common_labels
}
