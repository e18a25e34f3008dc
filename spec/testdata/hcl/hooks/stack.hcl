# Lifecycle hooks, a provider service, attach = false and an unset variable.
name = "hooks"

service "app" {
  image      = "app:1"
  depends_on = [service.database]
  attach     = false
  environment = {
    UNSET_IN_CONTAINER = null
    STAGE              = "dev"
  }
  pre_start {
    image       = "migrate:1"
    command     = ["migrate", "up"]
    user        = "1000"
    working_dir = "/migrations"
  }
  post_start {
    command     = ["sh", "-c", "echo started"]
    privileged  = true
    environment = { HOOK = "post" }
  }
  pre_stop {
    command = "flush --all"
  }
}

service "database" {
  provider {
    type    = "awesomecloud"
    options = { type = "mysql", size = 256, tag = ["a", "b"] }
  }
}
