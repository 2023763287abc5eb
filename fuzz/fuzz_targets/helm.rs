//! The Go-template (Helm) parser, then, for a template that parses, a whole scan of a chart
//! holding it: rendering with values of every kind, reading the output back as YAML and mapping
//! its spans to the template.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CHART: &[u8] = b"apiVersion: v2\nname: fuzz\nversion: 0.1.0\n";
const VALUES: &[u8] = b"enabled: true
replicas: 3
ratio: 0.5
name: cluster
empty: \"\"
none: null
tags:
  owner: team
  cost-center: \"42\"
list: [a, b, c]
nested:
  list:
    - name: one
      on: false
    - name: two
      on: true
";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match aksguard::frontend::helm::template::parse::parse(text) {
        Err(error) => aksguard_fuzz::assert_offset_in(error.offset, text, "template"),
        Ok(_) => aksguard_fuzz::scan_files(&[
            ("chart/Chart.yaml", CHART),
            ("chart/values.yaml", VALUES),
            ("chart/templates/fuzz.yaml", data),
        ]),
    }
});
