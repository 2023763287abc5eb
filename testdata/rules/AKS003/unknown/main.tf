variable "tags" {
  type = map(string)
}

resource "azurerm_kubernetes_cluster" "tags_from_variable" {
  name                = "aks-tags-from-variable"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "tagsvar"
  tags                = var.tags
}
