resource "azurerm_subscription" "corp" {
  subscription_name = "corp-01"
  billing_scope_id  = "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2"
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "free"
  resource_type = "Containers"
}
