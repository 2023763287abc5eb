//! Tokens of an ARM expression (the text between `[` and `]`).

use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Ident(String),
    /// A single-quoted string, with `''` unescaped.
    Str(String),
    Int(i64),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Dot,
    Comma,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lexed {
    pub token: Token,
    /// Byte range in the expression text.
    pub range: Range<usize>,
}

pub fn lex(text: &str) -> Result<Vec<Lexed>, String> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let token = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => Token::LParen,
            b')' => Token::RParen,
            b'[' => Token::LBracket,
            b']' => Token::RBracket,
            b'.' => Token::Dot,
            b',' => Token::Comma,
            b'\'' => {
                let mut value = String::new();
                let mut j = i + 1;
                loop {
                    match text[j..].find('\'') {
                        None => return Err(format!("unterminated string at {start}")),
                        Some(quote) => {
                            value.push_str(&text[j..j + quote]);
                            j += quote + 1;
                            if bytes.get(j) == Some(&b'\'') {
                                value.push('\'');
                                j += 1;
                            } else {
                                break;
                            }
                        }
                    }
                }
                i = j;
                tokens.push(Lexed {
                    token: Token::Str(value),
                    range: start..i,
                });
                continue;
            }
            b'-' | b'0'..=b'9' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                let number = text[i..j]
                    .parse::<i64>()
                    .map_err(|_| format!("invalid number `{}`", &text[i..j]))?;
                i = j;
                tokens.push(Lexed {
                    token: Token::Int(number),
                    range: start..i,
                });
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let mut j = i + 1;
                while j < bytes.len()
                    && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] == b'$')
                {
                    j += 1;
                }
                i = j;
                tokens.push(Lexed {
                    token: Token::Ident(text[start..j].to_string()),
                    range: start..i,
                });
                continue;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return Err(format!("unexpected character `{ch}`"));
            }
        };
        i += 1;
        tokens.push(Lexed {
            token,
            range: start..i,
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        lex(text).unwrap().into_iter().map(|l| l.token).collect()
    }

    #[test]
    fn lexes_calls_strings_and_numbers() {
        assert_eq!(
            tokens("concat('it''s', -1)[0].x"),
            vec![
                Token::Ident("concat".into()),
                Token::LParen,
                Token::Str("it's".into()),
                Token::Comma,
                Token::Int(-1),
                Token::RParen,
                Token::LBracket,
                Token::Int(0),
                Token::RBracket,
                Token::Dot,
                Token::Ident("x".into()),
            ]
        );
        assert!(lex("'open").is_err());
        assert!(lex("a ? b").is_err());
        assert!(lex("99999999999999999999").is_err());
    }
}
