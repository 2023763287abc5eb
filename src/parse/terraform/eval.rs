//! Evaluation of HCL expressions into spanned [`Value`]s, and of blocks into [`EvalBlock`]s.
//!
//! Literals, tuples, objects and templates without interpolation are evaluated; every other
//! expression is an unknown value naming the expression, never a guess.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::Element;
use hcl_edit::Span as _;

use crate::source::{FileId, Span};
use crate::value::{Entry, UnknownCause, Value, ValueKind};

/// A block with its attributes evaluated.
#[derive(Debug, Clone)]
pub struct EvalBlock {
    pub ident: String,
    pub labels: Vec<String>,
    /// From the block's identifier to its last label: where findings about missing settings point.
    pub header: Span,
    pub span: Span,
    pub attributes: Vec<EvalAttribute>,
    pub blocks: Vec<EvalBlock>,
    /// Nested blocks whose presence cannot be decided statically, by block type, with the reason.
    pub undecided_blocks: Vec<(String, Value)>,
}

#[derive(Debug, Clone)]
pub struct EvalAttribute {
    pub name: String,
    /// The `name = value` attribute up to the end of its first line: findings stay on one line,
    /// which is what GitHub needs to show them on a pull request's diff.
    pub span: Span,
    pub value: Value,
}

impl EvalBlock {
    pub fn attribute(&self, name: &str) -> Option<&EvalAttribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a EvalBlock> {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }

    pub fn block(&self, ident: &str) -> Option<&EvalBlock> {
        self.blocks.iter().find(|b| b.ident == ident)
    }

    pub fn undecided_block(&self, ident: &str) -> Option<&Value> {
        self.undecided_blocks
            .iter()
            .find(|(kind, _)| kind == ident)
            .map(|(_, value)| value)
    }
}

pub struct Evaluator<'a> {
    file: FileId,
    text: &'a str,
}

impl<'a> Evaluator<'a> {
    pub fn new(file: FileId, text: &'a str) -> Evaluator<'a> {
        Evaluator { file, text }
    }

    fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        Span::new(self.file, range.unwrap_or(0..0))
    }

    /// `span` cut at the end of its first line.
    fn first_line(&self, span: Span) -> Span {
        let text = self.text.get(span.range()).unwrap_or("");
        match text.find('\n') {
            Some(newline) => Span {
                end: span.start + text[..newline].trim_end().len() as u32,
                ..span
            },
            None => span,
        }
    }

    fn source(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("").trim()
    }

    pub fn block(&self, block: &Block) -> EvalBlock {
        let span = self.span(block.span());
        let header_end = block
            .labels
            .last()
            .and_then(|l| l.span())
            .or_else(|| block.ident.span())
            .map_or(span.end, |r| r.end as u32);
        let header = Span {
            end: header_end,
            ..span
        };
        let mut evaluated = EvalBlock {
            ident: block.ident.as_str().to_string(),
            labels: block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
            header,
            span,
            attributes: Vec::new(),
            blocks: Vec::new(),
            undecided_blocks: Vec::new(),
        };
        self.body_into(&block.body, &mut evaluated);
        evaluated
    }

    fn body_into(&self, body: &Body, target: &mut EvalBlock) {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let name = attribute.key.as_str();
                    let value = if target.ident == "lifecycle" && name == "ignore_changes" {
                        self.attribute_paths(&attribute.value)
                    } else {
                        self.expr(&attribute.value)
                    };
                    target.attributes.push(EvalAttribute {
                        name: name.to_string(),
                        span: self.first_line(self.span(attribute.span())),
                        value,
                    })
                }
                Structure::Block(block) if block.ident.as_str() == "dynamic" => {
                    let kind = block.labels.first().map(|l| l.as_str()).unwrap_or("");
                    let header = self.block(block).header;
                    target.undecided_blocks.push((
                        kind.to_string(),
                        Value::unknown(
                            UnknownCause::Unsupported,
                            format!("dynamic \"{kind}\" block is not expanded"),
                            header,
                        ),
                    ));
                }
                Structure::Block(block) => target.blocks.push(self.block(block)),
            }
        }
    }

    pub fn expr(&self, expr: &Expression) -> Value {
        let span = self.span(expr.span());
        let kind = match expr {
            Expression::Null(_) => ValueKind::Null,
            Expression::Bool(b) => ValueKind::Bool(*b.value()),
            Expression::Number(n) => match n.value().as_f64() {
                Some(n) => ValueKind::Number(n),
                None => return self.not_evaluated(span),
            },
            Expression::String(s) => ValueKind::String(s.value().to_string()),
            Expression::Parenthesis(inner) => return self.expr(inner.inner()),
            Expression::Array(array) => {
                ValueKind::List(array.iter().map(|item| self.expr(item)).collect())
            }
            Expression::Object(object) => {
                let mut entries = Vec::new();
                for (key, value) in object.iter() {
                    let key_span = self.span(key.span());
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_string(),
                        ObjectKey::Expression(key_expr) => match self.expr(key_expr).kind {
                            ValueKind::String(s) => s,
                            _ => return self.not_evaluated(span),
                        },
                    };
                    entries.push(Entry {
                        key,
                        key_span,
                        value: self.expr(value.expr()),
                    });
                }
                ValueKind::Object(entries)
            }
            Expression::StringTemplate(template) => {
                let mut text = String::new();
                for element in template.iter() {
                    match element {
                        Element::Literal(literal) => text.push_str(literal.value()),
                        _ => return self.not_evaluated(span),
                    }
                }
                ValueKind::String(text)
            }
            _ => return self.not_evaluated(span),
        };
        Value::new(kind, span)
    }

    /// `ignore_changes` names attributes, not values: `[tags, microsoft_defender]` or `all`.
    /// Each item becomes the string of its path as written (`tags["owner"]` stays as is).
    fn attribute_paths(&self, expr: &Expression) -> Value {
        let span = self.span(expr.span());
        let path = |expr: &Expression| {
            let span = self.span(expr.span());
            let text = self.source(span).trim_matches('"').to_string();
            Value::new(ValueKind::String(text), span)
        };
        match expr {
            Expression::Array(items) => {
                Value::new(ValueKind::List(items.iter().map(path).collect()), span)
            }
            other => path(other),
        }
    }

    fn not_evaluated(&self, span: Span) -> Value {
        Value::unknown(
            UnknownCause::Unsupported,
            format!("`{}` is not evaluated", self.source(span)),
            span,
        )
    }
}
