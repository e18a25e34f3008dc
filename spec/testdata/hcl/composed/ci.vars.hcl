# CI settings
env = "ci"
replicas = 3
