//! String functions, including `regex`, `regexall` and `replace` with a `/regex/`.
//!
//! Terraform's regular expressions are Go's RE2 syntax; the `regex` crate reads the same syntax,
//! except that its `\d`, `\w`, `\s` and `\b` are Unicode-aware where RE2's are ASCII, so
//! [`re2`] spells those out.

use super::{Call, Partial, Result};
use crate::value::{Entry, Value, ValueKind};

fn one_string(call: &Call, f: impl Fn(&str) -> String) -> Result {
    call.arity(1, 1)?;
    let s = call.string(0)?;
    call.string_value(f(&s))
}

/// Every trailing line break (`\n`, `\r\n` or `\r`) removed.
pub fn chomp(call: &Call) -> Result {
    one_string(call, |s| s.trim_end_matches(['\r', '\n']).to_string())
}

/// `s` in grapheme clusters, which is how Terraform counts and cuts strings: every character is
/// one, except `\r\n`. `None` when `s` holds a character that might combine with its neighbours
/// (accents written apart, emoji modifiers, ...): aksguard does not segment those.
pub(super) fn graphemes(s: &str) -> Option<Vec<&str>> {
    let single = |c: char| {
        matches!(c as u32,
            0..=0x2ff
            | 0x370..=0x482
            | 0x48a..=0x52f
            | 0x3040..=0x30ff
            | 0x4e00..=0x9fff
            | 0xac00..=0xd7a3)
    };
    let mut clusters = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if !single(c) {
            return None;
        }
        let len = if rest.starts_with("\r\n") {
            2
        } else {
            c.len_utf8()
        };
        clusters.push(&rest[..len]);
        rest = &rest[len..];
    }
    Some(clusters)
}

fn clusters<'s>(call: &Call, s: &'s str) -> Partial<Vec<&'s str>> {
    graphemes(s)
        .ok_or_else(|| call.unsupported("aksguard does not split this text into grapheme clusters"))
}

pub fn strrev(call: &Call) -> Result {
    call.arity(1, 1)?;
    let s = call.string(0)?;
    let reversed: String = clusters(call, &s)?.into_iter().rev().collect();
    call.string_value(reversed)
}

pub fn trimspace(call: &Call) -> Result {
    one_string(call, |s| s.trim().to_string())
}

/// Case mapping rune by rune, as Go does: a character whose mapping is not one character
/// (`ß` to `SS`) stays as it is.
fn map_case(s: &str, upper: bool) -> String {
    s.chars()
        .map(|c| {
            let mut mapped: Vec<char> = if upper {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            if mapped.len() == 1 {
                mapped.remove(0)
            } else if !upper && c == '\u{130}' {
                // Go's simple mapping of dotted capital I.
                'i'
            } else {
                c
            }
        })
        .collect()
}

pub fn lower(call: &Call) -> Result {
    one_string(call, |s| map_case(s, false))
}

pub fn upper(call: &Call) -> Result {
    one_string(call, |s| map_case(s, true))
}

/// The first letter of each word upper-cased; words are separated as Go's `strings.Title`
/// separates them (letters, digits and `_` join, anything else in ASCII separates).
pub fn title(call: &Call) -> Result {
    one_string(call, |s| {
        let mut out = String::new();
        let mut previous_separates = true;
        for c in s.chars() {
            if previous_separates {
                out.push_str(&map_case(&c.to_string(), true));
            } else {
                out.push(c);
            }
            previous_separates = if c.is_ascii() {
                !(c.is_ascii_alphanumeric() || c == '_')
            } else if c.is_alphanumeric() {
                false
            } else {
                c.is_whitespace()
            };
        }
        out
    })
}

fn two_strings(call: &Call) -> Partial<(String, String)> {
    call.arity(2, 2)?;
    Ok((call.string(0)?, call.string(1)?))
}

pub fn startswith(call: &Call) -> Result {
    let (s, prefix) = two_strings(call)?;
    call.value(ValueKind::Bool(s.starts_with(&prefix)))
}

pub fn endswith(call: &Call) -> Result {
    let (s, suffix) = two_strings(call)?;
    call.value(ValueKind::Bool(s.ends_with(&suffix)))
}

pub fn strcontains(call: &Call) -> Result {
    let (s, part) = two_strings(call)?;
    call.value(ValueKind::Bool(s.contains(&part)))
}

pub fn trimprefix(call: &Call) -> Result {
    let (s, prefix) = two_strings(call)?;
    call.string_value(s.strip_prefix(&prefix).unwrap_or(&s).to_string())
}

pub fn trimsuffix(call: &Call) -> Result {
    let (s, suffix) = two_strings(call)?;
    call.string_value(s.strip_suffix(&suffix).unwrap_or(&s).to_string())
}

pub fn trim(call: &Call) -> Result {
    let (s, cutset) = two_strings(call)?;
    call.string_value(s.trim_matches(|c| cutset.contains(c)).to_string())
}

pub fn indent(call: &Call) -> Result {
    call.arity(2, 2)?;
    let spaces = call.integer(0)?;
    let s = call.string(1)?;
    if spaces < 0 {
        return Err(call.error("negative Repeat count"));
    }
    let pad = " ".repeat(spaces.clamp(0, 1024) as usize);
    call.string_value(s.replace('\n', &format!("\n{pad}")))
}

pub fn join(call: &Call) -> Result {
    call.arity(2, usize::MAX)?;
    let separator = call.string(0)?;
    let mut parts = Vec::new();
    for at in 1..call.args.len() {
        parts.extend(call.strings(at)?);
    }
    call.string_value(parts.join(&separator))
}

pub fn split(call: &Call) -> Result {
    call.arity(2, 2)?;
    let (separator, s) = (call.string(0)?, call.string(1)?);
    let parts: Vec<String> = if separator.is_empty() {
        s.chars().map(String::from).collect()
    } else {
        s.split(separator.as_str()).map(String::from).collect()
    };
    call.list_value(parts.into_iter().map(|p| call.string_item(p)).collect())
}

/// `substr(s, offset, length)` in grapheme clusters; a negative offset counts from the end, a
/// length of -1 takes the rest.
pub fn substr(call: &Call) -> Result {
    call.arity(3, 3)?;
    let s = call.string(0)?;
    let (offset, length) = (call.integer(1)?, call.integer(2)?);
    let chars = clusters(call, &s)?;
    let n = chars.len() as i64;
    let start = if offset < 0 {
        (n + offset).max(0)
    } else {
        offset
    };
    if start >= n {
        return call.string_value(String::new());
    }
    let end = if length < 0 {
        n
    } else {
        start.saturating_add(length).min(n)
    };
    call.string_value(chars[start as usize..end as usize].concat())
}

/// An RE2 pattern in the `regex` crate's syntax (ASCII `\d`, `\w`, `\s`, `\b`).
fn re2(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        // RE2 reads a brace that starts no repetition (`a{,2}`, `{x}`) as itself.
        if c == '{' && !starts_repetition(chars.as_str()) {
            out.push_str("\\{");
            continue;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('s') => out.push_str("[\\t\\n\\f\\r ]"),
            Some('S') => out.push_str("[^\\t\\n\\f\\r ]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            // `\Q...\E`: literal text.
            Some('Q') => {
                let literal: String = chars.by_ref().collect();
                let (quoted, rest) = literal.split_once("\\E").unwrap_or((&literal, ""));
                out.push_str(&regex::escape(quoted));
                out.push_str(&re2(rest));
                break;
            }
            // `\p{Greek}`, `\x{41}`: the braces belong to the escape.
            Some(other @ ('p' | 'P' | 'x')) if chars.as_str().starts_with('{') => {
                out.push('\\');
                out.push(other);
                for c in chars.by_ref() {
                    out.push(c);
                    if c == '}' {
                        break;
                    }
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Whether `rest` (after a `{`) is `n}`, `n,}` or `n,m}`.
fn starts_repetition(rest: &str) -> bool {
    let Some(close) = rest.find('}') else {
        return false;
    };
    let inside = &rest[..close];
    let (min, max) = inside.split_once(',').unwrap_or((inside, ""));
    !min.is_empty()
        && min.bytes().all(|b| b.is_ascii_digit())
        && max.bytes().all(|b| b.is_ascii_digit())
}

/// RE2's largest repetition count: `a{1001}` is an error in Terraform.
const MAX_REPEAT: u32 = 1000;

fn compile(call: &Call, pattern: &str) -> Partial<regex::Regex> {
    if repeat_counts(pattern).any(|n| n > MAX_REPEAT) {
        return Err(call.error(&format!(
            "invalid regexp pattern: invalid repeat count in {pattern:?}"
        )));
    }
    regex::RegexBuilder::new(&re2(pattern))
        .size_limit(1 << 20)
        .build()
        .map_err(|error| match error {
            // RE2 syntax the regex crate lacks (`\C`, octal escapes): Terraform may
            // well accept the pattern.
            regex::Error::Syntax(_)
                if pattern.contains("\\C")
                    || pattern
                        .as_bytes()
                        .windows(2)
                        .any(|w| w[0] == b'\\' && w[1].is_ascii_digit()) =>
            {
                call.unsupported("aksguard does not read this RE2 pattern")
            }
            regex::Error::Syntax(message) => call.error(&format!(
                "invalid regexp pattern: {}",
                message.lines().last().unwrap_or("")
            )),
            _ => call.unsupported("the regular expression is too large to evaluate"),
        })
}

/// The counts in `{n}`, `{n,}` and `{n,m}` repetitions of `pattern`.
fn repeat_counts(pattern: &str) -> impl Iterator<Item = u32> + '_ {
    pattern.split('{').skip(1).flat_map(|after| {
        let inside = after.split('}').next().unwrap_or("");
        let well_formed = after.contains('}')
            && !inside.is_empty()
            && inside.chars().all(|c| c.is_ascii_digit() || c == ',')
            && inside.matches(',').count() <= 1
            && !inside.starts_with(',');
        let counts: Vec<u32> = if well_formed {
            inside
                .split(',')
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap_or(u32::MAX))
                .collect()
        } else {
            Vec::new()
        };
        counts
    })
}

/// One match as `regex` returns it: the matched text without capture groups, a list of the
/// groups, or an object of the named groups.
fn match_value(call: &Call, re: &regex::Regex, captures: &regex::Captures) -> Partial<Value> {
    let groups = re.captures_len() - 1;
    if groups == 0 {
        return Ok(call.string_item(captures.get(0).map_or("", |m| m.as_str())));
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    // A group that took no part in the match is null.
    let text = |i: usize| match captures.get(i) {
        Some(m) => call.string_item(m.as_str()),
        None => Value::new(ValueKind::Null, call.span),
    };
    if names.iter().all(Option::is_some) {
        let entries = names
            .iter()
            .enumerate()
            .map(|(i, name)| Entry {
                key: name.unwrap_or_default().into(),
                key_span: call.span,
                value: text(i + 1),
            })
            .collect();
        return Ok(Value::new(ValueKind::Object(entries), call.span));
    }
    if names.iter().any(Option::is_some) {
        return Err(call.error("named and unnamed capture groups cannot be mixed"));
    }
    Ok(Value::new(
        ValueKind::List((1..=groups).map(text).collect()),
        call.span,
    ))
}

pub fn regex(call: &Call) -> Result {
    let (pattern, s) = two_strings(call)?;
    let re = compile(call, &pattern)?;
    match re.captures(&s) {
        Some(captures) => match_value(call, &re, &captures),
        None => Err(call.error("pattern did not match any part of the given string")),
    }
}

pub fn regexall(call: &Call) -> Result {
    let (pattern, s) = two_strings(call)?;
    let re = compile(call, &pattern)?;
    let matches = re
        .captures_iter(&s)
        .map(|captures| match_value(call, &re, &captures))
        .collect::<Partial<Vec<Value>>>()?;
    call.list_value(matches)
}

/// `replace(s, search, replacement)`: a `/regex/` search replaces every match, with `$1` and
/// `${name}` in the replacement; any other search is literal.
pub fn replace(call: &Call) -> Result {
    call.arity(3, 3)?;
    let (s, search, replacement) = (call.string(0)?, call.string(1)?, call.string(2)?);
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        let re = compile(call, &search[1..search.len() - 1])?;
        return call.string_value(re.replace_all(&s, replacement.as_str()).into_owned());
    }
    call.string_value(s.replace(&search, &replacement))
}
