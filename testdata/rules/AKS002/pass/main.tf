resource "azurerm_kubernetes_cluster" "on" {
  name                 = "aks-on"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "on"
  azure_policy_enabled = true
}

# Terraform converts the string "true" to a bool.
resource "azurerm_kubernetes_cluster" "string_true" {
  name                 = "aks-string"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "string"
  azure_policy_enabled = "true"
}

# azurerm v2 shape.
resource "azurerm_kubernetes_cluster" "v2_on" {
  name                = "aks-v2-on"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "v2on"

  addon_profile {
    azure_policy {
      enabled = true
    }
    http_application_routing {
      enabled = false
    }
  }
}
