resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-fine'
  tags: { owner: 'ops', 'cost-center': 'cc' }
  properties: {
    addonProfiles: { azurepolicy: { enabled: true } }
  }
}
