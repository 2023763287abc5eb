//! Go `text/template` and Helm semantics, case by case (the expected strings are what
//! `helm template` prints for the same input).

use std::collections::HashMap;
use std::rc::Rc;

use super::*;
use crate::budget::Budget;
use crate::source::FileId;
use crate::value::Value;

fn parse_json(text: &str) -> Result<Vec<Value>, String> {
    crate::frontend::json::parse(FileId(1), text)
        .map(|v| v.into_iter().collect())
        .map_err(|e| e.message)
}

fn render_with(template: &str, values: &str, budget: usize) -> Result<Text, Fail> {
    let budget = Budget::new(budget);
    let parsed = parse::parse(template).map_err(|e| Fail::Error {
        message: e.message,
        at: Default::default(),
    })?;
    let mut named = HashMap::new();
    for (name, nodes) in parsed.defines {
        named.insert(
            name,
            Named {
                nodes: Rc::new(nodes),
                place: Place::File(FileId(0)),
            },
        );
    }
    named.insert(
        "t".to_string(),
        Named {
            nodes: Rc::new(parsed.body),
            place: Place::File(FileId(0)),
        },
    );
    let engine = Engine {
        named,
        budget: &budget,
        parse_yaml: &parse_json,
    };
    let values = parse_json(values).unwrap().into_iter().next().unwrap();
    let mut top = std::collections::BTreeMap::new();
    top.insert("Values".to_string(), data::from_value(&values));
    engine.execute("t", Val::map(top))
}

fn render(template: &str, values: &str) -> String {
    match render_with(template, values, 100_000) {
        Ok(text) => text.s,
        Err(fail) => format!("ERROR: {}", fail.message()),
    }
}

#[test]
fn truthiness_and_missing_keys() {
    let values =
        r#"{"zero": 0, "empty": "", "list": [], "map": {}, "f": false, "s": "x", "n": null}"#;
    assert_eq!(
        render("{{ if .Values.zero }}a{{ else if .Values.empty }}b{{ else if .Values.list }}c{{ else if .Values.map }}d{{ else if .Values.f }}e{{ else if .Values.missing }}f{{ else if .Values.n }}g{{ else }}h{{ end }}", values),
        "h"
    );
    assert_eq!(
        render("[{{ .Values.missing }}][{{ .Values.n }}]", values),
        "[][]"
    );
    assert_eq!(
        render("{{ .Values.missing.deeper }}", values),
        "ERROR: nil pointer evaluating interface {}.deeper"
    );
    assert_eq!(
        render("{{ .Values.s.x }}", values),
        "ERROR: can't evaluate field x in type string"
    );
}

#[test]
fn numbers_from_values_are_floats() {
    let values = r#"{"replicas": 3, "big": 1000000, "port": 80}"#;
    assert_eq!(
        render("{{ .Values.replicas }} {{ .Values.big }}", values),
        "3 1e+06"
    );
    assert_eq!(
        render("{{ printf \"%d\" .Values.port }}", values),
        "%!d(float64=80)"
    );
    assert_eq!(
        render("{{ printf \"%d\" (int .Values.port) }}", values),
        "80"
    );
    assert!(render("{{ eq .Values.replicas 3 }}", values)
        .starts_with("ERROR: error calling eq: incompatible types"));
    assert_eq!(
        render(
            "{{ eq .Values.replicas 3.0 }} {{ eq (int .Values.replicas) 3 }}",
            values
        ),
        "true true"
    );
    assert_eq!(
        render("{{ add 1 .Values.replicas }} {{ 1.5 }} {{ 0x10 }}", values),
        "4 1.5 16"
    );
}

#[test]
fn whitespace_trimming_and_comments() {
    assert_eq!(
        render("a\n  {{- /* c */ -}}\n  b\n{{- \" c\" }}\n", "{}"),
        "ab c\n"
    );
    assert_eq!(render("{{- 1 }} {{ 2 -}} \n x", "{}"), "1 2x");
}

#[test]
fn range_forms() {
    let values = r#"{"l": ["a", "b"], "m": {"z": 1, "a": 2}}"#;
    assert_eq!(
        render("{{ range .Values.l }}{{ . }}{{ end }}", values),
        "ab"
    );
    assert_eq!(
        render(
            "{{ range $i, $v := .Values.l }}{{ $i }}={{ $v }};{{ end }}",
            values
        ),
        "0=a;1=b;"
    );
    assert_eq!(
        render(
            "{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}",
            values
        ),
        "a=2;z=1;"
    );
    assert_eq!(
        render("{{ range .Values.none }}x{{ else }}empty{{ end }}", values),
        "empty"
    );
    assert_eq!(render("{{ range 3 }}{{ . }}{{ end }}", values), "012");
    assert_eq!(
        render("{{ range .Values.l }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}|{{ range .Values.l }}{{ if eq . \"a\" }}{{ continue }}{{ end }}{{ . }}{{ end }}", values),
        "a|b"
    );
    assert_eq!(
        render("{{ range \"abc\" }}{{ end }}", values),
        "ERROR: range can't iterate over abc"
    );
}

#[test]
fn variables_scope_and_assignment() {
    assert_eq!(
        render(
            "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}",
            "{}"
        ),
        "2"
    );
    assert_eq!(
        render(
            "{{ with .Values }}{{ $.Values.a }}{{ end }}",
            r#"{"a": "top"}"#
        ),
        "top"
    );
    assert_eq!(render("{{ $y }}", "{}"), "ERROR: undefined variable: $y");
}

#[test]
fn define_template_block_include() {
    let template = r#"{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" "a" }}{{ include "x" "b" | upper }}{{ block "y" "c" }}<{{ . }}>{{ end }}"#;
    assert_eq!(render(template, "{}"), "[a][B]<c>");
    assert_eq!(
        render("{{ include \"nope\" . }}", "{}"),
        "ERROR: no template \"nope\" associated with template"
    );
}

#[test]
fn and_or_short_circuit_and_return_operands() {
    assert_eq!(
        render(
            "{{ or .Values.a \"d\" }} {{ and 1 0 2 }} {{ or 0 \"\" }}",
            r#"{}"#
        ),
        "d 0 "
    );
    // `and` stops before evaluating the failing second operand.
    assert_eq!(
        render("{{ and .Values.missing .Values.missing.x }}", "{}"),
        ""
    );
}

#[test]
fn helm_functions_on_values() {
    let values = r#"{"tags": {"team": "a", "cost-center": ""}, "name": "my-app", "items": [3, 1]}"#;
    assert_eq!(
        render("{{ toYaml .Values.tags | nindent 2 }}", values),
        "\n  cost-center: \"\"\n  team: a"
    );
    assert_eq!(
        render(
            "{{ .Values.name | trunc 2 | quote }} {{ .Values.name | title }}",
            values
        ),
        "\"my\" My-App"
    );
    assert_eq!(
        render(
            "{{ toJson .Values.items }} {{ len .Values.items }} {{ index .Values.items 1 }}",
            values
        ),
        "[3,1] 2 1"
    );
    assert_eq!(render("{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ keys $d | sortAlpha | join \",\" }}", values), "a,b");
    assert_eq!(
        render(
            "{{ dig \"tags\" \"team\" \"none\" .Values }} {{ dig \"x\" \"y\" \"none\" .Values }}",
            values
        ),
        "a none"
    );
    assert_eq!(render("{{ hasKey .Values.tags \"team\" }}", values), "true");
    // A pipeline's value is the last argument: here the map would be the key.
    assert_eq!(
        render("{{ .Values.tags | hasKey \"x\" }}", values),
        "ERROR: error calling hasKey: wrong type for value; expected map[string]interface {}; got string"
    );
    assert_eq!(render("{{ kindOf .Values.tags }} {{ typeOf .Values.items }} {{ kindIs \"string\" .Values.name }}", values), "map []interface {} true");
    assert_eq!(
        render("{{ tpl \"{{ .Values.name }}-x\" . }}", values),
        "my-app-x"
    );
    assert_eq!(
        render(
            "{{ \"a,b\" | splitList \",\" | last }} {{ semverCompare \">=1.19-0\" \"v1.30.0\" }}",
            values
        ),
        "b true"
    );
}

#[test]
fn required_fail_and_unknowns_are_unknown_not_errors() {
    let Err(Fail::Unknown { message, .. }) = render_with(
        "{{ required \"set defender\" .Values.defender }}",
        "{}",
        1000,
    ) else {
        panic!("required on a missing value is unknown")
    };
    assert!(
        message.contains(".Values.defender") && message.contains("set defender"),
        "{message}"
    );
    let Err(Fail::Unknown { message, .. }) = render_with(
        "{{ if lookup \"v1\" \"Secret\" \"ns\" \"x\" }}a{{ end }}",
        "{}",
        1000,
    ) else {
        panic!("a condition on lookup is unknown")
    };
    assert!(message.contains("lookup"), "{message}");
    let text = render_with("key: {{ randAlphaNum 5 }}", "{}", 1000).unwrap();
    assert!(text.s.contains(exec::UNKNOWN_PLACEHOLDER));
    assert!(text
        .segs
        .iter()
        .any(|s| matches!(s.origin, Origin::Unknown { .. })));
    // An unknown printed inside text taints what is computed from that text.
    let text = render_with(
        "{{ define \"pw\" }}password={{ randAlphaNum 10 }}{{ end }}data: {{ include \"pw\" . | b64enc }}\nsum: {{ include \"pw\" . | sha256sum }}\nkept: {{ include \"pw\" . | nindent 2 }}",
        "{}",
        1000,
    )
    .unwrap();
    assert_eq!(
        text.segs
            .iter()
            .filter(|s| matches!(s.origin, Origin::Unknown { .. }))
            .count(),
        3
    );
    assert!(
        text.s.contains("kept: \n  password=aksguard-unknown-value"),
        "{}",
        text.s
    );
    assert_eq!(render("{{ (semver \"v1.30.2-rc.1\").Minor }} {{ semver \"1.2\" }} {{ regexQuoteMeta \"a.b*\" }}", "{}"), "30 1.2.0 a\\.b\\*");
    // An `if` on text that is only an unknown value cannot be decided; with known text around
    // the unknown part it is non-empty either way.
    let decided = render_with(
        "{{ define \"u\" }}{{ randAlphaNum 3 }}{{ end }}{{ if (print \"x\" (include \"u\" .)) }}a{{ end }}{{ if (include \"u\" . | nindent 2) }}b{{ end }}",
        "{}",
        1000,
    );
    assert!(matches!(decided, Err(Fail::Unknown { .. })), "{decided:?}");
    let decided = render_with(
        "{{ define \"u\" }}k={{ randAlphaNum 3 }}{{ end }}{{ if include \"u\" . }}a{{ end }}",
        "{}",
        1000,
    )
    .unwrap();
    assert_eq!(decided.s, "a");
    let Err(Fail::Unknown { message, .. }) = render_with("{{ frobnicate 1 }}", "{}", 1000) else {
        panic!("an unsupported function is unknown")
    };
    assert!(message.contains("frobnicate"), "{message}");
}

#[test]
fn bounds_stop_runaway_templates() {
    let Err(Fail::Unknown { message, .. }) = render_with(
        "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
        "{}",
        1_000_000,
    ) else {
        panic!("recursion is bounded")
    };
    assert!(message.contains("deeper than"), "{message}");
    let Err(Fail::Unknown { message, .. }) = render_with(
        "{{ range until 100000 }}{{ range until 100000 }}x{{ end }}{{ end }}",
        "{}",
        10_000,
    ) else {
        panic!("steps are bounded")
    };
    assert!(message.contains("evaluation bound"), "{message}");
    let quadratic = render_with(
        "{{ $l := list }}{{ range until 100000 }}{{ $l = append $l 1 }}{{ end }}{{ len $l }}",
        "{}",
        2_000_000,
    );
    assert!(
        matches!(quadratic, Err(Fail::Unknown { .. })),
        "appending in a loop is bounded"
    );
}

#[test]
fn values_nested_in_a_loop_do_not_overflow_the_stack() {
    let template = "{{ $d := dict }}{{ range until 20000 }}{{ $d = dict \"a\" $d }}{{ end }}{{ $c := deepCopy $d }}{{ toJson $d | len }} {{ toYaml $d | len }} {{ printf \"%v\" $d | len }} {{ has $d (list $c) }}";
    let result = render_with(template, "{}", 1_000_000);
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn values_sharing_maps_take_bounded_time() {
    // 2^40 paths through 40 maps: every walk stops at its allowance.
    let template = "{{ $d := dict }}{{ range until 40 }}{{ $d = dict \"a\" $d \"b\" $d }}{{ end }}{{ toJson $d | len }}{{ toYaml $d | len }}{{ printf \"%v\" $d | len }}{{ $c := deepCopy $d }}{{ has $d (list $c) }}{{ $m := merge (dict) $d }}{{ $_ := set $d \"self\" $d }}{{ toJson $d | len }}";
    let start = std::time::Instant::now();
    let _ = render_with(template, "{}", 1_000_000);
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}

#[test]
fn output_bounds_hold_inside_single_functions() {
    let wide = render_with(
        "{{ \"a\\n\" | repeat 100000 | nindent 10000 }}",
        "{}",
        1_000_000,
    );
    assert!(wide.is_err(), "{wide:?}");
    let padded = render("{{ printf \"%999999999d\" 1 }}", "{}");
    assert!(padded.len() < 100, "{padded}");
    // Found probing the helm fuzz target: more digits than a usize holds overflowed.
    let overflowing = render(
        "{{ printf \"%99999999999999999999999d|%.99999999999999999999f\" 1 1.0 }}",
        "{}",
    );
    assert!(
        overflowing.starts_with("%!(BADWIDTH)1|%!(BADWIDTH)1"),
        "{overflowing}"
    );
}

#[test]
fn provenance_points_printed_values_at_their_values_key() {
    let values = r#"{"defender": {"enabled": false}}"#;
    let text = render_with("enabled: {{ .Values.defender.enabled }}\n", values, 1000).unwrap();
    assert_eq!(text.s, "enabled: false\n");
    let seg = text
        .segs
        .iter()
        .find(|s| s.range == (9..14))
        .expect("segment for the value");
    let Origin::Value { value, action } = &seg.origin else {
        panic!("{seg:?}")
    };
    assert_eq!(value.file, FileId(1));
    assert_eq!(&values[value.range()], "false");
    assert_eq!(action.file, FileId(0));
    // Literal text maps byte for byte.
    assert_eq!(
        text.segs[0].origin,
        Origin::Literal(crate::source::Span::new(FileId(0), 0..9))
    );
    // A block left out by a values key leaves a mark naming that key.
    let text = render_with(
        "spec:\n{{- if .Values.defender.enabled }}\n  defender: {}\n{{- end }}\n",
        values,
        1000,
    )
    .unwrap();
    assert!(text.segs.iter().any(|s| s.range.is_empty()
        && matches!(&s.origin, Origin::Value { value, .. } if &values[value.range()] == "false")));
    // Values printed through toYaml | nindent keep their origin.
    let text = render_with("x:{{ toYaml .Values.defender | nindent 2 }}", values, 1000).unwrap();
    assert_eq!(text.s, "x:\n  enabled: false");
    assert!(text.segs.iter().any(|s| &text.s[s.range.clone()] == "false" && matches!(&s.origin, Origin::Value { value, action } if &values[value.range()] == "false" && action.file == FileId(0))));
}

#[test]
fn hostile_templates_never_panic() {
    // Fragments recombined pseudo-randomly (a fixed LCG, so the test is deterministic).
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{-",
        "-}}",
        " ",
        "\n",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "$x",
        "$",
        ":=",
        "=",
        ",",
        "|",
        "(",
        ")",
        ".",
        ".Values",
        ".a",
        "\"s\"",
        "`r`",
        "'c'",
        "'é'",
        "1",
        "-2",
        "0x1",
        "1e9",
        "nil",
        "true",
        "include",
        "tpl",
        "printf",
        "\"%d %s %v %q %x %05.2f\"",
        "index",
        "slice",
        "len",
        "and",
        "or",
        "not",
        "eq",
        "lt",
        "toYaml",
        "fromYaml",
        "nindent",
        "indent",
        "trunc",
        "substr",
        "first",
        "last",
        "rest",
        "dict",
        "list",
        "set",
        "merge",
        "dig",
        "until",
        "repeat",
        "regexMatch",
        "\"(\"",
        "semverCompare",
        "\">=x\"",
        "b64dec",
        "\"%\"",
        "é",
        "/*",
        "*/",
        "break",
        "continue",
        "required",
        "default",
        "split",
        "join",
        "sha1sum",
        "keys",
        "values",
        "append",
        "ternary",
        "quote",
        "title",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for _ in 0..4000 {
        let count = 1 + next() % 24;
        let template: String = (0..count).map(|_| PIECES[next() % PIECES.len()]).collect();
        let result = std::panic::catch_unwind(|| {
            render_with(&template, r#"{"a": [1, {"b": "é"}], "s": "x"}"#, 20_000)
        });
        assert!(result.is_ok(), "panicked on {template:?}");
    }
}
