# Standard, but the provider disables every extension not listed: only the sensor stays on.
resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"

  extension {
    name = "ContainerSensor"
  }
}

# Another plan: not Defender for Containers, not our business.
resource "azurerm_security_center_subscription_pricing" "vms" {
  tier          = "Free"
  resource_type = "VirtualMachines"
}

# The retired plan and the retired Log Analytics agent setting.
resource "azurerm_security_center_subscription_pricing" "aks_legacy" {
  tier          = "Standard"
  resource_type = "KubernetesService"
}

resource "azurerm_security_center_auto_provisioning" "agent" {
  auto_provision = "On"
}
