# Azure tag names are case-insensitive; separators are ignored by default.
resource "azurerm_kubernetes_cluster" "camel" {
  name                = "aks-camel"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "camel"
  tags = {
    Owner      = "team-a"
    CostCenter = "cc-1"
  }
}

resource "azurerm_kubernetes_cluster" "snake" {
  name                = "aks-snake"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "snake"
  tags = {
    OWNER         = "team-b"
    "cost_center" = 4711
  }
}
