# The cluster declares no Defender sensor; a custom DeployIfNotExists in a custom initiative,
# assigned at subscription scope, deploys the Defender profile onto every cluster.
resource "azurerm_kubernetes_cluster" "payments" {
  name                 = "aks-payments"
  location             = "westeurope"
  resource_group_name  = "rg-payments"
  dns_prefix           = "payments"
  azure_policy_enabled = true
  tags = {
    owner       = "payments"
    costCenter  = "cc-1"
    environment = "prod"
  }
  default_node_pool {
    name       = "system"
    node_count = 3
    vm_size    = "Standard_D4s_v5"
  }
  identity {
    type = "SystemAssigned"
  }
}

variable "workspace_id" {
  type    = string
  default = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitor/providers/Microsoft.OperationalInsights/workspaces/law-central"
}

resource "azurerm_policy_definition" "defender_profile" {
  name         = "deploy-aks-defender-profile"
  policy_type  = "Custom"
  mode         = "Indexed"
  display_name = "Deploy the Defender profile to AKS clusters (custom)"

  parameters = jsonencode({
    workspaceId = { type = "String", defaultValue = var.workspace_id }
  })

  policy_rule = jsonencode({
    if = { field = "type", equals = "Microsoft.ContainerService/managedClusters" }
    then = {
      effect = "deployIfNotExists"
      details = {
        type               = "Microsoft.ContainerService/managedClusters"
        name               = "[field('name')]"
        roleDefinitionIds  = ["/providers/Microsoft.Authorization/roleDefinitions/ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8"]
        existenceCondition = { field = "Microsoft.ContainerService/managedClusters/securityProfile.defender.securityMonitoring.enabled", equals = "true" }
        deployment = {
          properties = {
            mode = "incremental"
            parameters = {
              clusterName = { value = "[field('name')]" }
              location    = { value = "[field('location')]" }
              workspaceId = { value = "[parameters('workspaceId')]" }
            }
            template = {
              "$schema"      = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
              contentVersion = "1.0.0.0"
              parameters = {
                clusterName = { type = "string" }
                location    = { type = "string" }
                workspaceId = { type = "string" }
              }
              resources = [{
                type       = "Microsoft.ContainerService/managedClusters"
                apiVersion = "2024-02-01"
                name       = "[parameters('clusterName')]"
                location   = "[parameters('location')]"
                properties = {
                  securityProfile = {
                    defender = {
                      logAnalyticsWorkspaceResourceId = "[parameters('workspaceId')]"
                      securityMonitoring              = { enabled = true }
                    }
                  }
                }
              }]
            }
          }
        }
      }
    }
  })
}

resource "azurerm_policy_set_definition" "aks_security" {
  name         = "aks-security"
  policy_type  = "Custom"
  display_name = "AKS security (custom)"
  policy_definition_reference {
    policy_definition_id = azurerm_policy_definition.defender_profile.id
  }
}

resource "azurerm_subscription_policy_assignment" "aks_security" {
  name                 = "aks-security"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000000"
  policy_definition_id = azurerm_policy_set_definition.aks_security.id
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}
