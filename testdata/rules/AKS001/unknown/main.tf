variable "defender_workspace_ids" {
  type = list(string)
}

# Whether the block exists depends on a variable that nothing sets.
resource "azurerm_kubernetes_cluster" "switchable" {
  name                = "aks-switchable"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "switchable"

  dynamic "microsoft_defender" {
    for_each = var.defender_workspace_ids
    content {
      log_analytics_workspace_id = microsoft_defender.value
    }
  }
}
