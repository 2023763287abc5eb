using './main.bicep'

// Chosen with --param-file: prod.bicepparam is then not used.
param clusterName = 'aks-shop-dev'
param policyAddon = false
