# A new subscription; a custom DeployIfNotExists declared with azapi enables the plan.
resource "azurerm_subscription" "corp" {
  subscription_name = "corp-11"
  billing_scope_id  = "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2"
}

resource "azapi_resource" "containers_plan" {
  type      = "Microsoft.Authorization/policyDefinitions@2021-06-01"
  name      = "deploy-containers-plan"
  parent_id = "/providers/Microsoft.Management/managementGroups/landing-zones"
  body = {
    properties = {
      policyType = "Custom"
      mode       = "All"
      policyRule = {
        if = { field = "type", equals = "Microsoft.Resources/subscriptions" }
        then = {
          effect = "DeployIfNotExists"
          details = {
            type              = "Microsoft.Security/pricings"
            name              = "Containers"
            deploymentScope   = "subscription"
            existenceScope    = "subscription"
            roleDefinitionIds = ["/providers/Microsoft.Authorization/roleDefinitions/fb1c8493-542b-48eb-b624-b4c8fea62acd"]
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
      }
    }
  }
}

resource "azurerm_management_group_policy_assignment" "containers_plan" {
  name                 = "containers-plan"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/landing-zones"
  policy_definition_id = azapi_resource.containers_plan.id
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}
