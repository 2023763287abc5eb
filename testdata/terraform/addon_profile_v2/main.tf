variable "policy_enabled" {
  default = false
}

# azurerm v2 shape, decided by a variable default.
resource "azurerm_kubernetes_cluster" "v2" {
  name                = "aks-v2"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "v2"

  addon_profile {
    azure_policy {
      enabled = var.policy_enabled
    }
  }

  microsoft_defender {
    log_analytics_workspace_id = "law"
  }

  tags = {
    owner       = "team"
    cost-center = "cc"
  }
}
