# The platform team provisions the Defender profile by policy at subscription scope.
resource "azurerm_subscription_policy_assignment" "aks_defender" {
  name                 = "aks-defender-profile"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/64def556-fbad-4622-930e-72d1d5589bf5"
  location             = "westeurope"

  identity {
    type = "SystemAssigned"
  }
}

# Leaves the profile to the policy but does not ignore it: apply removes it, policy re-adds it.
resource "azurerm_kubernetes_cluster" "flapping" {
  name                 = "aks-flapping"
  location             = "westeurope"
  resource_group_name  = "rg-aks"
  dns_prefix           = "flapping"
  azure_policy_enabled = true

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }

  tags = {
    owner       = "team-a"
    cost-center = "cc-1"
  }
}

# Leaves the profile to the policy and tells Terraform to keep its hands off.
resource "azurerm_kubernetes_cluster" "steady" {
  name                 = "aks-steady"
  location             = "westeurope"
  resource_group_name  = "rg-aks"
  dns_prefix           = "steady"
  azure_policy_enabled = true

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }

  tags = {
    Owner      = "team-b"
    CostCenter = "cc-2"
  }

  lifecycle {
    ignore_changes = [microsoft_defender]
  }
}
