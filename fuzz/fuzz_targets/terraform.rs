//! The Terraform evaluator (variables, locals, expressions, functions, for_each/count) and the
//! azurerm/azapi lowering, through a whole scan of one `main.tf`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aksguard_fuzz::scan_files(&[("main.tf", data)]);
});
