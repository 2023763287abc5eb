resource "azurerm_kubernetes_cluster" "kept" {
  name                 = "aks-kept"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
}
