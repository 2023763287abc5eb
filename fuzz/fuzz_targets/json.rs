//! The JSON front end (JSONC with comments and trailing commas), then, for text that parses, a
//! whole scan of it as an ARM template (template walk, copy loops, nested deployments).
#![no_main]

use aksguard::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match aksguard::frontend::json::parse(FileId(0), text) {
        Err(error) => aksguard_fuzz::assert_offset_in(error.offset, text, "JSON"),
        Ok(value) => {
            if let Some(value) = value {
                aksguard_fuzz::assert_value_in(&value, &[text], "JSON");
            }
            aksguard_fuzz::scan_files(&[("azuredeploy.json", data)]);
        }
    }
});
