service "sidecar" {
  image        = "envoy"
  network_mode = "service:vpn"
  ports        = ["8080:80"]
  hostname     = "sidecar"
}
