param defender bool = true

resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-json'
  location: 'westeurope'
  tags: { owner: 'ops', 'cost-center': 'cc-4' }
  properties: {
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: '/subscriptions/0/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w'
        securityMonitoring: { enabled: defender }
      }
    }
    addonProfiles: { azurepolicy: { enabled: true } }
  }
}
