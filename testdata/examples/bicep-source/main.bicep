// One module, two calls: only the call that passes defender: false is reported.
module prod './modules/aks.bicep' = {
  name: 'aks-prod'
  params: {
    name: 'aks-prod'
    defender: true
  }
}

module dev 'modules/aks.bicep' = {
  name: 'aks-dev'
  params: {
    name: 'aks-dev'
    defender: false
  }
}
