// Three instances from one declaration: they differ in whether Defender is on.
var clusters = [
  { name: 'aks-a', defender: true }
  { name: 'aks-b', defender: false }
  { name: 'aks-c', defender: true, skip: true }
]

resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = [for (c, i) in clusters: if (!(c.?skip ?? false)) {
  name: c.name
  location: 'westeurope'
  tags: { owner: 'team', 'cost-center': 'cc-${i}' }
  properties: {
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: '/subscriptions/0/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w'
        securityMonitoring: { enabled: c.defender }
      }
    }
    addonProfiles: { azurepolicy: { enabled: true } }
  }
}]

var names = map(filter(clusters, c => c.defender), c => c.name)

resource named 'Microsoft.ContainerService/managedClusters@2024-05-01' = [for n in names: {
  name: '${n}-copy'
  location: 'westeurope'
  tags: { owner: 'team', 'cost-center': 'cc' }
  properties: {
    addonProfiles: { azurepolicy: { enabled: length(n) > 100 } }
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: '/subscriptions/0/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w'
        securityMonitoring: { enabled: true }
      }
    }
  }
}]
