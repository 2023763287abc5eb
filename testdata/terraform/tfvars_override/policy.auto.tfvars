# *.auto.tfvars load after terraform.tfvars: the add-on is back on.
azure_policy = true
