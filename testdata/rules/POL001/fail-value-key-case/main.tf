# Azure reads the parameter's `value` key case-insensitively: `Value = "Disabled"` switches the
# initiative's container provisioning off just as `value` does.
resource "azurerm_management_group_policy_assignment" "mdfc" {
  name                 = "Deploy-MDFC-Config"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/platform"
  policy_definition_id = "/providers/Microsoft.Management/managementGroups/contoso/providers/Microsoft.Authorization/policySetDefinitions/Deploy-MDFC-Config_20240319"
  location             = "westeurope"

  identity {
    type = "SystemAssigned"
  }

  parameters = jsonencode({
    enableAscForContainers = { Value = "Disabled" }
  })
}
