name = "secrets"

service "app" {
  image = "app:latest"
  secret "db_password" {
  }
  secret "api_key" {
    target = "/run/secrets/key"
    uid    = "1000"
    gid    = "1000"
    mode   = "0400"
  }
  config "app_conf" {
    target = "/etc/app/app.conf"
  }
  config "inline_conf" {
  }
}

secret "api_key" {
  environment = "API_KEY"
}

secret "db_password" {
  file = "./db_password.txt"
}

config "app_conf" {
  file = "./app.conf"
}

config "inline_conf" {
  content = "debug = true\n"
}
