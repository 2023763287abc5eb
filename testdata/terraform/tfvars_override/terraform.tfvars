# The default says true; this file turns the sensor off.

enable_defender = false
azure_policy    = false
