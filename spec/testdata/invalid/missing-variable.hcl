variable "tag" {
  type = string
}

service "web" {
  image = "nginx:${var.tag}"
}
