//! Small operations on evaluated values that Terraform's semantics need: equality ignoring where
//! values were written, number conversion, and carrying provenance along.

use crate::source::Span;
use crate::value::{Entry, Related, Value, ValueKind};

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

/// A number, or a string holding one (Terraform converts).
pub fn to_number(value: &Value) -> Option<f64> {
    match &value.kind {
        ValueKind::Number(n) => Some(*n),
        ValueKind::String(s) => s.trim().parse().ok(),
        _ => None,
    }
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
