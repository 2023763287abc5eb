data "azurerm_subscription" "current" {}

# The Containers plan through azapi: Standard, but the sensor is switched off.
resource "azapi_resource" "containers_plan" {
  type      = "Microsoft.Security/pricings@2024-01-01"
  name      = "Containers"
  parent_id = data.azurerm_subscription.current.id
  body = {
    properties = {
      pricingTier = "Standard"
      extensions = [
        { name = "ContainerSensor", isEnabled = "False" },
        { name = "AgentlessDiscoveryForKubernetes", isEnabled = "True" },
      ]
    }
  }
}

# An active DINE for the Azure Policy add-on, assigned at subscription scope through azapi.
resource "azapi_resource" "policy_addon" {
  type      = "Microsoft.Authorization/policyAssignments@2024-04-01"
  name      = "aks-policy-addon"
  parent_id = data.azurerm_subscription.current.id
  location  = "westeurope"
  identity {
    type = "SystemAssigned"
  }
  body = jsonencode({
    properties = {
      policyDefinitionId = "/providers/Microsoft.Authorization/policyDefinitions/a8eff44f-8c92-45c3-a3fb-9880802d67a7"
      parameters         = { effect = { value = "DeployIfNotExists" } }
    }
  })
}

resource "azurerm_kubernetes_cluster" "patched" {
  name                = "aks-patched"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "patched"
  tags = {
    owner       = "team-a"
    cost-center = "cc-1"
  }
  lifecycle {
    ignore_changes = [azure_policy_enabled, microsoft_defender]
  }
}

# The Defender profile is patched onto the cluster after creation.
resource "azapi_update_resource" "defender" {
  type        = "Microsoft.ContainerService/managedClusters@2024-05-01"
  resource_id = azurerm_kubernetes_cluster.patched.id
  body = {
    properties = {
      securityProfile = {
        defender = {
          logAnalyticsWorkspaceResourceId = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
          securityMonitoring              = { enabled = true }
        }
      }
    }
  }
}
