# Settings that come from another module's outputs: module.settings is evaluated with its
# arguments, and its outputs (and those of the module it calls) decide the cluster.
module "settings" {
  source      = "./modules/settings"
  environment = "prod"
}

resource "azurerm_kubernetes_cluster" "main" {
  name                 = module.settings.cluster_name
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "outputs"
  azure_policy_enabled = module.settings.policy_addon

  dynamic "microsoft_defender" {
    for_each = module.settings.defender_workspace_id == null ? [] : [module.settings.defender_workspace_id]
    content {
      log_analytics_workspace_id = microsoft_defender.value
    }
  }

  tags = module.settings.tags
}

# Outputs of iterated and counted calls: a map by key, a list by index.
module "regional" {
  source      = "./modules/settings"
  for_each    = toset(["dev", "prod"])
  environment = each.key
}

module "counted" {
  source      = "./modules/settings"
  count       = 2
  environment = count.index == 0 ? "prod" : "dev"
}

resource "azurerm_kubernetes_cluster" "regional_dev" {
  name                 = module.regional["dev"].cluster_name
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "regional"
  azure_policy_enabled = module.regional["dev"].policy_addon

  microsoft_defender {
    log_analytics_workspace_id = module.regional["dev"].defender_workspace_id
  }

  tags = module.counted[0].tags
}
