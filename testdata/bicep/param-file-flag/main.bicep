param clusterName string = 'aks-shop'
param policyAddon bool = true

resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: clusterName
  location: 'westeurope'
  tags: { owner: 'shop', 'cost-center': 'cc-7' }
  properties: {
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: '/subscriptions/0/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w'
        securityMonitoring: { enabled: true }
      }
    }
    addonProfiles: {
      azurepolicy: { enabled: policyAddon }
    }
  }
}
