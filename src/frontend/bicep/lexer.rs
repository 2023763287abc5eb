//! Bicep tokens. Newlines are tokens (statements end at them); comments, `#disable-next-line`
//! style pragmas and other whitespace are skipped. Interpolated strings come out in pieces the way
//! the Bicep compiler lexes them: `'a${` (start), `}b${` (middle), `}c'` (end), with the
//! expression tokens in between.

use super::ast::Text;
use crate::frontend::SyntaxError;

/// A punctuation token, by name; [`Punct::text`] is how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Punct {
    /// `...`
    Spread,
    /// `=>`
    Arrow,
    /// `==`
    EqualEqual,
    /// `!=`
    NotEqual,
    /// `=~`
    EqualTilde,
    /// `!~`
    NotTilde,
    /// `<=`
    LessEqual,
    /// `>=`
    GreaterEqual,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `??`
    Coalesce,
    /// `::`
    ColonColon,
    /// `{`
    OpenBrace,
    /// `}`
    CloseBrace,
    /// `[`
    OpenBracket,
    /// `]`
    CloseBracket,
    /// `(`
    OpenParen,
    /// `)`
    CloseParen,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `:`
    Colon,
    /// `?`
    Question,
    /// `!`
    Bang,
    /// `=`
    Equal,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `@`
    At,
    /// `|`
    Pipe,
}

impl Punct {
    pub fn text(self) -> &'static str {
        match self {
            Punct::Spread => "...",
            Punct::Arrow => "=>",
            Punct::EqualEqual => "==",
            Punct::NotEqual => "!=",
            Punct::EqualTilde => "=~",
            Punct::NotTilde => "!~",
            Punct::LessEqual => "<=",
            Punct::GreaterEqual => ">=",
            Punct::AndAnd => "&&",
            Punct::OrOr => "||",
            Punct::Coalesce => "??",
            Punct::ColonColon => "::",
            Punct::OpenBrace => "{",
            Punct::CloseBrace => "}",
            Punct::OpenBracket => "[",
            Punct::CloseBracket => "]",
            Punct::OpenParen => "(",
            Punct::CloseParen => ")",
            Punct::Comma => ",",
            Punct::Dot => ".",
            Punct::Colon => ":",
            Punct::Question => "?",
            Punct::Bang => "!",
            Punct::Equal => "=",
            Punct::Less => "<",
            Punct::Greater => ">",
            Punct::Plus => "+",
            Punct::Minus => "-",
            Punct::Star => "*",
            Punct::Slash => "/",
            Punct::Percent => "%",
            Punct::At => "@",
            Punct::Pipe => "|",
        }
    }
}

/// A token's kind. Tokens are `Copy` and small; what they say beyond their kind is their text
/// (a number is read from it when the parser needs its value) and, for the rare string whose
/// content is not simply the text between its delimiters, an entry in [`Tokens::strings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Ident,
    /// A run of digits.
    Int,
    /// A string without interpolation (`'...'` or `'''...'''`).
    Str,
    /// `'text${`
    StrStart,
    /// `}text${`
    StrMiddle,
    /// `}text'`
    StrEnd,
    Newline,
    Punct(Punct),
    Eof,
}

/// [`Token::string`] of a string token whose content is its text between the delimiters, and
/// of every other token.
pub const PLAIN: u32 = u32::MAX;

/// Sixteen bytes: offsets are 32-bit, since [`lex`] refuses files of 4 GiB or more.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    /// For a string token with escapes or written `'''`: its content's index in
    /// [`Tokens::strings`]; otherwise [`PLAIN`].
    pub string: u32,
    pub tok: Tok,
}

impl Token {
    pub fn start(&self) -> usize {
        self.start as usize
    }

    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// Where the content of a [`PLAIN`] string token is: after its opening `'` or `}`, before
    /// its closing `'` or `${`.
    pub fn plain_content(&self) -> std::ops::Range<usize> {
        let close = match self.tok {
            Tok::StrStart | Tok::StrMiddle => 2,
            _ => 1,
        };
        self.start() + 1..self.end() - close
    }
}

/// The punctuation token at the start of `rest`, longest first (`...` over `.`, `??` over `?`).
fn punctuation(rest: &[u8]) -> Option<Punct> {
    let second = rest.get(1).copied().unwrap_or(0);
    Some(match (rest.first()?, second) {
        (b'.', b'.') if rest.get(2) == Some(&b'.') => Punct::Spread,
        (b'=', b'>') => Punct::Arrow,
        (b'=', b'=') => Punct::EqualEqual,
        (b'!', b'=') => Punct::NotEqual,
        (b'=', b'~') => Punct::EqualTilde,
        (b'!', b'~') => Punct::NotTilde,
        (b'<', b'=') => Punct::LessEqual,
        (b'>', b'=') => Punct::GreaterEqual,
        (b'&', b'&') => Punct::AndAnd,
        (b'|', b'|') => Punct::OrOr,
        (b'?', b'?') => Punct::Coalesce,
        (b':', b':') => Punct::ColonColon,
        (b'{', _) => Punct::OpenBrace,
        (b'}', _) => Punct::CloseBrace,
        (b'[', _) => Punct::OpenBracket,
        (b']', _) => Punct::CloseBracket,
        (b'(', _) => Punct::OpenParen,
        (b')', _) => Punct::CloseParen,
        (b',', _) => Punct::Comma,
        (b'.', _) => Punct::Dot,
        (b':', _) => Punct::Colon,
        (b'?', _) => Punct::Question,
        (b'!', _) => Punct::Bang,
        (b'=', _) => Punct::Equal,
        (b'<', _) => Punct::Less,
        (b'>', _) => Punct::Greater,
        (b'+', _) => Punct::Plus,
        (b'-', _) => Punct::Minus,
        (b'*', _) => Punct::Star,
        (b'/', _) => Punct::Slash,
        (b'%', _) => Punct::Percent,
        (b'@', _) => Punct::At,
        (b'|', _) => Punct::Pipe,
        _ => return None,
    })
}

fn error(offset: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        offset,
        message: message.into(),
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    IDENT_CONTINUE[b as usize]
}

/// Bytes that may continue an identifier, by value (a table: identifiers are most of the bytes
/// outside strings).
const IDENT_CONTINUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// Where the first byte at or after `from` that cannot continue an identifier is, or the length.
/// Identifiers are most of the bytes outside strings (eight on average in Azure Verified
/// Modules), so this looks at eight bytes at a time.
fn ident_end(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // With every byte of `ascii` below 0x80 no sum below carries into the next byte, so each
    // byte's high bit is exact: set where the byte is in `low..=high`.
    let in_range = |ascii: u64, low: u8, high: u8| {
        (ascii + ONES * (0x80 - low) as u64) & !(ascii + ONES * (0x7f - high) as u64) & HIGHS
    };
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(chunk);
        let ascii = word & LOWS;
        // `| 0x20` lowers A-Z into a-z and moves nothing else there.
        let letters = in_range(ascii | (ONES * 0x20), b'a', b'z');
        let digits = in_range(ascii, b'0', b'9');
        let underscores = in_range(ascii, b'_', b'_');
        // Bytes of 0x80 and up (parts of non-ASCII characters) end an identifier too.
        let continues = (letters | digits | underscores) & !word;
        let ends = !continues & HIGHS;
        if ends != 0 {
            return i + (ends.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && is_ident_continue(bytes[i]) {
        i += 1;
    }
    i.min(bytes.len())
}

/// Where the first byte that ends a run of string content (`'`, `$`, `\\` or a newline) is at
/// or after `from`, or the length. Strings (descriptions above all) are much of a Bicep file, so
/// this looks at eight bytes at a time.
fn string_run_end(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `word` equal to `byte`; the lowest one set is exact.
    let equal = |word: u64, byte: u8| {
        let x = word ^ (ONES * byte as u64);
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(chunk);
        let found =
            equal(word, b'\'') | equal(word, b'$') | equal(word, b'\\') | equal(word, b'\n');
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && !matches!(bytes[i], b'\'' | b'\n' | b'$' | b'\\') {
        i += 1;
    }
    i.min(bytes.len())
}

/// A file's tokens, and the contents of the strings that are not [`PLAIN`].
#[derive(Debug, Default)]
pub struct Tokens {
    pub tokens: Vec<Token>,
    pub strings: Vec<Text>,
}

impl Tokens {
    fn push(&mut self, tok: Tok, start: usize, end: usize) {
        self.push_string(tok, start, end, PLAIN);
    }

    fn push_string(&mut self, tok: Tok, start: usize, end: usize, string: u32) {
        // Offsets fit: `lex` refuses files of 4 GiB or more.
        self.tokens.push(Token {
            start: start as u32,
            end: end as u32,
            string,
            tok,
        });
    }

    /// A newline token, unless the last token is one or there is none yet.
    fn newline(&mut self, at: usize) {
        if !matches!(
            self.tokens.last(),
            Some(Token {
                tok: Tok::Newline,
                ..
            }) | None
        ) {
            self.push(Tok::Newline, at, at + 1);
        }
    }
}

/// A file's tokens, in buffers of their own.
pub fn lex(text: &str) -> Result<Tokens, SyntaxError> {
    let mut out = Tokens::default();
    lex_into(text, &mut out).map(|()| out)
}

/// Lex `text` into `out`, replacing what it held (its buffers are reused).
pub fn lex_into(text: &str, out: &mut Tokens) -> Result<(), SyntaxError> {
    if text.len() >= PLAIN as usize {
        return Err(error(0, "file too large (4 GiB or more)"));
    }
    let bytes = text.as_bytes();
    out.tokens.clear();
    out.strings.clear();
    // About one token in five bytes of a typical file.
    out.tokens.reserve(text.len() / 5 + 1);
    // One entry per open `${`: how many `{` opened inside it are still open.
    let mut interpolations: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\r' => {
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r') {
                    i += 1;
                }
            }
            b'\n' => {
                out.newline(i);
                i += 1;
            }
            _ if is_ident_start(b) => {
                let start = i;
                i = ident_end(bytes, i + 1);
                out.push(Tok::Ident, start, i);
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |at| i + at);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let start = i;
                let Some(close) = text[i + 2..].find("*/") else {
                    return Err(error(start, "block comment `/*` is never closed"));
                };
                let end = i + 2 + close + 2;
                if text[i..end].contains('\n') {
                    out.newline(i);
                }
                i = end;
            }
            // Pragmas (`#disable-next-line rule`, `#disable-diagnostics`) run to the end of line.
            b'#' if text[i + 1..].starts_with("disable") => {
                i = text[i..].find('\n').map_or(bytes.len(), |at| i + at);
            }
            b'\'' if text[i..].starts_with("'''") => {
                let start = i;
                let Some(close) = text[i + 3..].find("'''") else {
                    return Err(error(start, "multi-line string `'''` is never closed"));
                };
                // A multi-line string may end with more quotes than three: the extra ones are
                // content (`''''a''''` is `'a'`).
                let mut end = i + 3 + close + 3;
                while bytes.get(end) == Some(&b'\'') {
                    end += 1;
                }
                let mut content = i + 3;
                // A newline right after the opening quotes is not part of the value.
                if text[content..].starts_with("\r\n") {
                    content += 2;
                } else if text[content..].starts_with('\n') {
                    content += 1;
                }
                out.strings
                    .push(Text::Source(content.min(end - 3)..end - 3));
                let string = (out.strings.len() - 1) as u32;
                out.push_string(Tok::Str, start, end, string);
                i = end;
            }
            b'\'' => {
                i = string_piece(text, i, true, out)?;
                if out.tokens.last().is_some_and(|t| t.tok == Tok::StrStart) {
                    interpolations.push(0);
                }
            }
            b'}' if interpolations.last() == Some(&0) => {
                i = string_piece(text, i, false, out)?;
                if out.tokens.last().is_some_and(|t| t.tok == Tok::StrEnd) {
                    interpolations.pop();
                }
            }
            b'0'..=b'9' => {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                out.push(Tok::Int, start, i);
            }
            _ => {
                let Some(punct) = punctuation(&bytes[i..]) else {
                    let c = text[i..].chars().next().unwrap_or('?');
                    return Err(error(i, format!("unexpected character `{c}`")));
                };
                match punct {
                    Punct::OpenBrace => {
                        if let Some(open) = interpolations.last_mut() {
                            *open += 1;
                        }
                    }
                    Punct::CloseBrace => {
                        if let Some(open) = interpolations.last_mut() {
                            *open = open.saturating_sub(1);
                        }
                    }
                    _ => {}
                }
                let end = i + punct.text().len();
                out.push(Tok::Punct(punct), i, end);
                i = end;
            }
        }
    }
    if !interpolations.is_empty() {
        return Err(error(
            text.len(),
            "string interpolation `${` is never closed",
        ));
    }
    out.push(Tok::Eof, text.len(), text.len());
    Ok(())
}

/// Lex one piece of a string starting at `start`, up to a closing `'` or an opening `${`, and
/// say where lexing goes on. `opening` says whether the piece begins with a quote (start or
/// whole string) or with the `}` that closes an interpolation (middle or end). Content without
/// escapes stays a range of the source ([`PLAIN`]); only an escape makes a copy.
fn string_piece(
    text: &str,
    start: usize,
    opening: bool,
    out: &mut Tokens,
) -> Result<usize, SyntaxError> {
    let bytes = text.as_bytes();
    let from = start + 1;
    // The unescaped content so far, once an escape has been seen.
    let mut unescaped: Option<String> = None;
    let mut i = from;
    loop {
        // The run up to the next byte that means something, copied only once there is a copy.
        let run = string_run_end(bytes, i);
        if let Some(value) = &mut unescaped {
            match text.get(i..run) {
                Some(piece) => value.push_str(piece),
                None => return Err(error(i, "string is never closed")),
            }
        }
        i = run;
        let Some(&b) = bytes.get(i) else {
            return Err(error(start, "string is never closed"));
        };
        let (tok, end) = match b {
            b'\'' if opening => (Tok::Str, i + 1),
            b'\'' => (Tok::StrEnd, i + 1),
            b'$' if bytes.get(i + 1) == Some(&b'{') && opening => (Tok::StrStart, i + 2),
            b'$' if bytes.get(i + 1) == Some(&b'{') => (Tok::StrMiddle, i + 2),
            b'\n' => {
                return Err(error(
                    start,
                    "string is not closed on its line (use ''' for multi-line strings)",
                ))
            }
            b'$' => {
                if let Some(value) = &mut unescaped {
                    value.push('$');
                }
                i += 1;
                continue;
            }
            _ => {
                // A backslash: from here on the content is a copy.
                let value = unescaped.get_or_insert_with(|| text[from..i].to_string());
                let Some(&escaped) = bytes.get(i + 1) else {
                    return Err(error(i, "string is never closed"));
                };
                match escaped {
                    b'\\' => value.push('\\'),
                    b'\'' => value.push('\''),
                    b'n' => value.push('\n'),
                    b'r' => value.push('\r'),
                    b't' => value.push('\t'),
                    b'$' => value.push('$'),
                    b'u' if bytes.get(i + 2) == Some(&b'{') => {
                        let Some(close) = text[i + 3..].find('}') else {
                            return Err(error(i, "unclosed `\\u{` escape"));
                        };
                        let hex = &text[i + 3..i + 3 + close];
                        let c = u32::from_str_radix(hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| error(i, format!("invalid escape `\\u{{{hex}}}`")))?;
                        value.push(c);
                        i += 3 + close + 1;
                        continue;
                    }
                    _ => {
                        return Err(error(
                            i,
                            format!("invalid escape `\\{}` in string", escaped as char),
                        ))
                    }
                }
                i += 2;
                continue;
            }
        };
        let string = match unescaped {
            Some(value) => {
                out.strings.push(Text::Unescaped(value.into_boxed_str()));
                (out.strings.len() - 1) as u32
            }
            None => PLAIN,
        };
        out.push_string(tok, start, end, string);
        return Ok(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Token kinds, with strings shown by content.
    fn kinds(text: &str) -> Vec<String> {
        let lexed = lex(text).unwrap();
        let content = |t: &Token| match t.string {
            PLAIN => text[t.plain_content()].to_string(),
            index => lexed.strings[index as usize].get(text).to_string(),
        };
        lexed
            .tokens
            .iter()
            .map(|t| match t.tok {
                Tok::Str | Tok::StrStart | Tok::StrMiddle | Tok::StrEnd => {
                    format!("{:?}({:?})", t.tok, content(t))
                }
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn strings_interpolation_and_escapes() {
        assert_eq!(
            kinds("'a${b}c${ {x: 1}.x }d'"),
            vec![
                "StrStart(\"a\")".to_string(),
                "Ident".to_string(),
                "StrMiddle(\"c\")".to_string(),
                "Punct(OpenBrace)".to_string(),
                "Ident".to_string(),
                "Punct(Colon)".to_string(),
                "Int".to_string(),
                "Punct(CloseBrace)".to_string(),
                "Punct(Dot)".to_string(),
                "Ident".to_string(),
                "StrEnd(\"d\")".to_string(),
                "Eof".to_string()
            ]
        );
        assert_eq!(
            kinds(r"'it\'s \$x \u{41}'"),
            vec!["Str(\"it's $x A\")".to_string(), "Eof".to_string()]
        );
        assert_eq!(
            kinds("'''\nline ${not} 'x'\n'''"),
            vec!["Str(\"line ${not} 'x'\\n\")".to_string(), "Eof".to_string()]
        );
    }

    #[test]
    fn newlines_collapse_and_comments_vanish() {
        assert_eq!(
            kinds("a // c\n\n/* x\n */ b #disable-next-line foo\n"),
            vec![
                "Ident".to_string(),
                "Newline".to_string(),
                "Ident".to_string(),
                "Newline".to_string(),
                "Eof".to_string()
            ]
        );
    }

    #[test]
    fn string_runs_end_at_the_first_special_byte() {
        let text = b"abcdefgh'ijklmnop$qrstuvwxyz0123\\45\n6789abcdefghijklm";
        for from in 0..=text.len() + 2 {
            let expected = (from..text.len())
                .find(|&i| matches!(text[i], b'\'' | b'\n' | b'$' | b'\\'))
                .unwrap_or(text.len());
            assert_eq!(string_run_end(text, from), expected, "from {from}");
        }
    }

    #[test]
    fn identifiers_end_at_the_first_byte_that_cannot_continue_one() {
        let mut text = b"abcXYZ_09azAZ".to_vec();
        // Every byte value, each in its own place among identifier bytes.
        for b in 0..=255u8 {
            text.extend_from_slice(b"ab_9");
            text.push(b);
        }
        text.extend_from_slice(b"tail_of_it");
        for from in 0..=text.len() + 2 {
            let expected = (from..text.len())
                .find(|&i| !is_ident_continue(text[i]))
                .unwrap_or(text.len());
            assert_eq!(ident_end(&text, from), expected, "from {from}");
        }
    }

    #[test]
    fn errors_name_the_offset() {
        assert_eq!(lex("x = 'abc").unwrap_err().offset, 4);
        assert_eq!(lex("a ^ b").unwrap_err().offset, 2);
        assert!(lex("'${a'").is_err());
        assert!(lex("/* open").is_err());
    }
}
