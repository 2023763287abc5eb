azure_policy = false
tags = {
  owner       = "team-prod"
  cost-center = ""
}
