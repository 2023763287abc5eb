//! Unit tests of the function library (the differential test against Terraform is
//! tests/terraform_functions.rs).

use super::*;
use crate::source::FileId;

fn span() -> Span {
    Span::new(FileId(0), 0..0)
}

fn s(text: &str) -> Value {
    Value::new(ValueKind::String(text.to_string()), span())
}

fn n(number: f64) -> Value {
    Value::new(ValueKind::Number(number), span())
}

fn list(items: Vec<Value>) -> Value {
    Value::new(ValueKind::List(items), span())
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::new(
        ValueKind::Object(
            pairs
                .iter()
                .map(|(k, v)| Entry {
                    key: (*k).into(),
                    key_span: span(),
                    value: v.clone(),
                })
                .collect(),
        ),
        span(),
    )
}

fn unknown() -> Value {
    Value::unknown(UnknownCause::Input, "var.x has no default", span())
}

fn run(name: &str, args: Vec<Value>) -> Value {
    call(name, &args, span(), name)
}

fn is_unknown(value: &Value) -> bool {
    value.as_unknown().is_some()
}

#[test]
fn merge_overrides_earlier_keys_and_skips_null() {
    let merged = run(
        "merge",
        vec![
            obj(&[("owner", s("a")), ("env", s("dev"))]),
            Value::new(ValueKind::Null, span()),
            obj(&[("owner", s("b"))]),
        ],
    );
    assert_eq!(merged.get("owner").unwrap().value.as_str(), Some("b"));
    assert_eq!(merged.get("env").unwrap().value.as_str(), Some("dev"));
    assert!(is_unknown(&run("merge", vec![obj(&[]), unknown()])));
    assert!(is_unknown(&run("merge", vec![s("not a map")])));
}

#[test]
fn lookup_coalesce_contains() {
    let map = obj(&[("a", n(1.0))]);
    assert_eq!(
        run("lookup", vec![map.clone(), s("a")]).kind,
        ValueKind::Number(1.0)
    );
    assert_eq!(
        run("lookup", vec![map.clone(), s("b"), s("d")]).as_str(),
        Some("d")
    );
    assert!(is_unknown(&run("lookup", vec![map.clone(), s("b")])));
    assert!(is_unknown(&run("lookup", vec![map])));
    assert_eq!(
        run(
            "coalesce",
            vec![Value::new(ValueKind::Null, span()), s(""), s("x")]
        )
        .as_str(),
        Some("x")
    );
    assert!(is_unknown(&run("coalesce", vec![unknown(), s("x")])));
    assert_eq!(
        run("contains", vec![list(vec![s("a"), s("b")]), s("b")]).as_bool(),
        Some(true)
    );
    assert_eq!(
        run("contains", vec![list(vec![s("a")]), s("b")]).as_bool(),
        Some(false)
    );
    assert!(is_unknown(&run(
        "contains",
        vec![list(vec![unknown()]), s("b")]
    )));
    assert!(is_unknown(&run("contains", vec![s("a"), s("b")])));
}

#[test]
fn conversions() {
    assert_eq!(run("tobool", vec![s("true")]).as_bool(), Some(true));
    assert!(is_unknown(&run("tobool", vec![s("yes")])));
    assert_eq!(run("tostring", vec![n(3.0)]).as_str(), Some("3"));
    assert_eq!(run("tonumber", vec![s("42")]).kind, ValueKind::Number(42.0));
    assert!(is_unknown(&run("tonumber", vec![s("x")])));
    let set = run("toset", vec![list(vec![s("b"), s("a"), s("b")])]);
    assert_eq!(set.items().unwrap().len(), 2);
    assert_eq!(set.items().unwrap()[0].as_str(), Some("a"));
    assert!(is_unknown(&run("tomap", vec![s("x")])));
    assert!(is_unknown(&run("tolist", vec![])));
}

#[test]
fn collections() {
    assert_eq!(
        run("length", vec![list(vec![s("a"), s("b")])]).kind,
        ValueKind::Number(2.0)
    );
    assert!(is_unknown(&run("length", vec![n(1.0)])));
    let map = obj(&[("b", n(2.0)), ("a", n(1.0))]);
    assert_eq!(
        run("keys", vec![map.clone()]).items().unwrap()[0].as_str(),
        Some("a")
    );
    assert_eq!(
        run("values", vec![map]).items().unwrap()[0].kind,
        ValueKind::Number(1.0)
    );
    let flat = run(
        "flatten",
        vec![list(vec![
            list(vec![s("a")]),
            s("b"),
            list(vec![list(vec![s("c")])]),
        ])],
    );
    assert_eq!(flat.items().unwrap().len(), 3);
    assert_eq!(
        run("concat", vec![list(vec![s("a")]), list(vec![s("b")])])
            .items()
            .unwrap()
            .len(),
        2
    );
    assert!(is_unknown(&run("concat", vec![list(vec![]), s("x")])));
    assert_eq!(run("one", vec![list(vec![])]).kind, ValueKind::Null);
    assert!(is_unknown(&run("one", vec![list(vec![s("a"), s("b")])])));
    assert_eq!(
        run("element", vec![list(vec![s("a"), s("b")]), n(3.0)]).as_str(),
        Some("b")
    );
    assert!(is_unknown(&run("element", vec![list(vec![]), n(0.0)])));
    let zipped = run("zipmap", vec![list(vec![s("k")]), list(vec![s("v")])]);
    assert_eq!(zipped.get("k").unwrap().value.as_str(), Some("v"));
    assert!(is_unknown(&run(
        "zipmap",
        vec![list(vec![s("k")]), list(vec![])]
    )));
}

#[test]
fn strings() {
    assert_eq!(run("lower", vec![s("AbC")]).as_str(), Some("abc"));
    assert_eq!(run("upper", vec![s("abc")]).as_str(), Some("ABC"));
    assert!(is_unknown(&run("upper", vec![s("a"), s("b")])));
    assert_eq!(
        run("format", vec![s("%s-%d%%"), s("aks"), n(7.0)]).as_str(),
        Some("aks-7%")
    );
    assert!(is_unknown(&run("format", vec![s("%s %s"), s("a")])));
    assert_eq!(
        run("replace", vec![s("a-b-c"), s("-"), s("_")]).as_str(),
        Some("a_b_c")
    );
    assert_eq!(
        run("replace", vec![s("abc"), s("/b/"), s("x")]).as_str(),
        Some("axc")
    );
    assert_eq!(
        run("split", vec![s(","), s("a,b")]).items().unwrap().len(),
        2
    );
    assert_eq!(
        run("join", vec![s("-"), list(vec![s("a"), s("b")])]).as_str(),
        Some("a-b")
    );
    assert_eq!(
        run("startswith", vec![s("Microsoft.X"), s("Microsoft")]).as_bool(),
        Some(true)
    );
    assert_eq!(
        run("endswith", vec![s("abc"), s("bc")]).as_bool(),
        Some(true)
    );
    assert!(is_unknown(&run("startswith", vec![s("a")])));
}

#[test]
fn json_round_trip_and_unknowns() {
    let encoded = run("jsonencode", vec![obj(&[("a", list(vec![n(1.0)]))])]);
    assert_eq!(encoded.as_str(), Some("{\"a\":[1]}"));
    let decoded = run("jsondecode", vec![encoded]);
    assert_eq!(decoded.get("a").unwrap().value.items().unwrap().len(), 1);
    assert!(is_unknown(&run("jsondecode", vec![s("{not json")])));
    assert!(is_unknown(&run(
        "jsonencode",
        vec![obj(&[("a", unknown())])]
    )));
}

#[test]
fn unknown_functions_and_arguments_stay_unknown() {
    let value = run("file", vec![s("main.tf")]);
    assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Unsupported);
    let value = run("cidrsubnet", vec![s("10.0.0.0/8"), n(8.0), n(1.0)]);
    assert_eq!(value.as_str(), Some("10.1.0.0/16"));
    let value = run("timestamp", vec![]);
    assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Computed);
    let value = run("lower", vec![unknown()]);
    assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Input);
}

#[test]
fn hostile_inputs_end_bounded() {
    // An alias bomb: each level doubles the nodes.
    let mut yaml = String::from("a0: &a0 [x, x]\n");
    for i in 1..40 {
        yaml.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
    }
    let value = run("yamldecode", vec![s(&yaml)]);
    assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Unsupported);
    let deep = "[".repeat(10_000);
    assert!(is_unknown(&run("yamldecode", vec![s(&deep)])));
    assert!(is_unknown(&run("jsondecode", vec![s(&deep)])));
    assert!(is_unknown(&run("range", vec![n(1e12)])));
    assert!(is_unknown(&run("regex", vec![s("a{1000}{1000}"), s("a")])));
    assert!(is_unknown(&run(
        "cidrsubnet",
        vec![s("::/0"), n(200.0), n(0.0)]
    )));
    assert!(is_unknown(&run(
        "cidrhost",
        vec![s("10.0.0.0/8"), n(1e300)]
    )));
    assert!(is_unknown(&run(
        "timeadd",
        vec![s("9999-12-31T23:59:59Z"), s("9000000000h")]
    )));
    assert!(is_unknown(&run(
        "formatdate",
        vec![s("YYYY"), s("2018-01-02T99:00:00Z")]
    )));
    assert!(is_unknown(&run("format", vec![s("%"), n(1.0)])));
    // Found probing the terraform fuzz target: Rust's formatter panics on precisions above
    // u16::MAX, and on `%.65535e`.
    let precise = run("format", vec![s("%.1000000000f"), n(1.0)]);
    assert_eq!(precise.as_str().map(str::len), Some(2 + 10_000));
    let exponent = run("format", vec![s("%.65535e|%.65535g"), n(1e308), n(1e-308)]);
    assert!(
        exponent.as_str().is_some_and(|t| t.starts_with("1.000")),
        "{exponent:?}"
    );
}

#[test]
fn errors_and_unknowns_are_told_apart() {
    let error = run("regex", vec![s("^x"), s("y")]);
    assert_eq!(error.as_unknown().unwrap().cause, UnknownCause::Error);
    assert!(error
        .as_unknown()
        .unwrap()
        .reason
        .starts_with("Terraform fails on"));
    // An error among the arguments fails the call, whatever else is unknown.
    let value = run("coalesce", vec![unknown(), error.clone()]);
    assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Error);
    let value = run("upper", vec![unknown()]);
    assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Input);
    // Known despite unknown elements, as in a Terraform plan.
    assert_eq!(
        run("length", vec![list(vec![unknown(), n(1.0)])]).kind,
        ValueKind::Number(2.0)
    );
    assert_eq!(
        run(
            "alltrue",
            vec![list(vec![
                unknown(),
                Value::new(ValueKind::Bool(false), span())
            ])]
        )
        .as_bool(),
        Some(false)
    );
    assert!(is_unknown(&run(
        "sort",
        vec![list(vec![s("b"), unknown()])]
    )));
}

/// Every function with every combination of up to three awkward arguments: no panic, and every
/// result is a value or an unknown (errors name the call).
#[test]
fn every_function_is_total() {
    let pool = vec![
        Value::new(ValueKind::Null, span()),
        s(""),
        s("x"),
        s("10.0.0.0/8"),
        s("2018-01-02T23:12:01Z"),
        s("%[9]v %d %-09.3f %q"),
        s("é\n\"a\\b"),
        n(0.0),
        n(-1.0),
        n(1.5),
        n(1e300),
        n(f64::INFINITY),
        list(vec![]),
        list(vec![n(1.0), s("a"), list(vec![unknown()])]),
        obj(&[("a", n(1.0)), ("b", list(vec![s("c")]))]),
        unknown(),
    ];
    let mut calls = 0;
    let names = super::FUNCTIONS
        .iter()
        .map(|(name, _)| *name)
        .chain(super::IMPURE.iter().copied())
        .chain(["issensitive", "file", "provider::x::y"]);
    for name in names {
        let mut check = |args: Vec<Value>| {
            calls += 1;
            let value = call(name, &args, span(), name);
            if let Some(unknown) = value.as_unknown() {
                assert!(!unknown.reason.is_empty(), "{name}{args:?}");
            }
        };
        check(vec![]);
        for a in &pool {
            check(vec![a.clone()]);
            for b in &pool {
                check(vec![a.clone(), b.clone()]);
                for c in &pool {
                    check(vec![a.clone(), b.clone(), c.clone()]);
                }
            }
        }
    }
    assert!(calls > 300_000);
}
