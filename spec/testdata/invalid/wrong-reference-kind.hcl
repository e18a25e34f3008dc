name = "p"
network "db" { name = "db" }
volume "creds" {}
secret "creds" { content = "x" }
locals {
  store = volume.creds
}
service "db" { image = "x" }
service "a" {
  image      = "x"
  secrets    = [secret.creds, volume.creds]
  configs    = [local.store]
  depends_on = [network.db]
  networks   = [service.db]
}
