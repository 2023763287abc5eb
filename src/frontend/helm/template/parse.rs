//! Go `text/template` parser: a tree with the template-file range on every node, and the named
//! templates (`define`, `block`) the text declares.

use std::ops::Range;

use super::lexer::{lex, LexError, Tok, Token};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Literal text, output as it is; `range` is where it stands in the template.
    Text {
        text: String,
        range: Range<usize>,
    },
    Action {
        pipe: Pipe,
        range: Range<usize>,
    },
    If(Branch),
    With(Branch),
    Range(Branch),
    /// `{{template "name" pipe}}` (also what `block` leaves in place).
    Template {
        name: String,
        pipe: Option<Pipe>,
        range: Range<usize>,
    },
    Break {
        range: Range<usize>,
    },
    Continue {
        range: Range<usize>,
    },
}

/// `if`, `with` and `range`: the pipeline, the body and the `else` part.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub pipe: Pipe,
    pub body: Vec<Node>,
    pub otherwise: Vec<Node>,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipe {
    /// Variables declared (`$x :=`) or assigned (`$x =`).
    pub vars: Vec<String>,
    pub assign: bool,
    pub commands: Vec<Command>,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub args: Vec<Arg>,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `.a.b` (empty for `.`).
    Field(Vec<String>),
    /// `$x.a.b` (`$` is the name "").
    Var(String, Vec<String>),
    /// A function name.
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    /// `(pipeline)` with an optional field chain after it.
    Pipe(Box<Pipe>, Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub operand: Operand,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

impl From<LexError> for ParseError {
    fn from(e: LexError) -> ParseError {
        ParseError {
            offset: e.offset,
            message: e.message,
        }
    }
}

/// What one template text declares: its own body and the named templates it defines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub body: Vec<Node>,
    pub defines: Vec<(String, Vec<Node>)>,
}

/// Deepest nesting of control structures and parentheses accepted: hostile input cannot
/// overflow the stack.
const MAX_DEPTH: usize = 100;

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        defines: Vec::new(),
        depth: 0,
        end_offset: text.len(),
    };
    let (body, end) = parser.list(true)?;
    if let Some(end) = end {
        return Err(parser.error_at(end.start, "unexpected {{end}} or {{else}}"));
    }
    Ok(Parsed {
        body,
        defines: parser.defines,
    })
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    defines: Vec<(String, Vec<Node>)>,
    depth: usize,
    end_offset: usize,
}

/// What ended a list: `{{end}}`, `{{else}}`, `{{else if|with ...}}` (the keyword and the
/// position of its pipeline), or the end of the text.
#[derive(Debug)]
enum Stop {
    End(Range<usize>),
    Else(Range<usize>),
    ElseChain(String, Range<usize>),
}

impl Parser {
    fn error_at(&self, offset: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            offset,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn offset(&self) -> usize {
        self.peek().map_or(self.end_offset, |t| t.range.start)
    }

    fn next(&mut self) -> Result<Token, ParseError> {
        let token = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or_else(|| self.error_at(self.end_offset, "unexpected end of template"))?;
        self.pos += 1;
        Ok(token)
    }

    fn expect_close(&mut self) -> Result<usize, ParseError> {
        let token = self.next()?;
        match token.tok {
            Tok::Close => Ok(token.range.end),
            other => {
                Err(self.error_at(token.range.start, format!("unexpected {other:?} in action")))
            }
        }
    }

    /// Nodes up to `{{end}}`/`{{else}}` (returned) or the end of text (only at top level).
    fn list(&mut self, top: bool) -> Result<(Vec<Node>, Option<Range<usize>>), ParseError> {
        let (nodes, stop) = self.list_until()?;
        match stop {
            None if top => Ok((nodes, None)),
            None => Err(self.error_at(self.end_offset, "unexpected EOF: missing {{end}}")),
            Some(Stop::End(r)) | Some(Stop::Else(r)) | Some(Stop::ElseChain(_, r)) if top => {
                Ok((nodes, Some(r)))
            }
            Some(Stop::End(r)) => Ok((nodes, Some(r))),
            Some(Stop::Else(r)) | Some(Stop::ElseChain(_, r)) => {
                Err(self.error_at(r.start, "unexpected {{else}}"))
            }
        }
    }

    fn list_until(&mut self) -> Result<(Vec<Node>, Option<Stop>), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(
                self.offset(),
                format!("templates nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let mut nodes = Vec::new();
        let result = loop {
            let Some(token) = self.peek().cloned() else {
                break None;
            };
            self.pos += 1;
            match token.tok {
                Tok::Text(text) => nodes.push(Node::Text {
                    text,
                    range: token.range,
                }),
                Tok::Open => match self.action(token.range.start)? {
                    Item::Node(node) => nodes.push(node),
                    Item::Nothing => {}
                    Item::Stop(stop) => break Some(stop),
                },
                other => {
                    return Err(self.error_at(token.range.start, format!("unexpected {other:?}")))
                }
            }
        };
        self.depth -= 1;
        Ok((nodes, result))
    }

    fn action(&mut self, open: usize) -> Result<Item, ParseError> {
        let keyword = match self.peek() {
            Some(Token {
                tok: Tok::Ident(word),
                ..
            }) => Some(word.clone()),
            _ => None,
        };
        match keyword.as_deref() {
            Some("end") => {
                self.pos += 1;
                let end = self.expect_close()?;
                Ok(Item::Stop(Stop::End(open..end)))
            }
            Some("else") => {
                self.pos += 1;
                if let Some(Token {
                    tok: Tok::Ident(word),
                    ..
                }) = self.peek()
                {
                    if word == "if" || word == "with" {
                        let word = word.clone();
                        self.pos += 1;
                        return Ok(Item::Stop(Stop::ElseChain(word, open..self.offset())));
                    }
                }
                let end = self.expect_close()?;
                Ok(Item::Stop(Stop::Else(open..end)))
            }
            Some(word @ ("if" | "with" | "range")) => {
                let word = word.to_string();
                self.pos += 1;
                let branch = self.branch(&word, open)?;
                Ok(Item::Node(match word.as_str() {
                    "if" => Node::If(branch),
                    "with" => Node::With(branch),
                    _ => Node::Range(branch),
                }))
            }
            Some("break") | Some("continue") => {
                let word = keyword.unwrap_or_default();
                self.pos += 1;
                let end = self.expect_close()?;
                Ok(Item::Node(if word == "break" {
                    Node::Break { range: open..end }
                } else {
                    Node::Continue { range: open..end }
                }))
            }
            Some(word @ ("template" | "block" | "define")) => {
                let word = word.to_string();
                self.pos += 1;
                let name_token = self.next()?;
                let Tok::Str(name) = name_token.tok else {
                    return Err(self.error_at(
                        name_token.range.start,
                        format!("{word} requires a quoted name"),
                    ));
                };
                if word == "define" {
                    let _ = self.expect_close()?;
                    let (body, end) = self.list(false)?;
                    if end.is_none() {
                        return Err(self.error_at(open, "define without {{end}}"));
                    }
                    self.defines.push((name, body));
                    return Ok(Item::Nothing);
                }
                let pipe = if matches!(self.peek().map(|t| &t.tok), Some(Tok::Close)) {
                    None
                } else {
                    Some(self.pipeline(false)?)
                };
                let end = self.expect_close()?;
                if word == "block" {
                    let (body, stop) = self.list(false)?;
                    if stop.is_none() {
                        return Err(self.error_at(open, "block without {{end}}"));
                    }
                    self.defines.push((name.clone(), body));
                }
                Ok(Item::Node(Node::Template {
                    name,
                    pipe,
                    range: open..end,
                }))
            }
            _ => {
                let pipe = self.pipeline(true)?;
                let end = self.expect_close()?;
                Ok(Item::Node(Node::Action {
                    pipe,
                    range: open..end,
                }))
            }
        }
    }

    /// `if`/`with`/`range` after the keyword: pipeline, body, optional else (and `else if`
    /// chains, which are an `else` holding one nested `if`).
    fn branch(&mut self, word: &str, open: usize) -> Result<Branch, ParseError> {
        let pipe = self.pipeline(true)?;
        let _ = self.expect_close()?;
        let (body, stop) = self.list_until()?;
        let (otherwise, end) = match stop {
            None => {
                return Err(self.error_at(
                    open,
                    format!("unexpected EOF: {{{{{word}}}}} without {{{{end}}}}"),
                ))
            }
            Some(Stop::End(r)) => (Vec::new(), r.end),
            Some(Stop::Else(_)) => {
                let (otherwise, end) = self.list(false)?;
                (otherwise, end.map_or(self.end_offset, |r| r.end))
            }
            Some(Stop::ElseChain(chained, r)) => {
                if word == "range" || (chained != word) {
                    // Go allows `else with` only in `with`, `else if` in `if` (and both since
                    // Go 1.23 in their own kind); anything else is a parse error.
                    return Err(
                        self.error_at(r.start, format!("unexpected else {chained} in {word}"))
                    );
                }
                let nested = self.branch(&chained, r.start)?;
                let end = nested.range.end;
                let node = if chained == "if" {
                    Node::If(nested)
                } else {
                    Node::With(nested)
                };
                (vec![node], end)
            }
        };
        Ok(Branch {
            pipe,
            body,
            otherwise,
            range: open..end,
        })
    }

    fn pipeline(&mut self, allow_decl: bool) -> Result<Pipe, ParseError> {
        let start = self.offset();
        let mut vars = Vec::new();
        let mut assign = false;
        // `$x :=`, `$x =`, `$i, $v :=` (range only, but Go parses it everywhere).
        if allow_decl {
            let save = self.pos;
            let mut names = Vec::new();
            loop {
                match self.peek().map(|t| t.tok.clone()) {
                    Some(Tok::Var(name)) => {
                        self.pos += 1;
                        names.push(name);
                        match self.peek().map(|t| t.tok.clone()) {
                            Some(Tok::Comma) if names.len() == 1 => {
                                self.pos += 1;
                                continue;
                            }
                            Some(Tok::Declare) => {
                                self.pos += 1;
                                vars = names;
                                break;
                            }
                            Some(Tok::Assign) => {
                                self.pos += 1;
                                vars = names;
                                assign = true;
                                break;
                            }
                            _ => {
                                self.pos = save;
                                break;
                            }
                        }
                    }
                    _ => {
                        self.pos = save;
                        break;
                    }
                }
            }
        }
        let mut commands = Vec::new();
        loop {
            commands.push(self.command()?);
            match self.peek().map(|t| &t.tok) {
                Some(Tok::Pipe) => {
                    self.pos += 1;
                }
                _ => break,
            }
        }
        let end = commands.last().map_or(start, |c| c.range.end);
        Ok(Pipe {
            vars,
            assign,
            commands,
            range: start..end,
        })
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let start = self.offset();
        let mut args = Vec::new();
        loop {
            match self.peek().map(|t| &t.tok) {
                None | Some(Tok::Close) | Some(Tok::RParen) | Some(Tok::Pipe) => break,
                _ => {}
            }
            args.push(self.operand()?);
        }
        if args.is_empty() {
            return Err(self.error_at(start, "missing value for command"));
        }
        let end = args.last().map_or(start, |a| a.range.end);
        Ok(Command {
            args,
            range: start..end,
        })
    }

    /// Field names chained onto the previous token without white space.
    fn chain(&mut self, end: &mut usize) -> Vec<String> {
        let mut fields = Vec::new();
        while let Some(Token {
            tok: Tok::Field(name),
            spaced: false,
            range,
        }) = self.peek().cloned()
        {
            fields.push(name);
            *end = range.end;
            self.pos += 1;
        }
        fields
    }

    fn operand(&mut self) -> Result<Arg, ParseError> {
        let token = self.next()?;
        let start = token.range.start;
        let mut end = token.range.end;
        let operand = match token.tok {
            Tok::Field(name) => {
                let mut fields = vec![name];
                fields.extend(self.chain(&mut end));
                Operand::Field(fields)
            }
            Tok::Dot => {
                if matches!(
                    self.peek(),
                    Some(Token {
                        tok: Tok::Field(_),
                        spaced: false,
                        ..
                    })
                ) {
                    return Err(self.error_at(start, "unexpected . after term"));
                }
                Operand::Field(Vec::new())
            }
            Tok::Var(name) => Operand::Var(name, self.chain(&mut end)),
            Tok::Ident(name) => match name.as_str() {
                "end" | "else" | "if" | "range" | "with" | "define" | "template" | "block"
                | "break" | "continue" => {
                    return Err(
                        self.error_at(start, format!("unexpected keyword {name} in operand"))
                    )
                }
                _ => Operand::Ident(name),
            },
            Tok::Str(s) => Operand::Str(s),
            Tok::Char(c) => Operand::Int(c as i64),
            Tok::Number(text) => parse_number(&text)
                .ok_or_else(|| self.error_at(start, format!("bad number syntax: {text}")))?,
            Tok::Bool(b) => Operand::Bool(b),
            Tok::Nil => Operand::Nil,
            Tok::LParen => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error_at(
                        start,
                        format!("parentheses nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let pipe = self.pipeline(false)?;
                self.depth -= 1;
                let close = self.next()?;
                if close.tok != Tok::RParen {
                    return Err(self.error_at(close.range.start, "unclosed left paren"));
                }
                end = close.range.end;
                let fields = self.chain(&mut end);
                Operand::Pipe(Box::new(pipe), fields)
            }
            other => return Err(self.error_at(start, format!("unexpected {other:?} in operand"))),
        };
        Ok(Arg {
            operand,
            range: start..end,
        })
    }
}

enum Item {
    Node(Node),
    Nothing,
    Stop(Stop),
}

/// A Go number literal: an int when it has the form of one and fits, else a float.
fn parse_number(text: &str) -> Option<Operand> {
    let clean = text.replace('_', "");
    let (negative, body) = match clean.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let lower = body.to_ascii_lowercase();
    let int = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = lower.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit())
    {
        i64::from_str_radix(&lower[1..], 8).ok()
    } else if lower.bytes().all(|b| b.is_ascii_digit()) {
        lower.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(n) = int {
        return Some(Operand::Int(if negative { -n } else { n }));
    }
    let float: f64 = lower.parse().ok()?;
    // A float with an integral value written like `1e3` is still an int in Go's eyes.
    if float.fract() == 0.0 && float.abs() < 9.0e15 && !lower.contains('.') {
        let n = float as i64;
        return Some(Operand::Int(if negative { -n } else { n }));
    }
    Some(Operand::Float(if negative { -float } else { float }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_control_structures_and_defines() {
        let parsed = parse(
            r#"{{ define "x" }}X{{ end }}{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}{{ range $i, $v := .l }}{{ $v }}{{ end }}"#,
        )
        .unwrap();
        assert_eq!(parsed.defines.len(), 1);
        assert_eq!(parsed.body.len(), 2);
        let Node::If(branch) = &parsed.body[0] else {
            panic!()
        };
        assert!(matches!(branch.otherwise[0], Node::If(_)));
        let Node::Range(range) = &parsed.body[1] else {
            panic!()
        };
        assert_eq!(range.pipe.vars, vec!["i".to_string(), "v".to_string()]);
    }

    #[test]
    fn numbers_follow_go() {
        assert_eq!(parse_number("0x1F"), Some(Operand::Int(31)));
        assert_eq!(parse_number("010"), Some(Operand::Int(8)));
        assert_eq!(parse_number("1e3"), Some(Operand::Int(1000)));
        assert_eq!(parse_number("1.5"), Some(Operand::Float(1.5)));
        assert_eq!(parse_number("-2"), Some(Operand::Int(-2)));
    }

    #[test]
    fn unbalanced_structures_are_errors() {
        assert!(parse("{{ if .a }}").is_err());
        assert!(parse("{{ end }}").is_err());
        assert!(parse("{{ (1 }}").is_err());
        assert!(parse(&"{{ if 1 }}".repeat(1000)).is_err());
    }
}
