provider "azapi" {
  default_tags = {
    owner       = "platform"
    cost-center = "cc-7"
  }
}

variable "defender" {
  default = false
}

# Object body; tags come from the provider's default_tags.
resource "azapi_resource" "object_body" {
  type      = "Microsoft.ContainerService/managedClusters@2024-02-01"
  name      = "aks-object"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  location  = "westeurope"
  body = {
    properties = {
      securityProfile = {
        defender = {
          logAnalyticsWorkspaceResourceId = "law"
          securityMonitoring = {
            enabled = var.defender
          }
        }
      }
      addonProfiles = {
        azurepolicy = {
          enabled = true
        }
      }
    }
  }
}

# jsonencode body (azapi v1 style); type matched case-insensitively; body tags win over defaults.
resource "azapi_resource" "encoded" {
  type      = "microsoft.containerservice/MANAGEDCLUSTERS@2023-01-01"
  name      = "aks-encoded"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body = jsonencode({
    properties = {
      securityProfile = {
        defender = {
          securityMonitoring = { enabled = true }
        }
      }
      addonProfiles = {
        azurePolicy = { enabled = false }
      }
    }
    tags = {
      owner = "team-encoded"
    }
  })
}

# A heredoc of JSON; resource tags win over everything.
resource "azapi_resource" "heredoc" {
  type      = "Microsoft.ContainerService/managedClusters@2024-02-01"
  name      = "aks-heredoc"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  tags      = { owner = "x", cost-center = "y" }
  body      = <<JSON
{
  "properties": {
    "securityProfile": { "defender": { "securityMonitoring": { "enabled": true } } },
    "addonProfiles": { "azurepolicy": { "enabled": true } }
  }
}
JSON
}

# Not a cluster.
resource "azapi_resource" "registry" {
  type = "Microsoft.ContainerRegistry/registries@2023-01-01"
  name = "acr"
  body = {}
}
