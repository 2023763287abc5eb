//! `format` and `formatlist`: Go's fmt verbs as Terraform's format reads them (`%v`, `%#v`,
//! `%t`, `%b`, `%d`, `%o`, `%x`, `%X`, `%e`, `%E`, `%f`, `%g`, `%G`, `%s`, `%q`, `%%`), with the
//! flags `+ - # 0` and space, width, precision and explicit argument indexes (`%[2]s`).

use super::encoding::json_text;
use super::{Call, Partial, Result};
use crate::frontend::terraform::values::{to_number, to_string};
use crate::value::{format_number, Value, ValueKind};

pub fn format(call: &Call) -> Result {
    call.arity(1, usize::MAX)?;
    let spec = call.string(0)?;
    let text = format_with(call, &spec, &call.args[1..])?;
    call.string_value(text)
}

/// `formatlist(spec, args...)`: list arguments (all of one length) are iterated together, other
/// arguments repeat.
pub fn formatlist(call: &Call) -> Result {
    call.arity(1, usize::MAX)?;
    let spec = call.string(0)?;
    let args = &call.args[1..];
    let mut length: Option<(usize, usize)> = None;
    for (i, arg) in args.iter().enumerate() {
        if let Some(items) = arg.items() {
            match length {
                None => length = Some((i, items.len())),
                Some((first, n)) if n != items.len() => {
                    return Err(call.error(&format!(
                        "argument {} has length {}, which is inconsistent with argument {} of length {n}",
                        i + 1,
                        items.len(),
                        first + 1
                    )))
                }
                Some(_) => {}
            }
        }
    }
    let n = length.map_or(1, |(_, n)| n);
    let mut results = Vec::new();
    for row in 0..n {
        let row_args: Vec<Value> = args
            .iter()
            .map(|arg| match arg.items() {
                Some(items) => items[row].clone(),
                None => arg.clone(),
            })
            .collect();
        results.push(call.string_item(format_with(call, &spec, &row_args)?));
    }
    call.list_value(results)
}

#[derive(Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    zero: bool,
    space: bool,
}

fn format_with(call: &Call, spec: &str, args: &[Value]) -> Partial<String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut next_arg = 0;
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        at += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb_offset = at - 1;
        let mut flags = Flags::default();
        while let Some(&f) = chars.get(at) {
            match f {
                '+' => flags.plus = true,
                '-' => flags.minus = true,
                '#' => flags.sharp = true,
                '0' => flags.zero = true,
                ' ' => flags.space = true,
                _ => break,
            }
            at += 1;
        }
        if chars.get(at) == Some(&'[') {
            let close = chars[at..].iter().position(|&c| c == ']').map(|p| at + p);
            let index: Option<usize> = close
                .and_then(|close| chars[at + 1..close].iter().collect::<String>().parse().ok());
            match (close, index) {
                (Some(close), Some(index)) if index >= 1 => {
                    next_arg = index - 1;
                    at = close + 1;
                }
                _ => {
                    return Err(
                        call.error(&format!("invalid argument index at offset {verb_offset}"))
                    )
                }
            }
        }
        let width = digits(&chars, &mut at);
        let precision = if chars.get(at) == Some(&'.') {
            at += 1;
            Some(digits(&chars, &mut at).unwrap_or(0))
        } else {
            None
        };
        let Some(&verb) = chars.get(at) else {
            return Err(call.error("the format ends in the middle of a verb"));
        };
        at += 1;
        // `%%` only: a `%` verb with flags, a width or an index Terraform rejects.
        if verb == '%' && at == verb_offset + 2 {
            out.push('%');
            continue;
        }
        if !"vtbdoxXeEfgGsq".contains(verb) {
            return Err(call.error(&format!(
                "unrecognized format character '{verb}' at offset {}",
                at - 1
            )));
        }
        let Some(arg) = args.get(next_arg) else {
            return Err(call.error(&format!(
                "not enough arguments for \"%{verb}\" at {verb_offset}: need index {} but have {} total",
                next_arg + 1,
                args.len()
            )));
        };
        next_arg += 1;
        if arg.is_null() {
            // Terraform leaves format() of a null argument unknown.
            return Err(call.unsupported("Terraform gives no value for a null argument to format"));
        }
        let formatted = verb_text(call, verb, &flags, precision, arg, verb_offset)?;
        out.push_str(&pad(formatted, width, &flags, verb));
    }
    Ok(out)
}

/// Widest width or precision (and highest `%[n]` index) read from a format string.
const MAX_WIDTH: usize = 10_000;

fn digits(chars: &[char], at: &mut usize) -> Option<usize> {
    let start = *at;
    while chars.get(*at).is_some_and(|c| c.is_ascii_digit()) {
        *at += 1;
    }
    (*at > start).then(|| {
        chars[start..*at]
            .iter()
            .collect::<String>()
            .parse::<usize>()
            .unwrap_or(usize::MAX)
            // Rust's formatter panics on a precision above u16::MAX ("Formatting argument out
            // of range", and `%.65535e` asks it for 65536 digits); real widths are a few digits.
            .min(MAX_WIDTH)
    })
}

fn pad(text: String, width: Option<usize>, flags: &Flags, verb: char) -> String {
    let Some(width) = width else { return text };
    let len = text.chars().count();
    if len >= width {
        return text;
    }
    let fill = width - len;
    if flags.minus {
        return text + &" ".repeat(fill);
    }
    let numeric = "bdoxXeEfgG".contains(verb);
    if flags.zero && numeric {
        // Zeros go after the sign.
        let (sign, digits) = match text.chars().next() {
            Some(c @ ('+' | '-' | ' ')) => (c.to_string(), text[1..].to_string()),
            _ => (String::new(), text),
        };
        return sign + &"0".repeat(fill) + &digits;
    }
    if flags.zero {
        return "0".repeat(fill) + &text;
    }
    " ".repeat(fill) + &text
}

fn verb_text(
    call: &Call,
    verb: char,
    flags: &Flags,
    precision: Option<usize>,
    arg: &Value,
    offset: usize,
) -> Partial<String> {
    let unsupported_value = |what: &str| {
        call.error(&format!(
            "unsupported value for \"%{verb}\" at {offset}: {what}"
        ))
    };
    match verb {
        'v' if flags.sharp => json_text(arg).ok_or_else(|| unsupported_value("not encodable")),
        'v' => match &arg.kind {
            ValueKind::List(_) | ValueKind::Object(_) => {
                json_text(arg).ok_or_else(|| unsupported_value("not encodable"))
            }
            _ => Ok(to_string(arg).unwrap_or_default()),
        },
        't' => match crate::frontend::terraform::values::to_bool(arg) {
            Some(b) => Ok(b.to_string()),
            None => Err(unsupported_value("bool required")),
        },
        's' | 'q' => {
            let Some(mut text) = to_string(arg) else {
                return Err(unsupported_value("string required"));
            };
            if let Some(precision) = precision {
                text = text.chars().take(precision).collect();
            }
            Ok(if verb == 'q' { go_quote(&text) } else { text })
        }
        _ => {
            let Some(n) = to_number(arg) else {
                return Err(unsupported_value("number required"));
            };
            number_verb(verb, flags, precision, n)
                .ok_or_else(|| unsupported_value("an integer is required"))
        }
    }
}

fn sign(n: f64, flags: &Flags) -> &'static str {
    if n < 0.0 {
        "-"
    } else if flags.plus {
        "+"
    } else if flags.space {
        " "
    } else {
        ""
    }
}

/// A number verb; `None` when the verb needs an integer and `n` is not one.
fn number_verb(verb: char, flags: &Flags, precision: Option<usize>, n: f64) -> Option<String> {
    let sign = sign(n, flags);
    let magnitude = n.abs();
    let integer = || (magnitude.fract() == 0.0 && magnitude < 1.8e19).then_some(magnitude as u64);
    Some(match verb {
        'd' => format!("{sign}{}", integer()?),
        'b' => format!("{sign}{:b}", integer()?),
        'o' => format!(
            "{sign}{}{:o}",
            if flags.sharp { "0" } else { "" },
            integer()?
        ),
        'x' => format!(
            "{sign}{}{:x}",
            if flags.sharp { "0x" } else { "" },
            integer()?
        ),
        'X' => format!(
            "{sign}{}{:X}",
            if flags.sharp { "0X" } else { "" },
            integer()?
        ),
        'f' => format!("{sign}{magnitude:.*}", precision.unwrap_or(6)),
        'e' | 'E' => {
            let text = exponent(magnitude, precision.unwrap_or(6));
            format!(
                "{sign}{}",
                if verb == 'E' {
                    text.to_uppercase()
                } else {
                    text
                }
            )
        }
        'g' | 'G' => {
            let text = match precision {
                None => shortest_g(magnitude),
                Some(p) => {
                    let p = p.max(1);
                    let exp = if magnitude == 0.0 {
                        0
                    } else {
                        magnitude.log10().floor() as i32
                    };
                    if exp < -4 || exp >= p as i32 {
                        trim_exponent_zeros(exponent(magnitude, p - 1))
                    } else {
                        let decimals = (p as i32 - 1 - exp).max(0) as usize;
                        trim_fraction(format!("{magnitude:.decimals$}"))
                    }
                }
            };
            format!(
                "{sign}{}",
                if verb == 'G' {
                    text.to_uppercase()
                } else {
                    text
                }
            )
        }
        _ => return None,
    })
}

/// `d.dddde±dd` as Go writes `%e`.
fn exponent(n: f64, precision: usize) -> String {
    let text = format!("{n:.precision$e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!(
        "{mantissa}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

fn trim_fraction(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn trim_exponent_zeros(text: String) -> String {
    match text.split_once('e') {
        Some((mantissa, exp)) => format!("{}e{exp}", trim_fraction(mantissa.to_string())),
        None => text,
    }
}

/// Go's `%g` without a precision: the shortest text, with an exponent below 1e-4 or from 1e21.
fn shortest_g(n: f64) -> String {
    if n != 0.0 && !(1e-4..1e21).contains(&n) {
        let text = format!("{n:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        return format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    format_number(n)
}

/// A string quoted as Go's `%q` quotes it.
fn go_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
