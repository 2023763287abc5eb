variable "environment" {
  type = string
}

module "naming" {
  source = "../naming"
  prefix = "aks"
  suffix = var.environment
}

output "cluster_name" {
  value = module.naming.name
}

output "policy_addon" {
  value = var.environment == "prod"
}

output "defender_workspace_id" {
  value = var.environment == "prod" ? null : "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
}

output "tags" {
  value = {
    owner       = "platform"
    cost-center = "cc-${var.environment}"
  }
}
