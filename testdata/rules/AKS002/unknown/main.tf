variable "enable_azure_policy" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "by_variable" {
  name                 = "aks-by-variable"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "byvar"
  azure_policy_enabled = var.enable_azure_policy
}
