name = "webapp"

service "cache" {
  image    = "redis:7"
  command  = ["redis-server", "--save", ""]
  expose   = ["6379"]
  networks = [network.backend]
}

service "db" {
  image = "postgres:16"
  environment = {
    POSTGRES_DB   = "app"
    POSTGRES_USER = "app"
  }
  volumes = ["dbdata:/var/lib/postgresql/data"]
  network "backend" {
    aliases = ["database"]
  }
  healthcheck {
    test     = ["CMD-SHELL", "pg_isready -U app"]
    interval = "5s"
    retries  = 10
  }
}

service "web" {
  image = "webapp/web:dev"
  build {
    context    = "./web"
    dockerfile = "Dockerfile.dev"
    args = {
      GO_VERSION = "1.26"
    }
    target = "dev"
  }
  command = ["/web", "-addr", ":8080"]
  environment = {
    CACHE_ADDR   = "cache:6379"
    DATABASE_URL = "postgres://app@db:5432/app"
  }
  ports = ["127.0.0.1:8080:8080", "9091:9090"]
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
  depends_on "cache" {
  }
  depends_on "db" {
    condition = "service_healthy"
    restart   = true
  }
  healthcheck {
    test         = ["CMD", "/web", "-healthcheck"]
    interval     = "10s"
    timeout      = "2s"
    retries      = 3
    start_period = "5s"
  }
  restart           = "unless-stopped"
  stop_grace_period = "20s"
}

network "backend" {
  internal = true
  subnets  = ["172.30.0.0/24"]
}

network "frontend" {
}

volume "dbdata" {
  labels = {
    "dev.stack.fixture" = "webapp"
  }
}
