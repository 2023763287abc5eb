locals {
  a = local.b
  b = local.c
  c = local.a
  self = !local.self
}

resource "azurerm_kubernetes_cluster" "cyclic" {
  name                 = "aks-cyclic"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "cyclic"
  azure_policy_enabled = local.self
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = local.a
}
