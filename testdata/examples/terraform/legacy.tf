# An older cluster still written for azurerm v2: the add-on lives in addon_profile.
resource "azurerm_kubernetes_cluster" "legacy" {
  name                = "aks-legacy"
  location            = "westeurope"
  resource_group_name = "rg-legacy"
  dns_prefix          = "legacy"

  default_node_pool {
    name       = "default"
    node_count = 2
    vm_size    = "Standard_D2s_v3"
  }

  identity {
    type = "SystemAssigned"
  }

  addon_profile {
    azure_policy {
      enabled = true
    }
  }

  tags = {
    Owner      = "team-legacy"
    CostCenter = "cc-0007"
  }
}
