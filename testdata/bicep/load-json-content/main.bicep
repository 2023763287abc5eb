targetScope = 'managementGroup'

// The assignment's settings come from a JSON file, as in the Azure Landing Zones Bicep modules:
// the compiler embeds the file, so aksguard reads it too.
var assignment = loadJsonContent('lib/mdfc-assignment.json')
var definitionId = loadJsonContent('lib/mdfc-assignment.json', '$.properties.policyDefinitionId')

resource mdfc 'Microsoft.Authorization/policyAssignments@2024-04-01' = {
  name: assignment.name
  location: 'westeurope'
  identity: { type: 'SystemAssigned' }
  properties: {
    policyDefinitionId: definitionId
    enforcementMode: assignment.properties.enforcementMode
  }
}

var notes = loadTextContent('lib/missing.txt')
