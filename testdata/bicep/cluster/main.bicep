// A cluster with everything on, and one with nothing.
param location string = 'westeurope'
param owner string

resource good 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-good'
  location: location
  tags: {
    owner: 'platform'
    'cost-center': 'cc-1'
  }
  properties: {
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z'
        securityMonitoring: { enabled: true }
      }
    }
    addonProfiles: {
      azurepolicy: { enabled: true }
    }
  }
}

resource bad 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-bad'
  location: location
  tags: { owner: owner }
  properties: {
    addonProfiles: {
      azurepolicy: {
        enabled: false
      }
    }
  }
}

resource never 'Microsoft.ContainerService/managedClusters@2024-05-01' = if (false) {
  name: 'aks-never'
  properties: {}
}
