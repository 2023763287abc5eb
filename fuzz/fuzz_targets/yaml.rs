//! The YAML front end (saphyr events, anchors, merge keys, spacing repairs), then, for text that
//! parses, a whole scan of it as Kubernetes manifests (ASO, CAPZ, Crossplane, Kustomize).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match aksguard::frontend::yaml::parse_stream(text) {
        Err(error) => aksguard_fuzz::assert_offset_in(error.offset, text, "YAML"),
        Ok(documents) => {
            for document in &documents {
                aksguard_fuzz::assert_value_in(document, &[text], "YAML");
            }
            aksguard_fuzz::scan_files(&[("manifest.yaml", data)]);
        }
    }
});
