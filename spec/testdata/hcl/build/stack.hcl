name = "build"

secret "npm_token" {
  file = "./npm_token.txt"
}

secret "api_key" {
  environment = "BUILD_API_KEY"
}

service "app" {
  image = "app:latest"
  build {
    context    = "./app"
    dockerfile = "Dockerfile"
    args       = { VERSION = "1.2" }
    target     = "final"
    tags       = ["app:extra"]
    additional_contexts = {
      assets = "./assets"
      base   = "docker-image://busybox:stable"
      tools  = "service:tools"
    }
    secrets     = [secret.npm_token]
    ssh         = ["default", "deploy=~/.ssh/deploy_key"]
    cache_from  = ["app:cache"]
    cache_to    = ["type=inline"]
    network     = "host"
    shm_size    = "128m"
    extra_hosts = ["mirror.example=10.0.0.5", "db.example:10.0.0.6"]
    privileged  = false
    pull        = true
    isolation   = "default"
    platforms   = ["linux/amd64"]

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

service "tools" {
  image = "tools:dev"
  build {
    dockerfile_inline = <<-EOT
      FROM scratch
      COPY a.txt /a.txt
    EOT
  }
}

service "runner" {
  image = "tools:dev"
}
