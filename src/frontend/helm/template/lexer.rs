//! Go `text/template` lexer: splits a template into literal text and the tokens of each action,
//! with byte offsets. Trim markers (`{{- `, ` -}}`) are applied here, so the parser sees literal
//! text exactly as Go outputs it, with the range of the template it came from.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Literal text outside actions (already trimmed), with its source range.
    Text(String),
    /// `{{` (the opening of an action; comments never reach the parser).
    Open,
    /// `}}`
    Close,
    /// A keyword or function name.
    Ident(String),
    /// `.Name` (the name without its dot).
    Field(String),
    /// `.` alone.
    Dot,
    /// `$name` (`$` alone is the name "").
    Var(String),
    Str(String),
    /// A number literal as written (Go decides int or float from its form).
    Number(String),
    /// A character constant (`'a'`), which Go treats as an int.
    Char(char),
    Bool(bool),
    Nil,
    Pipe,
    LParen,
    RParen,
    Comma,
    Declare,
    Assign,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub range: Range<usize>,
    /// Whether white space precedes the token inside an action: `.a.b` is one chain,
    /// `.a .b` two arguments.
    pub spaced: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
}

fn error(offset: usize, message: impl Into<String>) -> LexError {
    LexError {
        offset,
        message: message.into(),
    }
}

const OPEN: &str = "{{";
const CLOSE: &str = "}}";

/// Tokenise `text`. Go's rules: `{{- ` trims white space before the action, ` -}}` after it; the
/// dash must be followed (or preceded) by white space so that `{{-3}}` is the number -3.
pub fn lex(text: &str) -> Result<Vec<Token>, LexError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    let mut trim_next_text = false;
    loop {
        let next_open = text[pos..].find(OPEN).map(|i| pos + i);
        let text_end = next_open.unwrap_or(text.len());
        let mut start = pos;
        let mut end = text_end;
        let trim_before = next_open.is_some_and(|open| {
            bytes.get(open + 2) == Some(&b'-') && bytes.get(open + 3).is_some_and(|b| is_space(*b))
        });
        if trim_next_text {
            while start < end && is_space(bytes[start]) {
                start += 1;
            }
        }
        if trim_before {
            while end > start && is_space(bytes[end - 1]) {
                end -= 1;
            }
        }
        if end > start {
            tokens.push(Token {
                tok: Tok::Text(text[start..end].to_string()),
                range: start..end,
                spaced: false,
            });
        }
        let Some(open) = next_open else {
            break;
        };
        let mut inner = open + 2;
        if trim_before {
            inner += 2;
        }
        // Comments: `{{/* ... */}}`, with optional trim markers around them.
        let after_space = skip_space(bytes, inner);
        if text[after_space..].starts_with("/*") {
            let Some(close_comment) = text[after_space + 2..].find("*/") else {
                return Err(error(open, "unclosed comment"));
            };
            let mut after = after_space + 2 + close_comment + 2;
            let after_trim = skip_space(bytes, after);
            let (trim_after, close_at) =
                if text[after_trim..].starts_with("-}}") && after_trim > after {
                    (true, after_trim + 1)
                } else {
                    (false, after)
                };
            if !text[close_at..].starts_with(CLOSE) {
                return Err(error(open, "comment ends before closing delimiter"));
            }
            after = close_at + 2;
            trim_next_text = trim_after;
            pos = after;
            continue;
        }
        tokens.push(Token {
            tok: Tok::Open,
            range: open..inner,
            spaced: false,
        });
        let (close, trim_after) = lex_action(text, inner, &mut tokens)?;
        tokens.push(Token {
            tok: Tok::Close,
            range: close..close + 2,
            spaced: false,
        });
        trim_next_text = trim_after;
        pos = close + 2;
    }
    Ok(tokens)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_space(bytes[i]) {
        i += 1;
    }
    i
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Lex one action's tokens from `pos`; returns the offset of its `}}` and whether it trims the
/// text after it.
fn lex_action(text: &str, mut pos: usize, out: &mut Vec<Token>) -> Result<(usize, bool), LexError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    loop {
        let before = pos;
        pos = skip_space(bytes, pos);
        let spaced = pos > before;
        if pos >= bytes.len() {
            return Err(error(pos, "unclosed action"));
        }
        let rest = &text[pos..];
        if spaced && rest.starts_with("-}}") {
            return Ok((pos + 1, true));
        }
        if rest.starts_with(CLOSE) && depth == 0 {
            return Ok((pos, false));
        }
        let c = rest.chars().next().unwrap_or(' ');
        let start = pos;
        let push = |out: &mut Vec<Token>, tok: Tok, end: usize| {
            out.push(Token {
                tok,
                range: start..end,
                spaced,
            })
        };
        match c {
            '|' => {
                push(out, Tok::Pipe, pos + 1);
                pos += 1;
            }
            '(' => {
                depth += 1;
                push(out, Tok::LParen, pos + 1);
                pos += 1;
            }
            ')' => {
                if depth == 0 {
                    return Err(error(pos, "unexpected right paren"));
                }
                depth -= 1;
                push(out, Tok::RParen, pos + 1);
                pos += 1;
            }
            ',' => {
                push(out, Tok::Comma, pos + 1);
                pos += 1;
            }
            ':' => {
                if rest.starts_with(":=") {
                    push(out, Tok::Declare, pos + 2);
                    pos += 2;
                } else {
                    return Err(error(pos, "expected :="));
                }
            }
            '=' => {
                push(out, Tok::Assign, pos + 1);
                pos += 1;
            }
            '"' => {
                let (value, end) = lex_quoted(text, pos)?;
                push(out, Tok::Str(value), end);
                pos = end;
            }
            '`' => {
                let Some(close) = text[pos + 1..].find('`') else {
                    return Err(error(pos, "unterminated raw quoted string"));
                };
                let end = pos + 1 + close + 1;
                push(out, Tok::Str(text[pos + 1..end - 1].to_string()), end);
                pos = end;
            }
            '\'' => {
                let (value, end) = lex_char(text, pos)?;
                push(out, Tok::Char(value), end);
                pos = end;
            }
            '$' => {
                let end = pos + 1 + ident_len(&text[pos + 1..]);
                push(out, Tok::Var(text[pos + 1..end].to_string()), end);
                pos = end;
            }
            '.' => {
                let next = text[pos + 1..].chars().next();
                if next.is_some_and(|n| n.is_ascii_digit()) {
                    let end = pos + number_len(rest);
                    push(out, Tok::Number(text[pos..end].to_string()), end);
                    pos = end;
                } else if next.is_some_and(is_alnum) {
                    let end = pos + 1 + ident_len(&text[pos + 1..]);
                    push(out, Tok::Field(text[pos + 1..end].to_string()), end);
                    pos = end;
                } else {
                    push(out, Tok::Dot, pos + 1);
                    pos += 1;
                }
            }
            '+' | '-' | '0'..='9' => {
                let len = number_len(rest);
                if len == 0 || (len == 1 && !c.is_ascii_digit()) {
                    return Err(error(pos, format!("unexpected {c:?} in action")));
                }
                let end = pos + len;
                push(out, Tok::Number(text[pos..end].to_string()), end);
                pos = end;
            }
            c if is_alnum(c) => {
                let end = pos + ident_len(rest);
                let word = &text[pos..end];
                let tok = match word {
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    "nil" => Tok::Nil,
                    _ => Tok::Ident(word.to_string()),
                };
                push(out, tok, end);
                pos = end;
            }
            other => return Err(error(pos, format!("unexpected {other:?} in action"))),
        }
    }
}

fn ident_len(s: &str) -> usize {
    s.char_indices()
        .find(|(_, c)| !is_alnum(*c))
        .map_or(s.len(), |(i, _)| i)
}

/// Length of a number literal at the start of `s` (sign, hex/octal/binary prefixes, fraction,
/// exponent, `_` separators, as Go scans it).
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut digits: &[u8] = b"0123456789_";
    if b.get(i) == Some(&b'0') && b.get(i + 1).is_some_and(|c| matches!(c, b'x' | b'X')) {
        i += 2;
        digits = b"0123456789abcdefABCDEF_";
    } else if b.get(i) == Some(&b'0')
        && b.get(i + 1)
            .is_some_and(|c| matches!(c, b'o' | b'O' | b'b' | b'B'))
    {
        i += 2;
    }
    while i < b.len() && digits.contains(&b[i]) {
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && digits.contains(&b[i]) {
            i += 1;
        }
    }
    if digits.len() == 11 && b.get(i).is_some_and(|c| matches!(c, b'e' | b'E')) {
        let mut j = i + 1;
        if b.get(j).is_some_and(|c| matches!(c, b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(|c| c.is_ascii_digit()) {
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

fn lex_quoted(text: &str, start: usize) -> Result<(String, usize), LexError> {
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, start + 1 + i + 1)),
            '\n' => break,
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = (0..n)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .map_err(|_| error(start, "invalid escape in string"))?;
                        out.push(
                            char::from_u32(code)
                                .ok_or_else(|| error(start, "invalid escape in string"))?,
                        );
                    }
                    '0'..='7' => {
                        let mut code = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            let Some((_, d)) = chars.next() else { break };
                            code = code * 8
                                + d.to_digit(8)
                                    .ok_or_else(|| error(start, "invalid octal escape"))?;
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    _ => return Err(error(start, format!("unknown escape sequence \\{e}"))),
                }
            }
            c => out.push(c),
        }
    }
    Err(error(start, "unterminated quoted string"))
}

fn lex_char(text: &str, start: usize) -> Result<(char, usize), LexError> {
    let rest = &text[start + 1..];
    // The closing quote comes after at least one character (which may be `\'`).
    let first_len = rest.chars().next().map_or(0, char::len_utf8);
    let skip = if rest.starts_with('\\') {
        first_len + 1
    } else {
        first_len
    };
    let Some(close) = rest
        .get(skip..)
        .and_then(|r| r.find('\''))
        .map(|i| i + skip)
    else {
        return Err(error(start, "unterminated character constant"));
    };
    let body = &rest[..close];
    let quoted = format!("\"{}\"", body.replace('"', "\\\""));
    let (value, _) =
        lex_quoted(&quoted, 0).map_err(|_| error(start, "invalid character constant"))?;
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok((c, start + 1 + close + 1)),
        _ => Err(error(start, "invalid character constant")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        lex(text).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn trims_around_actions_and_skips_comments() {
        assert_eq!(
            toks("a  {{- 1 -}}  b {{/* c */}} d {{- /* e */ -}} f"),
            vec![
                Tok::Text("a".into()),
                Tok::Open,
                Tok::Number("1".into()),
                Tok::Close,
                Tok::Text("b ".into()),
                Tok::Text(" d".into()),
                Tok::Text("f".into()),
            ]
        );
    }

    #[test]
    fn a_dash_without_space_is_a_negative_number() {
        assert_eq!(
            toks("{{-3}}"),
            vec![Tok::Open, Tok::Number("-3".into()), Tok::Close]
        );
    }

    #[test]
    fn fields_chain_only_without_space() {
        let tokens = lex("{{ .a.b .c }}").unwrap();
        assert!(!tokens[2].spaced && tokens[3].spaced);
    }

    #[test]
    fn unterminated_constructs_are_errors() {
        assert!(lex("{{ \"a }}").is_err());
        assert!(lex("{{ a").is_err());
        assert!(lex("{{/* a").is_err());
    }
}
