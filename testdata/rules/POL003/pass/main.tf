resource "azurerm_management_group" "landing_zones" {
  display_name = "Landing Zones"
}

# Provisioning at the management group: every subscription below it is covered.
resource "azurerm_management_group_policy_assignment" "containers_plan" {
  name                 = "containers-plan"
  management_group_id  = azurerm_management_group.landing_zones.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/efd4031d-b232-4595-babf-ae817348e91b"
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}
