secret "token" {
  name = "api-token"
}
