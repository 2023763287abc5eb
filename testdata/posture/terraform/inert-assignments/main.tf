resource "azurerm_management_group" "platform" {
  display_name = "Platform"
}

# ALZ ships enableAscForContainers = "Disabled".
resource "azurerm_management_group_policy_assignment" "mdfc_disabled" {
  name                 = "Deploy-MDFC-Config"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/platform"
  policy_definition_id = "/providers/Microsoft.Management/managementGroups/contoso/providers/Microsoft.Authorization/policySetDefinitions/Deploy-MDFC-Config_20240319"
  location             = "westeurope"

  identity {
    type = "SystemAssigned"
  }

  # Literal JSON text (what `jsonencode` would produce).
  parameters = "{\"enableAscForContainers\": {\"value\": \"Disabled\"}}"
}

resource "azurerm_management_group_policy_assignment" "mdfc_default" {
  name                 = "Deploy-MDFC-Config-2"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/platform"
  policy_definition_id = "/providers/Microsoft.Management/managementGroups/contoso/providers/Microsoft.Authorization/policySetDefinitions/Deploy-MDFC-Config"
  location             = "westeurope"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_management_group_policy_assignment" "plan_dry_run" {
  name                 = "containers-plan"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/platform"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/c9ddb292-b203-4738-aead-18e2716e858f"
  location             = "westeurope"
  enforce              = false

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_management_group_policy_assignment" "arc_policy_no_identity" {
  name                 = "arc-policy-ext"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/platform"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/0adc5395-9169-4b9b-8687-af838d69410a"
}
