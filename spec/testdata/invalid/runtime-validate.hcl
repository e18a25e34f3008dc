service "gpu" {
  image          = "trainer"
  devices        = ["dri"]
  ipc            = "hots"
  pid            = "service:gpu"
  mem_swappiness = 200
  oom_score_adj  = -2000
  expose         = ["9000-8000", "53/icmp"]
  links          = ["cache:redis"]
}
