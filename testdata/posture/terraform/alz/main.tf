resource "azurerm_management_group" "landing_zones" {
  display_name = "Landing zones"
}

# The ALZ initiative with Defender for Containers switched off (its shipped default): POL001.
resource "azurerm_management_group_policy_assignment" "mdfc" {
  name                 = "Deploy-MDFC-Config"
  management_group_id  = azurerm_management_group.landing_zones.id
  policy_definition_id = "/providers/Microsoft.Management/managementGroups/alz/providers/Microsoft.Authorization/policySetDefinitions/Deploy-MDFC-Config_20240319"
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
  parameters = jsonencode({
    enableAscForContainers = { value = "Disabled" }
  })
}

# The plan DINE at the group, with containers enabled: no SUB004, no POL003.
resource "azurerm_management_group_policy_assignment" "plan" {
  name                 = "defender-containers"
  management_group_id  = azurerm_management_group.landing_zones.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/efd4031d-b232-4595-babf-ae817348e91b"
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_subscription" "new" {
  subscription_name = "team-b-prod"
  alias             = "team-b-prod"
}
