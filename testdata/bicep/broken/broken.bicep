// The missing value after 'location:' is a syntax error; the other file is still checked.
resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-broken'
  location:
}
