# Both extensions on the Arc-enabled cluster.
resource "azurerm_arc_kubernetes_cluster" "edge" {
  name                         = "arc-edge-03"
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

resource "azurerm_arc_kubernetes_cluster_extension" "policy" {
  name           = "azurepolicy"
  cluster_id     = azurerm_arc_kubernetes_cluster.edge.id
  extension_type = "Microsoft.PolicyInsights"
}
