# Two instances of one module: only dev switches Defender off. The module's own default (true)
# must not hide the caller's argument.
module "dev" {
  source           = "../modules/aks"
  name             = "aks-dev"
  defender_enabled = false
}

module "prod" {
  source = "../modules/aks"
  name   = "aks-prod"
}

module "regional" {
  source   = "../modules/aks"
  for_each = { weu = "owner-weu", neu = "" }
  name     = "aks-${each.key}"
  tags = {
    owner       = each.value
    cost-center = "cc-1"
  }
}

module "network" {
  source  = "Azure/network/azurerm"
  version = "5.3.0"
}

module "missing" {
  source = "./not-here"
}
