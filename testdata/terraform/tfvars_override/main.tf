variable "enable_defender" {
  type    = bool
  default = true
}

variable "azure_policy" {
  type    = bool
  default = true
}

resource "azurerm_kubernetes_cluster" "main" {
  name                 = "aks-main"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "main"
  azure_policy_enabled = var.azure_policy

  dynamic "microsoft_defender" {
    for_each = var.enable_defender ? ["on"] : []
    content {
      log_analytics_workspace_id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
    }
  }

  tags = {
    owner       = "team-a"
    cost-center = "cc-1"
  }
}
