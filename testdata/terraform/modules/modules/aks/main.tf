variable "name" {
  type = string
}

variable "defender_enabled" {
  type    = bool
  default = true
}

variable "tags" {
  type = map(string)
  default = {
    owner       = "platform"
    cost-center = "cc-0"
  }
}

resource "azurerm_kubernetes_cluster" "this" {
  name                 = var.name
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = var.name
  azure_policy_enabled = true

  dynamic "microsoft_defender" {
    for_each = var.defender_enabled ? ["enabled"] : []
    content {
      log_analytics_workspace_id = "law"
    }
  }

  tags = var.tags
}
