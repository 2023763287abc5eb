//! Encodings (`base64*`, `textencodebase64`, `csvdecode`, `jsonencode`/`jsondecode`,
//! `urlencode`), hashes and `uuidv5`.

use md5::Digest as _;

use super::{Call, Partial, Result};
use crate::encoding::{base64_encode, hex};
use crate::frontend::terraform::values::sorted_entries;
use crate::value::{format_number, Entry, Value, ValueKind};

/// Standard base64 with padding, strictly (as Go's StdEncoding reads it).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let last = i == bytes.len() / 4 - 1;
        let mut n = 0u32;
        let mut padding = 0;
        for (j, &c) in chunk.iter().enumerate() {
            let digit = match c {
                b'=' if last && j >= 2 => {
                    padding += 1;
                    0
                }
                _ if padding > 0 => return None,
                _ => crate::encoding::base64_digit(c)?,
            };
            n = (n << 6) | digit;
        }
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Some(out)
}

pub fn base64encode(call: &Call) -> Result {
    call.arity(1, 1)?;
    call.string_value(base64_encode(call.string(0)?.as_bytes()))
}

pub fn base64decode(call: &Call) -> Result {
    call.arity(1, 1)?;
    let text = call.string(0)?;
    // Go's decoder skips line breaks.
    let bytes = base64_decode(&text.replace(['\r', '\n'], ""))
        .ok_or_else(|| call.error(&format!("failed to decode base64 data {text:?}")))?;
    match String::from_utf8(bytes) {
        Ok(decoded) => call.string_value(decoded),
        Err(_) => Err(call.error("the result of decoding the provided string is not valid UTF-8")),
    }
}

/// The encodings aksguard converts; Terraform knows many more, which stay unknown here.
fn encoding(call: &Call, name: &str) -> Partial<&'static str> {
    match name.to_ascii_uppercase().replace('_', "-").as_str() {
        "UTF-8" | "UTF8" => Ok("UTF-8"),
        "UTF-16LE" => Ok("UTF-16LE"),
        "UTF-16BE" => Ok("UTF-16BE"),
        _ => Err(call.unsupported(&format!("aksguard does not convert the encoding {name:?}"))),
    }
}

pub fn textencodebase64(call: &Call) -> Result {
    call.arity(2, 2)?;
    let text = call.string(0)?;
    let bytes: Vec<u8> = match encoding(call, &call.string(1)?)? {
        "UTF-16LE" => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        "UTF-16BE" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        _ => text.into_bytes(),
    };
    call.string_value(base64_encode(&bytes))
}

pub fn textdecodebase64(call: &Call) -> Result {
    call.arity(2, 2)?;
    let text = call.string(0)?;
    let name = call.string(1)?;
    let bytes = base64_decode(&text)
        .ok_or_else(|| call.error(&format!("the given value is not valid base64: {text:?}")))?;
    let decoded = match encoding(call, &name)? {
        "UTF-8" => String::from_utf8(bytes).ok(),
        big_or_little => {
            if bytes.len() % 2 != 0 {
                None
            } else {
                let units: Vec<u16> = bytes
                    .chunks(2)
                    .map(|p| {
                        if big_or_little == "UTF-16LE" {
                            u16::from_le_bytes([p[0], p[1]])
                        } else {
                            u16::from_be_bytes([p[0], p[1]])
                        }
                    })
                    .collect();
                String::from_utf16(&units).ok()
            }
        }
    };
    match decoded {
        Some(decoded) => call.string_value(decoded),
        None => Err(call.error(&format!("the given value is not valid {name}"))),
    }
}

/// `csvdecode`: RFC 4180 CSV (as Go's encoding/csv reads it); the first row names the
/// attributes of an object for every other row.
pub fn csvdecode(call: &Call) -> Result {
    call.arity(1, 1)?;
    let text = call.string(0)?;
    let rows = parse_csv(&text).map_err(|(line, message)| {
        call.error(&format!("CSV parse error on line {line}: {message}"))
    })?;
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Err(call.error("missing header line"));
    };
    for (i, name) in header.iter().enumerate() {
        if header[..i].contains(name) {
            return Err(call.error(&format!("duplicate column name {name:?}")));
        }
    }
    let mut objects = Vec::new();
    for (n, row) in rows.enumerate() {
        if row.len() != header.len() {
            return Err(call.error(&format!(
                "CSV parse error on line {}: wrong number of fields",
                n + 2
            )));
        }
        let entries = header
            .iter()
            .zip(row)
            .map(|(key, value)| Entry {
                key: key.clone().into(),
                key_span: call.span,
                value: call.string_item(value),
            })
            .collect();
        objects.push(Value::new(ValueKind::Object(entries), call.span));
    }
    call.list_value(objects)
}

/// Rows of fields; `Err` is the line and the problem.
fn parse_csv(text: &str) -> std::result::Result<Vec<Vec<String>>, (usize, &'static str)> {
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        // Empty lines are skipped, as Go's reader skips them.
        if matches!(chars.peek(), Some('\n')) {
            chars.next();
            line += 1;
            continue;
        }
        if matches!(chars.peek(), Some('\r')) {
            chars.next();
            continue;
        }
        let mut row = Vec::new();
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.push(c);
                        }
                        None => return Err((line, "extraneous or missing \" in quoted-field")),
                    }
                }
                if !matches!(chars.peek(), None | Some(',' | '\n' | '\r')) {
                    return Err((line, "extraneous or missing \" in quoted-field"));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' || c == '\n' || c == '\r' {
                        break;
                    }
                    if c == '"' {
                        return Err((line, "bare \" in non-quoted-field"));
                    }
                    field.push(c);
                    chars.next();
                }
            }
            row.push(field);
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

pub fn jsondecode(call: &Call) -> Result {
    call.arity(1, 1)?;
    let text = call.string(0)?;
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(json) => Ok(from_json(call, &json)),
        // Terraform's numbers have no range; aksguard's f64 has.
        Err(error) if error.to_string().contains("number out of range") => {
            Err(call.unsupported("the number is beyond what aksguard holds"))
        }
        // serde_json's own depth bound, which Terraform does not have.
        Err(error) if error.to_string().contains("recursion limit") => {
            Err(call.unsupported("the JSON is nested too deeply to evaluate"))
        }
        Err(error) => Err(call.error(&error.to_string())),
    }
}

fn from_json(call: &Call, json: &serde_json::Value) -> Value {
    let kind = match json {
        serde_json::Value::Null => ValueKind::Null,
        serde_json::Value::Bool(b) => ValueKind::Bool(*b),
        serde_json::Value::Number(n) => ValueKind::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => ValueKind::String(s.clone()),
        serde_json::Value::Array(items) => {
            ValueKind::List(items.iter().map(|i| from_json(call, i)).collect())
        }
        serde_json::Value::Object(map) => ValueKind::Object(
            map.iter()
                .map(|(key, value)| Entry {
                    key: key.clone().into(),
                    key_span: call.span,
                    value: from_json(call, value),
                })
                .collect(),
        ),
    };
    Value::new(kind, call.span)
}

pub fn jsonencode(call: &Call) -> Result {
    call.arity(1, 1)?;
    match json_text(&call.args[0]) {
        Some(text) => call.string_value(text),
        None => Err(call.error("cannot serialize infinity as JSON")),
    }
}

/// JSON text of a fully known value as Terraform's jsonencode writes it: keys sorted, `<`, `>`
/// and `&` escaped, numbers without exponent. `None` for an infinity (or an unknown).
pub fn json_text(value: &Value) -> Option<String> {
    let mut out = String::new();
    write_json(value, &mut out)?;
    Some(out)
}

fn write_json(value: &Value, out: &mut String) -> Option<()> {
    match &value.kind {
        ValueKind::Null => out.push_str("null"),
        ValueKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ValueKind::Number(n) if !n.is_finite() => return None,
        ValueKind::Number(n) if *n == 0.0 && n.is_sign_negative() => out.push_str("-0"),
        ValueKind::Number(n) => out.push_str(&format_number(*n)),
        ValueKind::String(s) => write_json_string(s, out),
        ValueKind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        ValueKind::Object(entries) => {
            out.push('{');
            for (i, entry) in sorted_entries(entries).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(&entry.key, out);
                out.push(':');
                write_json(&entry.value, out)?;
            }
            out.push('}');
        }
        ValueKind::Unknown(_) => return None,
    }
    Some(())
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// As Go's `url.QueryEscape`: letters, digits and `-_.~` stay, a space is `+`.
pub fn urlencode(call: &Call) -> Result {
    call.arity(1, 1)?;
    let text = call.string(0)?;
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    call.string_value(out)
}

fn digest<D: md5::Digest>(call: &Call) -> Partial<Vec<u8>> {
    call.arity(1, 1)?;
    let text = call.string(0)?;
    Ok(D::digest(text.as_bytes()).to_vec())
}

pub fn md5(call: &Call) -> Result {
    call.string_value(hex(&digest::<md5::Md5>(call)?))
}

pub fn sha1(call: &Call) -> Result {
    call.string_value(hex(&digest::<sha1::Sha1>(call)?))
}

pub fn sha256(call: &Call) -> Result {
    call.string_value(hex(&digest::<sha2::Sha256>(call)?))
}

pub fn sha512(call: &Call) -> Result {
    call.string_value(hex(&digest::<sha2::Sha512>(call)?))
}

pub fn base64sha256(call: &Call) -> Result {
    call.string_value(base64_encode(&digest::<sha2::Sha256>(call)?))
}

pub fn base64sha512(call: &Call) -> Result {
    call.string_value(base64_encode(&digest::<sha2::Sha512>(call)?))
}

/// The 16 bytes of a UUID written with hyphens (or without).
fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let digits: String = text.chars().filter(|c| *c != '-').collect();
    if digits.len() != 32 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(bytes)
}

/// `uuidv5(namespace, name)`: RFC 4122 version 5, with the `dns`, `url`, `oid` and `x500`
/// namespaces by name.
pub fn uuidv5(call: &Call) -> Result {
    call.arity(2, 2)?;
    let namespace = call.string(0)?;
    let name = call.string(1)?;
    let known = match namespace.as_str() {
        "dns" => Some("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
        "url" => Some("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
        "oid" => Some("6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
        "x500" => Some("6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
        _ => None,
    };
    let Some(namespace_bytes) = parse_uuid(known.unwrap_or(&namespace)) else {
        return Err(call.error(&format!("uuidv5() doesn't support namespace {namespace}")));
    };
    let mut hasher = sha1::Sha1::new();
    hasher.update(namespace_bytes);
    hasher.update(name.as_bytes());
    let hash = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex(&bytes);
    call.string_value(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}
