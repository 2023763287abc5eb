// main.json beside this file was compiled from an earlier version; this one does not parse
// (the closing brace is missing), so the compiled template is checked instead.
resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: 'aks-twin'
  location: 'westeurope'
