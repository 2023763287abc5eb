variable "create_cluster" {
  default = false
}

# Not deployed: no findings.
resource "azurerm_kubernetes_cluster" "disabled" {
  count               = var.create_cluster ? 1 : 0
  name                = "aks-disabled"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "disabled"
}

# Not deployed either: empty for_each.
resource "azurerm_kubernetes_cluster" "none" {
  for_each            = {}
  name                = "aks-${each.key}"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = each.key
}

# Two instances; only the second lacks the add-on.
resource "azurerm_kubernetes_cluster" "pair" {
  count                = 2
  name                 = "aks-pair-${count.index}"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "pair${count.index}"
  azure_policy_enabled = count.index == 0

  microsoft_defender {
    log_analytics_workspace_id = "law"
  }

  tags = {
    owner       = "team-a"
    cost-center = "cc-${count.index}"
  }
}

variable "clusters" {
  default = {
    blue  = { policy = true }
    green = { policy = false }
  }
}

resource "azurerm_kubernetes_cluster" "by_key" {
  for_each             = var.clusters
  name                 = "aks-${each.key}"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = each.key
  azure_policy_enabled = each.value.policy

  microsoft_defender {
    log_analytics_workspace_id = "law"
  }

  tags = {
    owner       = "team-${each.key}"
    cost-center = "cc-1"
  }
}

variable "cluster_count" {
  type = number
}

# The number of instances depends on an unset variable: evaluated once, and the findings say so.
resource "azurerm_kubernetes_cluster" "unknown_count" {
  count               = var.cluster_count
  name                = "aks-n-${count.index}"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "n"
  tags = {
    owner       = "team-a"
    cost-center = "cc-1"
  }

  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
}
