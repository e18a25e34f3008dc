include "other" {
  source = "./include/other.hcl"
}

service "web" {
  image = "nginx"
}
