name = "hooks"

service "app" {
  image = "app:1"
  environment = {
    SET_IN_TEST   = "yes"
    UNSET_IN_TEST = null
  }
  depends_on = [service.database]
  attach     = false
  pre_start {
    image       = "migrate:1"
    command     = ["migrate", "up"]
    user        = "1000"
    working_dir = "/migrations"
    environment = {
      SET_IN_TEST = "yes"
      STAGE       = "migrate"
    }
  }
  post_start {
    command     = ["sh", "-c", "echo started"]
    user        = "root"
    privileged  = true
    working_dir = "/tmp"
    environment = {
      STAGE = "post"
    }
  }
  post_start {
    command = ["echo", "second"]
  }
  pre_stop {
    command = ["sh", "-c", "echo stopping"]
  }
}

service "database" {
  provider {
    type = "awesomecloud"
    options = {
      size = "256"
      tag  = ["a", "b"]
      type = "mysql"
    }
  }
}
