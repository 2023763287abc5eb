//! `yamldecode` and `yamlencode`, as Terraform's go-cty-yaml reads and writes YAML: plain scalars
//! resolve by YAML 1.1's rules (`yes` and `on` are true, `0x1F` is 31, `~` is null), anchors and
//! aliases are followed, and the output quotes every string and key and sorts keys.
//!
//! Decoding is bounded in nesting depth and in nodes (aliases can multiply a small document), so
//! hostile input ends as an unknown, not as exhausted memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::{Call, Partial, Result};
use crate::frontend::terraform::values::sorted_entries;
use crate::value::{format_number, Entry, Value, ValueKind};

const MAX_DEPTH: usize = 200;
const MAX_NODES: usize = 100_000;

enum Frame {
    Sequence(usize, Vec<Value>),
    /// Entries so far, and a key waiting for its value.
    Mapping(usize, Vec<Entry>, Option<String>),
}

pub fn yamldecode(call: &Call) -> Result {
    call.arity(1, 1)?;
    let text = call.string(0)?;
    decode(call, &text)
}

fn decode(call: &Call, text: &str) -> Result {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut documents = 0;
    let mut result: Option<Value> = None;
    let mut nodes = 0usize;
    while let Some(event) = parser.next_event() {
        // YAML parsers differ in what they accept (go-yaml is lenient where saphyr is not, and
        // the other way round): a syntax error here is no proof that Terraform fails.
        let (event, _) = event.map_err(|error| {
            call.unsupported(&format!(
                "the YAML does not parse here ({error}); whether Terraform reads it is not known"
            ))
        })?;
        let (node, anchor) = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(call.error("a YAML stream with more than one document"));
                }
                continue;
            }
            Event::StreamEnd => break,
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag)
                if tag.is_some() =>
            {
                let _ = anchor;
                return Err(call.unsupported("aksguard does not evaluate YAML tags on collections"));
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(call.unsupported("the YAML is nested too deeply to evaluate"));
                }
                stack.push(Frame::Sequence(anchor, Vec::new()));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(call.unsupported("the YAML is nested too deeply to evaluate"));
                }
                stack.push(Frame::Mapping(anchor, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Sequence(anchor, items)) => {
                    (Value::new(ValueKind::List(items), call.span), anchor)
                }
                _ => return Err(call.error("malformed YAML")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Mapping(anchor, entries, None)) => {
                    (Value::new(ValueKind::Object(entries), call.span), anchor)
                }
                _ => return Err(call.error("malformed YAML")),
            },
            Event::Alias(id) => match anchors.get(&id) {
                Some(value) => {
                    nodes = nodes.saturating_add(size(value));
                    (value.clone(), 0)
                }
                None => return Err(call.error("unknown anchor")),
            },
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                (scalar(call, &text, style, tag.as_deref())?, anchor)
            }
            _ => continue,
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(call.unsupported("the YAML has too many nodes to evaluate"));
        }
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => result = Some(node),
            Some(Frame::Sequence(_, items)) => items.push(node),
            Some(Frame::Mapping(_, entries, key)) => match key.take() {
                None if node.is_null() => return Err(call.error("mapping key cannot be null")),
                None => match yaml_key(&node) {
                    Some(k) => *key = Some(k),
                    None => return Err(call.error("only strings are allowed as mapping keys")),
                },
                Some(k) if k == "<<" => merge_into(call, entries, &node)?,
                Some(k) => {
                    entries.retain(|e| e.key != k);
                    entries.push(Entry {
                        key: k.into(),
                        key_span: call.span,
                        value: node,
                    });
                }
            },
        }
    }
    match result {
        Some(value) => Ok(value),
        None => Err(call.error("missing start of document")),
    }
}

/// `<<: *base`: the merged mapping's keys, unless already set.
fn merge_into(call: &Call, entries: &mut Vec<Entry>, merged: &Value) -> Partial<()> {
    let sources: Vec<&Value> = match &merged.kind {
        ValueKind::Object(_) => vec![merged],
        ValueKind::List(items) => items.iter().collect(),
        _ => return Err(call.error("map merge requires map or sequence of maps as the value")),
    };
    for source in sources {
        let Some(source_entries) = source.entries() else {
            return Err(call.error("map merge requires map or sequence of maps as the value"));
        };
        for entry in source_entries {
            if !entries.iter().any(|e| e.key == entry.key) {
                entries.push(entry.clone());
            }
        }
    }
    Ok(())
}

fn size(value: &Value) -> usize {
    match &value.kind {
        ValueKind::List(items) => 1 + items.iter().map(size).sum::<usize>(),
        ValueKind::Object(entries) => 1 + entries.iter().map(|e| size(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

fn yaml_key(node: &Value) -> Option<String> {
    match &node.kind {
        ValueKind::String(s) => Some(s.clone()),
        ValueKind::Number(n) => Some(format_number(*n)),
        ValueKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn scalar(call: &Call, text: &str, style: ScalarStyle, tag: Option<&str>) -> Partial<Value> {
    let value = |kind| Ok(Value::new(kind, call.span));
    let string = || value(ValueKind::String(text.to_string()));
    match tag {
        None if style != ScalarStyle::Plain => return string(),
        None | Some("!") => {}
        Some("tag:yaml.org,2002:str" | "!!str") => return string(),
        Some(
            "tag:yaml.org,2002:int"
            | "!!int"
            | "tag:yaml.org,2002:float"
            | "!!float"
            | "tag:yaml.org,2002:bool"
            | "!!bool"
            | "tag:yaml.org,2002:null"
            | "!!null",
        ) => {}
        Some(other) => {
            return Err(
                call.unsupported(&format!("aksguard does not evaluate the YAML tag {other}"))
            )
        }
    }
    if tag == Some("!") {
        return string();
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return value(ValueKind::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return value(ValueKind::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return value(ValueKind::Bool(false))
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" => {
            return Err(call.unsupported("aksguard does not read YAML infinities"))
        }
        ".nan" | ".NaN" | ".NAN" => {
            return Err(call.error("NaN is not a valid number"));
        }
        _ => {}
    }
    if let Some(n) = yaml_int(text).or_else(|| yaml_float(text)) {
        return value(ValueKind::Number(n));
    }
    match yaml_date(text) {
        Some(Ok(timestamp)) => value(ValueKind::String(timestamp)),
        Some(Err(())) => Err(call.unsupported(&format!(
            "aksguard does not convert the YAML timestamp {text:?}"
        ))),
        None => string(),
    }
}

/// An integer as go-cty-yaml reads one: decimal (leading zeros included, so `010` is 10), `0x`
/// hexadecimal or `0o` octal (`0b101` stays a string).
fn yaml_int(text: &str) -> Option<f64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(octal) = digits.strip_prefix("0o") {
        (8, octal)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = i64::from_str_radix(digits, radix).ok()? as f64;
    Some(if negative { -n } else { n })
}

/// A YAML date (`2001-12-14`) as the RFC 3339 timestamp go-cty-yaml makes of it; `Err` for the
/// other timestamp forms, which aksguard does not convert; `None` when `text` is no timestamp.
fn yaml_date(text: &str) -> Option<std::result::Result<String, ()>> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    if b.len() < 10
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return None;
    }
    if b.len() == 10 {
        return Some(Ok(format!("{text}T00:00:00Z")));
    }
    matches!(b[10], b'T' | b't' | b' ' | b'\t').then_some(Err(()))
}

/// A float by YAML 1.1's pattern `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn yaml_float(text: &str) -> Option<f64> {
    let plain = text;
    let body = plain.trim_start_matches(['-', '+']);
    if plain.len() - body.len() > 1 {
        return None;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match fraction {
        None => !whole.is_empty() && digits(whole),
        Some(fraction) if whole.is_empty() => !fraction.is_empty() && digits(fraction),
        Some(fraction) => digits(whole) && digits(fraction),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    plain.parse::<f64>().ok().filter(|n| n.is_finite())
}

pub fn yamlencode(call: &Call) -> Result {
    call.arity(1, 1)?;
    let mut out = String::new();
    encode_block(call, &call.args[0], 0, &mut out, 0)?;
    // A plain scalar alone ends its document explicitly.
    if matches!(
        call.args[0].kind,
        ValueKind::Null | ValueKind::Bool(_) | ValueKind::Number(_)
    ) {
        out.push_str("...\n");
    }
    call.string_value(out)
}

/// `value` as a one-line YAML node; `None` for a non-empty collection or a multi-line string.
fn inline(call: &Call, value: &Value) -> Partial<Option<String>> {
    Ok(Some(match &value.kind {
        ValueKind::Null => "null".to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Number(n) if n.is_finite() => format_number(*n),
        ValueKind::Number(_) => {
            return Err(call.unsupported("aksguard does not encode an infinity as YAML"))
        }
        ValueKind::String(s) if s.contains('\n') => return Ok(None),
        ValueKind::String(s) => quoted(call, s)?,
        ValueKind::List(items) if items.is_empty() => "[]".to_string(),
        ValueKind::Object(entries) if entries.is_empty() => "{}".to_string(),
        ValueKind::List(_) | ValueKind::Object(_) => return Ok(None),
        ValueKind::Unknown(_) => return Err(value.clone()),
    }))
}

fn quoted(call: &Call, s: &str) -> Partial<String> {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                return Err(
                    call.unsupported("aksguard does not encode control characters in YAML strings")
                )
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// A multi-line string as a literal block (`|`, `|-` or `|+` by its trailing newlines), its
/// lines at `indent`.
fn literal(call: &Call, s: &str, indent: usize) -> Partial<String> {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let body = s.trim_end_matches('\n');
    let awkward = body.starts_with([' ', '\t'])
        || body
            .lines()
            .any(|l| l.ends_with([' ', '\t']) || l.chars().any(|c| c.is_control() && c != '\t'));
    if awkward || body.is_empty() {
        return Err(call.unsupported(
            "aksguard does not encode this multi-line string as YAML the way Terraform does",
        ));
    }
    let mut out = String::from(match trailing {
        0 => "|-\n",
        1 => "|\n",
        _ => "|+\n",
    });
    let pad = " ".repeat(indent);
    for line in body.split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&pad);
            out.push_str(line);
            out.push('\n');
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    Ok(out)
}

/// `value` as lines at `indent`, each ending in a newline.
fn encode_block(
    call: &Call,
    value: &Value,
    indent: usize,
    out: &mut String,
    depth: usize,
) -> Partial<()> {
    if depth > MAX_DEPTH {
        return Err(call.unsupported("the value is nested too deeply to encode"));
    }
    let pad = " ".repeat(indent);
    if let Some(text) = inline(call, value)? {
        out.push_str(&pad);
        out.push_str(&text);
        out.push('\n');
        return Ok(());
    }
    match &value.kind {
        ValueKind::String(s) => {
            out.push_str(&pad);
            out.push_str(&literal(call, s, indent + 2)?);
        }
        ValueKind::Object(entries) => {
            for entry in sorted_entries(entries) {
                if entry.key.contains('\n') {
                    return Err(call.unsupported("aksguard does not encode multi-line YAML keys"));
                }
                out.push_str(&pad);
                out.push_str(&quoted(call, &entry.key)?);
                out.push(':');
                match (&entry.value.kind, inline(call, &entry.value)?) {
                    (_, Some(text)) => {
                        out.push(' ');
                        out.push_str(&text);
                        out.push('\n');
                    }
                    (ValueKind::String(s), None) => {
                        out.push(' ');
                        out.push_str(&literal(call, s, indent + 2)?);
                    }
                    // Sequences in a mapping are not indented (go-yaml's style).
                    (ValueKind::List(_), None) => {
                        out.push('\n');
                        encode_block(call, &entry.value, indent, out, depth + 1)?;
                    }
                    _ => {
                        out.push('\n');
                        encode_block(call, &entry.value, indent + 2, out, depth + 1)?;
                    }
                }
            }
        }
        ValueKind::List(items) => {
            for item in items {
                match (&item.kind, inline(call, item)?) {
                    (_, Some(text)) => {
                        out.push_str(&pad);
                        out.push_str("- ");
                        out.push_str(&text);
                        out.push('\n');
                    }
                    (ValueKind::String(s), None) => {
                        out.push_str(&pad);
                        out.push_str("- ");
                        out.push_str(&literal(call, s, indent + 2)?);
                    }
                    _ => {
                        // The item's first line goes after the dash.
                        let mut nested = String::new();
                        encode_block(call, item, indent + 2, &mut nested, depth + 1)?;
                        out.push_str(&pad);
                        out.push_str("- ");
                        out.push_str(&nested[indent + 2..]);
                    }
                }
            }
        }
        _ => unreachable!("inline() took every other kind"),
    }
    Ok(())
}
