resource "azurerm_kubernetes_cluster" "excluded" {
  name                 = "aks-excluded"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
}
