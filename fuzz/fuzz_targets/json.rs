//! The JSON front end (JSONC with comments and trailing commas), then, for text that parses, a
//! whole scan of it as an ARM template (template walk, copy loops, nested deployments). Strict
//! JSON that serde_json reads must parse here too: the front end is a superset of JSON.
#![no_main]

use aksguard::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match aksguard::frontend::json::parse(FileId(0), text) {
        Err(error) => {
            aksguard_fuzz::assert_offset_in(error.offset, text, "JSON");
            // serde_json stops at 128 levels; deeper than ours (512) is never strict JSON it reads.
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "JSON that serde_json reads was refused: {}",
                error.message
            );
        }
        Ok(value) => {
            if let Some(value) = value {
                aksguard_fuzz::assert_value_in(&value, &[text], "JSON");
            }
            aksguard_fuzz::scan_files(&[("azuredeploy.json", data)]);
        }
    }
});
