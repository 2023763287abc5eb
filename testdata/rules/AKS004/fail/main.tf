resource "azurerm_management_group_policy_assignment" "addon" {
  name                 = "aks-policy-addon"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/platform"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/a8eff44f-8c92-45c3-a3fb-9880802d67a7"
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}

# The policy installs the add-on, and the cluster says it off: every apply removes it again.
resource "azurerm_kubernetes_cluster" "fights" {
  name                 = "aks-fights"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "fights"
  azure_policy_enabled = false
}
