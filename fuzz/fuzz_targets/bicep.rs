//! The Bicep lexer and parser, then, for text that parses, a whole scan of it as `main.bicep`
//! (evaluation through the ARM function library and the ARM-shaped lowering).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match aksguard::frontend::bicep::parse(text) {
        Err(error) => aksguard_fuzz::assert_offset_in(error.offset, text, "Bicep"),
        Ok(_) => aksguard_fuzz::scan_files(&[("main.bicep", data)]),
    }
});
