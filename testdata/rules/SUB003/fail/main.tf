resource "azurerm_security_center_subscription_pricing" "aks_legacy" {
  tier          = "Standard"
  resource_type = "KubernetesService"
}
