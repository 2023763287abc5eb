// The same custom DeployIfNotExists, assigned without a managed identity: it can never
// remediate, so it provisions nothing (POL001).
targetScope = 'subscription'

resource vmPlan 'Microsoft.Security/pricings@2024-01-01' = {
  name: 'VirtualMachines'
  properties: {
    pricingTier: 'Standard'
  }
}

resource containersPlanPolicy 'Microsoft.Authorization/policyDefinitions@2021-06-01' = {
  name: 'deploy-containers-plan'
  properties: {
    displayName: 'Enable Defender for Containers (custom)'
    policyType: 'Custom'
    mode: 'All'
    parameters: {
      effect: {
        type: 'String'
        allowedValues: [ 'DeployIfNotExists', 'AuditIfNotExists', 'Disabled' ]
        defaultValue: 'DeployIfNotExists'
      }
    }
    policyRule: {
      if: { field: 'type', equals: 'Microsoft.Resources/subscriptions' }
      then: {
        effect: '[parameters(\'effect\')]'
        details: {
          type: 'Microsoft.Security/pricings'
          name: 'Containers'
          deploymentScope: 'subscription'
          existenceScope: 'subscription'
          roleDefinitionIds: [
            '/providers/Microsoft.Authorization/roleDefinitions/fb1c8493-542b-48eb-b624-b4c8fea62acd'
          ]
          existenceCondition: { field: 'Microsoft.Security/pricings/pricingTier', equals: 'Standard' }
          deployment: {
            location: 'westeurope'
            properties: {
              mode: 'incremental'
              template: {
                '$schema': 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#'
                contentVersion: '1.0.0.0'
                resources: [
                  {
                    type: 'Microsoft.Security/pricings'
                    apiVersion: '2024-01-01'
                    name: 'Containers'
                    properties: { pricingTier: 'Standard' }
                  }
                ]
              }
            }
          }
        }
      }
    }
  }
}

resource containersPlanAssignment 'Microsoft.Authorization/policyAssignments@2022-06-01' = {
  name: 'deploy-containers-plan'
  location: 'westeurope'
  properties: {
    policyDefinitionId: containersPlanPolicy.id
  }
}
