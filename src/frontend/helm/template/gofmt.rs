//! Go's `fmt` as templates use it: `%v` of every value, `print`, and `printf` verbs.

use super::data::{Kind, Val};

/// `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, exponent form below 1e-4 and from
/// 1e6 on, which is why Helm prints 1000000 from values.yaml as `1e+06`.
pub fn float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (digits, exp) = shortest_digits(f);
    let sign = if f < 0.0 { "-" } else { "" };
    // Go's shortest `%g` switches to the exponent form below 1e-4 and from 1e6 on.
    if !(-4..6).contains(&exp) {
        return format!("{sign}{}", exp_form(&digits, exp));
    }
    format!("{sign}{}", plain_form(&digits, exp))
}

/// Decimal digits (no leading zeros) and the decimal exponent of the first digit.
fn shortest_digits(f: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest round-tripping digits, like Go's shortest mode.
    let formatted = format!("{:e}", f.abs());
    let (mantissa, exp) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (digits.to_string(), exp.parse().unwrap_or(0))
}

fn exp_form(digits: &str, exp: i32) -> String {
    let mut out = String::new();
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let sign = if exp < 0 { '-' } else { '+' };
    out.push_str(&format!("e{sign}{:02}", exp.abs()));
    out
}

fn plain_form(digits: &str, exp: i32) -> String {
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else if (exp as usize) + 1 >= digits.len() {
        format!("{}{}", digits, "0".repeat(exp as usize + 1 - digits.len()))
    } else {
        let point = exp as usize + 1;
        format!("{}.{}", &digits[..point], &digits[point..])
    }
}

/// How `encoding/json` writes a float64 (also what `toYaml` prints, through JSON).
pub fn float_json(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let abs = f.abs();
    let (digits, exp) = shortest_digits(f);
    let sign = if f < 0.0 { "-" } else { "" };
    if !(1e-6..1e21).contains(&abs) {
        let s = exp_form(&digits, exp);
        // JSON writes e-07 as e-7.
        let s = s.replace("e-0", "e-").replace("e+0", "e+");
        return format!("{sign}{s}");
    }
    format!("{sign}{}", plain_form(&digits, exp))
}

/// `fmt.Sprint(v)` / `%v`.
pub fn v(val: &Val) -> String {
    v_at(val, 0)
}

/// Values nest as deep as a template builds them (`dict` in a loop): printing stops at a depth.
const MAX_PRINT_DEPTH: usize = 200;

fn v_at(val: &Val, depth: usize) -> String {
    if depth > MAX_PRINT_DEPTH || !super::data::walk_step() {
        return "...".into();
    }
    let v = |x: &Val| v_at(x, depth + 1);
    match &val.kind {
        Kind::Nil => "<nil>".into(),
        Kind::Bool(b) => b.to_string(),
        Kind::Int(n) => n.to_string(),
        Kind::Float(f) => float_g(*f),
        Kind::Str(t) => t.s.clone(),
        Kind::List(items) => format!("[{}]", items.iter().map(v).collect::<Vec<_>>().join(" ")),
        Kind::ApiVersions(items) => format!("[{}]", items.join(" ")),
        Kind::Map(m) => format!(
            "map[{}]",
            m.borrow()
                .iter()
                .map(|(k, x)| format!("{k}:{}", v(x)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Kind::Files(f) => format!(
            "map[{}]",
            f.iter()
                .map(|(k, x)| format!("{k}:{:?}", x.as_bytes()))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Kind::Struct(s) if s.shown.is_some() => s.shown.clone().unwrap_or_default(),
        Kind::Struct(s) => format!(
            "&{{{}}}",
            s.fields.values().map(v).collect::<Vec<_>>().join(" ")
        ),
        Kind::Unknown(reason) => format!("<unknown: {reason}>"),
    }
}

/// `fmt.Sprint(args...)`: a space between operands when neither is a string.
pub fn sprint(args: &[Val]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg.kind, Kind::Str(_));
        if i > 0 && !is_string && !matches!(args[i - 1].kind, Kind::Str(_)) {
            out.push(' ');
        }
        out.push_str(&v(arg));
    }
    out
}

/// Go `%q` of a string.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
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
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn go_type(val: &Val) -> &'static str {
    val.type_name()
}

/// `fmt.Sprintf(format, args...)` for the verbs templates use; wrong types print the way Go
/// prints them (`%!d(string=x)`).
pub fn sprintf(format: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let mut next_arg = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut minus = false;
        let mut plus = false;
        let mut zero = false;
        let mut space = false;
        let mut sharp = false;
        while let Some(&f) = chars.peek() {
            match f {
                '-' => minus = true,
                '+' => plus = true,
                '0' => zero = true,
                ' ' => space = true,
                '#' => sharp = true,
                _ => break,
            }
            chars.next();
        }
        // Saturating: twenty digits overflow a usize, and the cap below rejects it anyway.
        let mut width: Option<usize> = None;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            width = Some(
                width
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(d as usize),
            );
            chars.next();
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            precision = Some(0);
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                precision = Some(
                    precision
                        .unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(d as usize),
                );
                chars.next();
            }
        }
        // Go caps widths and precisions at 1e6; a smaller cap keeps output bounded here.
        if width.is_some_and(|w| w > 10_000) || precision.is_some_and(|p| p > 10_000) {
            out.push_str("%!(BADWIDTH)");
            width = None;
            precision = None;
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next_arg += 1;
        let bad = || format!("%!{verb}({}={})", go_type(arg), v(arg));
        let body = match (verb, &arg.kind) {
            ('v', _) => v(arg),
            ('s', Kind::Str(t)) => match precision {
                Some(p) => t.s.chars().take(p).collect(),
                None => t.s.clone(),
            },
            ('s', Kind::Nil) => "%!s(<nil>)".into(),
            ('s', Kind::Int(_) | Kind::Float(_) | Kind::Bool(_)) => bad(),
            ('s', _) => v(arg),
            ('q', Kind::Str(t)) => quote(&t.s),
            ('q', Kind::Int(n)) => format!("'{}'", char::from_u32(*n as u32).unwrap_or('\u{fffd}')),
            ('t', Kind::Bool(b)) => b.to_string(),
            ('d', Kind::Int(n)) => {
                let mut s = n.abs().to_string();
                if let Some(p) = precision {
                    while s.len() < p {
                        s.insert(0, '0');
                    }
                }
                sign(*n < 0, plus, space, s)
            }
            ('x' | 'X' | 'o' | 'b', Kind::Int(n)) => {
                let mut s = match verb {
                    'x' => format!("{:x}", n.unsigned_abs()),
                    'X' => format!("{:X}", n.unsigned_abs()),
                    'o' => format!("{:o}", n.unsigned_abs()),
                    _ => format!("{:b}", n.unsigned_abs()),
                };
                if sharp {
                    s.insert_str(
                        0,
                        match verb {
                            'x' => "0x",
                            'X' => "0X",
                            'o' => "0",
                            _ => "",
                        },
                    );
                }
                sign(*n < 0, plus, space, s)
            }
            ('x', Kind::Str(t)) => t.s.bytes().map(|b| format!("{b:02x}")).collect(),
            ('X', Kind::Str(t)) => t.s.bytes().map(|b| format!("{b:02X}")).collect(),
            ('c', Kind::Int(n)) => char::from_u32(*n as u32).unwrap_or('\u{fffd}').to_string(),
            ('f' | 'F', Kind::Float(f)) => sign(
                *f < 0.0,
                plus,
                space,
                format!("{:.*}", precision.unwrap_or(6), f.abs()),
            ),
            ('e', Kind::Float(f)) => sign(
                *f < 0.0,
                plus,
                space,
                go_exp(f.abs(), precision.unwrap_or(6)),
            ),
            ('g', Kind::Float(f)) => match precision {
                None => float_g(*f),
                Some(_) => float_g(*f),
            },
            _ => bad(),
        };
        let body = match width {
            Some(w) if body.chars().count() < w => {
                let pad = w - body.chars().count();
                if minus {
                    format!("{body}{}", " ".repeat(pad))
                } else if zero && matches!(verb, 'd' | 'f' | 'x' | 'X' | 'o' | 'e' | 'g' | 'b') {
                    let (sign, digits) = match body.strip_prefix('-') {
                        Some(rest) => ("-", rest.to_string()),
                        None => ("", body.clone()),
                    };
                    format!("{sign}{}{digits}", "0".repeat(pad))
                } else {
                    format!("{}{body}", " ".repeat(pad))
                }
            }
            _ => body,
        };
        out.push_str(&body);
    }
    if next_arg < args.len() {
        out.push_str("%!(EXTRA ");
        out.push_str(
            &args[next_arg..]
                .iter()
                .map(|a| format!("{}={}", go_type(a), v(a)))
                .collect::<Vec<_>>()
                .join(", "),
        );
        out.push(')');
    }
    out
}

fn sign(negative: bool, plus: bool, space: bool, body: String) -> String {
    if negative {
        format!("-{body}")
    } else if plus {
        format!("+{body}")
    } else if space {
        format!(" {body}")
    } else {
        body
    }
}

fn go_exp(f: f64, precision: usize) -> String {
    let s = format!("{:.*e}", precision, f);
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!(
        "{mantissa}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        assert_eq!(float_g(1.0), "1");
        assert_eq!(float_g(100000.0), "100000");
        assert_eq!(float_g(1000000.0), "1e+06");
        assert_eq!(float_g(1.5), "1.5");
        assert_eq!(float_g(0.0001), "0.0001");
        assert_eq!(float_g(0.00001), "1e-05");
        assert_eq!(float_g(123456789.0), "1.23456789e+08");
        assert_eq!(float_json(1000000.0), "1000000");
        assert_eq!(float_json(1e21), "1e+21");
        assert_eq!(float_json(0.5), "0.5");
    }

    #[test]
    fn printf_verbs_and_mismatches() {
        assert_eq!(sprintf("%s-%d", &[Val::str("a"), Val::int(3)]), "a-3");
        assert_eq!(sprintf("%d", &[Val::float(80.0)]), "%!d(float64=80)");
        assert_eq!(
            sprintf(
                "%05d|%-3s|%q",
                &[Val::int(42), Val::str("x"), Val::str("a\"b")]
            ),
            "00042|x  |\"a\\\"b\""
        );
        assert_eq!(
            sprintf("%v %v", &[Val::float(2.0), Val::bool(true)]),
            "2 true"
        );
        assert_eq!(sprintf("%s", &[]), "%!s(MISSING)");
        assert_eq!(sprintf("%.2f", &[Val::float(1.005)]), "1.00");
        assert_eq!(
            sprint(&[Val::int(1), Val::int(2), Val::str("a"), Val::int(3)]),
            "1 2a3"
        );
    }
}
