# A remote module after `terraform init`: its copy in .terraform/modules is read, so the cluster
# it creates is checked with this root's arguments.
module "aks" {
  source  = "Azure/aks/azurerm"
  version = "9.0.0"
  name    = "aks-from-registry"
}

module "not_initialised" {
  source = "Azure/network/azurerm"
}
