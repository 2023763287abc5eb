# A new subscription, and the plan is provisioned at management-group scope.
resource "azurerm_subscription" "corp" {
  subscription_name = "corp-03"
  billing_scope_id  = "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2"
}

resource "azurerm_management_group_policy_assignment" "containers_plan" {
  name                 = "containers-plan"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/landing-zones"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/efd4031d-b232-4595-babf-ae817348e91b"
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}
