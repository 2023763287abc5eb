//! The HCL front end (hcl-edit with Terraform's leniencies): any text parses or fails at an
//! offset within it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = aksguard::frontend::terraform::parse(text) {
        aksguard_fuzz::assert_offset_in(error.offset, text, "HCL");
    }
});
