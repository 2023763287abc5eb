variable "enable_defender" {
  type = bool
}

variable "owner" {
  type = string
}

resource "azurerm_kubernetes_cluster" "main" {
  name                 = "aks-main"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "main"
  azure_policy_enabled = var.enable_defender

  dynamic "microsoft_defender" {
    for_each = var.enable_defender ? [1] : []
    content {
      log_analytics_workspace_id = azurerm_log_analytics_workspace.law.id
    }
  }

  tags = {
    owner       = var.owner
    cost-center = "cc-1"
  }
}
