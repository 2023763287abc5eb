//! Small operations on evaluated values that Terraform's semantics need: equality ignoring where
//! values were written, Terraform's conversions (string to number, to bool, to string), decimal
//! arithmetic, finding errors and unknowns inside values, and carrying provenance along.

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

/// Arithmetic on the decimals written in a configuration, as exactly as Terraform's
/// arbitrary-precision numbers give it: `0.1 + 0.2` is 0.3, not f64's 0.30000000000000004.
/// Each operand of up to 15 significant digits is read back as the shortest decimal that names
/// its f64 (what was written), the operation is done on those decimals exactly, and the result
/// rounded once to f64. Longer operands (results of inexact operations) use f64 arithmetic.
#[derive(Clone, Copy)]
pub enum Arithmetic {
    Add,
    Subtract,
    Multiply,
}

pub fn decimal_arithmetic(operation: Arithmetic, a: f64, b: f64) -> f64 {
    let float = match operation {
        Arithmetic::Add => a + b,
        Arithmetic::Subtract => a - b,
        Arithmetic::Multiply => a * b,
    };
    let (Some((ma, ea)), Some((mb, eb))) = (decimal(a), decimal(b)) else {
        return float;
    };
    let exact = match operation {
        Arithmetic::Multiply => ma.checked_mul(mb).map(|m| (m, ea + eb)),
        Arithmetic::Add | Arithmetic::Subtract => {
            let mb = if matches!(operation, Arithmetic::Subtract) {
                -mb
            } else {
                mb
            };
            let e = ea.min(eb);
            let scale = |m: i128, from: i32| {
                10i128
                    .checked_pow((from - e) as u32)
                    .and_then(|p| m.checked_mul(p))
            };
            match (scale(ma, ea), scale(mb, eb)) {
                (Some(x), Some(y)) => x.checked_add(y).map(|m| (m, e)),
                _ => None,
            }
        }
    };
    match exact {
        Some((mantissa, exponent)) => format!("{mantissa}e{exponent}")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .unwrap_or(float),
        None => float,
    }
}

/// `n` as `mantissa × 10^exponent` from its shortest decimal text; `None` for non-finite numbers
/// or mantissas too long for exact arithmetic.
fn decimal(n: f64) -> Option<(i128, i32)> {
    if !n.is_finite() {
        return None;
    }
    let text = format!("{n:e}");
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_text = format!("{whole}{fraction}");
    // Up to 15 significant digits a decimal survives f64 unchanged (DBL_DIG), so such an f64
    // stands for that decimal; a longer one is itself a rounded result (`2 / 3`), kept as f64.
    if digits_text.trim_start_matches('-').len() > 15 || !(-300..=300).contains(&exponent) {
        return None;
    }
    let digits: i128 = digits_text.parse().ok()?;
    Some((digits, exponent - fraction.len() as i32))
}

/// A value's Terraform type, as far as conversions need it.
#[derive(Debug, Clone, PartialEq)]
enum Type {
    /// Null or unknown: fits any type.
    Any,
    String,
    Number,
    Bool,
    Tuple(Vec<Type>),
    List(Box<Type>),
    Object(Vec<(String, Type)>),
    Map(Box<Type>),
}

fn type_of(value: &Value, depth: u32) -> Type {
    if depth > 100 {
        return Type::Any;
    }
    match &value.kind {
        ValueKind::Null | ValueKind::Unknown(_) => Type::Any,
        ValueKind::String(_) => Type::String,
        ValueKind::Number(_) => Type::Number,
        ValueKind::Bool(_) => Type::Bool,
        ValueKind::List(items) => {
            Type::Tuple(items.iter().map(|i| type_of(i, depth + 1)).collect())
        }
        ValueKind::Object(entries) => {
            let mut attributes: Vec<(String, Type)> = entries
                .iter()
                .map(|e| (e.key.to_string(), type_of(&e.value, depth + 1)))
                .collect();
            attributes.sort_by(|a, b| a.0.cmp(&b.0));
            Type::Object(attributes)
        }
    }
}

/// The one type two types convert to, as Terraform unifies a conditional's results: mixed
/// primitives become strings, tuples of different lengths lists, objects with different
/// attributes maps. `None` when there is none (a string and a list).
fn unify_types(a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    Some(match (a, b) {
        (Any, t) | (t, Any) => t.clone(),
        (String | Number | Bool, String | Number | Bool) if a == b => a.clone(),
        // A string takes a number or a bool; a number and a bool alone have no common type.
        (String, Number | Bool) | (Number | Bool, String) => String,
        (Tuple(x), Tuple(y)) if x.len() == y.len() => Tuple(
            x.iter()
                .zip(y)
                .map(|(x, y)| unify_types(x, y))
                .collect::<Option<_>>()?,
        ),
        (Tuple(x), Tuple(y)) => List(Box::new(unify_all(x.iter().chain(y))?)),
        (List(x), Tuple(y)) | (Tuple(y), List(x)) => {
            List(Box::new(unify_all(std::iter::once(&**x).chain(y))?))
        }
        (List(x), List(y)) => List(Box::new(unify_types(x, y)?)),
        (Object(x), Object(y)) if x.iter().map(|a| &a.0).eq(y.iter().map(|b| &b.0)) => Object(
            x.iter()
                .zip(y)
                .map(|((k, x), (_, y))| Some((k.clone(), unify_types(x, y)?)))
                .collect::<Option<_>>()?,
        ),
        (Object(x), Object(y)) => Map(Box::new(unify_all(x.iter().chain(y).map(|a| &a.1))?)),
        (Map(x), Object(y)) | (Object(y), Map(x)) => Map(Box::new(unify_all(
            std::iter::once(&**x).chain(y.iter().map(|a| &a.1)),
        )?)),
        (Map(x), Map(y)) => Map(Box::new(unify_types(x, y)?)),
        _ => return None,
    })
}

fn unify_all<'t>(mut types: impl Iterator<Item = &'t Type>) -> Option<Type> {
    types.try_fold(Type::Any, |unified, t| unify_types(&unified, t))
}

/// `value` converted to `target` (a type it unifies into).
fn convert_to(value: &Value, target: &Type) -> Value {
    let kind = match (&value.kind, target) {
        (ValueKind::Number(_) | ValueKind::Bool(_), Type::String) => match to_string(value) {
            Some(text) => ValueKind::String(text),
            None => return value.clone(),
        },
        (ValueKind::List(items), Type::Tuple(types)) if items.len() == types.len() => {
            ValueKind::List(
                items
                    .iter()
                    .zip(types)
                    .map(|(i, t)| convert_to(i, t))
                    .collect(),
            )
        }
        (ValueKind::List(items), Type::List(t)) => {
            ValueKind::List(items.iter().map(|i| convert_to(i, t)).collect())
        }
        (ValueKind::Object(entries), Type::Object(types)) => ValueKind::Object(
            entries
                .iter()
                .map(|e| Entry {
                    value: types
                        .iter()
                        .find(|(k, _)| *k == e.key)
                        .map_or_else(|| e.value.clone(), |(_, t)| convert_to(&e.value, t)),
                    ..e.clone()
                })
                .collect(),
        ),
        (ValueKind::Object(entries), Type::Map(t)) => ValueKind::Object(
            entries
                .iter()
                .map(|e| Entry {
                    value: convert_to(&e.value, t),
                    ..e.clone()
                })
                .collect(),
        ),
        _ => return value.clone(),
    };
    Value {
        kind,
        ..value.clone()
    }
}

/// A conditional's chosen result in the type it shares with the other branch's; `None` when the
/// two have no common type (Terraform's "Inconsistent conditional result types").
pub fn unify_conditional(chosen: &Value, other: &Value) -> Option<Value> {
    let unified = unify_types(&type_of(chosen, 0), &type_of(other, 0))?;
    Some(convert_to(chosen, &unified))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_decimals_add_exactly_and_rounded_results_stay_f64() {
        assert_eq!(decimal_arithmetic(Arithmetic::Add, 0.1, 0.2), 0.3);
        assert_eq!(decimal_arithmetic(Arithmetic::Multiply, 0.1, 3.0), 0.3);
        assert_eq!(decimal_arithmetic(Arithmetic::Subtract, 1.0, 0.9), 0.1);
        // 2 / 3 has 16 digits: a rounded result, multiplied as f64 (Terraform says 2).
        assert_eq!(
            decimal_arithmetic(Arithmetic::Multiply, 2.0 / 3.0, 3.0),
            2.0
        );
        assert_eq!(decimal_arithmetic(Arithmetic::Add, 1e300, 1e300), 2e300);
        assert!(decimal_arithmetic(Arithmetic::Add, f64::INFINITY, 1.0).is_infinite());
        assert_eq!(
            decimal_arithmetic(Arithmetic::Multiply, 1e200, 1e200),
            f64::INFINITY
        );
    }

    #[test]
    fn numbers_convert_as_terraform_converts_strings() {
        for (text, expected) in [
            ("1", Some(1.0)),
            ("-1.5e3", Some(-1500.0)),
            (".5", Some(0.5)),
        ] {
            assert_eq!(parse_number(text), expected, "{text}");
        }
        for text in [" 1", "0x10", "inf", "NaN", "1e", "", "-", "1.2.3", "1e400"] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }
}
