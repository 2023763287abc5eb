module "aks" {
  source                = "../../../shared_modules/aks"
  name                  = "aks-hardened"
  defender_workspace_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
}
