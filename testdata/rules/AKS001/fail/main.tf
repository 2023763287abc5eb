# No microsoft_defender block at all.
resource "azurerm_kubernetes_cluster" "no_sensor" {
  name                 = "aks-no-sensor"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "nosensor"
  azure_policy_enabled = true
}

# The block is there, but points at no workspace: the provider sends no profile.
resource "azurerm_kubernetes_cluster" "null_workspace" {
  name                = "aks-null-workspace"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "nullws"

  microsoft_defender {
    log_analytics_workspace_id = null
  }
}
