# Two example roots call the module under the same name: each result names its root.
module "aks" {
  source = "../../../shared_modules/aks"
  name   = "aks-startup"
}
