network "shared" {
  external = true
  driver   = "overlay"
}
