# The Arc-enabled cluster has the Defender extension; a custom DeployIfNotExists installs the Azure Policy extension.
resource "azurerm_arc_kubernetes_cluster" "edge" {
  name                         = "arc-edge-01"
  resource_group_name          = "rg-edge"
  location                     = "westeurope"
  agent_public_key_certificate = "MIICYzCCAcygAwIBAgIBADANBgkqhkiG9w0BAQUFADAu"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_arc_kubernetes_cluster_extension" "defender" {
  name           = "microsoft.azuredefender.kubernetes"
  cluster_id     = azurerm_arc_kubernetes_cluster.edge.id
  extension_type = "Microsoft.AzureDefender.Kubernetes"
}

resource "azurerm_policy_definition" "arc_policy_extension" {
  name         = "deploy-arc-policy-extension"
  policy_type  = "Custom"
  mode         = "Indexed"
  display_name = "Install the Azure Policy extension on Arc-enabled clusters (custom)"

  policy_rule = jsonencode({
    if = { field = "type", equals = "Microsoft.Kubernetes/connectedClusters" }
    then = {
      effect = "DeployIfNotExists"
      details = {
        type              = "Microsoft.KubernetesConfiguration/extensions"
        roleDefinitionIds = ["/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"]
        existenceCondition = {
          field  = "Microsoft.KubernetesConfiguration/extensions/extensionType"
          equals = "microsoft.policyinsights"
        }
        deployment = {
          properties = {
            mode = "incremental"
            parameters = {
              clusterName = { value = "[field('name')]" }
            }
            template = {
              "$schema"      = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
              contentVersion = "1.0.0.0"
              parameters     = { clusterName = { type = "string" } }
              resources = [{
                type       = "Microsoft.KubernetesConfiguration/extensions"
                apiVersion = "2022-11-01"
                name       = "azurepolicy"
                scope      = "[concat('Microsoft.Kubernetes/connectedClusters/', parameters('clusterName'))]"
                properties = { extensionType = "microsoft.policyinsights", autoUpgradeMinorVersion = true }
              }]
            }
          }
        }
      }
    }
  })
}

resource "azurerm_subscription_policy_assignment" "arc_policy_extension" {
  name                 = "arc-policy-extension"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000000"
  policy_definition_id = azurerm_policy_definition.arc_policy_extension.id
  location             = "westeurope"
  identity {
    type = "SystemAssigned"
  }
}
