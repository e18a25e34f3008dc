variable "replicas" {
  type    = number
  default = "many"
}

service "web" {
  image    = "nginx"
  replicas = var.replicas
}
