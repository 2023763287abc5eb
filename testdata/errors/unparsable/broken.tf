resource "azurerm_kubernetes_cluster" "broken" {
  name = "aks-broken"
  tags = {
    owner = "team-a"
