variable "index" {
  type = number
}

resource "azurerm_kubernetes_cluster" "each" {
  count = 1000
  name  = "aks-${var.index}-${count.index}"
}
