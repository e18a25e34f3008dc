service "model" {
  image = "model"
  resources {
    gpus {
      count = "some"
    }
  }
}
