# A module shared by environments; no fixture scans this directory on its own.
variable "name" {
  type = string
}

variable "defender_workspace_id" {
  type    = string
  default = null
}

resource "azurerm_kubernetes_cluster" "this" {
  name                 = var.name
  location             = "westeurope"
  resource_group_name  = "rg-${var.name}"
  dns_prefix           = var.name
  azure_policy_enabled = true

  dynamic "microsoft_defender" {
    for_each = var.defender_workspace_id == null ? [] : [var.defender_workspace_id]
    content {
      log_analytics_workspace_id = microsoft_defender.value
    }
  }

  tags = {
    owner       = "platform"
    cost-center = "cc-42"
  }
}
