//! The pure functions of the ARM template language: their result depends only on their
//! (already evaluated) arguments. Functions that need the template (`parameters`, `variables`,
//! `copyIndex`, `resourceId`, `if`) live in [`super::eval`].
//!
//! Wrong arity or wrong argument types give an unknown value naming the problem, never a panic:
//! ARM would reject the template at deployment, and aksguard should not guess what it meant.

use crate::source::Span;
use crate::value::{format_number, Entry, UnknownCause, Value, ValueKind};

/// An unknown value for a misuse of `function` (wrong arity or type).
pub fn misuse(span: Span, function: &str, problem: impl std::fmt::Display) -> Value {
    Value::unknown(
        UnknownCause::Unsupported,
        format!("{function}() {problem}"),
        span,
    )
}

fn arity(span: Span, function: &str, args: &[Value], min: usize, max: usize) -> Option<Value> {
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        Some(misuse(
            span,
            function,
            format!("takes {expected} arguments, found {}", args.len()),
        ))
    } else {
        None
    }
}

fn wrong_type(span: Span, function: &str, expected: &str, found: &Value) -> Value {
    misuse(
        span,
        function,
        format!("expects {expected}, found {}", found.describe()),
    )
}

fn new(kind: ValueKind, span: Span) -> Value {
    Value::new(kind, span)
}

fn string(s: impl Into<String>, span: Span) -> Value {
    new(ValueKind::String(s.into()), span)
}

fn boolean(b: bool, span: Span) -> Value {
    new(ValueKind::Bool(b), span)
}

fn number(n: f64, span: Span) -> Value {
    new(ValueKind::Number(n), span)
}

/// Functions that do not look at their arguments' values when one is unknown: they decide it
/// themselves.
fn handles_unknown(name: &str) -> bool {
    // Containers keep unknown elements in place, so one unknown property does not hide the rest.
    matches!(
        name,
        "and" | "or" | "coalesce" | "createobject" | "createarray"
    )
}

/// The first unknown value among `values`, searching inside lists and objects.
pub fn first_unknown(values: &[Value]) -> Option<&Value> {
    values.iter().find_map(|v| match &v.kind {
        ValueKind::Unknown(_) => Some(v),
        ValueKind::List(items) => first_unknown(items),
        ValueKind::Object(entries) => entries
            .iter()
            .find_map(|e| first_unknown(std::slice::from_ref(&e.value))),
        _ => None,
    })
}

/// Call the pure function `name` (lowercase); `None` when no such pure function exists.
pub fn call(name: &str, args: &[Value], span: Span) -> Option<Value> {
    if !handles_unknown(name) {
        // Containers may hold unknowns that these functions would only pass along; top-level
        // unknowns decide the result.
        if let Some(unknown) = args.iter().find(|a| a.as_unknown().is_some()) {
            return Some(Value {
                span,
                ..unknown.clone()
            });
        }
    }
    let a = args;
    Some(match name {
        "null" => arity(span, name, a, 0, 0).unwrap_or_else(|| new(ValueKind::Null, span)),
        "true" => arity(span, name, a, 0, 0).unwrap_or_else(|| boolean(true, span)),
        "false" => arity(span, name, a, 0, 0).unwrap_or_else(|| boolean(false, span)),
        "equals" => {
            arity(span, name, a, 2, 2).unwrap_or_else(|| boolean(deep_equal(&a[0], &a[1]), span))
        }
        "not" => arity(span, name, a, 1, 1).unwrap_or_else(|| match a[0].as_bool() {
            Some(b) => boolean(!b, span),
            None => wrong_type(span, name, "a boolean", &a[0]),
        }),
        "and" | "or" => and_or(name, a, span),
        "bool" => arity(span, name, a, 1, 1).unwrap_or_else(|| match &a[0].kind {
            ValueKind::Number(n) => boolean(*n != 0.0, span),
            _ => match a[0].as_bool() {
                Some(b) => boolean(b, span),
                None => wrong_type(
                    span,
                    name,
                    "a boolean, \"true\"/\"false\" or a number",
                    &a[0],
                ),
            },
        }),
        "string" => arity(span, name, a, 1, 1).unwrap_or_else(|| match to_text(&a[0]) {
            Some(text) => string(text, span),
            None => wrong_type(span, name, "a value without unknowns", &a[0]),
        }),
        "int" => arity(span, name, a, 1, 1).unwrap_or_else(|| match &a[0].kind {
            ValueKind::Number(n) => number(n.trunc(), span),
            ValueKind::String(s) => match s.trim().parse::<i64>() {
                Ok(n) => number(n as f64, span),
                Err(_) => wrong_type(span, name, "an integer or a string of digits", &a[0]),
            },
            _ => wrong_type(span, name, "an integer or a string of digits", &a[0]),
        }),
        "concat" => concat(a, span),
        "uri" => {
            arity(span, name, a, 2, 2).unwrap_or_else(|| match (a[0].as_str(), a[1].as_str()) {
                (Some(base), Some(relative)) => string(
                    crate::frontend::arm::links::resolve_uri(base, relative),
                    span,
                ),
                _ => wrong_type(
                    span,
                    name,
                    "two strings",
                    if a[0].as_str().is_none() {
                        &a[0]
                    } else {
                        &a[1]
                    },
                ),
            })
        }
        "format" => format(a, span),
        "union" => union(a, span),
        "intersection" => intersection(a, span),
        "createobject" => create_object(a, span),
        "createarray" => new(ValueKind::List(a.to_vec()), span),
        "array" => arity(span, name, a, 1, 1).unwrap_or_else(|| match &a[0].kind {
            ValueKind::List(_) => a[0].clone(),
            _ => new(ValueKind::List(vec![a[0].clone()]), span),
        }),
        "coalesce" => coalesce(a, span),
        "contains" => arity(span, name, a, 2, 2).unwrap_or_else(|| contains(&a[0], &a[1], span)),
        "empty" => arity(span, name, a, 1, 1).unwrap_or_else(|| match &a[0].kind {
            ValueKind::Null => boolean(true, span),
            ValueKind::String(s) => boolean(s.is_empty(), span),
            ValueKind::List(items) => boolean(items.is_empty(), span),
            ValueKind::Object(entries) => boolean(entries.is_empty(), span),
            _ => wrong_type(span, name, "a string, array or object", &a[0]),
        }),
        "length" => arity(span, name, a, 1, 1).unwrap_or_else(|| match &a[0].kind {
            ValueKind::String(s) => number(s.chars().count() as f64, span),
            ValueKind::List(items) => number(items.len() as f64, span),
            ValueKind::Object(entries) => number(entries.len() as f64, span),
            _ => wrong_type(span, name, "a string, array or object", &a[0]),
        }),
        "tolower" | "toupper" => {
            arity(span, name, a, 1, 1).unwrap_or_else(|| match a[0].as_str() {
                Some(s) if name == "tolower" => string(s.to_lowercase(), span),
                Some(s) => string(s.to_uppercase(), span),
                None => wrong_type(span, name, "a string", &a[0]),
            })
        }
        "json" => arity(span, name, a, 1, 1).unwrap_or_else(|| match a[0].as_str() {
            Some(s) => json(s, span),
            None => wrong_type(span, name, "a string", &a[0]),
        }),
        "first" | "last" => {
            arity(span, name, a, 1, 1).unwrap_or_else(|| first_last(name, &a[0], span))
        }
        "split" => arity(span, name, a, 2, 2).unwrap_or_else(|| split(&a[0], &a[1], span)),
        "replace" => arity(span, name, a, 3, 3).unwrap_or_else(|| {
            match (a[0].as_str(), a[1].as_str(), a[2].as_str()) {
                (Some(s), Some(old), Some(new_text)) if !old.is_empty() => {
                    string(s.replace(old, new_text), span)
                }
                _ => misuse(span, name, "expects three strings, the second not empty"),
            }
        }),
        "startswith" | "endswith" => arity(span, name, a, 2, 2).unwrap_or_else(|| {
            // ARM compares these case-insensitively.
            match (a[0].as_str(), a[1].as_str()) {
                (Some(s), Some(affix)) => {
                    let (s, affix) = (s.to_lowercase(), affix.to_lowercase());
                    boolean(
                        if name == "startswith" {
                            s.starts_with(&affix)
                        } else {
                            s.ends_with(&affix)
                        },
                        span,
                    )
                }
                _ => misuse(span, name, "expects two strings"),
            }
        }),
        "items" => arity(span, name, a, 1, 1).unwrap_or_else(|| items(&a[0], span)),
        "range" => arity(span, name, a, 2, 2).unwrap_or_else(|| range(&a[0], &a[1], span)),
        "tryget" => try_get(a, span),
        "objectkeys" => arity(span, name, a, 1, 1).unwrap_or_else(|| match a[0].entries() {
            Some(entries) => new(
                ValueKind::List(
                    entries
                        .iter()
                        .map(|e| string(e.key.clone(), span))
                        .collect(),
                ),
                span,
            ),
            None => wrong_type(span, name, "an object", &a[0]),
        }),
        "greater" | "less" | "greaterorequals" | "lessorequals" => {
            arity(span, name, a, 2, 2).unwrap_or_else(|| compare(name, &a[0], &a[1], span))
        }
        "add" | "sub" | "mul" | "div" | "mod" => {
            arity(span, name, a, 2, 2).unwrap_or_else(|| arithmetic(name, &a[0], &a[1], span))
        }
        _ => return None,
    })
}

fn and_or(name: &str, args: &[Value], span: Span) -> Value {
    if args.is_empty() {
        return misuse(span, name, "takes at least 1 argument, found 0");
    }
    // A known deciding operand wins over unknown ones: `and(false, x)` is false whatever `x` is.
    let decisive = name == "or";
    let mut unknown = None;
    for arg in args {
        match arg.as_bool() {
            Some(b) if b == decisive => return boolean(decisive, span),
            Some(_) => {}
            None if arg.as_unknown().is_some() => unknown = unknown.or(Some(arg)),
            None => return wrong_type(span, name, "booleans", arg),
        }
    }
    match unknown {
        Some(unknown) => Value {
            span,
            ..unknown.clone()
        },
        None => boolean(!decisive, span),
    }
}

/// ARM's `equals`: deep, strings case-sensitive, object keys case-insensitive.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (ValueKind::Null, ValueKind::Null) => true,
        (ValueKind::Bool(x), ValueKind::Bool(y)) => x == y,
        (ValueKind::Number(x), ValueKind::Number(y)) => x == y,
        (ValueKind::String(x), ValueKind::String(y)) => x == y,
        (ValueKind::List(x), ValueKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| deep_equal(x, y))
        }
        (ValueKind::Object(x), ValueKind::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| {
                    b.get_ignore_case(&e.key)
                        .is_some_and(|other| deep_equal(&e.value, &other.value))
                })
        }
        _ => false,
    }
}

/// The text `string()` gives: strings as they are, booleans as .NET writes them, containers as
/// JSON. `None` when the value holds an unknown.
pub fn to_text(value: &Value) -> Option<String> {
    Some(match &value.kind {
        ValueKind::String(s) => s.clone(),
        ValueKind::Null => String::new(),
        ValueKind::Bool(true) => "True".to_string(),
        ValueKind::Bool(false) => "False".to_string(),
        ValueKind::Number(n) => format_number(*n),
        ValueKind::List(_) | ValueKind::Object(_) => {
            serde_json::to_string(&value.to_json()?).ok()?
        }
        ValueKind::Unknown(_) => return None,
    })
}

fn concat(args: &[Value], span: Span) -> Value {
    if args
        .iter()
        .all(|a| matches!(a.kind, ValueKind::List(_) | ValueKind::Null))
        && !args.is_empty()
    {
        let items = args
            .iter()
            .flat_map(|a| a.items().unwrap_or(&[]).iter().cloned())
            .collect();
        return new(ValueKind::List(items), span);
    }
    let mut text = String::new();
    for arg in args {
        match &arg.kind {
            ValueKind::String(_) | ValueKind::Number(_) | ValueKind::Bool(_) | ValueKind::Null => {
                text.push_str(&to_text(arg).unwrap_or_default())
            }
            _ => return wrong_type(span, "concat", "all strings or all arrays", arg),
        }
    }
    string(text, span)
}

/// .NET composite formatting: `{0}`, `{1:D2}`, `{{` and `}}`. Format specifiers other than
/// `D<n>`/`N0` are tolerated and ignored.
/// Widest `{i:Dn}` padding `format()` evaluates; real templates pad ids to a few digits.
const MAX_FORMAT_WIDTH: usize = 1024;

fn format(args: &[Value], span: Span) -> Value {
    let Some(template) = args.first().and_then(|a| a.as_str()) else {
        return match args.first() {
            None => misuse(span, "format", "takes at least 1 argument, found 0"),
            Some(found) => wrong_type(span, "format", "a format string", found),
        };
    };
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut item = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    item.push(c);
                }
                let (index, spec) = item.split_once(':').unwrap_or((&item, ""));
                let index = index.split(',').next().unwrap_or("").trim();
                // `checked_add`: an index of usize::MAX would wrap to 0, the format string itself.
                let argument = index.parse::<usize>().ok().and_then(|i| i.checked_add(1));
                let Some(arg) = argument.and_then(|i| args.get(i)) else {
                    return misuse(span, "format", format!("has no argument for `{{{item}}}`"));
                };
                let Some(text) = to_text(arg) else {
                    return wrong_type(span, "format", "arguments without unknowns", arg);
                };
                match (&arg.kind, spec.strip_prefix(['D', 'd'])) {
                    (ValueKind::Number(n), Some(width)) => {
                        let width = width.parse::<usize>().unwrap_or(0);
                        // A width is text to allocate: `{0:D999999999}` would take a gigabyte.
                        if width > MAX_FORMAT_WIDTH {
                            return misuse(
                                span,
                                "format",
                                format!("pads to {width} digits; aksguard evaluates at most {MAX_FORMAT_WIDTH}"),
                            );
                        }
                        out.push_str(&format!("{:0width$}", *n as i64));
                    }
                    _ => out.push_str(&text),
                }
            }
            c => out.push(c),
        }
    }
    string(out, span)
}

/// Objects: merged, later keys win, nested objects merged recursively. Arrays: the distinct
/// items in order.
fn union(args: &[Value], span: Span) -> Value {
    if args.is_empty() {
        return misuse(span, "union", "takes at least 1 argument, found 0");
    }
    if args.iter().all(|a| a.items().is_some() || a.is_null()) {
        let mut items: Vec<Value> = Vec::new();
        for item in args.iter().flat_map(|a| a.items().unwrap_or(&[])) {
            if !items.iter().any(|seen| deep_equal(seen, item)) {
                items.push(item.clone());
            }
        }
        return new(ValueKind::List(items), span);
    }
    if args.iter().all(|a| a.entries().is_some() || a.is_null()) {
        let mut merged = new(ValueKind::Object(Vec::new()), span);
        for arg in args {
            merged = merge_objects(merged, arg);
        }
        return merged;
    }
    misuse(span, "union", "expects all objects or all arrays")
}

fn merge_objects(base: Value, overlay: &Value) -> Value {
    let ValueKind::Object(mut entries) = base.kind else {
        return overlay.clone();
    };
    for entry in overlay.entries().unwrap_or(&[]) {
        match entries
            .iter_mut()
            .find(|e| e.key.eq_ignore_ascii_case(&entry.key))
        {
            Some(existing) => {
                existing.value =
                    if existing.value.entries().is_some() && entry.value.entries().is_some() {
                        merge_objects(existing.value.clone(), &entry.value)
                    } else {
                        entry.value.clone()
                    };
                existing.key_span = entry.key_span;
            }
            None => entries.push(entry.clone()),
        }
    }
    let mut provenance = base.provenance;
    provenance.extend(overlay.provenance.iter().cloned());
    Value {
        kind: ValueKind::Object(entries),
        span: base.span,
        provenance,
    }
}

fn intersection(args: &[Value], span: Span) -> Value {
    let Some((first, rest)) = args.split_first() else {
        return misuse(span, "intersection", "takes at least 1 argument, found 0");
    };
    match &first.kind {
        ValueKind::List(items) if rest.iter().all(|r| r.items().is_some()) => {
            let mut kept: Vec<Value> = Vec::new();
            for item in items {
                let everywhere = rest
                    .iter()
                    .all(|r| r.items().unwrap_or(&[]).iter().any(|o| deep_equal(o, item)));
                if everywhere && !kept.iter().any(|k| deep_equal(k, item)) {
                    kept.push(item.clone());
                }
            }
            new(ValueKind::List(kept), span)
        }
        ValueKind::Object(entries) if rest.iter().all(|r| r.entries().is_some()) => {
            let kept = entries
                .iter()
                .filter(|e| {
                    rest.iter().all(|r| {
                        r.get_ignore_case(&e.key)
                            .is_some_and(|o| deep_equal(&o.value, &e.value))
                    })
                })
                .cloned()
                .collect();
            new(ValueKind::Object(kept), span)
        }
        _ => misuse(span, "intersection", "expects all objects or all arrays"),
    }
}

fn create_object(args: &[Value], span: Span) -> Value {
    if args.len() % 2 != 0 {
        return misuse(
            span,
            "createObject",
            format!("takes key/value pairs, found {} arguments", args.len()),
        );
    }
    let mut entries: Vec<Entry> = Vec::new();
    for pair in args.chunks(2) {
        if pair[0].as_unknown().is_some() {
            return Value {
                span,
                ..pair[0].clone()
            };
        }
        let Some(key) = pair[0].as_str() else {
            return wrong_type(span, "createObject", "string keys", &pair[0]);
        };
        entries.retain(|e| !e.key.eq_ignore_ascii_case(key));
        entries.push(Entry {
            key: key.into(),
            key_span: pair[0].span,
            value: pair[1].clone(),
        });
    }
    new(ValueKind::Object(entries), span)
}

/// The first argument that is not null; an unknown met before it makes the result unknown.
fn coalesce(args: &[Value], span: Span) -> Value {
    for arg in args {
        match &arg.kind {
            ValueKind::Null => continue,
            _ => return arg.clone(),
        }
    }
    new(ValueKind::Null, span)
}

fn contains(container: &Value, item: &Value, span: Span) -> Value {
    match (&container.kind, &item.kind) {
        // String containment is case-sensitive in ARM, object keys are not.
        (ValueKind::String(s), _) => match to_text(item) {
            Some(needle) if !matches!(item.kind, ValueKind::List(_) | ValueKind::Object(_)) => {
                boolean(s.contains(&needle), span)
            }
            _ => wrong_type(span, "contains", "a string to look for in a string", item),
        },
        (ValueKind::List(items), _) => boolean(items.iter().any(|i| deep_equal(i, item)), span),
        (ValueKind::Object(_), ValueKind::String(key)) => {
            boolean(container.get_ignore_case(key).is_some(), span)
        }
        (ValueKind::Object(_), _) => wrong_type(span, "contains", "a string key", item),
        _ => wrong_type(span, "contains", "a string, array or object", container),
    }
}

fn json(text: &str, span: Span) -> Value {
    match crate::frontend::json::parse(span.file, text) {
        Ok(Some(value)) => respan(value, span),
        Ok(None) => misuse(span, "json", "expects JSON text, found an empty string"),
        Err(error) => misuse(
            span,
            "json",
            format!("cannot parse its argument: {}", error.message),
        ),
    }
}

/// `value` with every span replaced by `span` (for values made from text inside a string).
pub fn respan(value: Value, span: Span) -> Value {
    let kind = match value.kind {
        ValueKind::List(items) => {
            ValueKind::List(items.into_iter().map(|v| respan(v, span)).collect())
        }
        ValueKind::Object(entries) => ValueKind::Object(
            entries
                .into_iter()
                .map(|e| Entry {
                    key: e.key,
                    key_span: span,
                    value: respan(e.value, span),
                })
                .collect(),
        ),
        other => other,
    };
    Value {
        kind,
        span,
        provenance: value.provenance,
    }
}

fn first_last(name: &str, value: &Value, span: Span) -> Value {
    let first = name == "first";
    match &value.kind {
        ValueKind::List(items) => {
            let item = if first { items.first() } else { items.last() };
            item.cloned().unwrap_or_else(|| new(ValueKind::Null, span))
        }
        ValueKind::String(s) => {
            let c = if first {
                s.chars().next()
            } else {
                s.chars().last()
            };
            string(c.map(String::from).unwrap_or_default(), span)
        }
        _ => wrong_type(span, name, "an array or a string", value),
    }
}

fn split(value: &Value, delimiters: &Value, span: Span) -> Value {
    let Some(text) = value.as_str() else {
        return wrong_type(span, "split", "a string", value);
    };
    let delimiters: Vec<&str> = match &delimiters.kind {
        ValueKind::String(d) => vec![d.as_str()],
        ValueKind::List(items) if items.iter().all(|i| i.as_str().is_some()) => {
            items.iter().filter_map(|i| i.as_str()).collect()
        }
        _ => {
            return wrong_type(
                span,
                "split",
                "a delimiter string or array of strings",
                delimiters,
            )
        }
    };
    let mut parts = vec![text.to_string()];
    for delimiter in delimiters.iter().filter(|d| !d.is_empty()) {
        parts = parts
            .iter()
            .flat_map(|p| p.split(delimiter).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    new(
        ValueKind::List(parts.into_iter().map(|p| string(p, span)).collect()),
        span,
    )
}

/// `items(object)`: `[{key, value}]` sorted by key, as ARM returns them.
fn items(value: &Value, span: Span) -> Value {
    let Some(entries) = value.entries() else {
        return wrong_type(span, "items", "an object", value);
    };
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.key.to_lowercase());
    let list = sorted
        .into_iter()
        .map(|e| {
            new(
                ValueKind::Object(vec![
                    Entry {
                        key: "key".into(),
                        key_span: e.key_span,
                        value: string(e.key.clone(), e.key_span),
                    },
                    Entry {
                        key: "value".into(),
                        key_span: e.key_span,
                        value: e.value.clone(),
                    },
                ]),
                span,
            )
        })
        .collect();
    new(ValueKind::List(list), span)
}

/// ARM caps `range` at 10000 items.
const MAX_RANGE: f64 = 10_000.0;

fn range(start: &Value, count: &Value, span: Span) -> Value {
    match (&start.kind, &count.kind) {
        (ValueKind::Number(s), ValueKind::Number(c)) if *c >= 0.0 && *c <= MAX_RANGE => new(
            ValueKind::List((0..*c as i64).map(|i| number(s + i as f64, span)).collect()),
            span,
        ),
        (ValueKind::Number(_), ValueKind::Number(_)) => {
            misuse(span, "range", "count must be between 0 and 10000")
        }
        _ => misuse(span, "range", "expects two integers"),
    }
}

/// Bicep's `a.?b` compiles to `tryGet(a, 'b')`: the property, or null when absent.
fn try_get(args: &[Value], span: Span) -> Value {
    if let Some(bad) = arity(span, "tryGet", args, 2, usize::MAX) {
        return bad;
    }
    let mut current = args[0].clone();
    for key in &args[1..] {
        let next = match (&current.kind, &key.kind) {
            (ValueKind::Null, _) => None,
            (ValueKind::Object(_), ValueKind::String(k)) => {
                current.get_ignore_case(k).map(|e| e.value.clone())
            }
            (ValueKind::List(items), ValueKind::Number(i)) if *i >= 0.0 => {
                items.get(*i as usize).cloned()
            }
            _ => {
                return wrong_type(
                    span,
                    "tryGet",
                    "an object with string keys or an array with integer indexes",
                    &current,
                )
            }
        };
        current = next.unwrap_or_else(|| new(ValueKind::Null, span));
    }
    current
}

fn compare(name: &str, a: &Value, b: &Value, span: Span) -> Value {
    let ordering = match (&a.kind, &b.kind) {
        (ValueKind::Number(x), ValueKind::Number(y)) => x.partial_cmp(y),
        (ValueKind::String(x), ValueKind::String(y)) => Some(x.cmp(y)),
        _ => None,
    };
    let Some(ordering) = ordering else {
        return misuse(span, name, "expects two integers or two strings");
    };
    use std::cmp::Ordering::*;
    boolean(
        match name {
            "greater" => ordering == Greater,
            "less" => ordering == Less,
            "greaterorequals" => ordering != Less,
            _ => ordering != Greater,
        },
        span,
    )
}

fn arithmetic(name: &str, a: &Value, b: &Value, span: Span) -> Value {
    let (ValueKind::Number(x), ValueKind::Number(y)) = (&a.kind, &b.kind) else {
        return misuse(span, name, "expects two integers");
    };
    let (x, y) = (*x as i64, *y as i64);
    let result = match name {
        "add" => x.checked_add(y),
        "sub" => x.checked_sub(y),
        "mul" => x.checked_mul(y),
        "div" => x.checked_div(y),
        _ => x.checked_rem(y),
    };
    match result {
        Some(n) => number(n as f64, span),
        None => misuse(span, name, "overflows or divides by zero"),
    }
}
