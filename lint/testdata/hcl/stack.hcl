# Every lint rule, once, in HCL; lint_load_test.go pins the lines.
name = "linthcl"

variable "db_password" {
  type    = string
  default = "not-in-env"
}

service "api" {
  image = "ghcr.io/acme/api:1.4.2"
  user  = "1000:1000"
  environment = {
    API_TOKEN   = "s3cr3t-t0k3n"
    DB_PASSWORD = var.db_password
    SMTP_SECRET = env("SMTP_SECRET", "")
    SESSION_KEY = "${var.db_password}-x"
    LOG_LEVEL   = "debug"
  }
  ports = ["127.0.0.1:8080:8080", "9090:9090"]
}

service "worker" {
  image        = "busybox"
  user         = "root"
  privileged   = true
  cap_add      = ["NET_ADMIN", "SYS_ADMIN"]
  security_opt = ["seccomp:unconfined"]
}

service "agent" {
  image = "portainer/agent:latest"
  user  = "0"
  volumes = [
    "/var/run/docker.sock:/var/run/docker.sock:ro",
  ]
  port {
    target    = 9001
    published = 9001
    host_ip   = "0.0.0.0"
  }
}
