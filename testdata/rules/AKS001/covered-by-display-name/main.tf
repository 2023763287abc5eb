# The DINE is found through a data source by its display name (with the [Preview] prefix).
data "azurerm_policy_definition" "defender_profile" {
  display_name = "[Preview]: Configure Azure Kubernetes Service clusters to enable Defender profile"
}

data "azurerm_subscription" "current" {}

resource "azurerm_subscription_policy_assignment" "defender_profile" {
  name                 = "aks-defender-profile"
  subscription_id      = data.azurerm_subscription.current.id
  policy_definition_id = data.azurerm_policy_definition.defender_profile.id
  location             = "westeurope"

  identity {
    type = "SystemAssigned"
  }
}

# Not declared here, provisioned by the assignment: covered (a note), not a violation.
resource "azurerm_kubernetes_cluster" "covered" {
  name                = "aks-covered"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "covered"
}
