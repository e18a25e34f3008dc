name = "scale"

service "queue" {
  image       = "queue:latest"
  working_dir = "/data"
  user        = "1000:1000"
  hostname    = "queue-host"
  labels = {
    "com.example.role" = "queue"
  }
  extra_hosts = ["host.docker.internal:host-gateway"]
  replicas    = 2
  stop_signal = "SIGINT"
  tty         = true
  stdin_open  = true
}

service "worker" {
  image = "worker:latest"
  healthcheck {
    interval = "5s"
    retries  = 3
  }
  replicas     = 3
  init         = true
  read_only    = true
  cap_add      = ["NET_BIND_SERVICE"]
  cap_drop     = ["ALL"]
  security_opt = ["no-new-privileges:true"]
}
