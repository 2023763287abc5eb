# `terraform show -json tf.plan > plan.json`, given with `--plan plan.json`: the plan decides
# what the .tf files cannot (a variable set only in CI, a remote module not downloaded).
variable "policy_addon" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "main" {
  name                 = "aks-main"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "main"
  azure_policy_enabled = var.policy_addon

  tags = {
    owner       = "platform"
    cost-center = "cc-1"
  }
}

module "aks" {
  source  = "Azure/aks/azurerm"
  version = "9.0.0"
  prefix  = "edge"
}

variable "containers_tier" {
  type = string
}

# The tier is set in CI: only the plan knows it is Free.
resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = var.containers_tier
  resource_type = "Containers"
}
