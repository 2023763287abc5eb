# azure_policy_enabled has no default: absent means off.
resource "azurerm_kubernetes_cluster" "absent" {
  name                = "aks-absent"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "absent"
}

resource "azurerm_kubernetes_cluster" "off" {
  name                 = "aks-off"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "off"
  azure_policy_enabled = false
}

# azurerm v2 shape, switched off.
resource "azurerm_kubernetes_cluster" "v2_off" {
  name                = "aks-v2-off"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "v2off"

  addon_profile {
    azure_policy {
      enabled = false
    }
  }
}
