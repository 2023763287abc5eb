resource "azurerm_kubernetes_cluster" "many" {
  count = 1000000000
  name  = "aks-${count.index}"
}
