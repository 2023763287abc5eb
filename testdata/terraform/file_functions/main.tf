# Settings read from files beside the module: file(), fileexists(), templatefile(), with
# jsondecode and yamldecode, relative to path.module as Terraform resolves them.
locals {
  settings = jsondecode(file("${path.module}/settings.json"))
  tags     = yamldecode(file("${path.module}/tags.yaml"))
}

resource "azurerm_kubernetes_cluster" "main" {
  name                 = "aks-files"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "files"
  azure_policy_enabled = local.settings.policy_addon

  dynamic "microsoft_defender" {
    for_each = fileexists("${path.module}/defender.enabled") ? [1] : []
    content {
      log_analytics_workspace_id = local.settings.workspace_id
    }
  }

  tags = merge(local.tags, {
    owner = templatefile("${path.module}/owner.tftpl", { team = "platform" })
  })
}

resource "azurerm_kubernetes_cluster" "missing_file" {
  name                 = "aks-missing"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "missing"
  azure_policy_enabled = try(jsondecode(file("${path.module}/absent.json")).policy_addon, true)
  tags = {
    owner       = "platform"
    cost-center = "cc-1"
  }
}
