//! ARM expressions into an AST: literals, function calls, property access and indexing.

use std::ops::Range;

use super::lexer::{lex, Lexed, Token};

/// Deeper expressions are rejected: the evaluator recurses over the tree.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    /// A function call; `name` keeps its spelling (`ns.fn` for user-defined functions).
    Call {
        name: String,
        args: Vec<Node>,
    },
    Property {
        target: Box<Node>,
        name: String,
    },
    Index {
        target: Box<Node>,
        index: Box<Node>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub expr: Expr,
    /// Byte range in the expression text.
    pub range: Range<usize>,
}

pub fn parse(text: &str) -> Result<Node, String> {
    let tokens = lex(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let node = parser.expression(0)?;
    match parser.tokens.get(parser.at) {
        None => Ok(node),
        Some(extra) => Err(format!(
            "unexpected `{}` after the expression",
            &text[extra.range.clone()]
        )),
    }
}

struct Parser {
    tokens: Vec<Lexed>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|l| &l.token)
    }

    fn next(&mut self) -> Option<Lexed> {
        let lexed = self.tokens.get(self.at).cloned();
        self.at += 1;
        lexed
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<usize, String> {
        match self.next() {
            Some(lexed) if lexed.token == token => Ok(lexed.range.end),
            Some(lexed) => Err(format!("expected {what}, found {:?}", lexed.token)),
            None => Err(format!("expected {what}, found the end of the expression")),
        }
    }

    fn expression(&mut self, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return Err(format!("expression nested deeper than {MAX_DEPTH}"));
        }
        let mut node = self.primary(depth)?;
        loop {
            match self.peek() {
                Some(Token::Dot) => {
                    self.at += 1;
                    match self.next() {
                        Some(Lexed {
                            token: Token::Ident(name),
                            range,
                        }) => {
                            node = Node {
                                range: node.range.start..range.end,
                                expr: Expr::Property {
                                    target: Box::new(node),
                                    name,
                                },
                            }
                        }
                        _ => return Err("expected a property name after `.`".to_string()),
                    }
                }
                Some(Token::LBracket) => {
                    self.at += 1;
                    let index = self.expression(depth + 1)?;
                    let end = self.expect(Token::RBracket, "`]`")?;
                    node = Node {
                        range: node.range.start..end,
                        expr: Expr::Index {
                            target: Box::new(node),
                            index: Box::new(index),
                        },
                    }
                }
                _ => return Ok(node),
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Node, String> {
        let Some(lexed) = self.next() else {
            return Err("expected a value, found the end of the expression".to_string());
        };
        let range = lexed.range.clone();
        match lexed.token {
            Token::Str(s) => Ok(Node {
                expr: Expr::Str(s),
                range,
            }),
            Token::Int(n) => Ok(Node {
                expr: Expr::Int(n),
                range,
            }),
            Token::Ident(mut name) => {
                // `ns.function(...)`: a user-defined function (Bicep emits `__bicep.name`).
                if self.peek() == Some(&Token::Dot)
                    && matches!(
                        self.tokens.get(self.at + 1).map(|l| &l.token),
                        Some(Token::Ident(_))
                    )
                    && self.tokens.get(self.at + 2).map(|l| &l.token) == Some(&Token::LParen)
                {
                    if let Some(Token::Ident(function)) =
                        self.tokens.get(self.at + 1).map(|l| l.token.clone())
                    {
                        name = format!("{name}.{function}");
                        self.at += 2;
                    }
                }
                if self.peek() != Some(&Token::LParen) {
                    return Err(format!("expected `(` after `{name}`"));
                }
                self.at += 1;
                let mut args = Vec::new();
                if self.peek() == Some(&Token::RParen) {
                    self.at += 1;
                    return Ok(Node {
                        expr: Expr::Call { name, args },
                        range: range.start..self.tokens[self.at - 1].range.end,
                    });
                }
                loop {
                    args.push(self.expression(depth + 1)?);
                    match self.next() {
                        Some(Lexed {
                            token: Token::Comma,
                            ..
                        }) => continue,
                        Some(Lexed {
                            token: Token::RParen,
                            range: close,
                        }) => {
                            return Ok(Node {
                                expr: Expr::Call { name, args },
                                range: range.start..close.end,
                            })
                        }
                        _ => {
                            return Err(format!("expected `,` or `)` in the arguments of `{name}`"))
                        }
                    }
                }
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_calls_properties_and_indexes() {
        let node = parse("parameters('a').b[0]").unwrap();
        let Expr::Index { target, index } = node.expr else {
            panic!("not an index")
        };
        assert_eq!(index.expr, Expr::Int(0));
        let Expr::Property { target, name } = target.expr else {
            panic!("not a property")
        };
        assert_eq!(name, "b");
        assert!(
            matches!(target.expr, Expr::Call { ref name, ref args } if name == "parameters" && args.len() == 1)
        );
        assert_eq!(node.range, 0..20);
    }

    #[test]
    fn parses_namespaced_functions_and_empty_calls() {
        let node = parse("__bicep.double(true())").unwrap();
        assert!(matches!(node.expr, Expr::Call { ref name, .. } if name == "__bicep.double"));
    }

    #[test]
    fn rejects_malformed_and_too_deep_expressions() {
        assert!(parse("concat('a'").is_err());
        assert!(parse("concat('a'))").is_err());
        assert!(parse("a.").is_err());
        assert!(parse("bare").is_err());
        assert!(parse("").is_err());
        let deep = format!("{}1{}", "f(".repeat(200), ")".repeat(200));
        assert!(parse(&deep).unwrap_err().contains("deeper"));
    }
}
