# Inputs the fuzz targets found (see tests/malformed.rs): each once took the scan down.
resource "azurerm_kubernetes_cluster" "formats" {
  name = "aks-formats"
  tags = {
    # Rust's formatter panics on a precision above u16::MAX, and on 65535 for %e.
    exponent = format("%.65535e", 1e308)
    fixed    = format("%.1000000000f", 1)
  }
}
