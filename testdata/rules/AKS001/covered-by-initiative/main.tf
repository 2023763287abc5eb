# A custom initiative that groups the Defender profile DINE with a policy aksguard does not know.
resource "azurerm_policy_set_definition" "aks_baseline" {
  name         = "aks-baseline"
  policy_type  = "Custom"
  display_name = "AKS baseline"

  policy_definition_reference {
    policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/64def556-fbad-4622-930e-72d1d5589bf5"
  }
  policy_definition_reference {
    policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/00000000-0000-0000-0000-000000000001"
  }
}

resource "azurerm_management_group_policy_assignment" "aks_baseline" {
  name                 = "aks-baseline"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/platform"
  policy_definition_id = azurerm_policy_set_definition.aks_baseline.id
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "covered" {
  name                = "aks-covered"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "covered"
}
