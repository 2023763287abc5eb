targetScope = 'subscription'

@allowed(['Free', 'Standard'])
param tier string = 'Free'

resource containers 'Microsoft.Security/pricings@2024-01-01' = {
  name: 'Containers'
  properties: {
    pricingTier: tier
  }
}

resource defenderPolicy 'Microsoft.Authorization/policyAssignments@2024-04-01' = {
  name: 'defender-for-containers'
  location: 'westeurope'
  identity: { type: 'SystemAssigned' }
  properties: {
    policyDefinitionId: tenantResourceId('Microsoft.Authorization/policyDefinitions', '64def556-fbad-4622-930e-72d1d5589bf5')
    enforcementMode: 'DoNotEnforce'
  }
}
