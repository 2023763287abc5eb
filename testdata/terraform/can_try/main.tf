# can() and try() around settings, as modules write them. Only a real Terraform error makes
# can() false or try() take its fallback; what aksguard cannot tell leaves the setting unknown.

variable "policy_override" {
  type = string
}

locals {
  environment = "prod-eu"
  settings    = { defender = { workspace = "law" } }
}

# can() of a regex that matches: true, so the add-on is on (issue 17: was a false AKS002).
resource "azurerm_kubernetes_cluster" "can_match" {
  name                 = "aks-can"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "can"
  azure_policy_enabled = can(regex("^prod", local.environment))
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = { owner = "platform", cost-center = "cc-1" }
}

# try() whose first argument evaluates: true, no fallback (issue 17: was a false AKS002).
resource "azurerm_kubernetes_cluster" "try_match" {
  name                 = "aks-try"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "try"
  azure_policy_enabled = try(regex("^prod", local.environment) != "", false)
  microsoft_defender {
    log_analytics_workspace_id = try(local.settings.defender.workspace, null)
  }
  tags = { owner = "platform", cost-center = "cc-1" }
}

# try() whose first argument really fails in Terraform (no such attribute): the fallback false
# is taken, so the add-on is off and the Defender block's workspace is the fallback.
resource "azurerm_kubernetes_cluster" "try_fallback" {
  name                 = "aks-fallback"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "fallback"
  azure_policy_enabled = try(local.settings.policy.enabled, false)
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = { owner = try(local.settings.owner, "platform"), cost-center = "cc-1" }
}

# try() whose first argument depends on an input without a value: it may succeed or fail, so
# the result is unknown, naming the input, not the fallback.
resource "azurerm_kubernetes_cluster" "try_unknown" {
  name                 = "aks-unknown"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "unknown"
  azure_policy_enabled = try(tobool(var.policy_override), false)
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = { owner = "platform", cost-center = "cc-1" }
}

# try() around a function aksguard does not evaluate (file()): unknown, naming the call.
resource "azurerm_kubernetes_cluster" "try_unsupported" {
  name                 = "aks-unsupported"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "unsupported"
  azure_policy_enabled = try(jsondecode(file("policy.json")).enabled, false)
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = { owner = "platform", cost-center = "cc-1" }
}

# can() of a regex that does not match: false, a real violation.
resource "azurerm_kubernetes_cluster" "can_no_match" {
  name                 = "aks-dev"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "dev"
  azure_policy_enabled = can(regex("^dev", local.environment))
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = { owner = "platform", cost-center = "cc-1" }
}

# No try() around a failing call: Terraform itself rejects the configuration, so the setting is
# unknown and the message says what Terraform would say.
resource "azurerm_kubernetes_cluster" "fails" {
  name                 = "aks-fails"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "fails"
  azure_policy_enabled = regex("^dev", local.environment) == "dev"
  microsoft_defender {
    log_analytics_workspace_id = "law"
  }
  tags = { owner = "platform", cost-center = "cc-1" }
}
