variable "replicas" {
  type    = number
  default = 0
  validation {
    condition     = var.replicas >= 1
    error_message = "replicas must be at least 1."
  }
}

service "web" {
  image    = "nginx"
  replicas = var.replicas
}
