name = "envdemo"

service "web" {
  image = "nginx:1.4.2"
  environment = {
    GREETING           = "hello from 1.4.2"
    LITERAL            = "$HOME"
    UNSET_WITH_DEFAULT = "fallback"
  }
  ports = ["8088:80"]
}
