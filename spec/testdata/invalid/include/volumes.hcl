volume "data" {}
