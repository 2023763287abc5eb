//! The JSON front end (JSONC with comments and trailing commas), also as the ARM front end parses
//! templates (building only what it keeps), then, for text that parses, a
//! whole scan of it as an ARM template (template walk, copy loops, nested deployments). Strict
//! JSON that serde_json reads must parse here too: the front end is a superset of JSON.
#![no_main]

use aksguard::frontend::arm::prune::{self, Part};
use aksguard::source::FileId;
use aksguard::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let whole = aksguard::frontend::json::parse(FileId(0), text);
    // The ARM front end builds only the parts of a template it keeps: the same errors at the
    // same places, and the tree that pruning the whole parse gives.
    let shaped = aksguard::frontend::json::parse_shaped(FileId(0), text, Part::Root, prune::shape);
    match (&whole, shaped) {
        (Err(error), Err(shaped)) => assert_eq!(error, &shaped, "shaped parse failed elsewhere"),
        (Ok(whole), Ok(shaped)) => {
            let pruned = |value: Option<Value>| {
                value.map(|mut value| {
                    prune::drop_unread_template_parts(&mut value);
                    format!("{value:?}")
                })
            };
            assert_eq!(pruned(whole.clone()), pruned(shaped), "shaped parse kept other parts");
        }
        (whole, shaped) => panic!("whole parse {whole:?}, shaped parse {shaped:?}"),
    }
    match whole {
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
