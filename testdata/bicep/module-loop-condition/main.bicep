@description('Set at deployment: whether the canary cluster is deployed.')
param deployCanary bool

var clusters = [
  { name: 'aks-eu', defender: true }
  { name: 'aks-us', defender: false }
]

// One instance per element, each with its own arguments: only aks-us is reported.
module regional './modules/aks.bicep' = [for (c, i) in clusters: {
  name: 'aks-${i}'
  params: {
    name: c.name
    defender: c.defender
  }
}]

// Deployed only if deployCanary, which nothing decides: reported, with that condition as context.
module canary './modules/aks.bicep' = if (deployCanary) {
  name: 'canary'
  params: {
    name: 'aks-canary'
    defender: false
  }
}

// Never deployed: not reported.
module never './modules/aks.bicep' = if (length(clusters) > 5) {
  name: 'never'
  params: {
    name: 'aks-never'
    defender: false
  }
}
