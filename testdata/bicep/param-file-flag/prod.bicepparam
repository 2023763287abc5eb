using './main.bicep'

param clusterName = 'aks-shop-prod'
param policyAddon = true
