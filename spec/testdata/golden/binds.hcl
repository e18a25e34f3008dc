name = "binds"

service "app" {
  image = "app:1"
  mount {
    type             = "bind"
    source           = "./conf"
    target           = "/etc/app"
    read_only        = true
    create_host_path = false
  }
  mount {
    type   = "bind"
    source = "./cache"
    target = "/cache"
  }
  mount {
    type   = "bind"
    source = "./data"
    target = "/data"
  }
}
