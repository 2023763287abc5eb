# Every form of inline suppression; the fixture harness pins AKSGUARD_TODAY=2025-06-01.

# aksguard:ignore AKS003 -- sandbox clusters are owned by the platform team
resource "azurerm_kubernetes_cluster" "above_block" {
  name                = "aks-above"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
}

resource "azurerm_kubernetes_cluster" "on_the_line" {
  name                 = "aks-line"
  azure_policy_enabled = false // aksguard:ignore AKS002 -- policy add-on comes from the landing zone
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
  tags = { owner = "a", "cost-center" = "b" }
}

# aksguard:ignore AKS001, AKS002,AKS003 -- throwaway demo cluster
resource "azurerm_kubernetes_cluster" "several_ids" {
  name = "aks-demo"
}

# aksguard:ignore AKS003 until=2020-01-01 -- expired: reported again
resource "azurerm_kubernetes_cluster" "expired" {
  name                 = "aks-expired"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
}

# aksguard:ignore AKS003 until=2099-12-31 -- not yet expired
resource "azurerm_kubernetes_cluster" "not_expired" {
  name                 = "aks-not-expired"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
}

# aksguard:ignore AKS003
resource "azurerm_kubernetes_cluster" "no_reason" {
  name                 = "aks-no-reason"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
}

# aksguard:ignore AKS999, E001 -- unknown and unsuppressible IDs
resource "azurerm_kubernetes_cluster" "unknown_id" {
  name                 = "aks-unknown-id"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
  tags = { owner = "a", "cost-center" = "b" }
}

# aksguard:ignore AKS001 -- nothing to suppress here
resource "azurerm_kubernetes_cluster" "unused" {
  name                 = "aks-unused"
  azure_policy_enabled = true
  microsoft_defender {
    log_analytics_workspace_id = "ws"
  }
  tags = { owner = "a", "cost-center" = "b" }
}
