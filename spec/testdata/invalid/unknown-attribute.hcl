service "web" {
  image   = "nginx"
  comand  = ["nginx", "-g", "daemon off;"]
}
