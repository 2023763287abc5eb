# The audit policy has an active DeployIfNotExists counterpart for the same protection.
resource "azurerm_subscription_policy_assignment" "audit_arc_defender" {
  name                 = "audit-arc-defender"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/8dfab9c4-fe7b-49ad-85e4-1e9be085358f"
}

resource "azurerm_subscription_policy_assignment" "deploy_arc_defender" {
  name                 = "deploy-arc-defender"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/708b60a6-d253-4fe0-9114-4be4c00f012c"
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}
