// Inputs the fuzz targets found (see tests/malformed.rs): each once took the scan down.
resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'aks-bicep-formats'
  location: 'westeurope'
  tags: {
    // An argument index of usize::MAX overflowed; a width of 999999999 allocated a gigabyte.
    index: format('M/{18446744073709551615}', 'a')
    width: format('{0:D999999999}', 1)
  }
  properties: {}
}
