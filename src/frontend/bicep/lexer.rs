//! Bicep tokens. Newlines matter (statements end at them) but are not tokens of their own: a
//! token says whether a newline came before it ([`Token::newline_before`]). Comments,
//! `#disable-next-line` style pragmas and other whitespace are skipped. Interpolated strings come out in pieces the way
//! the Bicep compiler lexes them: `'a${` (start), `}b${` (middle), `}c'` (end), with the
//! expression tokens in between.

use super::ast::{Loc, Text};
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
    /// Never lexed (newlines are [`Token::newline_before`]): what the parser sees where a newline
    /// counts.
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
    /// Whether a newline (or a comment holding one) comes between this token and the one
    /// before; never on the first token. Folded in here since every fourth token would
    /// otherwise be a newline.
    pub newline_before: bool,
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
    pub fn plain_content(&self) -> Loc {
        let close = match self.tok {
            Tok::StrStart | Tok::StrMiddle => 2,
            _ => 1,
        };
        Loc::new(self.start() + 1, self.end() - close)
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

/// 0xff for each byte of `chunk` that `stops` says a run ends at, 0 for the others, as one
/// number: the lowest nonzero byte is the first stop. Written byte by byte so that the compiler
/// makes it a few vector instructions for all sixteen bytes (safe Rust has no SIMD of its own).
fn stops_in(chunk: &[u8; 16], stops: fn(u8) -> bool) -> u128 {
    let mut mask = [0u8; 16];
    for k in 0..16 {
        mask[k] = (stops(chunk[k]) as u8).wrapping_neg();
    }
    u128::from_le_bytes(mask)
}

/// Where the first byte at or after `from` for which `stops` holds is, or the length; sixteen
/// bytes at a time while there are sixteen.
fn run_end(bytes: &[u8], from: usize, stops: fn(u8) -> bool) -> usize {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 16) {
        let Ok(chunk) = <&[u8; 16]>::try_from(chunk) else {
            break;
        };
        let found = stops_in(chunk, stops);
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 16;
    }
    while i < bytes.len() && !stops(bytes[i]) {
        i += 1;
    }
    i.min(bytes.len())
}

/// Whether `b` cannot continue an identifier (bytes of 0x80 and up, parts of non-ASCII
/// characters, cannot). Arithmetic rather than a table, so that it vectorizes.
fn ends_identifier(b: u8) -> bool {
    // `| 0x20` lowers A-Z into a-z and moves nothing else there.
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    // `|`, not `||`: no branches, so that it vectorizes.
    !(letter | digit | (b == b'_'))
}

/// Whether `b` ends a run of string content: `'`, `$`, `\\` or a newline.
fn ends_string_run(b: u8) -> bool {
    // `|`, not `||`: no branches, so that it vectorizes.
    (b == b'\'') | (b == b'$') | (b == b'\\') | (b == b'\n')
}

/// Where the first byte at or after `from` that cannot continue an identifier is, or the length.
/// Identifiers are most of the bytes outside strings (ten on average in Azure Verified Modules).
fn ident_end(bytes: &[u8], from: usize) -> usize {
    run_end(bytes, from, ends_identifier)
}

/// Where the first byte that ends a run of string content (`'`, `$`, `\\` or a newline) is at
/// or after `from`, or the length. Strings (descriptions above all) are much of a Bicep file.
fn string_run_end(bytes: &[u8], from: usize) -> usize {
    run_end(bytes, from, ends_string_run)
}

/// What a byte starts, for the lexer's dispatch: one table look-up per token instead of a chain
/// of tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// A space, tab or carriage return.
    Blank,
    Newline,
    Ident,
    Digit,
    Quote,
    /// A comment or `/`.
    Slash,
    /// A pragma (or an error).
    Hash,
    OpenBrace,
    CloseBrace,
    /// Punctuation that is one byte whatever follows: [`SINGLE`] says which. (Not a field here:
    /// a fieldless kind is one byte the dispatch jumps on without decoding it first.)
    Single,
    /// `:` or `::`, `.` or `...`: common enough (a `:` after every property name) to be told
    /// apart without the general look-up.
    Colon,
    Dot,
    /// Punctuation that may be one byte or more (`.`, `=`, `?`, ...), or none (`&`).
    Punct,
    /// Anything else: an error.
    Other,
}

const fn start_of(b: u8) -> Start {
    match b {
        b' ' | b'\t' | b'\r' => Start::Blank,
        b'\n' => Start::Newline,
        b'a'..=b'z' | b'A'..=b'Z' | b'_' => Start::Ident,
        b'0'..=b'9' => Start::Digit,
        b'\'' => Start::Quote,
        b'/' => Start::Slash,
        b'#' => Start::Hash,
        b'{' => Start::OpenBrace,
        b'}' => Start::CloseBrace,
        b'(' | b')' | b'[' | b']' | b',' | b'@' | b'+' | b'-' | b'*' | b'%' => Start::Single,
        b':' => Start::Colon,
        b'.' => Start::Dot,
        b'=' | b'!' | b'<' | b'>' | b'&' | b'|' | b'?' => Start::Punct,
        _ => Start::Other,
    }
}

const STARTS: [Start; 256] = {
    let mut table = [Start::Other; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = start_of(b as u8);
        b += 1;
    }
    table
};

/// The punctuation of each byte that is [`Start::Single`] (and `@` for the others, never read).
const SINGLE: [Punct; 256] = {
    let mut table = [Punct::At; 256];
    table[b'(' as usize] = Punct::OpenParen;
    table[b')' as usize] = Punct::CloseParen;
    table[b'[' as usize] = Punct::OpenBracket;
    table[b']' as usize] = Punct::CloseBracket;
    table[b',' as usize] = Punct::Comma;
    table[b'+' as usize] = Punct::Plus;
    table[b'-' as usize] = Punct::Minus;
    table[b'*' as usize] = Punct::Star;
    table[b'%' as usize] = Punct::Percent;
    table
};

/// A file's tokens, and the contents of the strings that are not [`PLAIN`].
#[derive(Debug, Default)]
pub struct Tokens {
    pub tokens: Vec<Token>,
    pub strings: Vec<Text>,
    /// The contents of the strings written with escapes, one after the other: what their
    /// [`Text::Unescaped`] ranges are ranges of.
    pub unescaped: String,
}

/// Add a token, with whether a newline came since the last one (and none has since).
fn push(tokens: &mut Vec<Token>, newline: &mut bool, tok: Tok, start: usize, end: usize) {
    push_string(tokens, newline, tok, start, end, PLAIN);
}

fn push_string(
    tokens: &mut Vec<Token>,
    newline: &mut bool,
    tok: Tok,
    start: usize,
    end: usize,
    string: u32,
) {
    // Offsets fit: `lex` refuses files of 4 GiB or more.
    tokens.push(Token {
        start: start as u32,
        end: end as u32,
        string,
        tok,
        newline_before: *newline,
    });
    *newline = false;
}

/// Where the newline that [`Token::newline_before`] stands for is, given the end of the token
/// before: the first `\n` after it, or the start of a block comment holding one if that comes
/// first (where a newline token was; errors name it).
pub fn newline_after(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return i,
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |at| i + 2 + at + 2);
                if text[i..end].contains('\n') {
                    return i;
                }
                i = end;
            }
            // Line comments and pragmas run up to the newline.
            b'/' | b'#' => return text[i..].find('\n').map_or(bytes.len(), |at| i + at),
            _ => i += 1,
        }
    }
    i
}

/// A file's tokens, in buffers of their own.
pub fn lex(text: &str) -> Result<Tokens, SyntaxError> {
    let mut out = Tokens::default();
    lex_into(text, &mut out).map(|()| out)
}

/// Lex `text` into `out`, replacing what it held (its buffers are reused).
pub fn lex_into(text: &str, out: &mut Tokens) -> Result<(), SyntaxError> {
    let tokens = &mut out.tokens;
    let strings = &mut out.strings;
    let unescaped = &mut out.unescaped;
    tokens.clear();
    strings.clear();
    unescaped.clear();
    if text.len() >= PLAIN as usize {
        return Err(error(0, "file too large (4 GiB or more)"));
    }
    let bytes = text.as_bytes();
    // Enough for a typical file (one token in ten bytes in Azure Verified Modules).
    tokens.reserve(text.len() / 5 + 1);
    // Whether a newline has come since the last token (never before the first).
    let mut newline = false;
    // One entry per open `${`: how many `{` opened inside it are still open.
    let mut interpolations: Vec<usize> = Vec::new();
    let mut i = 0;
    loop {
        // Spaces (between most tokens, and indentation) are stepped over before the dispatch
        // on the next byte, which costs more.
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else {
            break;
        };
        match STARTS[b as usize] {
            Start::Blank => {
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r') {
                    i += 1;
                }
            }
            Start::Newline => {
                newline = !tokens.is_empty();
                i += 1;
            }
            Start::Ident => {
                let start = i;
                i = ident_end(bytes, i + 1);
                push(tokens, &mut newline, Tok::Ident, start, i);
                // A property name and its `:` (and the space after it), the most common pair
                // of tokens, taken here without a second trip through the dispatch.
                if bytes.get(i) == Some(&b':') && bytes.get(i + 1) == Some(&b' ') {
                    push(tokens, &mut newline, Tok::Punct(Punct::Colon), i, i + 1);
                    i += 2;
                }
            }
            Start::Single => {
                let punct = SINGLE[b as usize];
                push(tokens, &mut newline, Tok::Punct(punct), i, i + 1);
                i += 1;
            }
            Start::Colon => {
                let punct = match bytes.get(i + 1) {
                    Some(b':') => Punct::ColonColon,
                    _ => Punct::Colon,
                };
                let end = i + punct.text().len();
                push(tokens, &mut newline, Tok::Punct(punct), i, end);
                i = end;
            }
            Start::Dot => {
                let punct = match bytes.get(i + 1..i + 3) {
                    Some(b"..") => Punct::Spread,
                    _ => Punct::Dot,
                };
                let end = i + punct.text().len();
                push(tokens, &mut newline, Tok::Punct(punct), i, end);
                i = end;
            }
            Start::Slash if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |at| i + at);
            }
            Start::Slash if bytes.get(i + 1) == Some(&b'*') => {
                let start = i;
                let Some(close) = text[i + 2..].find("*/") else {
                    return Err(error(start, "block comment `/*` is never closed"));
                };
                let end = i + 2 + close + 2;
                if text[i..end].contains('\n') {
                    newline = !tokens.is_empty();
                }
                i = end;
            }
            Start::Slash => {
                push(tokens, &mut newline, Tok::Punct(Punct::Slash), i, i + 1);
                i += 1;
            }
            // Pragmas (`#disable-next-line rule`, `#disable-diagnostics`) run to the end of line.
            Start::Hash if text[i + 1..].starts_with("disable") => {
                i = text[i..].find('\n').map_or(bytes.len(), |at| i + at);
            }
            Start::Quote if text[i..].starts_with("'''") => {
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
                strings.push(Text::Source(Loc::new(content.min(end - 3), end - 3)));
                let string = (strings.len() - 1) as u32;
                push_string(tokens, &mut newline, Tok::Str, start, end, string);
                i = end;
            }
            Start::Quote => {
                // Most strings are plain text up to their closing quote: taken here, where
                // `string_piece` (escapes, interpolation, errors) would find the same.
                let run = string_run_end(bytes, i + 1);
                if bytes.get(run) == Some(&b'\'') {
                    push(tokens, &mut newline, Tok::Str, i, run + 1);
                    i = run + 1;
                    continue;
                }
                let (tok, end, string) = string_piece(text, i, true, strings, unescaped)?;
                push_string(tokens, &mut newline, tok, i, end, string);
                if tok == Tok::StrStart {
                    interpolations.push(0);
                }
                i = end;
            }
            Start::CloseBrace if interpolations.last() == Some(&0) => {
                let (tok, end, string) = string_piece(text, i, false, strings, unescaped)?;
                push_string(tokens, &mut newline, tok, i, end, string);
                if tok == Tok::StrEnd {
                    interpolations.pop();
                }
                i = end;
            }
            Start::CloseBrace => {
                if let Some(open) = interpolations.last_mut() {
                    *open = open.saturating_sub(1);
                }
                push(
                    tokens,
                    &mut newline,
                    Tok::Punct(Punct::CloseBrace),
                    i,
                    i + 1,
                );
                i += 1;
            }
            Start::OpenBrace => {
                if let Some(open) = interpolations.last_mut() {
                    *open += 1;
                }
                push(tokens, &mut newline, Tok::Punct(Punct::OpenBrace), i, i + 1);
                i += 1;
            }
            Start::Digit => {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                push(tokens, &mut newline, Tok::Int, start, i);
            }
            Start::Punct | Start::Hash | Start::Other => {
                let Some(punct) = punctuation(&bytes[i..]) else {
                    let c = text[i..].chars().next().unwrap_or('?');
                    return Err(error(i, format!("unexpected character `{c}`")));
                };
                let end = i + punct.text().len();
                push(tokens, &mut newline, Tok::Punct(punct), i, end);
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
    push(tokens, &mut newline, Tok::Eof, text.len(), text.len());
    Ok(())
}

/// Lex one piece of a string starting at `start`, up to a closing `'` or an opening `${`: its
/// kind, where it ends, and its content's index in `strings` or [`PLAIN`]. `opening` says
/// whether the piece begins with a quote (start or whole string) or with the `}` that closes an
/// interpolation (middle or end). Content without escapes stays a range of the source
/// ([`PLAIN`]); only an escape makes a copy, at the end of `unescaped_contents`.
fn string_piece(
    text: &str,
    start: usize,
    opening: bool,
    strings: &mut Vec<Text>,
    unescaped_contents: &mut String,
) -> Result<(Tok, usize, u32), SyntaxError> {
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
                let from = unescaped_contents.len();
                unescaped_contents.push_str(&value);
                strings.push(Text::Unescaped(Loc::new(from, unescaped_contents.len())));
                (strings.len() - 1) as u32
            }
            None => PLAIN,
        };
        return Ok((tok, end, string));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Token kinds, with strings shown by content.
    fn kinds(text: &str) -> Vec<String> {
        let lexed = lex(text).unwrap();
        let content = |t: &Token| match t.string {
            PLAIN => text[t.plain_content().range()].to_string(),
            index => lexed.strings[index as usize]
                .get(text, &lexed.unescaped)
                .to_string(),
        };
        // A newline before a token shows as a `Newline` of its own.
        let mut kinds = Vec::new();
        for t in &lexed.tokens {
            if t.newline_before {
                kinds.push("Newline".to_string());
            }
            kinds.push(match t.tok {
                Tok::Str | Tok::StrStart | Tok::StrMiddle | Tok::StrEnd => {
                    format!("{:?}({:?})", t.tok, content(t))
                }
                other => format!("{other:?}"),
            });
        }
        kinds
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
                .find(|&i| !(text[i].is_ascii_alphanumeric() || text[i] == b'_'))
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
