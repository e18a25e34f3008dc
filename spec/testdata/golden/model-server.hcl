name = "llm"

service "api" {
  image = "localhost:5000/api:latest"
  ports = ["127.0.0.1:8080:80", "127.0.0.1:8081:81"]
  depends_on "loader" {
    condition = "service_completed_successfully"
  }
  depends_on "model" {
    required = false
  }
  resources {
    gpus {
      driver       = "nvidia"
      device_ids   = ["0"]
      capabilities = ["gpu"]
    }
  }
}

service "loader" {
  image   = "localhost:5000/model-loader:latest"
  volumes = ["models:/models"]
  restart = "no"
}

service "model" {
  image       = "localhost:5000/model-server:latest"
  pull_policy = "missing"
  command     = ["--model", "/models/tiny.gguf", "--port", "8000"]
  entrypoint  = ["/server"]
  ports       = ["8000"]
  volumes     = ["models:/models:ro"]
  depends_on "registry" {
    condition = "service_healthy"
  }
  replicas = 2
  resources {
    cpus   = 1.5
    memory = "2g"
    gpus {
      driver       = "nvidia"
      count        = 1
      capabilities = ["gpu"]
    }
  }
}

service "registry" {
  image   = "registry:2"
  ports   = ["5000:5000"]
  volumes = ["registry-data:/var/lib/registry"]
  healthcheck {
    test           = ["CMD-SHELL", "wget -qO- http://localhost:5000/v2/ || exit 1"]
    interval       = "15s"
    start_interval = "1s"
  }
}

volume "models" {
}

volume "registry-data" {
  name     = "shared-registry-data"
  external = true
}
