locals {
  common = {
    owner       = "platform"
    environment = "prod"
  }
  name   = "aks-${local.suffix}"
  suffix = lower("PROD")
}

resource "azurerm_kubernetes_cluster" "complete" {
  name                 = local.name
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "complete"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = merge(local.common, { "cost-center" = "cc-42" })
}

# The merge overrides owner with an empty string.
resource "azurerm_kubernetes_cluster" "emptied" {
  name                 = "aks-emptied"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "emptied"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = merge(local.common, { owner = "", cost-center = "cc-1" })
}

# No cost-center at all.
resource "azurerm_kubernetes_cluster" "partial" {
  name                 = "aks-partial"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "partial"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = merge(local.common, {})
}
