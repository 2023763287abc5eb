variable "name" {
  type = string
}

resource "azurerm_kubernetes_cluster" "main" {
  name                = var.name
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = var.name

  microsoft_defender {
    log_analytics_workspace_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
  }
}
