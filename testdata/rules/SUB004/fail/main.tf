# A new subscription, and nothing here turns the Containers plan on.
resource "azurerm_subscription" "corp" {
  subscription_name = "corp-02"
  billing_scope_id  = "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2"
}
