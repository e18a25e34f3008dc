service "search" {
  image = "elasticsearch"
  ulimit "nofile" {
    soft = 65536
    hard = 1024
  }
  ulimits = { nofile = 4096 }
}
