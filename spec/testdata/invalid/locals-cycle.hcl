locals {
  a = "x${local.b}"
  b = "y${local.c}"
  c = local.a
}

service "web" {
  image = local.a
}
