# DeployIfNotExists without a managed identity can never remediate.
resource "azurerm_management_group_policy_assignment" "containers_plan" {
  name                 = "containers-plan"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/landing-zones"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/efd4031d-b232-4595-babf-ae817348e91b"
}
