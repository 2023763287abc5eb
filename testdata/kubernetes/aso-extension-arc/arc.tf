resource "azurerm_arc_kubernetes_cluster" "edge" {
  name                         = "edge-01"
  resource_group_name          = "rg-edge"
  location                     = "westeurope"
  agent_public_key_certificate = "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA"
  identity {
    type = "SystemAssigned"
  }
  tags = {
    owner       = "edge-team"
    cost-center = "77"
  }
}
