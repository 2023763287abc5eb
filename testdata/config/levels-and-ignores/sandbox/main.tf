resource "azurerm_kubernetes_cluster" "sandbox" {
  name                 = "aks-sandbox"
  azure_policy_enabled = true
}
