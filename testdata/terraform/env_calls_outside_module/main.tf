# One environment folder, scanned on its own (a pre-commit hook in a subfolder, a CI job per
# environment): the module it calls lies outside the scanned path and is read from disk.
module "aks" {
  source = "../shared_modules/aks"
  name   = "aks-prod"
}
