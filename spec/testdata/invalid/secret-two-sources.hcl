secret "token" {
  file        = "./token.txt"
  environment = "TOKEN"
}
