# The scan goes on after broken.tf: this cluster is still checked.
resource "azurerm_kubernetes_cluster" "still_checked" {
  name                 = "aks-still-checked"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "checked"
  azure_policy_enabled = true
  tags = {
    owner       = "team-a"
    cost-center = "cc-1"
  }
}
