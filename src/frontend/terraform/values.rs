//! Small operations on evaluated values that Terraform's semantics need: equality ignoring where
//! values were written, number conversion, and carrying provenance along.

use crate::source::Span;
use crate::value::{Entry, Related, UnknownCause, Value, ValueKind};

/// Terraform equality of two values (types must match; spans do not matter). `None` when an
/// unknown makes it undecidable.
pub fn same(a: &Value, b: &Value) -> Option<bool> {
    match (&a.kind, &b.kind) {
        (ValueKind::Unknown(_), _) | (_, ValueKind::Unknown(_)) => None,
        (ValueKind::Null, ValueKind::Null) => Some(true),
        (ValueKind::Bool(x), ValueKind::Bool(y)) => Some(x == y),
        (ValueKind::Number(x), ValueKind::Number(y)) => Some(x == y),
        (ValueKind::String(x), ValueKind::String(y)) => Some(x == y),
        (ValueKind::List(x), ValueKind::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_same(x.iter().zip(y))
        }
        (ValueKind::Object(x), ValueKind::Object(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut pairs = Vec::new();
            for entry in x {
                match y.iter().find(|other| other.key == entry.key) {
                    Some(other) => pairs.push((&entry.value, &other.value)),
                    None => return Some(false),
                }
            }
            all_same(pairs.into_iter())
        }
        _ => Some(false),
    }
}

fn all_same<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut undecided = false;
    for (x, y) in pairs {
        match same(x, y) {
            Some(false) => return Some(false),
            None => undecided = true,
            Some(true) => {}
        }
    }
    (!undecided).then_some(true)
}

/// A number, or a string holding one in decimal (Terraform converts; " 1", "0x10" and "inf" it
/// rejects).
pub fn to_number(value: &Value) -> Option<f64> {
    match &value.kind {
        ValueKind::Number(n) => Some(*n),
        ValueKind::String(s) => parse_number(s),
        _ => None,
    }
}

/// A decimal number as Terraform's string-to-number conversion reads it: an optional sign,
/// digits with an optional fraction, an optional exponent; nothing else.
pub fn parse_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut at = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        at += 1;
    }
    let digits_start = at;
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    let mut digits = at - digits_start;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        let fraction_start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        digits += at - fraction_start;
    }
    if digits == 0 {
        return None;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'-' | b'+')) {
            at += 1;
        }
        let exponent_start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == exponent_start {
            return None;
        }
    }
    if at != bytes.len() {
        return None;
    }
    text.parse().ok().filter(|n: &f64| n.is_finite())
}

/// A bool, or the string "true" or "false" exactly (Terraform's conversion; "True" it rejects).
pub fn to_bool(value: &Value) -> Option<bool> {
    match &value.kind {
        ValueKind::Bool(b) => Some(*b),
        ValueKind::String(s) if s == "true" => Some(true),
        ValueKind::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// A primitive value as Terraform converts it to a string; `None` for null, collections and
/// unknowns.
pub fn to_string(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::String(s) => Some(s.clone()),
        ValueKind::Number(n) if n.is_infinite() => {
            Some(if *n > 0.0 { "+Inf" } else { "-Inf" }.to_string())
        }
        ValueKind::Number(n) => Some(crate::value::format_number(*n)),
        ValueKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether a Terraform error hides anywhere inside `value`; the first one found. Terraform
/// evaluates every part of an expression, so one failing part fails the whole.
pub fn find_error(value: &Value) -> Option<&Value> {
    match &value.kind {
        ValueKind::Unknown(unknown) if unknown.cause == UnknownCause::Error => Some(value),
        ValueKind::List(items) => items.iter().find_map(find_error),
        ValueKind::Object(entries) => entries.iter().find_map(|e| find_error(&e.value)),
        _ => None,
    }
}

/// Whether `value` is itself a Terraform error.
pub fn is_error(value: &Value) -> bool {
    value
        .as_unknown()
        .is_some_and(|unknown| unknown.cause == UnknownCause::Error)
}

/// Whether an unknown hides anywhere inside `value`; the first one found.
pub fn find_unknown(value: &Value) -> Option<&Value> {
    match &value.kind {
        ValueKind::Unknown(_) => Some(value),
        ValueKind::List(items) => items.iter().find_map(find_unknown),
        ValueKind::Object(entries) => entries.iter().find_map(|e| find_unknown(&e.value)),
        _ => None,
    }
}

/// `value` with `extra` added to its provenance (top level only; nested values keep theirs).
pub fn with_provenance(mut value: Value, extra: &[Related]) -> Value {
    for related in extra {
        if !value.provenance.contains(related) {
            value.provenance.push(related.clone());
        }
    }
    value
}

/// `value` and everything inside it with `extra` added to its provenance: a value from a
/// variable explains every part of it.
pub fn with_provenance_deep(value: Value, extra: &[Related]) -> Value {
    let mut value = with_provenance(value, extra);
    match &mut value.kind {
        ValueKind::List(items) => {
            for item in items.iter_mut() {
                *item = with_provenance_deep(std::mem::replace(item, placeholder()), extra);
            }
        }
        ValueKind::Object(entries) => {
            for entry in entries.iter_mut() {
                entry.value =
                    with_provenance_deep(std::mem::replace(&mut entry.value, placeholder()), extra);
            }
        }
        _ => {}
    }
    value
}

/// Every span inside `value` moved to `span` (values that have no source text of their own,
/// like `--var` values and decoded JSON strings).
pub fn respan_deep(mut value: Value, span: Span) -> Value {
    value.span = span;
    match &mut value.kind {
        ValueKind::List(items) => {
            for item in items.iter_mut() {
                *item = respan_deep(std::mem::replace(item, placeholder()), span);
            }
        }
        ValueKind::Object(entries) => {
            for entry in entries.iter_mut() {
                entry.key_span = span;
                entry.value = respan_deep(std::mem::replace(&mut entry.value, placeholder()), span);
            }
        }
        _ => {}
    }
    value
}

fn placeholder() -> Value {
    Value::new(ValueKind::Null, Span::default())
}

/// The provenance of several values, without repeats.
pub fn merge_provenance<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<Related> {
    let mut merged: Vec<Related> = Vec::new();
    for value in values {
        for related in &value.provenance {
            if !merged.contains(related) {
                merged.push(related.clone());
            }
        }
    }
    merged
}

/// Object entries sorted by key, as Terraform orders map keys.
pub fn sorted_entries(entries: &[Entry]) -> Vec<&Entry> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    sorted
}
