include "volumes" {
  source = "./include/volumes.hcl"
}
