# Subscription vending that manages Defender plans but never enables Containers.
resource "azurerm_subscription" "team" {
  subscription_name = "team-a-prod"
  billing_scope_id  = "/providers/Microsoft.Billing/billingAccounts/1234/enrollmentAccounts/5678"
}

# Not the Containers plan: no SUB001 for it, whatever its tier.
resource "azurerm_security_center_subscription_pricing" "vms" {
  tier          = "Free"
  resource_type = "VirtualMachines"
}

# The retired plan, and the retired agent switch: SUB003.
resource "azurerm_security_center_subscription_pricing" "legacy" {
  tier          = "Standard"
  resource_type = "KubernetesService"
}

resource "azurerm_security_center_auto_provisioning" "agent" {
  auto_provision = "On"
}

# The Containers plan at Free: SUB001.
resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "free"
  resource_type = "Containers"
}

# Audit only: POL002.
resource "azurerm_subscription_policy_assignment" "audit_profile" {
  name                 = "audit-defender-profile"
  subscription_id      = azurerm_subscription.team.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/a1840de2-8088-4ea8-b153-b4c723e9cb01"
}
