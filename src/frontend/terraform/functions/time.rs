//! Time functions on RFC 3339 timestamps: `timeadd`, `timecmp`, `formatdate`. `timestamp()` and
//! `plantimestamp()` read the clock, so they are known only when Terraform runs.

use super::{Call, Partial, Result};

/// A moment: seconds since 1970 (UTC), nanoseconds, and the offset it was written with.
#[derive(Clone, Copy)]
struct Moment {
    seconds: i64,
    nanos: i64,
    /// Offset from UTC in seconds; `None` for `Z`.
    offset: Option<i32>,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parse an RFC 3339 timestamp (`2006-01-02T15:04:05Z`, fractional seconds and `±hh:mm` allowed).
fn parse_timestamp(text: &str) -> std::result::Result<Moment, String> {
    let b = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> std::result::Result<i64, String> {
        let part = text
            .get(range)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| format!("cannot parse {text:?} as RFC3339"))?;
        part.parse()
            .map_err(|_| format!("cannot parse {text:?} as RFC3339"))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(format!("cannot use {text:?} as year"));
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if b.len() < 11 || b[10] != b'T' {
        return Err("missing required time introducer 'T'".to_string());
    }
    if b.len() < 19 || b[13] != b':' || b[16] != b':' {
        return Err(format!("cannot parse {text:?} as RFC3339"));
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut at = 19;
    let mut nanos = 0i64;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err(format!("cannot parse {text:?} as RFC3339"));
        }
        let digits = &text[start..at.min(start + 9)];
        nanos = digits.parse::<i64>().unwrap_or(0) * 10i64.pow(9 - digits.len() as u32);
    }
    let offset = match b.get(at) {
        Some(b'Z') if at + 1 == b.len() => None,
        Some(sign @ (b'+' | b'-')) if at + 6 == b.len() && b[at + 3] == b':' => {
            let (h, m) = (number(at + 1..at + 3)?, number(at + 4..at + 6)?);
            if h > 23 || m > 59 {
                return Err("time zone offset out of range".to_string());
            }
            let seconds = (h * 3600 + m * 60) as i32;
            Some(if *sign == b'-' { -seconds } else { seconds })
        }
        _ => return Err(format!("cannot parse {text:?} as RFC3339")),
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(format!("{text:?} is out of range"));
    }
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Ok(Moment {
        seconds: local - i64::from(offset.unwrap_or(0)),
        nanos,
        offset,
    })
}

/// The parts of `moment` in its own offset: year, month, day, hour, minute, second, weekday
/// (0 = Sunday).
fn parts(moment: Moment) -> (i64, i64, i64, i64, i64, i64, i64) {
    let local = moment.seconds + i64::from(moment.offset.unwrap_or(0));
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let weekday = (days + 4).rem_euclid(7);
    (
        year,
        month,
        day,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        weekday,
    )
}

fn offset_text(offset: Option<i32>, colon: bool) -> String {
    let Some(offset) = offset else {
        return if colon { "Z" } else { "+0000" }.to_string();
    };
    let sign = if offset < 0 { '-' } else { '+' };
    let (h, m) = (offset.abs() / 3600, offset.abs() / 60 % 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// RFC 3339 without fractional seconds, as Terraform writes timestamps.
fn rfc3339(moment: Moment) -> String {
    let (year, month, day, hour, minute, second, _) = parts(moment);
    format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{}",
        offset_text(moment.offset, true)
    )
}

/// A Go duration (`1h30m`, `-1.5h`, `300ms`) in nanoseconds.
fn parse_duration(text: &str) -> std::result::Result<i128, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_end];
        if number.is_empty() || number == "." {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            other => return Err(format!("time: unknown unit {other:?} in duration {text:?}")),
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    if total > 9.2e18 {
        return Err(invalid());
    }
    let nanos = total.round() as i128;
    Ok(if negative { -nanos } else { nanos })
}

fn timestamp_arg(call: &Call, at: usize) -> Partial<Moment> {
    let text = call.string(at)?;
    parse_timestamp(&text)
        .map_err(|message| call.error(&format!("not a valid RFC3339 timestamp: {message}")))
}

pub fn timeadd(call: &Call) -> Result {
    call.arity(2, 2)?;
    let moment = timestamp_arg(call, 0)?;
    let duration = parse_duration(&call.string(1)?).map_err(|m| call.error(&m))?;
    let nanos = i128::from(moment.nanos) + duration;
    let seconds = i128::from(moment.seconds) + nanos.div_euclid(1_000_000_000);
    let Ok(seconds) = i64::try_from(seconds) else {
        return Err(call.error("the result is out of range"));
    };
    let result = Moment {
        seconds,
        nanos: nanos.rem_euclid(1_000_000_000) as i64,
        offset: moment.offset,
    };
    if !(-62_135_596_800..=253_402_300_799).contains(&result.seconds) {
        return Err(call.error("the result is out of range"));
    }
    call.string_value(rfc3339(result))
}

pub fn timecmp(call: &Call) -> Result {
    call.arity(2, 2)?;
    let (a, b) = (timestamp_arg(call, 0)?, timestamp_arg(call, 1)?);
    let ordering = (a.seconds, a.nanos).cmp(&(b.seconds, b.nanos));
    call.number_value(ordering as i8 as f64)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// `formatdate(spec, timestamp)`: runs of one letter are fields (`YYYY`, `MMM`, `hh`, ...),
/// `'quoted'` text is literal, other characters pass through.
pub fn formatdate(call: &Call) -> Result {
    call.arity(2, 2)?;
    let spec = call.string(0)?;
    let moment = timestamp_arg(call, 1)?;
    let (year, month, day, hour, minute, second, weekday) = parts(moment);
    let hour12 = if hour % 12 == 0 { 12 } else { hour % 12 };
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c == '\'' {
            // 'literal', with '' for a quote.
            at += 1;
            if chars.get(at) == Some(&'\'') {
                out.push('\'');
                at += 1;
                continue;
            }
            loop {
                match chars.get(at) {
                    None => return Err(call.error("unterminated literal '")),
                    Some('\'') if chars.get(at + 1) == Some(&'\'') => {
                        out.push('\'');
                        at += 2;
                    }
                    Some('\'') => {
                        at += 1;
                        break;
                    }
                    Some(&other) => {
                        out.push(other);
                        at += 1;
                    }
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            at += 1;
            continue;
        }
        let start = at;
        while chars.get(at) == Some(&c) {
            at += 1;
        }
        let token: String = chars[start..at].iter().collect();
        let text = match token.as_str() {
            "YYYY" => format!("{year:04}"),
            "YY" => format!("{:02}", year % 100),
            "MMMM" => MONTHS[(month - 1) as usize].to_string(),
            "MMM" => MONTHS[(month - 1) as usize][..3].to_string(),
            "MM" => format!("{month:02}"),
            "M" => month.to_string(),
            "DD" => format!("{day:02}"),
            "D" => day.to_string(),
            "EEEE" => WEEKDAYS[weekday as usize].to_string(),
            "EEE" => WEEKDAYS[weekday as usize][..3].to_string(),
            "hh" => format!("{hour:02}"),
            "h" => hour.to_string(),
            "HH" => format!("{hour12:02}"),
            "H" => hour12.to_string(),
            "AA" => if hour < 12 { "AM" } else { "PM" }.to_string(),
            "aa" => if hour < 12 { "am" } else { "pm" }.to_string(),
            "mm" => format!("{minute:02}"),
            "m" => minute.to_string(),
            "ss" => format!("{second:02}"),
            "s" => second.to_string(),
            "ZZZZZ" => offset_text(moment.offset, true),
            "ZZZZ" => offset_text(moment.offset, false),
            "ZZZ" if moment.offset.is_none() => "UTC".to_string(),
            // A fixed offset has no zone name: Terraform writes the offset.
            "ZZZ" => offset_text(moment.offset, false),
            "Z" => offset_text(moment.offset, true),
            _ => {
                return Err(call.error(&format!(
                    "invalid date format verb {token:?}: unsupported format sequence"
                )))
            }
        };
        out.push_str(&text);
    }
    call.string_value(out)
}
