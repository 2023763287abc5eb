//! Collection and set functions, and the type conversions (`tolist`, `toset`, `tomap`, ...).
//!
//! aksguard's values do not carry Terraform's types, so a list literal is Terraform's tuple;
//! functions whose parameter is a `list(string)` or a set convert the elements as Terraform does
//! (mixed primitives become strings) through [`unify`].

use super::{Call, Partial, Result};
use crate::frontend::terraform::values::{
    find_unknown, merge_provenance, parse_number, same, sorted_entries, to_bool, to_string,
};
use crate::value::{Entry, Value, ValueKind};

/// Terraform's limit on `range()`'s length.
const MAX_RANGE: usize = 1024;

/// The elements of a tuple converted to one element type, as Terraform does for a list, set or
/// map: numbers and bools beside strings become strings. `None` when no single type fits (a
/// string beside a list, a number beside a bool).
pub(super) fn unify(items: &[Value]) -> Option<Vec<Value>> {
    #[derive(PartialEq, Clone, Copy)]
    enum Kind {
        String,
        Number,
        Bool,
        List,
        Object,
    }
    let kinds: Vec<Kind> = items
        .iter()
        .filter_map(|item| match &item.kind {
            ValueKind::String(_) => Some(Kind::String),
            ValueKind::Number(_) => Some(Kind::Number),
            ValueKind::Bool(_) => Some(Kind::Bool),
            ValueKind::List(_) => Some(Kind::List),
            ValueKind::Object(_) => Some(Kind::Object),
            ValueKind::Null | ValueKind::Unknown(_) => None,
        })
        .collect();
    let Some(first) = kinds.first().copied() else {
        return Some(items.to_vec());
    };
    if kinds.iter().all(|k| *k == first) {
        return Some(items.to_vec());
    }
    // Strings take numbers and bools; numbers and bools alone, or beside collections, have no
    // common type.
    if kinds.iter().any(|k| matches!(k, Kind::List | Kind::Object))
        || !kinds.contains(&Kind::String)
    {
        return None;
    }
    Some(
        items
            .iter()
            .map(|item| match to_string(item) {
                Some(text) => Value {
                    kind: ValueKind::String(text),
                    ..item.clone()
                },
                None => item.clone(),
            })
            .collect(),
    )
}

/// A set of fully known `items`: unified, without repeats, in Terraform's order (strings
/// lexically, numbers ascending, false before true; other elements as given).
fn set_of(call: &Call, items: &[Value]) -> Partial<Vec<Value>> {
    let items =
        unify(items).ok_or_else(|| call.error("the elements have no single type for a set"))?;
    let mut unique: Vec<Value> = Vec::new();
    for item in items {
        if !unique.iter().any(|u| same(u, &item) == Some(true)) {
            unique.push(item);
        }
    }
    let collections = unique
        .iter()
        .filter(|u| matches!(u.kind, ValueKind::List(_) | ValueKind::Object(_)))
        .count();
    if collections > 1 {
        return Err(call.unsupported(
            "aksguard does not know the order Terraform gives a set of lists or objects",
        ));
    }
    sort_set(&mut unique);
    Ok(unique)
}

fn sort_set(items: &mut [Value]) {
    if items.iter().all(|i| i.as_str().is_some()) {
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if items.iter().all(|i| matches!(i.kind, ValueKind::Number(_))) {
        items.sort_by(|a, b| number_of(a).total_cmp(&number_of(b)));
    } else if items.iter().all(|i| matches!(i.kind, ValueKind::Bool(_))) {
        items.sort_by_key(|i| i.as_bool());
    }
}

fn number_of(value: &Value) -> f64 {
    match value.kind {
        ValueKind::Number(n) => n,
        _ => 0.0,
    }
}

/// Argument `at` as a set (a list converted).
fn set_arg(call: &Call, at: usize) -> Partial<Vec<Value>> {
    set_of(call, call.list(at)?)
}

pub fn alltrue(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.unknown_at(&[0])?;
    bool_fold(call, false)
}

pub fn anytrue(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.unknown_at(&[0])?;
    bool_fold(call, true)
}

/// `alltrue` (`decisive` false) and `anytrue` (`decisive` true): a known decisive element decides,
/// whatever unknowns there are.
fn bool_fold(call: &Call, decisive: bool) -> Result {
    let mut unknown = None;
    for (i, item) in call.list(0)?.iter().enumerate() {
        if item.as_unknown().is_some() {
            unknown = unknown.or(Some(item));
            continue;
        }
        match to_bool(item) {
            Some(b) if b == decisive => return call.value(ValueKind::Bool(decisive)),
            Some(_) => {}
            None => {
                return Err(call.error(&format!(
                    "element {i}: bool required, found {}",
                    item.describe()
                )))
            }
        }
    }
    match unknown {
        Some(unknown) => Err(unknown.clone()),
        None => call.value(ValueKind::Bool(!decisive)),
    }
}

pub fn chunklist(call: &Call) -> Result {
    call.arity(2, 2)?;
    let items = call.list(0)?;
    let size = call.integer(1)?;
    if size < 0 {
        return Err(call.error("the chunk size must not be negative"));
    }
    if items.is_empty() {
        return call.list_value(Vec::new());
    }
    let size = if size == 0 {
        items.len()
    } else {
        size as usize
    };
    let chunks = items
        .chunks(size)
        .map(|chunk| Value::new(ValueKind::List(chunk.to_vec()), call.span))
        .collect();
    call.list_value(chunks)
}

/// The first argument that is not null or an empty string; an unknown before it decides.
pub fn coalesce(call: &Call) -> Result {
    call.arity(1, usize::MAX)?;
    let unified =
        unify(call.args).ok_or_else(|| call.error("the arguments must all be of the same type"))?;
    for arg in &unified {
        match &arg.kind {
            ValueKind::Unknown(_) => return Err(arg.clone()),
            ValueKind::Null => {}
            ValueKind::String(s) if s.is_empty() => {}
            _ => return Ok(arg.clone()),
        }
    }
    Err(call.error("no non-null, non-empty-string arguments"))
}

pub fn coalescelist(call: &Call) -> Result {
    call.arity(1, usize::MAX)?;
    for at in 0..call.args.len() {
        if call.args[at].is_null() {
            continue;
        }
        if !call.list(at)?.is_empty() {
            return Ok(call.args[at].clone());
        }
    }
    Err(call.error("no non-null arguments"))
}

pub fn compact(call: &Call) -> Result {
    call.arity(1, 1)?;
    let list = call.list(0)?;
    let mut kept = Vec::new();
    for (i, item) in list.iter().enumerate() {
        match &item.kind {
            ValueKind::Null => {}
            ValueKind::String(s) if s.is_empty() => {}
            _ => match to_string(item) {
                Some(text) => kept.push(Value {
                    kind: ValueKind::String(text),
                    ..item.clone()
                }),
                None => {
                    return Err(call.error(&format!(
                        "element {i}: string required, found {}",
                        item.describe()
                    )))
                }
            },
        }
    }
    call.list_value(kept)
}

pub fn concat(call: &Call) -> Result {
    call.arity(1, usize::MAX)?;
    call.unknown_at(&(0..call.args.len()).collect::<Vec<_>>())?;
    let mut items = Vec::new();
    for at in 0..call.args.len() {
        items.extend(call.list(at)?.iter().cloned());
    }
    call.list_value(items)
}

pub fn contains(call: &Call) -> Result {
    call.arity(2, 2)?;
    call.unknown_at(&[0, 1])?;
    let items = call.list(0)?;
    let mut undecided = None;
    for item in items {
        match same(item, &call.args[1]) {
            Some(true) => return call.value(ValueKind::Bool(true)),
            None => undecided = undecided.or(find_unknown(item).or(find_unknown(&call.args[1]))),
            Some(false) => {}
        }
    }
    match undecided {
        Some(unknown) => Err(unknown.clone()),
        None => call.value(ValueKind::Bool(false)),
    }
}

pub fn distinct(call: &Call) -> Result {
    call.arity(1, 1)?;
    let items = unify(call.list(0)?)
        .ok_or_else(|| call.error("the elements have no single type for a list"))?;
    let mut unique: Vec<Value> = Vec::new();
    for item in items {
        if !unique.iter().any(|u| same(u, &item) == Some(true)) {
            unique.push(item);
        }
    }
    call.list_value(unique)
}

pub fn element(call: &Call) -> Result {
    call.arity(2, 2)?;
    call.unknown_at(&[0, 1])?;
    let items = call.list(0)?;
    let index = match to_number(&call.args[1]) {
        Some(n) => n,
        None => return Err(call.error("the index must be a number")),
    };
    if index.fract() != 0.0 {
        return Err(call.error("invalid index: value must be a whole number"));
    }
    if items.is_empty() {
        return Err(call.error("cannot use element function with an empty list"));
    }
    if index.abs() > 9.0e15 {
        return Err(call.error("invalid index: value must be a whole number"));
    }
    // Go's remainder keeps the sign: Terraform 1.11 fails on a negative one (`element(l, -1)` of
    // a one-element list is its element, of a longer list an error).
    let at = index as i64 % items.len() as i64;
    if at < 0 {
        return Err(call.error(&format!("index out of range [{at}]")));
    }
    Ok(items[at as usize].clone())
}

fn to_number(value: &Value) -> Option<f64> {
    crate::frontend::terraform::values::to_number(value)
}

pub fn flatten(call: &Call) -> Result {
    call.arity(1, 1)?;
    let mut items = Vec::new();
    flatten_into(call.list(0)?, &mut items, 0).map_err(|_| call.error("nested too deeply"))?;
    call.list_value(items)
}

fn flatten_into(items: &[Value], out: &mut Vec<Value>, depth: u32) -> std::result::Result<(), ()> {
    if depth > 100 {
        return Err(());
    }
    for item in items {
        match &item.kind {
            ValueKind::List(inner) => flatten_into(inner, out, depth + 1)?,
            _ => out.push(item.clone()),
        }
    }
    Ok(())
}

pub fn index(call: &Call) -> Result {
    call.arity(2, 2)?;
    let items = call.list(0)?;
    match items
        .iter()
        .position(|item| same(item, &call.args[1]) == Some(true))
    {
        Some(at) => call.number_value(at as f64),
        None => Err(call.error("item not found")),
    }
}

pub fn keys(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.unknown_at(&[0])?;
    let entries = sorted_entries(call.object(0)?);
    call.list_value(
        entries
            .into_iter()
            .map(|e| Value::new(ValueKind::String(e.key.to_string()), e.key_span))
            .collect(),
    )
}

pub fn values(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.unknown_at(&[0])?;
    let entries = sorted_entries(call.object(0)?);
    call.list_value(entries.into_iter().map(|e| e.value.clone()).collect())
}

/// Known for a collection whatever its elements are.
pub fn length(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.unknown_at(&[0])?;
    let n =
        match &call.not_null(0)?.kind {
            ValueKind::List(items) => items.len(),
            ValueKind::Object(entries) => entries.len(),
            ValueKind::String(s) => match super::strings::graphemes(s) {
                Some(clusters) => clusters.len(),
                None => {
                    return Err(call
                        .unsupported("aksguard does not split this text into grapheme clusters"))
                }
            },
            _ => {
                return Err(call
                    .error("argument must be a string, a collection type, or a structural type"))
            }
        };
    call.number_value(n as f64)
}

pub fn lookup(call: &Call) -> Result {
    call.arity(2, 3)?;
    call.unknown_at(&[0, 1])?;
    let key = call.string(1)?;
    match call.object(0)?.iter().find(|e| e.key == key) {
        Some(entry) => Ok(entry.value.clone()),
        None => match call.args.get(2) {
            Some(default) => Ok(default.clone()),
            None => Err(call.error(&format!("the given object has no attribute \"{key}\""))),
        },
    }
}

pub fn matchkeys(call: &Call) -> Result {
    call.arity(3, 3)?;
    let (values, keys, search) = (call.list(0)?, call.list(1)?, call.list(2)?);
    if values.len() != keys.len() {
        return Err(call.error("length of keys and values should be equal"));
    }
    let keys = unify(keys).ok_or_else(|| call.error("the keys have no single type"))?;
    let search = unify(search).ok_or_else(|| call.error("the search set has no single type"))?;
    let kept = values
        .iter()
        .zip(&keys)
        .filter(|(_, key)| search.iter().any(|s| same(s, key) == Some(true)))
        .map(|(value, _)| value.clone())
        .collect();
    call.list_value(kept)
}

/// Later maps override earlier keys; `null` arguments are skipped.
pub fn merge(call: &Call) -> Result {
    call.unknown_at(&(0..call.args.len()).collect::<Vec<_>>())?;
    let mut entries: Vec<Entry> = Vec::new();
    for at in 0..call.args.len() {
        if call.args[at].is_null() {
            continue;
        }
        let Some(arg_entries) = call.args[at].entries() else {
            return Err(call.error("arguments must be maps or objects"));
        };
        for entry in arg_entries {
            let mut entry = entry.clone();
            entry.value.provenance = merge_provenance([&entry.value, &call.args[at]]).into();
            match entries.iter_mut().find(|e| e.key == entry.key) {
                Some(existing) => *existing = entry,
                None => entries.push(entry),
            }
        }
    }
    call.value(ValueKind::Object(entries))
}

pub fn one(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.unknown_at(&[0])?;
    match call.list(0)? {
        [] => call.value(ValueKind::Null),
        [only] => Ok(only.clone()),
        _ => {
            Err(call.error("must be a list, set, or tuple value with either zero or one elements"))
        }
    }
}

pub fn range(call: &Call) -> Result {
    call.arity(1, 3)?;
    let numbers = (0..call.args.len())
        .map(|at| call.number(at))
        .collect::<Partial<Vec<f64>>>()?;
    let (start, end, step) = match numbers[..] {
        [end] => (0.0, end, 1.0),
        [start, end] => (start, end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (start, end, step),
        _ => unreachable!("arity is checked"),
    };
    if step == 0.0 {
        return Err(call.error("step must not be zero"));
    }
    if step < 0.0 && end > start {
        return Err(call.error("end must be less than start when step is negative"));
    }
    if step > 0.0 && end < start {
        return Err(call.error("end must be greater than start when step is positive"));
    }
    let mut items = Vec::new();
    let mut i = 0.0;
    loop {
        let n = start + step * i;
        if (step > 0.0 && n >= end) || (step < 0.0 && n <= end) {
            break;
        }
        if items.len() >= MAX_RANGE {
            return Err(call.error(&format!("more than {MAX_RANGE} values were generated")));
        }
        items.push(Value::new(ValueKind::Number(n), call.span));
        i += 1.0;
    }
    call.list_value(items)
}

pub fn reverse(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.unknown_at(&[0])?;
    let mut items = call.list(0)?.to_vec();
    items.reverse();
    call.list_value(items)
}

pub fn setintersection(call: &Call) -> Result {
    call.arity(1, usize::MAX)?;
    let mut result = set_arg(call, 0)?;
    for at in 1..call.args.len() {
        let other = set_arg(call, at)?;
        result.retain(|item| other.iter().any(|o| same(o, item) == Some(true)));
    }
    call.list_value(result)
}

pub fn setsubtract(call: &Call) -> Result {
    call.arity(2, 2)?;
    let mut result = set_arg(call, 0)?;
    let other = set_arg(call, 1)?;
    result.retain(|item| !other.iter().any(|o| same(o, item) == Some(true)));
    call.list_value(result)
}

pub fn setunion(call: &Call) -> Result {
    call.arity(1, usize::MAX)?;
    let mut all = Vec::new();
    for at in 0..call.args.len() {
        all.extend(call.list(at)?.iter().cloned());
    }
    call.list_value(set_of(call, &all)?)
}

/// Every combination of one element of each argument, in the arguments' order.
pub fn setproduct(call: &Call) -> Result {
    call.arity(2, usize::MAX)?;
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for at in 0..call.args.len() {
        let items = call.list(at)?;
        if product.len().saturating_mul(items.len()) > 1_000_000 {
            return Err(call.unsupported("the product is too large to evaluate"));
        }
        product = product
            .into_iter()
            .flat_map(|prefix| {
                items.iter().map(move |item| {
                    let mut combination = prefix.clone();
                    combination.push(item.clone());
                    combination
                })
            })
            .collect();
    }
    call.list_value(
        product
            .into_iter()
            .map(|combination| Value::new(ValueKind::List(combination), call.span))
            .collect(),
    )
}

pub fn slice(call: &Call) -> Result {
    call.arity(3, 3)?;
    call.unknown_at(&[0, 1, 2])?;
    let items = call.list(0)?;
    let (start, end) = (call.integer(1)?, call.integer(2)?);
    if start < 0 {
        return Err(call.error("start index must not be less than zero"));
    }
    if end as usize > items.len() || end < 0 {
        return Err(call.error("end index must not be greater than the length of the list"));
    }
    if start > end {
        return Err(call.error("start index must not be greater than end index"));
    }
    call.list_value(items[start as usize..end as usize].to_vec())
}

/// Strings in lexical (byte) order; numbers and bools are converted to strings first.
pub fn sort(call: &Call) -> Result {
    call.arity(1, 1)?;
    let mut strings = call.strings(0)?;
    strings.sort();
    call.list_value(strings.into_iter().map(|s| call.string_item(s)).collect())
}

pub fn transpose(call: &Call) -> Result {
    call.arity(1, 1)?;
    let mut result: Vec<(String, Vec<Value>)> = Vec::new();
    for entry in sorted_entries(call.object(0)?) {
        let Some(items) = entry.value.items() else {
            return Err(call.error("the map's values must be lists of strings"));
        };
        for item in items {
            let Some(key) = to_string(item) else {
                return Err(call.error("the map's values must be lists of strings"));
            };
            let value = Value::new(ValueKind::String(entry.key.to_string()), entry.key_span);
            match result.iter_mut().find(|(k, _)| *k == key) {
                Some((_, values)) => values.push(value),
                None => result.push((key, vec![value])),
            }
        }
    }
    result.sort_by(|a, b| a.0.cmp(&b.0));
    call.value(ValueKind::Object(
        result
            .into_iter()
            .map(|(key, values)| Entry {
                key: key.into(),
                key_span: call.span,
                value: Value::new(ValueKind::List(values), call.span),
            })
            .collect(),
    ))
}

pub fn zipmap(call: &Call) -> Result {
    call.arity(2, 2)?;
    call.unknown_at(&[0, 1])?;
    let (keys, values) = (call.list(0)?, call.list(1)?);
    if keys.len() != values.len() {
        return Err(call.error(&format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut entries: Vec<Entry> = Vec::new();
    for (key, value) in keys.iter().zip(values) {
        if key.as_unknown().is_some() {
            return Err(key.clone());
        }
        let Some(text) = to_string(key) else {
            return Err(call.error(&format!("keys must be strings, found {}", key.describe())));
        };
        entries.retain(|e| e.key != text);
        entries.push(Entry {
            key: text.into(),
            key_span: key.span,
            value: value.clone(),
        });
    }
    call.value(ValueKind::Object(entries))
}

// ----- type conversions ---------------------------------------------------------------------

/// The converted value, keeping the argument's provenance.
fn converted(call: &Call, kind: ValueKind) -> Result {
    Ok(Value {
        kind,
        span: call.span,
        provenance: call.args[0].provenance.clone(),
    })
}

fn type_name(value: &Value) -> &'static str {
    match value.kind {
        ValueKind::Null => "null",
        ValueKind::Bool(_) => "bool",
        ValueKind::Number(_) => "number",
        ValueKind::String(_) => "string",
        ValueKind::List(_) => "tuple",
        ValueKind::Object(_) => "object",
        ValueKind::Unknown(_) => "unknown",
    }
}

pub fn tostring(call: &Call) -> Result {
    call.arity(1, 1)?;
    let arg = &call.args[0];
    if arg.is_null() {
        return Ok(arg.clone());
    }
    match to_string(arg) {
        Some(text) => converted(call, ValueKind::String(text)),
        None => Err(call.error(&format!("cannot convert {} to string", type_name(arg)))),
    }
}

pub fn tonumber(call: &Call) -> Result {
    call.arity(1, 1)?;
    let arg = &call.args[0];
    match &arg.kind {
        ValueKind::Null => Ok(arg.clone()),
        ValueKind::Number(n) => converted(call, ValueKind::Number(*n)),
        ValueKind::String(s) => match parse_number(s) {
            Some(n) => converted(call, ValueKind::Number(n)),
            None => Err(call.error(&format!(
                "cannot convert {s:?} to number; given string must be a decimal representation of a number"
            ))),
        },
        _ => Err(call.error(&format!("cannot convert {} to number", type_name(arg)))),
    }
}

pub fn tobool(call: &Call) -> Result {
    call.arity(1, 1)?;
    let arg = &call.args[0];
    if arg.is_null() {
        return Ok(arg.clone());
    }
    match (&arg.kind, to_bool(arg)) {
        (_, Some(b)) => converted(call, ValueKind::Bool(b)),
        (ValueKind::String(s), None) => Err(call.error(&format!(
            "cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed"
        ))),
        _ => Err(call.error(&format!("cannot convert {} to bool", type_name(arg)))),
    }
}

pub fn tolist(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.unknown_at(&[0])?;
    let arg = &call.args[0];
    match &arg.kind {
        ValueKind::Null => Ok(arg.clone()),
        ValueKind::List(items) => match unify(items) {
            Some(items) => converted(call, ValueKind::List(items)),
            None => Err(call.error("cannot convert tuple to list of any single type")),
        },
        _ => Err(call.error(&format!(
            "cannot convert {} to list of any single type",
            type_name(arg)
        ))),
    }
}

pub fn toset(call: &Call) -> Result {
    call.arity(1, 1)?;
    let arg = &call.args[0];
    match &arg.kind {
        ValueKind::Null => Ok(arg.clone()),
        ValueKind::List(items) => converted(call, ValueKind::List(set_of(call, items)?)),
        _ => Err(call.error(&format!(
            "cannot convert {} to set of any single type",
            type_name(arg)
        ))),
    }
}

pub fn tomap(call: &Call) -> Result {
    call.arity(1, 1)?;
    let arg = &call.args[0];
    match &arg.kind {
        ValueKind::Null => Ok(arg.clone()),
        ValueKind::Object(entries) => {
            let values: Vec<Value> = entries.iter().map(|e| e.value.clone()).collect();
            let Some(values) = unify(&values) else {
                return Err(call.error("cannot convert object to map of any single type"));
            };
            let entries = entries
                .iter()
                .zip(values)
                .map(|(e, value)| Entry { value, ..e.clone() })
                .collect();
            converted(call, ValueKind::Object(entries))
        }
        _ => Err(call.error(&format!(
            "cannot convert {} to map of any single type",
            type_name(arg)
        ))),
    }
}
