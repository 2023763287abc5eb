//! What Terraform's parser accepts and hcl-edit's rejects, made acceptable without moving a byte.
//!
//! hcl-edit is stricter than HashiCorp's parser in two ways seen in public modules:
//! - an object constructor that repeats a key (`{ a = 1, a = 2 }`): Terraform keeps the later
//!   value, hcl-edit fails with "redefined object key";
//! - a line break inside a `{ for ... }` object expression after an operator
//!   (`k => local.enabled &&` then a new line): newlines there mean nothing to Terraform.
//!
//! When a file fails to parse for one of these reasons, the text is rewritten *in place*: the
//! earlier of two repeated items becomes spaces (the later one wins anyway), and newlines inside a
//! `{ for` object expression become spaces. Lengths and offsets never change, so every span still
//! points into the file as written. A file that still does not parse reports the first error.

use hcl_edit::structure::Body;

use crate::frontend::SyntaxError;

/// Most rewrites tried on one file (each repeated key is one).
const MAX_REWRITES: usize = 64;

pub fn parse(text: &str) -> Result<Body, SyntaxError> {
    let first = match strict(text) {
        Ok(body) => return Ok(body),
        Err(error) => error,
    };
    let mut rewritten = text.as_bytes().to_vec();
    let mut joined_for_objects = false;
    let mut error = first.clone();
    for _ in 0..MAX_REWRITES {
        let changed = if error.message.contains("redefined object key") {
            blank_earlier_duplicate(&mut rewritten, error.offset)
        } else if !joined_for_objects {
            joined_for_objects = true;
            join_for_objects(&mut rewritten)
        } else {
            false
        };
        if !changed {
            break;
        }
        // Only ASCII bytes outside strings were replaced by spaces: still UTF-8.
        let Ok(candidate) = std::str::from_utf8(&rewritten) else {
            break;
        };
        match strict(candidate) {
            Ok(body) => return Ok(body),
            Err(next) => error = next,
        }
    }
    Err(first)
}

fn strict(text: &str) -> Result<Body, SyntaxError> {
    hcl_edit::parser::parse_body(text).map_err(|error| SyntaxError {
        offset: error.location().offset(),
        message: error.message().to_string(),
    })
}

/// Where code is, as opposed to strings, comments and heredocs, byte by byte; and the bracket
/// each code bracket matches. Template interpolations (`${ }`) inside strings are code.
struct Layout {
    code: Vec<bool>,
}

fn layout(text: &[u8]) -> Layout {
    let mut code = vec![false; text.len()];
    // Stack of contexts: true = inside a quoted string, false = code (an interpolation or the top).
    let mut in_string: Vec<bool> = vec![false];
    // For each code context, how many braces are open inside it (to find where `${` ends).
    let mut braces: Vec<usize> = vec![0];
    let mut i = 0;
    while i < text.len() {
        let string = *in_string.last().unwrap_or(&false);
        let c = text[i];
        if string {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    in_string.pop();
                }
                b'$' | b'%' if text.get(i + 1) == Some(&b'{') => {
                    in_string.push(false);
                    braces.push(0);
                    code[i] = true;
                    code[i + 1] = true;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_string.push(true),
            b'#' => {
                i = line_end(text, i);
                continue;
            }
            b'/' if text.get(i + 1) == Some(&b'/') => {
                i = line_end(text, i);
                continue;
            }
            b'/' if text.get(i + 1) == Some(&b'*') => {
                let end = find(text, i + 2, b"*/").map_or(text.len(), |at| at + 2);
                i = end;
                continue;
            }
            b'<' if text.get(i + 1) == Some(&b'<') => {
                if let Some(end) = heredoc_end(text, i) {
                    i = end;
                    continue;
                }
                code[i] = true;
            }
            b'{' => {
                if let Some(open) = braces.last_mut() {
                    *open += 1;
                }
                code[i] = true;
            }
            b'}' => {
                code[i] = true;
                match braces.last_mut() {
                    Some(0) if in_string.len() > 1 => {
                        // Closes a `${`: back into the string.
                        in_string.pop();
                        braces.pop();
                    }
                    Some(open) => *open = open.saturating_sub(1),
                    None => {}
                }
            }
            _ => code[i] = true,
        }
        i += 1;
    }
    Layout { code }
}

fn line_end(text: &[u8], from: usize) -> usize {
    text[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(text.len(), |at| from + at)
}

fn find(text: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    text.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

/// The end of a heredoc starting at `<<` (after its closing marker line), if it is one.
fn heredoc_end(text: &[u8], at: usize) -> Option<usize> {
    let mut start = at + 2;
    if text.get(start) == Some(&b'-') {
        start += 1;
    }
    let name_len = text[start..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &text[start..start + name_len];
    let mut line = line_end(text, start) + 1;
    while line < text.len() {
        let end = line_end(text, line);
        if text[line..end].trim_ascii() == name {
            return Some(end);
        }
        line = end + 1;
    }
    Some(text.len())
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// The key written at `at`: an identifier or a quoted string, as bytes.
fn key_at(text: &[u8], at: usize) -> Option<&[u8]> {
    if text.get(at) == Some(&b'"') {
        let end = text[at + 1..].iter().position(|&c| c == b'"')? + at + 2;
        return Some(&text[at..end]);
    }
    let len = text[at..].iter().take_while(|&&c| is_word(c)).count();
    (len > 0).then(|| &text[at..at + len])
}

/// Blank the item before `duplicate` (the offset of a repeated key) that defines the same key in
/// the same object. Returns whether it found one.
fn blank_earlier_duplicate(text: &mut [u8], duplicate: usize) -> bool {
    let Some(key) = key_at(text, duplicate).map(<[u8]>::to_vec) else {
        return false;
    };
    let unquoted = |k: &[u8]| -> Vec<u8> { k.iter().copied().filter(|&c| c != b'"').collect() };
    let layout = layout(text);
    // The innermost bracket open at `duplicate` is the object.
    let mut open: Vec<usize> = Vec::new();
    for (i, &c) in text.iter().enumerate().take(duplicate) {
        if !layout.code[i] {
            continue;
        }
        match c {
            b'{' | b'[' | b'(' => open.push(i),
            b'}' | b']' | b')' => {
                open.pop();
            }
            _ => {}
        }
    }
    let Some(&object) = open.last().filter(|&&at| text[at] == b'{') else {
        return false;
    };
    // Items of the object start after `{`, a newline or a comma at its own depth.
    let mut depth = 0usize;
    let mut item_start = object + 1;
    let mut found: Option<(usize, usize)> = None;
    let mut i = object + 1;
    while i < duplicate {
        if layout.code[i] {
            match text[i] {
                b'{' | b'[' | b'(' => depth += 1,
                b'}' | b']' | b')' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    item_start = i + 1;
                    i += 1;
                    continue;
                }
                _ => {}
            }
        }
        let separator = text[i] == b'\n' && depth == 0;
        let indent = i == item_start && text[i].is_ascii_whitespace();
        if separator || indent {
            item_start = i + 1;
        } else if i == item_start && layout.code[i] {
            if let Some(candidate) = key_at(text, i) {
                if unquoted(candidate) == unquoted(&key) {
                    found = Some((i, item_end(text, &layout, i, duplicate)));
                }
            }
        }
        i += 1;
    }
    let Some((start, mut end)) = found else {
        return false;
    };
    // The comma that separated it goes too (`{ a = 1, a = 2 }`): a leading comma does not parse.
    if text.get(end) == Some(&b',') {
        end += 1;
    }
    for byte in &mut text[start..end] {
        if *byte != b'\n' {
            *byte = b' ';
        }
    }
    true
}

/// Where the item starting at `start` ends: the newline or comma at its own depth, or `limit`.
fn item_end(text: &[u8], layout: &Layout, start: usize, limit: usize) -> usize {
    let mut depth = 0usize;
    for (i, &c) in text.iter().enumerate().take(limit).skip(start) {
        if !layout.code[i] {
            continue;
        }
        match c {
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            b'\n' | b',' if depth == 0 => return i,
            _ => {}
        }
    }
    limit
}

/// Turn the newlines directly inside every `{ for ... }` object expression into spaces (and blank
/// the comments there, which a joined line would otherwise extend). Newlines in objects nested in
/// its value still separate their items and are kept. Returns whether anything changed.
fn join_for_objects(text: &mut [u8]) -> bool {
    let layout = layout(text);
    let mut blank = Vec::new();
    for open in 0..text.len() {
        if !(layout.code[open] && text[open] == b'{' && opens_for(text, open)) {
            continue;
        }
        let Some(close) = matching_close(text, &layout, open) else {
            break;
        };
        // A heredoc needs its newlines: leave such an expression as it is.
        if (open..close).any(|at| !layout.code[at] && text[at] == b'<') {
            continue;
        }
        let mut depth = 0usize;
        for at in open + 1..close {
            if layout.code[at] {
                match text[at] {
                    b'{' | b'[' | b'(' => depth += 1,
                    b'}' | b']' | b')' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            let direct = depth == 0;
            if direct
                && (text[at] == b'\n' || (!layout.code[at] && is_comment_byte(text, &layout, at)))
            {
                blank.push(at);
            }
        }
    }
    for &at in &blank {
        text[at] = b' ';
    }
    !blank.is_empty()
}

/// Whether the `{` at `at` opens a `for` expression.
fn opens_for(text: &[u8], at: usize) -> bool {
    let rest = &text[at + 1..];
    let skip = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
    rest[skip..].starts_with(b"for") && rest.get(skip + 3).is_some_and(|c| c.is_ascii_whitespace())
}

/// Whether the non-code byte at `at` belongs to a comment (not a string): strings are left alone.
fn is_comment_byte(text: &[u8], layout: &Layout, at: usize) -> bool {
    // Walk back over non-code bytes on this line to where the region starts.
    let mut start = at;
    while start > 0 && !layout.code[start - 1] && text[start - 1] != b'\n' {
        start -= 1;
    }
    matches!(text[start], b'#')
        || text[start..].starts_with(b"//")
        || text[start..].starts_with(b"/*")
}

fn matching_close(text: &[u8], layout: &Layout, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (at, &c) in text.iter().enumerate().skip(open) {
        if !layout.code[at] {
            continue;
        }
        match c {
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_keeps_the_later_value_and_every_offset() {
        let text = "locals {\n  dup = {\n    a = 1\n    b = \"x\"\n    a = 2\n  }\n}\n";
        assert!(strict(text).is_err());
        let body = parse(text).expect("Terraform accepts a repeated key");
        let printed = body.to_string();
        assert_eq!(printed.len(), text.len());
        assert!(!printed.contains("a = 1") && printed.contains("a = 2"));
    }

    #[test]
    fn a_key_repeated_on_one_line_keeps_the_later_value() {
        for text in [
            "locals {\n  b = { k = 1, k = 2 }\n}\n",
            "locals {\n  c = { k = 1, j = 3, k = 2, }\n}\n",
        ] {
            assert!(strict(text).is_err());
            let printed = parse(text).expect("Terraform accepts it").to_string();
            assert_eq!(printed.len(), text.len());
            assert!(
                !printed.contains("k = 1") && printed.contains("k = 2"),
                "{printed}"
            );
        }
    }

    #[test]
    fn a_newline_after_an_operator_in_a_for_object() {
        let text = "locals {\n  m = {\n    for l in var.x :\n    l =>\n    local.on &&\n    anytrue([true]) # why\n  }\n}\n";
        assert!(strict(text).is_err());
        assert!(parse(text).is_ok());
    }

    #[test]
    fn strings_braces_and_comments_do_not_confuse_it() {
        let text = "locals {\n  d = {\n    \"a\" = \"{ for x in y }\"\n    # a = 0\n    a = \"${var.x}\"\n  }\n}\n";
        let body = parse(text).expect("repeated quoted/bare key");
        assert!(body.to_string().contains("${var.x}"));
    }

    #[test]
    fn real_errors_stay_errors() {
        let error = parse("locals {\n  a = \n}\n").unwrap_err();
        assert_eq!(error, strict("locals {\n  a = \n}\n").unwrap_err());
        // Terraform rejects a line break after an operator in a plain object too.
        assert!(parse("locals {\n  x = { k = a &&\n b }\n}\n").is_err());
    }
}
