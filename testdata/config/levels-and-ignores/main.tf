resource "azurerm_kubernetes_cluster" "prod" {
  name = "aks-prod"
}

resource "azurerm_kubernetes_cluster" "legacy_one" {
  name = "aks-legacy"
  tags = { Owner = "team-a" }
}
