// aksguard:ignore AKS003 -- tags are added by the landing-zone policy
resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-quiet'
  location: 'westeurope'
  properties: {
    // A lone " or } inside a Bicep string does not end or extend the suppressed block.
    dnsPrefix: 'say "hi } {'
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

// Not covered by the comment above: still reported.
resource loud 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-loud'
  location: 'westeurope'
  properties: {
    addonProfiles: { azurepolicy: { enabled: true } }
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: '/subscriptions/0/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w'
        securityMonitoring: { enabled: true }
      }
    }
  }
}
