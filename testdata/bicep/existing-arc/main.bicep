// An existing cluster is deployed elsewhere: not reported here. Its Arc sibling gets the
// Defender extension, scoped by symbol, but no policy extension.
resource managed 'Microsoft.ContainerService/managedClusters@2024-05-01' existing = {
  name: 'aks-elsewhere'
}

resource edge 'Microsoft.Kubernetes/connectedClusters@2024-01-01' = {
  name: 'arc-edge'
  location: 'westeurope'
  identity: { type: 'SystemAssigned' }
  tags: { owner: 'edge-team', 'cost-center': 'cc-2' }
  properties: {
    agentPublicKeyCertificate: ''
  }
}

resource defender 'Microsoft.KubernetesConfiguration/extensions@2023-05-01' = {
  name: 'microsoft.azuredefender.kubernetes'
  scope: edge
  properties: {
    extensionType: 'microsoft.azuredefender.kubernetes'
  }
}

resource otherArc 'Microsoft.Kubernetes/connectedClusters@2024-01-01' existing = {
  name: 'arc-elsewhere'
}
