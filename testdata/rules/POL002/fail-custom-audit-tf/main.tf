# An audit-only custom definition (policy_rule as a heredoc): it reports a missing plan, never enables it.
resource "azurerm_policy_definition" "audit_containers_plan" {
  name         = "audit-containers-plan"
  policy_type  = "Custom"
  mode         = "All"
  display_name = "Audit Defender for Containers (custom)"

  policy_rule = <<RULE
{
  "if": { "field": "type", "equals": "Microsoft.Resources/subscriptions" },
  "then": {
    "effect": "auditIfNotExists",
    "details": {
      "type": "Microsoft.Security/pricings",
      "name": "Containers",
      "existenceCondition": { "field": "Microsoft.Security/pricings/pricingTier", "equals": "Standard" }
    }
  }
}
RULE
}

resource "azurerm_subscription_policy_assignment" "audit_containers_plan" {
  name                 = "audit-containers-plan"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000000"
  policy_definition_id = azurerm_policy_definition.audit_containers_plan.id
}
