name = "unsupported"

service "app" {
  image = "app:latest"
  swarm {
    placement {
      constraints = ["node.role == manager"]
    }
  }
}
