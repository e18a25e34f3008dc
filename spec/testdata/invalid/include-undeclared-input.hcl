include "other" {
  source = "./include/inputs.hcl"
  inputs = {
    retention = "7d"
    verbose   = true
  }
}
