# Example: a subscription-vending configuration that looks protected in review, but is not quite.

resource "azurerm_management_group" "platform" {
  display_name = "Platform"
}

# The Containers plan is paid for, but the azurerm provider disables every extension not listed:
# only the sensor is provisioned here.
resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"

  extension {
    name = "ContainerSensor"
  }
}

# Provisions the Azure Policy add-on on every AKS cluster of the subscription...
resource "azurerm_subscription_policy_assignment" "policy_addon" {
  name                 = "aks-policy-addon"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000000"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/a8eff44f-8c92-45c3-a3fb-9880802d67a7"
  location             = "westeurope"

  identity {
    type = "SystemAssigned"
  }
}

# ...but this one never deploys the Defender profile: enforcement is off.
resource "azurerm_subscription_policy_assignment" "defender_profile" {
  name                 = "aks-defender-profile"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000000"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/64def556-fbad-4622-930e-72d1d5589bf5"
  location             = "westeurope"
  enforce              = false

  identity {
    type = "SystemAssigned"
  }
}

# The add-on is left to the policy, but Terraform would remove what the policy adds.
resource "azurerm_kubernetes_cluster" "batch" {
  name                 = "aks-batch"
  location             = "westeurope"
  resource_group_name  = "rg-batch"
  dns_prefix           = "batch"

  tags = {
    owner       = "team-batch"
    cost-center = "cc-2001"
  }
}
