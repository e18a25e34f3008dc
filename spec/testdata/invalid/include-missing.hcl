include "monitoring" {
  source = "./monitoring/stack.hcl"
}
