service "a" {
  image          = "x"
  container_name = "shared"
}
service "b" {
  image          = "x"
  container_name = "shared"
}
service "c" {
  image          = "x"
  container_name = "bad name/with slash"
}
