# A module that calls itself: Terraform rejects it; aksguard must stop, not loop.
variable "depth" {
  default = 0
}

module "again" {
  source = "./"
  depth  = var.depth + 1
}

resource "azurerm_kubernetes_cluster" "deep" {
  name                 = "aks-deep"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "deep"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = {
    owner       = "team"
    cost-center = "cc"
  }
}
