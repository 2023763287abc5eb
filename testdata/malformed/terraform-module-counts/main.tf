# 1,000 module instances, each declaring 1,000 clusters: a million instances unless bounded.
module "pools" {
  source = "./modules/pool"
  count  = 1000
  index  = count.index
}
