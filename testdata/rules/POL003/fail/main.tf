resource "azurerm_management_group" "landing_zones" {
  display_name = "Landing Zones"
}

# Provisioning, but only for the one subscription.
resource "azurerm_subscription_policy_assignment" "containers_plan" {
  name                 = "containers-plan"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/efd4031d-b232-4595-babf-ae817348e91b"
  location             = "westeurope"

  identity {
    type = "SystemAssigned"
  }
}
