name = "build"

service "app" {
  image = "app:latest"
  build {
    context    = "./app"
    dockerfile = "Dockerfile"
    args = {
      VERSION = "1.2"
    }
    target = "final"
    labels = {
      "org.example.team" = "infra"
    }
    no_cache = true
    tags     = ["app:extra"]
    additional_contexts = {
      assets = "./assets"
      base   = "docker-image://busybox:stable"
      tools  = "service:tools"
    }
    ssh         = ["default", "deploy=./deploy_key"]
    cache_from  = ["app:cache", "type=registry,ref=registry.example/app:cache"]
    cache_to    = ["type=inline"]
    network     = "host"
    shm_size    = "128m"
    extra_hosts = ["db.example:10.0.0.6", "mirror.example:10.0.0.5"]
    pull        = true
    isolation   = "default"
    platforms   = ["linux/amd64"]
    secret "npm_token" {
    }
    secret "api_key" {
      target = "apikey"
    }
    ulimit "nofile" {
      soft = 20000
      hard = 40000
    }
    ulimit "nproc" {
      single = 65535
    }
  }
}

service "runner" {
  image = "tools:dev"
}

service "tools" {
  image = "tools:dev"
  build {
    context           = "."
    dockerfile_inline = "FROM scratch\nCOPY a.txt /a.txt\n"
  }
}

secret "api_key" {
  environment = "API_KEY"
}

secret "npm_token" {
  file = "./npm_token.txt"
}
