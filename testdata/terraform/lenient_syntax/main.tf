# Three things Terraform accepts that a stricter HCL parser rejects; neither may cost the cluster.
locals {
  # A line break after an operator inside a `for` object expression.
  policy_addon = {
    for env in ["prod"] :
    env =>
    true &&
    true
  }
  # A key repeated on one line: the later value wins here too.
  policy_on = { enabled = false, enabled = true }
}

resource "azurerm_kubernetes_cluster" "main" {
  name                 = "aks-lenient"
  location             = "westeurope"
  resource_group_name  = "rg"
  dns_prefix           = "lenient"
  azure_policy_enabled = local.policy_addon["prod"] && local.policy_on.enabled

  microsoft_defender {
    log_analytics_workspace_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
  }

  # A repeated key: Terraform keeps the later value, so the owner tag is set.
  tags = {
    owner       = ""
    cost-center = "cc-1"
    owner       = "team-a"
  }
}
