// main.json beside this file is its compiled output: results are reported once, here.
resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-twin'
  location: 'westeurope'
  tags: { owner: 'ops', 'cost-center': 'cc-5' }
  properties: {
    addonProfiles: { azurepolicy: { enabled: true } }
  }
}
