resource "azurerm_subscription_policy_assignment" "audit_arc_defender" {
  name                 = "audit-arc-defender"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/8dfab9c4-fe7b-49ad-85e4-1e9be085358f"
}
