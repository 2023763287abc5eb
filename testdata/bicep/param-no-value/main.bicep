@description('Whether the Defender sensor is on: nobody sets it.')
param defenderEnabled bool

resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-undecided'
  location: 'westeurope'
  tags: { owner: 'ops', 'cost-center': 'cc-3' }
  properties: {
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: '/subscriptions/0/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w'
        securityMonitoring: { enabled: defenderEnabled }
      }
    }
    addonProfiles: { azurepolicy: { enabled: true } }
  }
}
