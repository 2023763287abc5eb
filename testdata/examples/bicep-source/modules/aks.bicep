param name string
param defender bool
param workspaceId string = '/subscriptions/0000/resourceGroups/ops/providers/Microsoft.OperationalInsights/workspaces/logs'

resource cluster 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: name
  location: 'westeurope'
  tags: {
    owner: 'team-${name}'
    'cost-center': 'cc-9'
  }
  properties: {
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: workspaceId
        securityMonitoring: {
          enabled: defender
        }
      }
    }
    addonProfiles: {
      azurepolicy: { enabled: true }
    }
  }
}
