# A local stack for serving an Iris classifier: train once, register the model,
# serve it from replicas behind a gateway, log predictions, and keep an OCI
# registry for `stack push`. Build the binaries first: make modelstack-bins.
name = "modelstack"

variable "version" {
  type        = string
  default     = "0.1.0"
  description = "tag of every image built from this example"
}

variable "embedded_model_version" {
  type        = string
  default     = "iris-embedded-1" # must match MODELSTACK_EMBEDDED_VERSION in images.mk
  description = "model baked into the model-server-embedded image"
}

variable "model_server_replicas" {
  type    = number
  default = 2
  validation {
    condition     = var.model_server_replicas >= 1
    error_message = "model_server_replicas must be at least 1."
  }
}

locals {
  # Images are named for the in-stack registry so `stack push` can publish them there.
  image_prefix       = "127.0.0.1:5000/modelstack"
  model_registry_url = "http://model-registry:8080"
}

volume "models" {}
volume "predlogs" {}
volume "registry-data" {}

service "registry" {
  image = "modelstack/registry:3.1.2"
  build {
    context = "./registry"
  }
  # On a swarm (stack deploy), published on the node the task runs on.
  port {
    target    = 5000
    published = 5000
    host_ip   = "127.0.0.1"
    mode      = "host"
  }
  volumes = ["registry-data:/var/lib/registry"]
  healthcheck {
    test           = ["CMD", "/registry", "healthcheck"]
    interval       = "10s"
    timeout        = "3s"
    retries        = 3
    start_period   = "10s"
    start_interval = "1s"
  }
}

service "model-registry" {
  image = "${local.image_prefix}/model-registry:${var.version}"
  build {
    context = "./model-registry"
  }
  volumes = ["models:/data"]
  # On a swarm, the name resolves to the tasks: no virtual IP (IPVS) needed.
  swarm {
    endpoint_mode = "dnsrr"
  }
  healthcheck {
    test           = ["CMD", "/model-registry", "-healthcheck"]
    interval       = "10s"
    timeout        = "3s"
    retries        = 3
    start_period   = "10s"
    start_interval = "1s"
  }
}

service "train" {
  image = "${local.image_prefix}/train:${var.version}"
  build {
    context = "./train"
  }
  environment = {
    MODEL_REGISTRY_URL = local.model_registry_url
    MODEL_NAME         = "iris"
  }
  restart = "no"
  depends_on "model-registry" {
    condition = "service_healthy"
  }
}

service "model-server" {
  image = "${local.image_prefix}/model-server:${var.version}"
  build {
    context = "./model-server"
  }
  environment = {
    MODEL_REGISTRY_URL = local.model_registry_url
    MODEL_NAME         = "iris"
  }
  replicas = var.model_server_replicas
  swarm {
    endpoint_mode = "dnsrr"
    # A changed model server replaces one replica at a time, starting the
    # new one before it stops the old.
    update {
      parallelism = 1
      delay       = "2s"
      order       = "start-first"
    }
  }
  depends_on "train" {
    condition = "service_completed_successfully"
  }
  healthcheck {
    test           = ["CMD", "/model-server", "-healthcheck"]
    interval       = "10s"
    timeout        = "3s"
    retries        = 3
    start_period   = "30s" # downloading the model may wait for the registry
    start_interval = "1s"
  }
}

service "model-server-embedded" {
  image = "${local.image_prefix}/model-server-embedded:${var.embedded_model_version}"
  build {
    context    = "./model-server"
    dockerfile = "Dockerfile.embedded"
    args = {
      MODEL_VERSION = var.embedded_model_version
    }
  }
  swarm {
    endpoint_mode = "dnsrr"
  }
  healthcheck {
    test           = ["CMD", "/model-server", "-healthcheck"]
    interval       = "10s"
    timeout        = "3s"
    retries        = 3
    start_period   = "5s"
    start_interval = "1s"
  }
}

service "predlog" {
  image = "${local.image_prefix}/predlog:${var.version}"
  build {
    context = "./predlog"
  }
  volumes = ["predlogs:/data"]
  swarm {
    endpoint_mode = "dnsrr"
  }
  healthcheck {
    test           = ["CMD", "/predlog", "-healthcheck"]
    interval       = "10s"
    timeout        = "3s"
    retries        = 3
    start_period   = "5s"
    start_interval = "1s"
  }
}

service "gateway" {
  image = "${local.image_prefix}/gateway:${var.version}"
  # Built from source (the other images copy binaries made by make
  # modelstack-bins): the context is this folder, cut down by .dockerignore
  # to the gateway's and the shared packages' Go files.
  build {
    context    = "."
    dockerfile = "gateway/Dockerfile"
  }
  port {
    target    = 8080
    published = 8080
    host_ip   = "127.0.0.1"
    mode      = "host"
  }
  environment = {
    MODEL_SERVER_ADDR   = "model-server:8080"
    EMBEDDED_ADDR       = "model-server-embedded:8080"
    MODEL_REGISTRY_ADDR = "model-registry:8080"
    PREDLOG_URL         = "http://predlog:8080"
    RESOLVE_INTERVAL    = "5s"
  }
  depends_on "model-server" {
    condition = "service_healthy"
  }
  depends_on "model-server-embedded" {
    condition = "service_healthy"
  }
  depends_on "predlog" {
    condition = "service_started"
  }
  healthcheck {
    test           = ["CMD", "/gateway", "-healthcheck"]
    interval       = "10s"
    timeout        = "3s"
    retries        = 3
    start_period   = "5s"
    start_interval = "1s"
  }
  # stack up --watch: a saved edit of the gateway's source, or of the
  # shared packages it imports, rebuilds its image and recreates it; the
  # other services are left as they are.
  develop {
    watch {
      action = "rebuild"
      path   = "./gateway"
    }
    watch {
      action = "rebuild"
      path   = "./internal"
    }
  }
}
