resource "azurerm_kubernetes_cluster" "untagged" {
  name                = "aks-untagged"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "untagged"
}

resource "azurerm_kubernetes_cluster" "no_cost_center" {
  name                = "aks-no-cost-center"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "nocc"
  tags = {
    owner       = "team-a"
    environment = "dev"
  }
}

resource "azurerm_kubernetes_cluster" "empty_owner" {
  name                = "aks-empty-owner"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "emptyowner"
  tags = {
    owner         = "  "
    "cost-center" = "cc-1"
  }
}
