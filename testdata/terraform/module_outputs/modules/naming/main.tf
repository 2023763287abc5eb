variable "prefix" {
  type = string
}

variable "suffix" {
  type = string
}

output "name" {
  value = "${var.prefix}-${var.suffix}"
}
