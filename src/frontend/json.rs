//! JSON with comments (as ARM accepts it, and as `*.tf.json` is read) into spanned [`Value`]s.
//!
//! A hand-written parser straight into the tree: every value and key keeps its byte range, `//`
//! and `/* */` comments and trailing commas are accepted (ARM accepts both), and every list and
//! object is allocated once at its exact size (children gather on a scratch stack until the
//! closing bracket), because the trees of a large repository are held for the whole scan; a
//! front end that keeps only part of a document has the rest checked but never built
//! ([`parse_shaped`]).
//! Nesting is bounded, so hostile input ends as a syntax error, not a stack overflow.

use std::borrow::Cow;

use compact_str::CompactString;

use crate::source::{FileId, Span};
use crate::value::{Entry, Value, ValueKind};

use super::SyntaxError;

/// The deepest nesting accepted. Real templates nest a few dozen levels (each nested deployment
/// adds about six); the bound keeps recursion far from the stack's end on any thread.
const MAX_DEPTH: usize = 512;

/// Parse `text`; an empty document (nothing but whitespace and comments) is `Ok(None)`.
pub fn parse(file: FileId, text: &str) -> Result<Option<Value>, SyntaxError> {
    parse_shaped(file, text, (), |(), _, _| Some(()))
}

/// Parse `text`, building only what `shape` asks for. Each object and list is some part `P` of
/// the document (the root is `root`); `shape(part, key, earlier)` says what part each member is
/// (`key` is `None` for a list's elements, and `earlier` holds the object's members before this
/// one), or `None` for a member that is read and checked like any other, with the same errors,
/// but left out of the tree without being built. A front end that would drop parts of a large
/// document anyway so never allocates them.
pub fn parse_shaped<P: Copy>(
    file: FileId,
    text: &str,
    root: P,
    shape: impl Fn(P, Option<&str>, &[Entry]) -> Option<P>,
) -> Result<Option<Value>, SyntaxError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        file,
        items: Vec::new(),
        entries: Vec::new(),
        shape,
        parts: std::marker::PhantomData,
    };
    parser.skip_trivia()?;
    if parser.at == parser.bytes.len() {
        return Ok(None);
    }
    let value = parser.value(0, Some(root))?;
    parser.skip_trivia()?;
    if parser.at < parser.bytes.len() {
        return Err(parser.error("text after the end of the JSON document"));
    }
    Ok(Some(value))
}

struct Parser<'a, P, S> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    file: FileId,
    /// Elements of the lists being parsed, innermost last.
    items: Vec<Value>,
    /// Members of the objects being parsed, innermost last.
    entries: Vec<Entry>,
    /// What to build ([`parse_shaped`]).
    shape: S,
    parts: std::marker::PhantomData<P>,
}

impl<'a, P: Copy, S: Fn(P, Option<&str>, &[Entry]) -> Option<P>> Parser<'a, P, S> {
    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            offset: self.at,
            message: message.to_string(),
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start..self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Whitespace and comments. Besides JSON's four whitespace bytes, any Unicode whitespace is
    /// skipped, as the .NET reader ARM uses does.
    fn skip_trivia(&mut self) -> Result<(), SyntaxError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => {
                    self.at += 1;
                    self.skip_spaces();
                }
                Some(b'/') => match self.bytes.get(self.at + 1) {
                    Some(b'/') => {
                        let rest = &self.bytes[self.at..];
                        self.at += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                    }
                    Some(b'*') => {
                        let start = self.at;
                        let body = &self.text[self.at + 2..];
                        match body.find("*/") {
                            Some(end) => self.at += 2 + end + 2,
                            None => {
                                self.at = start;
                                return Err(self.error("unterminated `/*` comment"));
                            }
                        }
                    }
                    _ => return Err(self.error("expected a value, found `/`")),
                },
                Some(b) if b >= 0x80 => {
                    let c = self.text[self.at..].chars().next().unwrap_or('\0');
                    if !c.is_whitespace() {
                        return Ok(());
                    }
                    self.at += c.len_utf8();
                }
                _ => return Ok(()),
            }
        }
    }

    /// Step over a run of spaces eight bytes at a time: indentation is most of a
    /// pretty-printed template's whitespace, and runs long in deeply nested ones.
    fn skip_spaces(&mut self) {
        const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
        while let Some(chunk) = self.bytes.get(self.at..self.at + 8) {
            let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
                return;
            };
            let differs = u64::from_le_bytes(chunk) ^ SPACES;
            if differs != 0 {
                self.at += (differs.trailing_zeros() / 8) as usize;
                return;
            }
            self.at += 8;
        }
    }

    /// The value at the cursor, as the document's part `part`; `None` checks it without building
    /// it, and answers a null in its place.
    fn value(&mut self, depth: usize, part: Option<P>) -> Result<Value, SyntaxError> {
        let start = self.at;
        let kind = match self.peek() {
            Some(b'{') => return self.object(depth, part),
            Some(b'[') => return self.list(depth, part),
            Some(b'"') => {
                let text = self.string()?;
                match part {
                    Some(_) => ValueKind::String(text.into_owned()),
                    None => ValueKind::Null,
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.word("true", ValueKind::Bool(true))?,
            Some(b'f') => self.word("false", ValueKind::Bool(false))?,
            Some(b'n') => self.word("null", ValueKind::Null)?,
            Some(_) => return Err(self.error(&format!("expected a value, found {}", self.found()))),
            None => return Err(self.error("expected a value, found the end of the file")),
        };
        Ok(Value::new(kind, self.span(start)))
    }

    /// The character at the cursor, quoted, for messages.
    fn found(&self) -> String {
        match self.text[self.at..].chars().next() {
            Some(c) if c.is_control() => format!("{:?}", c),
            Some(c) => format!("`{c}`"),
            None => "the end of the file".to_string(),
        }
    }

    fn word(&mut self, word: &str, kind: ValueKind) -> Result<ValueKind, SyntaxError> {
        let end = self.at + word.len();
        let whole = self.bytes[self.at..].starts_with(word.as_bytes())
            && !self
                .bytes
                .get(end)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if !whole {
            return Err(self.error(&format!("expected a value, found {}", self.found())));
        }
        self.at = end;
        Ok(kind)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    /// A JSON number: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?
    fn number(&mut self) -> Result<ValueKind, SyntaxError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit after `-`")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after the decimal point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        let literal = &self.text[start..self.at];
        // Every JSON number parses as an f64 (out of range ones as infinity).
        Ok(ValueKind::Number(literal.parse().unwrap_or(f64::NAN)))
    }

    /// A string at the cursor (on its opening quote), unescaped.
    /// A string's content: borrowed from the text when it has no escape (most do).
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        let start = self.at;
        self.at += 1;
        let body = &self.bytes[self.at..];
        // Most strings have no escape: one scan, one copy.
        match memchr::memchr2(b'"', b'\\', body) {
            Some(end) if body[end] == b'"' => {
                let s = &self.text[self.at..self.at + end];
                self.at += end + 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(_) => {}
            None => {
                self.at = start;
                return Err(self.error("unterminated string"));
            }
        }
        let mut out = String::new();
        let mut run = self.at;
        loop {
            let Some(b) = self.peek() else {
                self.at = start;
                return Err(self.error("unterminated string"));
            };
            match b {
                b'"' => {
                    out.push_str(&self.text[run..self.at]);
                    self.at += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.at]);
                    let escape = self.at;
                    self.at += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        // Not JSON, but the .NET reader ARM uses accepts it.
                        Some(b'\'') => '\'',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.at += 1;
                            let c = self.unicode_escape(escape)?;
                            out.push(c);
                            run = self.at;
                            continue;
                        }
                        _ => {
                            self.at = escape;
                            return Err(self.error("invalid escape in a string"));
                        }
                    };
                    out.push(c);
                    self.at += 1;
                    run = self.at;
                }
                _ => self.at += 1,
            }
        }
    }

    /// Four hex digits after `\u` (the cursor is past the `u`), and a low surrogate's after a
    /// high one. A lone surrogate becomes U+FFFD: the .NET reader ARM uses accepts it, and a Rust
    /// string cannot hold it.
    fn unicode_escape(&mut self, escape: usize) -> Result<char, SyntaxError> {
        let high = self.hex4(escape)?;
        if !(0xD800..0xDC00).contains(&high) {
            return Ok(char::from_u32(high).unwrap_or('\u{FFFD}'));
        }
        if self.bytes[self.at..].starts_with(b"\\u") {
            let save = self.at;
            self.at += 2;
            let low = self.hex4(save)?;
            if (0xDC00..0xE000).contains(&low) {
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            self.at = save;
        }
        Ok('\u{FFFD}')
    }

    fn hex4(&mut self, escape: usize) -> Result<u32, SyntaxError> {
        let digits = self.bytes.get(self.at..self.at + 4);
        let code = digits
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        match code {
            Some(code) => {
                self.at += 4;
                Ok(code)
            }
            None => {
                self.at = escape;
                Err(self.error("expected four hex digits after `\\u`"))
            }
        }
    }

    fn enter(&self, depth: usize) -> Result<(), SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(&format!("nested more than {MAX_DEPTH} levels deep")));
        }
        Ok(())
    }

    /// After a list element or a property: a `,` (skipped) or the closing bracket (left for the
    /// caller), which answers `true`.
    fn comma_or(&mut self, close: u8, after: &str) -> Result<bool, SyntaxError> {
        self.skip_trivia()?;
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(b) if b == close => Ok(true),
            _ => Err(self.error(&format!(
                "expected `,` or `{}` after {after}, found {}",
                close as char,
                self.found()
            ))),
        }
    }

    fn list(&mut self, depth: usize, part: Option<P>) -> Result<Value, SyntaxError> {
        self.enter(depth)?;
        let start = self.at;
        self.at += 1;
        let first = self.items.len();
        loop {
            self.skip_trivia()?;
            if self.peek() == Some(b']') {
                break;
            }
            let item_part = part.and_then(|p| (self.shape)(p, None, &[]));
            let item = self.value(depth + 1, item_part)?;
            if item_part.is_some() {
                self.items.push(item);
            }
            if self.comma_or(b']', "a list element")? {
                break;
            }
        }
        self.at += 1;
        if part.is_none() {
            return Ok(Value::new(ValueKind::Null, self.span(start)));
        }
        let items: Vec<Value> = self.items.drain(first..).collect();
        Ok(Value::new(ValueKind::List(items), self.span(start)))
    }

    fn object(&mut self, depth: usize, part: Option<P>) -> Result<Value, SyntaxError> {
        self.enter(depth)?;
        let start = self.at;
        self.at += 1;
        let first = self.entries.len();
        loop {
            self.skip_trivia()?;
            match self.peek() {
                Some(b'}') => break,
                Some(b'"') => {}
                _ => {
                    return Err(self.error(&format!(
                        "expected a quoted property name or `}}`, found {}",
                        self.found()
                    )))
                }
            }
            let key_start = self.at;
            let key = self.string()?;
            let key_span = self.span(key_start);
            self.skip_trivia()?;
            if self.peek() != Some(b':') {
                return Err(self.error(&format!(
                    "expected `:` after the property name, found {}",
                    self.found()
                )));
            }
            self.at += 1;
            self.skip_trivia()?;
            let member_part =
                part.and_then(|p| (self.shape)(p, Some(&key), &self.entries[first..]));
            let value = self.value(depth + 1, member_part)?;
            if member_part.is_some() {
                self.entries.push(Entry {
                    key: CompactString::from(key.as_ref()),
                    key_span,
                    value,
                });
            }
            if self.comma_or(b'}', "a property")? {
                break;
            }
        }
        self.at += 1;
        if part.is_none() {
            return Ok(Value::new(ValueKind::Null, self.span(start)));
        }
        let entries: Vec<Entry> = self.entries.drain(first..).collect();
        Ok(Value::new(ValueKind::Object(entries), self.span(start)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Value {
        parse(FileId(0), text).unwrap().unwrap()
    }

    #[test]
    fn keeps_byte_spans_and_accepts_comments() {
        let text = "{\n  // comment\n  \"a\": [1, true, null], /* more */ \"é\": \"x\"\n}";
        let value = parsed(text);
        let a = value.get("a").unwrap();
        assert_eq!(&text[a.key_span.range()], "\"a\"");
        assert_eq!(&text[a.value.span.range()], "[1, true, null]");
        let e = value.get("é").unwrap();
        assert_eq!(&text[e.value.span.range()], "\"x\"");
        assert_eq!(e.value.as_str(), Some("x"));
        assert_eq!(&text[value.span.range()], text);
    }

    #[test]
    fn reads_what_json_writes() {
        let value = parsed(
            r#"{"n": [-0, 1.5e3, 12, -2E-2], "s": "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "t": [],}"#,
        );
        let numbers: Vec<f64> = value
            .get("n")
            .unwrap()
            .value
            .items()
            .unwrap()
            .iter()
            .map(|v| match v.kind {
                ValueKind::Number(n) => n,
                _ => f64::NAN,
            })
            .collect();
        assert_eq!(numbers, [-0.0, 1500.0, 12.0, -0.02]);
        assert_eq!(
            value.get("s").unwrap().value.as_str(),
            Some("a\"\\/\u{8}\u{c}\n\r\té😀")
        );
        assert_eq!(
            value.get("t").unwrap().value.items().map(<[Value]>::len),
            Some(0)
        );
        // A lone surrogate, which .NET accepts, is the replacement character.
        assert_eq!(parsed(r#""\ud800x""#).as_str(), Some("\u{FFFD}x"));
        // So is `\'` (Newtonsoft reads it as `'`).
        assert_eq!(parsed(r#""it\'s""#).as_str(), Some("it's"));
        assert!(parse(FileId(0), " // only a comment\n").unwrap().is_none());
    }

    #[test]
    fn allocates_lists_and_objects_at_their_size() {
        let value = parsed(r#"{"a": [1, 2, 3], "b": {"c": [[], [4]]}}"#);
        let ValueKind::Object(entries) = &value.kind else {
            panic!()
        };
        assert_eq!(entries.capacity(), 2);
        let ValueKind::List(items) = &entries[0].value.kind else {
            panic!()
        };
        assert_eq!(items.capacity(), 3);
    }

    #[test]
    fn reports_errors_with_offsets() {
        for (text, offset, message) in [
            ("{\"a\": }", 6, "expected a value, found `}`"),
            (
                "{\"a\": 1 \"b\": 2}",
                8,
                "expected `,` or `}` after a property, found `\"`",
            ),
            (
                "[1 2]",
                3,
                "expected `,` or `]` after a list element, found `2`",
            ),
            (
                "{a: 1}",
                1,
                "expected a quoted property name or `}`, found `a`",
            ),
            ("\"abc", 0, "unterminated string"),
            ("[1] x", 4, "text after the end of the JSON document"),
            ("[trueish]", 1, "expected a value, found `t`"),
            (
                "[01]",
                2,
                "expected `,` or `]` after a list element, found `1`",
            ),
            ("[1.]", 3, "expected a digit after the decimal point"),
            ("\"\\x\"", 1, "invalid escape in a string"),
            ("/* open", 0, "unterminated `/*` comment"),
        ] {
            let error = parse(FileId(0), text).unwrap_err();
            assert_eq!(
                (error.offset, error.message.as_str()),
                (offset, message),
                "{text}"
            );
        }
        let deep = "[".repeat(100_000);
        assert!(parse(FileId(0), &deep)
            .unwrap_err()
            .message
            .contains("nested"));
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(FileId(0), &fine).is_ok());
    }
}
