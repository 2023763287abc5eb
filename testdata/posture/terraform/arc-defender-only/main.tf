resource "azurerm_arc_kubernetes_cluster" "edge" {
  name                         = "edge-01"
  resource_group_name          = "rg-edge"
  location                     = "westeurope"
  agent_public_key_certificate = "MIIB..."

  identity {
    type = "SystemAssigned"
  }

  tags = {
    owner       = "retail"
    cost_center = "77"
  }
}

resource "azurerm_arc_kubernetes_cluster_extension" "defender" {
  name           = "microsoft.azuredefender.kubernetes"
  cluster_id     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-edge/providers/Microsoft.Kubernetes/connectedClusters/edge-01"
  extension_type = "microsoft.azuredefender.kubernetes"
}
