//! The HCL syntax tree the Terraform front end keeps: what the evaluator and the module reader use
//! of hcl-edit's tree, and nothing else.
//!
//! hcl-edit's nodes keep everything needed to print a file back (decor, owned strings for every
//! identifier, spans on each token), about twenty times the size of the text. A file's hcl-edit
//! tree is converted into this one as soon as it parses and dropped at once, so a scan holds a
//! tree a few times the size of its text. Identifiers and literals are byte ranges into the text
//! the tree was parsed from (the file's, kept in the [`crate::source::SourceMap`]) unless their
//! value differs from it (escapes, a dedented heredoc), and offsets are `u32` as in
//! [`crate::source::Span`].

use std::ops::Range;

pub use hcl_edit::expr::{BinaryOperator, UnaryOperator};
use hcl_edit::expr::{Expression, ObjectKey as HclObjectKey, TraversalOperator};
use hcl_edit::structure::Structure;
use hcl_edit::template::{Directive, Element as HclElement};
use hcl_edit::Span as _;

/// Byte offsets into the parsed text (`0..0` where hcl-edit gave no span).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    fn of(range: Option<Range<usize>>) -> TextRange {
        let range = range.unwrap_or(0..0);
        TextRange {
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// An identifier's or literal's text: where the parsed text holds it verbatim, its range there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Source(TextRange),
    /// Differs from the text as written (escapes, a dedented heredoc line).
    Owned(Box<str>),
}

impl Text {
    /// `value` as found at `range` (or just inside it: a quoted string's span has its quotes).
    fn new(value: &str, range: Option<Range<usize>>, source: &str) -> Text {
        if let Some(range) = range {
            let inner = range.start.saturating_add(1)..range.end.saturating_sub(1);
            for candidate in [range, inner] {
                if source.get(candidate.clone()) == Some(value) {
                    return Text::Source(TextRange::of(Some(candidate)));
                }
            }
        }
        Text::Owned(value.into())
    }

    /// The text, from the `source` the tree was parsed from.
    pub fn get<'t>(&'t self, source: &'t str) -> &'t str {
        match self {
            Text::Source(range) => source.get(range.range()).unwrap_or(""),
            Text::Owned(text) => text,
        }
    }
}

/// A file's (or a block's) attributes and blocks, in order.
#[derive(Debug)]
pub struct Body {
    pub items: Box<[Item]>,
}

#[derive(Debug)]
pub enum Item {
    Attribute(Attribute),
    Block(Box<Block>),
}

#[derive(Debug)]
pub struct Attribute {
    pub key: Text,
    /// From the key to the end of the value.
    pub span: TextRange,
    pub value: Expr,
}

#[derive(Debug)]
pub struct Block {
    pub ident: Text,
    pub ident_span: TextRange,
    pub labels: Box<[Label]>,
    /// From the identifier to the closing brace.
    pub span: TextRange,
    pub body: Body,
}

#[derive(Debug)]
pub struct Label {
    pub text: Text,
    /// A quoted label's span has its quotes.
    pub span: TextRange,
}

impl Block {
    /// From the identifier to the end of its last label: where findings about the block point.
    pub fn header(&self) -> TextRange {
        TextRange {
            start: self.span.start,
            end: self.labels.last().map_or(self.ident_span, |l| l.span).end,
        }
    }
}

impl Body {
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().filter_map(|item| match item {
            Item::Attribute(attribute) => Some(attribute),
            Item::Block(_) => None,
        })
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|item| match item {
            Item::Block(block) => Some(&**block),
            Item::Attribute(_) => None,
        })
    }

    /// The first attribute named `key`.
    pub fn attribute(&self, key: &str, source: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.key.get(source) == key)
    }

    pub fn blocks_named<'b>(
        &'b self,
        ident: &'b str,
        source: &'b str,
    ) -> impl Iterator<Item = &'b Block> {
        self.blocks().filter(move |b| b.ident.get(source) == ident)
    }
}

/// An expression and its span.
#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: TextRange,
}

/// Children are boxed and lists are boxed slices, so an expression is 32 bytes (see the test):
/// most nodes of a Terraform file are small (names, strings, references).
#[derive(Debug)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    String(Text),
    Array(Box<[Expr]>),
    Object(Box<[ObjectItem]>),
    /// A string template or a heredoc.
    Template(Template),
    Parenthesis(Box<Expr>),
    Variable(Text),
    Conditional(Box<Conditional>),
    FuncCall(Box<FuncCall>),
    Traversal(Box<Traversal>),
    UnaryOp(UnaryOperator, Box<Expr>),
    BinaryOp(Box<BinaryOp>),
    ForExpr(Box<ForExpr>),
}

#[derive(Debug)]
pub struct ObjectItem {
    pub key: ObjectKey,
    pub key_span: TextRange,
    pub value: Expr,
}

#[derive(Debug)]
pub enum ObjectKey {
    Ident(Text),
    Expr(Expr),
}

#[derive(Debug)]
pub struct Conditional {
    pub condition: Expr,
    pub true_expr: Expr,
    pub false_expr: Expr,
}

#[derive(Debug)]
pub struct FuncCall {
    /// The name without its namespace.
    pub name: Text,
    /// `provider::x::f`: a provider-defined function, which aksguard does not evaluate.
    pub namespaced: bool,
    pub args: Box<[Expr]>,
    /// `f(list...)`: the last argument's elements are the arguments.
    pub expand_final: bool,
}

#[derive(Debug)]
pub struct Traversal {
    pub expr: Expr,
    pub operators: Box<[Operator]>,
}

#[derive(Debug)]
pub enum Operator {
    GetAttr(Text),
    /// Boxed: most operators are attribute names.
    Index(Box<Expr>),
    /// `list.0`.
    LegacyIndex(u64),
    AttrSplat,
    FullSplat,
}

#[derive(Debug)]
pub struct BinaryOp {
    pub operator: BinaryOperator,
    pub lhs: Expr,
    pub rhs: Expr,
}

#[derive(Debug)]
pub struct ForExpr {
    pub key_var: Option<Text>,
    pub value_var: Text,
    pub collection: Expr,
    /// Set for an object (`{ for k, v in x : k => v }`).
    pub key_expr: Option<Expr>,
    pub value_expr: Expr,
    pub condition: Option<Expr>,
    /// `...` after the value: values of one key are grouped in a list.
    pub grouping: bool,
}

/// A template's parts. Strip markers (`~`) are not kept: the evaluator does not apply them.
#[derive(Debug)]
pub struct Template {
    pub elements: Box<[Element]>,
}

#[derive(Debug)]
pub enum Element {
    Literal(Text),
    Interpolation(Expr),
    If(Box<IfDirective>),
    For(Box<ForDirective>),
}

#[derive(Debug)]
pub struct IfDirective {
    pub condition: Expr,
    pub then: Template,
    pub otherwise: Option<Template>,
}

#[derive(Debug)]
pub struct ForDirective {
    pub key_var: Option<Text>,
    pub value_var: Text,
    pub collection: Expr,
    pub template: Template,
}

impl Expr {
    /// A plain string literal's value (not a template).
    pub fn as_str<'t>(&'t self, source: &'t str) -> Option<&'t str> {
        match &self.kind {
            ExprKind::String(text) => Some(text.get(source)),
            _ => None,
        }
    }
}

// ----- conversion from hcl-edit ------------------------------------------------------------
//
// Recursion follows the hcl-edit tree, whose depth its parser bounds (64 levels of nesting, 128
// operators on any path), as hcl-edit's own conversions and drop do.

/// `body`, parsed from `source`.
pub fn body(body: &hcl_edit::structure::Body, source: &str) -> Body {
    Body {
        items: body
            .iter()
            .map(|structure| match structure {
                Structure::Attribute(attribute) => Item::Attribute(Attribute {
                    key: ident(&attribute.key, source),
                    span: TextRange::of(attribute.span()),
                    value: expr(&attribute.value, source),
                }),
                Structure::Block(block) => Item::Block(Box::new(Block {
                    ident: ident(&block.ident, source),
                    ident_span: TextRange::of(block.ident.span()),
                    labels: block
                        .labels
                        .iter()
                        .map(|label| Label {
                            text: Text::new(label.as_str(), label.span(), source),
                            span: TextRange::of(label.span()),
                        })
                        .collect(),
                    span: TextRange::of(block.span()),
                    body: self::body(&block.body, source),
                })),
            })
            .collect(),
    }
}

fn ident(ident: &hcl_edit::Decorated<hcl_edit::Ident>, source: &str) -> Text {
    Text::new(ident.as_str(), ident.span(), source)
}

/// `expr`, parsed from `source`.
pub fn expr(expr: &Expression, source: &str) -> Expr {
    let boxed = |e: &Expression| Box::new(self::expr(e, source));
    let kind = match expr {
        Expression::Null(_) => ExprKind::Null,
        Expression::Bool(b) => ExprKind::Bool(*b.value()),
        // hcl-edit's numbers are all representable as f64.
        Expression::Number(n) => ExprKind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => ExprKind::String(Text::new(s.value(), s.span(), source)),
        Expression::Array(array) => {
            ExprKind::Array(array.iter().map(|e| self::expr(e, source)).collect())
        }
        Expression::Object(object) => ExprKind::Object(
            object
                .iter()
                .map(|(key, value)| ObjectItem {
                    key_span: TextRange::of(key.span()),
                    key: match key {
                        HclObjectKey::Ident(name) => ObjectKey::Ident(ident(name, source)),
                        HclObjectKey::Expression(key) => ObjectKey::Expr(self::expr(key, source)),
                    },
                    value: self::expr(value.expr(), source),
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => ExprKind::Template(template(t, source)),
        Expression::HeredocTemplate(heredoc) => {
            ExprKind::Template(template(&heredoc.template, source))
        }
        Expression::Parenthesis(inner) => ExprKind::Parenthesis(boxed(inner.inner())),
        Expression::Variable(name) => ExprKind::Variable(ident(name, source)),
        Expression::Conditional(c) => ExprKind::Conditional(Box::new(Conditional {
            condition: self::expr(&c.cond_expr, source),
            true_expr: self::expr(&c.true_expr, source),
            false_expr: self::expr(&c.false_expr, source),
        })),
        Expression::FuncCall(call) => ExprKind::FuncCall(Box::new(FuncCall {
            name: ident(&call.name.name, source),
            namespaced: call.name.is_namespaced(),
            args: call.args.iter().map(|e| self::expr(e, source)).collect(),
            expand_final: call.args.expand_final(),
        })),
        Expression::Traversal(traversal) => ExprKind::Traversal(Box::new(Traversal {
            expr: self::expr(&traversal.expr, source),
            operators: traversal
                .operators
                .iter()
                .map(|operator| match operator.value() {
                    TraversalOperator::GetAttr(name) => Operator::GetAttr(ident(name, source)),
                    TraversalOperator::Index(index) => {
                        Operator::Index(Box::new(self::expr(index, source)))
                    }
                    TraversalOperator::LegacyIndex(index) => Operator::LegacyIndex(*index.value()),
                    TraversalOperator::AttrSplat(_) => Operator::AttrSplat,
                    TraversalOperator::FullSplat(_) => Operator::FullSplat,
                })
                .collect(),
        })),
        Expression::UnaryOp(op) => ExprKind::UnaryOp(*op.operator.value(), boxed(&op.expr)),
        Expression::BinaryOp(op) => ExprKind::BinaryOp(Box::new(BinaryOp {
            operator: *op.operator.value(),
            lhs: self::expr(&op.lhs_expr, source),
            rhs: self::expr(&op.rhs_expr, source),
        })),
        Expression::ForExpr(f) => ExprKind::ForExpr(Box::new(ForExpr {
            key_var: f.intro.key_var.as_ref().map(|k| ident(k, source)),
            value_var: ident(&f.intro.value_var, source),
            collection: self::expr(&f.intro.collection_expr, source),
            key_expr: f.key_expr.as_ref().map(|k| self::expr(k, source)),
            value_expr: self::expr(&f.value_expr, source),
            condition: f.cond.as_ref().map(|c| self::expr(&c.expr, source)),
            grouping: f.grouping,
        })),
    };
    Expr {
        kind,
        span: TextRange::of(expr.span()),
    }
}

/// `template`, parsed from `source`.
pub fn template(template: &hcl_edit::template::Template, source: &str) -> Template {
    Template {
        elements: template
            .iter()
            .map(|element| match element {
                HclElement::Literal(literal) => {
                    Element::Literal(Text::new(literal.value(), literal.span(), source))
                }
                HclElement::Interpolation(interpolation) => {
                    Element::Interpolation(expr(&interpolation.expr, source))
                }
                HclElement::Directive(directive) => match directive.as_ref() {
                    Directive::If(d) => Element::If(Box::new(IfDirective {
                        condition: expr(&d.if_expr.cond_expr, source),
                        then: self::template(&d.if_expr.template, source),
                        otherwise: d
                            .else_expr
                            .as_ref()
                            .map(|e| self::template(&e.template, source)),
                    })),
                    Directive::For(d) => Element::For(Box::new(ForDirective {
                        key_var: d.for_expr.key_var.as_ref().map(|k| ident(k, source)),
                        value_var: ident(&d.for_expr.value_var, source),
                        collection: expr(&d.for_expr.collection_expr, source),
                        template: self::template(&d.for_expr.template, source),
                    })),
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Terraform file is mostly small expressions: keeping `Expr` at 32 bytes (a 16-byte
    /// payload, the tag, an 8-byte span) is most of what makes the tree small.
    #[test]
    fn nodes_stay_small() {
        assert_eq!(std::mem::size_of::<Text>(), 16);
        assert_eq!(std::mem::size_of::<ExprKind>(), 24);
        assert_eq!(std::mem::size_of::<Expr>(), 32);
        assert_eq!(std::mem::size_of::<Operator>(), 24);
    }

    #[test]
    fn names_point_into_the_text_unless_escaped() {
        let source = "a = \"x\\ty\"\nb = \"plain\"\nc = var.name\n";
        let parsed = hcl_edit::parser::parse_body(source).unwrap();
        let body = body(&parsed, source);
        let values: Vec<&Expr> = body.attributes().map(|a| &a.value).collect();
        assert!(matches!(&values[0].kind, ExprKind::String(Text::Owned(s)) if &**s == "x\ty"));
        assert!(matches!(&values[1].kind, ExprKind::String(Text::Source(_))));
        assert_eq!(values[1].as_str(source), Some("plain"));
        let ExprKind::Traversal(traversal) = &values[2].kind else {
            panic!("a traversal");
        };
        assert!(
            matches!(&traversal.operators[..], [Operator::GetAttr(n)] if n.get(source) == "name")
        );
    }

    #[test]
    fn a_dedented_heredoc_owns_its_lines_and_a_rewritten_file_still_points_into_its_text() {
        let source = "a = <<-EOT\n    x\n  EOT\nb = {\n  k = 1\n  k = 2\n}\n";
        let body = super::super::parse(source).expect("Terraform accepts a repeated key");
        let values: Vec<&Expr> = body.attributes().map(|a| &a.value).collect();
        let ExprKind::Template(heredoc) = &values[0].kind else {
            panic!("a heredoc");
        };
        assert!(
            matches!(&heredoc.elements[..], [Element::Literal(Text::Owned(s))] if &**s == "x\n")
        );
        let ExprKind::Object(items) = &values[1].kind else {
            panic!("an object");
        };
        let [ObjectItem {
            key: ObjectKey::Ident(key @ Text::Source(_)),
            value,
            ..
        }] = &items[..]
        else {
            panic!("the later key alone");
        };
        assert_eq!(key.get(source), "k");
        assert!(matches!(value.kind, ExprKind::Number(n) if n == 2.0));
    }
}
