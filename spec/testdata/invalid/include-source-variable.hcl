variable "dir" {
  default = "include"
}

include "other" {
  source = "./${var.dir}/other.hcl"
}
