service "gpu" {
  image          = "trainer"
  devices        = ["dri"]
  ipc            = "hots"
  volumes_from   = ["data:rx"]
  mem_swappiness = 200
  shm_size       = "lots"
  mount {
    type   = "volume"
    source = "models"
    target = "/models"
    selinux = "z"
  }
}
volume "models" {}
