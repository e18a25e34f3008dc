name = "names"

service "0day" {
  image = "worker:1"
  network "my.net" {
    aliases = ["zero"]
  }
  depends_on "api-v2" {
    condition = "service_healthy"
  }
}

service "api-v2" {
  image    = "api:2"
  networks = [network["1st"]]
  healthcheck {
    test = ["CMD", "/api", "-healthcheck"]
  }
}

service "web.app" {
  image      = "web:1"
  volumes    = ["my.vol:/data"]
  networks   = [network["1st"], network["my.net"]]
  depends_on = [service["0day"], service.api-v2]
  secrets    = [secret["db.password"]]
  configs    = [config["app.conf"]]
}

network "1st" {
}

network "my.net" {
}

volume "my.vol" {
}

secret "db.password" {
  file = "./db_password.txt"
}

config "app.conf" {
  content = "debug = true\n"
}
