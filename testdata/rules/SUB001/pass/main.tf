resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"
  extension {
    name = "ContainerSensor"
  }
  extension {
    name = "AgentlessDiscoveryForKubernetes"
  }
  extension {
    name = "ContainerRegistriesVulnerabilityAssessments"
  }
}
