# The custom DeployIfNotExists is assigned without an identity: it can never remediate.
resource "azurerm_subscription" "corp" {
  subscription_name = "corp-07"
  billing_scope_id  = "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2"
}

resource "azurerm_policy_definition" "containers_plan" {
  name                = "deploy-containers-plan"
  policy_type         = "Custom"
  mode                = "All"
  display_name        = "Enable Defender for Containers (custom)"
  management_group_id = "/providers/Microsoft.Management/managementGroups/landing-zones"

  parameters = jsonencode({
    effect = {
      type          = "String"
      allowedValues = ["DeployIfNotExists", "AuditIfNotExists", "Disabled"]
      defaultValue  = "DeployIfNotExists"
    }
  })

  policy_rule = jsonencode({
    if = { field = "type", equals = "Microsoft.Resources/subscriptions" }
    then = {
      effect = "[parameters('effect')]"
      details = {
        type               = "Microsoft.Security/pricings"
        name               = "Containers"
        deploymentScope    = "subscription"
        existenceScope     = "subscription"
        roleDefinitionIds  = ["/providers/Microsoft.Authorization/roleDefinitions/fb1c8493-542b-48eb-b624-b4c8fea62acd"]
        existenceCondition = { field = "Microsoft.Security/pricings/pricingTier", equals = "Standard" }
        deployment = {
          location = "westeurope"
          properties = {
            mode = "incremental"
            template = {
              "$schema"      = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
              contentVersion = "1.0.0.0"
              resources = [{
                type       = "Microsoft.Security/pricings"
                apiVersion = "2024-01-01"
                name       = "Containers"
                properties = { pricingTier = "Standard" }
              }]
            }
          }
        }
      }
    }
  })
}

resource "azurerm_management_group_policy_assignment" "containers_plan" {
  name                 = "containers-plan"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/landing-zones"
  policy_definition_id = azurerm_policy_definition.containers_plan.id
}
