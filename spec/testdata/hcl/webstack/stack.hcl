# A web app with Postgres and Redis: the everyday dev stack.
name = "shop"

variable "web_port" {
  type        = number
  default     = 8080
  description = "host port of the web app"
}

variable "postgres_version" {
  type    = string
  default = "16"
}

network "backend" {
  internal = true
  subnets  = ["172.31.0.0/24"]
}

network "frontend" {}

volume "pgdata" {
  labels = { "dev.stack.fixture" = "webstack" }
}

secret "db_password" {
  file = "./db_password.txt"
}

service "db" {
  image = "postgres:${var.postgres_version}"
  environment = {
    POSTGRES_USER          = "shop"
    POSTGRES_DB            = "shop"
    POSTGRES_PASSWORD_FILE = "/run/secrets/db_password"
  }
  volumes = ["pgdata:/var/lib/postgresql/data"]
  secrets = [secret.db_password]
  network "backend" {
    aliases = ["database"]
  }
  healthcheck {
    test     = "pg_isready -U shop"
    interval = "5s"
    timeout  = "2s"
    retries  = 10
  }
  restart = "unless-stopped"
}

service "cache" {
  image    = "redis:7"
  command  = "redis-server --save '' --appendonly no"
  expose   = [6379]
  networks = [network.backend]
  resources {
    memory = "256m"
  }
}

service "web" {
  image = "shop/web:dev"
  build {
    context    = "./web"
    dockerfile = "Dockerfile.dev"
    args       = { GO_VERSION = "1.26" }
    target     = "dev"
  }
  env_file = ["./web.env"]
  environment = {
    DATABASE_URL = "postgres://shop@${service.db.name}:5432/shop"
    CACHE_ADDR   = "${service.cache.name}:6379"
    LOG_LEVEL    = "debug"
  }
  ports = ["127.0.0.1:${var.web_port}:8080", "9090"]
  mount {
    type      = "bind"
    source    = "./web/static"
    target    = "/srv/static"
    read_only = true
  }
  mount {
    type       = "tmpfs"
    target     = "/tmp"
    tmpfs_size = "16m"
  }
  networks = [network.backend, network.frontend]
  depends_on "db" {
    condition = "service_healthy"
    restart   = true
  }
  healthcheck {
    test         = ["CMD", "/web", "-healthcheck"]
    interval     = "10s"
    start_period = "5s"
  }
  extra_hosts       = ["host.docker.internal=host-gateway"]
  stop_grace_period = "20s"
  init              = true
}

service "adminer" {
  image    = "adminer:4"
  profiles = ["tools"]
  ports    = ["127.0.0.1:8081:8080"]
  networks = [network.backend, network.frontend]
  depends_on = [service.db]
}
