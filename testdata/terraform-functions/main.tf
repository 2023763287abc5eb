# The configuration both sides evaluate expressions.txt in: `var.u` has no value (unknown, as in a
# plan), and templatestring() needs its template in a named value.
variable "u" {}

locals {
  tpl = "Hello, $${name}!"
}
