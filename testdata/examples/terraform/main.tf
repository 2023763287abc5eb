# Example: three AKS clusters of a platform team, as they often look in a first pull request.

resource "azurerm_resource_group" "platform" {
  name     = "rg-platform"
  location = "westeurope"
}

resource "azurerm_log_analytics_workspace" "security" {
  name                = "law-security"
  location            = azurerm_resource_group.platform.location
  resource_group_name = azurerm_resource_group.platform.name
  sku                 = "PerGB2018"
}

# Protected: Defender sensor, Azure Policy add-on and ownership tags.
resource "azurerm_kubernetes_cluster" "payments" {
  name                 = "aks-payments"
  location             = azurerm_resource_group.platform.location
  resource_group_name  = azurerm_resource_group.platform.name
  dns_prefix           = "payments"
  azure_policy_enabled = true

  default_node_pool {
    name       = "system"
    node_count = 3
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }

  microsoft_defender {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.security.id
  }

  tags = {
    owner       = "team-payments"
    cost-center = "cc-1234"
  }
}

# Unprotected: no sensor, add-on switched off, and nobody owns it.
resource "azurerm_kubernetes_cluster" "sandbox" {
  name                 = "aks-sandbox"
  location             = azurerm_resource_group.platform.location
  resource_group_name  = azurerm_resource_group.platform.name
  dns_prefix           = "sandbox"
  azure_policy_enabled = false

  default_node_pool {
    name       = "system"
    node_count = 1
    vm_size    = "Standard_B4ms"
  }

  identity {
    type = "SystemAssigned"
  }

  tags = {
    Owner = ""
  }
}
