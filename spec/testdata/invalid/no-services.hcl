# Only resources: a stack needs at least one service.
network "backend" {}
volume "data" {}
