variable "azure_policy" {
  type = bool
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "azurerm_kubernetes_cluster" "main" {
  name                 = "aks-main"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "main"
  azure_policy_enabled = var.azure_policy
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = var.tags
}
