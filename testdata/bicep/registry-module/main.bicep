// A registry module is not fetched: E003, and its outputs are unknown.
module aks 'br/public:avm/res/container-service/managed-cluster:0.10.0' = {
  name: 'aks'
  params: {
    name: 'aks-registry'
  }
}

resource pricing 'Microsoft.Security/pricings@2024-01-01' = {
  name: 'Containers'
  properties: {
    pricingTier: aks.outputs.tier
  }
}
