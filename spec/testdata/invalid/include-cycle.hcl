include "self" {
  source = "./include-cycle.hcl"
}
