// aksguard:ignore AKS003 -- tags are added by the landing-zone policy
resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-quiet'
  location: 'westeurope'
  properties: {
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: '/subscriptions/0/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w'
        securityMonitoring: { enabled: true }
      }
    }
    addonProfiles: {
      azurepolicy: { enabled: false } // aksguard:ignore AKS002 -- replaced by Gatekeeper
    }
  }
}
