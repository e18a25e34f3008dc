# A model server with replicas on a GPU, fed by a loader job from a local
# OCI registry.
name = "llm"

locals {
  registry = "localhost:5000"
  model    = "/models/tiny.gguf"
}

volume "models" {}

volume "registry-data" {
  name     = "shared-registry-data"
  external = true
}

service "registry" {
  image   = "registry:2"
  ports   = ["5000:5000"]
  volumes = ["${volume.registry-data.key}:/var/lib/registry"]
  healthcheck {
    test           = ["CMD-SHELL", "wget -qO- http://localhost:5000/v2/ || exit 1"]
    interval       = "15s"
    start_interval = "1s"
  }
}

service "loader" {
  image   = "${local.registry}/model-loader:latest"
  volumes = ["models:/models"]
  restart = "no"
  depends_on "registry" {
    condition = "service_healthy"
  }
}

service "model" {
  image       = "${local.registry}/model-server:latest"
  pull_policy = "missing"
  entrypoint  = ["/server"]
  command     = ["--model", local.model, "--port", "8000"]
  ports       = ["8000-8001"]
  volumes     = ["models:/models:ro"]
  replicas    = 2
  depends_on "loader" {
    condition = "service_completed_successfully"
  }
  resources {
    cpus   = 1.5
    memory = "2g"
    gpus {
      driver = "nvidia"
      count  = 1
    }
  }
  stop_signal = "SIGINT"
}

service "api" {
  image = "${local.registry}/api:latest"
  ports = ["127.0.0.1:8080:80/tcp"]
  environment = {
    MODEL_URL = "http://${service.model.name}:8000"
  }
  depends_on "model" {
    required = false
  }
  resources {
    gpus {
      device_ids = ["0"]
    }
  }
}
