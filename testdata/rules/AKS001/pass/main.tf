resource "azurerm_log_analytics_workspace" "security" {
  name                = "law-security"
  location            = "westeurope"
  resource_group_name = "rg"
}

# The workspace id is known only after apply; the sensor is still on.
resource "azurerm_kubernetes_cluster" "protected" {
  name                = "aks-protected"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "protected"

  microsoft_defender {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.security.id
  }
}

# Not a cluster: never checked.
resource "azurerm_container_registry" "acr" {
  name                = "acrplatform"
  resource_group_name = "rg"
  location            = "westeurope"
  sku                 = "Premium"
}
