resource "azurerm_management_group_policy_assignment" "addon" {
  name                 = "aks-policy-addon"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/platform"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/a8eff44f-8c92-45c3-a3fb-9880802d67a7"
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}

# Covered, and Terraform leaves the add-on to the policy: no AKS004.
resource "azurerm_kubernetes_cluster" "ignores" {
  name                = "aks-ignores"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "ignores"
  microsoft_defender {
    log_analytics_workspace_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
  }
  tags = {
    owner       = "team-a"
    cost-center = "cc-1"
  }
  lifecycle {
    ignore_changes = [azure_policy_enabled]
  }
}

# Covered, but the next apply turns the add-on off again: AKS004.
resource "azurerm_kubernetes_cluster" "fights" {
  name                 = "aks-fights"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "fights"
  azure_policy_enabled = false
  microsoft_defender {
    log_analytics_workspace_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
  }
  tags = {
    owner       = "team-a"
    cost-center = "cc-1"
  }
}
