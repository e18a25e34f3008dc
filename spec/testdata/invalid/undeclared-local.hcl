locals {
  registry = "localhost:5000"
}

service "web" {
  image = "${local.regsitry}/web"
}
