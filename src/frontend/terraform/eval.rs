//! Evaluation of Terraform expressions into spanned [`Value`]s, and of blocks into [`EvalBlock`]s.
//!
//! The evaluator knows `var.*`, `local.*`, `count.*`, `each.*`, `for` and `dynamic` iterators,
//! operators, conditionals, templates, splats and the functions in [`super::functions`]. Resource
//! and data source attributes are unknown (computed); anything it cannot evaluate is an unknown
//! value naming the expression, never a guess. What Terraform itself rejects (a wrong type, a
//! missing attribute, a failing function) is an unknown of cause [`UnknownCause::Error`] saying
//! what Terraform would say: it fails every expression it is part of, as in Terraform, and only it
//! makes `can` false and `try` move on. Depth and fuel limits make sure that evaluation ends,
//! whatever the input.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use super::functions;
use super::syntax::{
    self, BinaryOperator, Block, Body, Element, ExprKind, ForExpr, FuncCall, Item, ObjectKey,
    Operator, Template, Text, TextRange, Traversal, UnaryOperator,
};
use super::values::{
    decimal_arithmetic, find_error, find_unknown, is_error, merge_provenance, respan_deep, same,
    to_bool, to_number, unify_conditional, with_provenance, Arithmetic,
};
use crate::source::{FileId, SourceMap, Span};
use crate::value::{Entry, Lazy, Related, Unknown, UnknownCause, Value, ValueKind};

/// Deepest nesting of expression evaluation (locals referring to locals included).
const MAX_DEPTH: u32 = 200;

/// Largest file `file()` and `templatefile()` read.
const MAX_FILE_BYTES: u64 = 4 << 20;

/// `path.module` and `path.root` of the module being evaluated.
#[derive(Debug, Clone)]
pub struct ModulePaths {
    pub module: String,
    pub root: String,
}
/// Most expression nodes evaluated in one scope: bounds `for` expressions over large collections.
const MAX_FUEL: u32 = 2_000_000;

/// An expression in either Terraform syntax: native HCL, or a JSON value (`*.tf.json`), whose
/// strings are templates.
#[derive(Debug, Clone, Copy)]
pub enum Expr<'a> {
    Hcl(FileId, &'a syntax::Expr),
    Json(&'a Value),
}

/// A block in either syntax. A JSON block is the object under its labels.
#[derive(Debug, Clone, Copy)]
pub enum BlockSyntax<'a> {
    Hcl(FileId, &'a Block),
    Json {
        ident: &'a str,
        labels: [&'a str; 2],
        /// The key naming the block (its last label).
        header: Span,
        body: &'a Value,
    },
}

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
    /// `dynamic` blocks whose `for_each` is empty, by block type, with that (spanned) value: the
    /// block is absent, and this says which input decided it.
    pub empty_blocks: Vec<(String, Value)>,
}

#[derive(Debug, Clone)]
pub struct EvalAttribute {
    pub name: String,
    /// The `name = value` attribute up to the end of its first line: findings stay on one line,
    /// which is what GitHub needs to show them on a pull request's diff.
    pub span: Span,
    pub value: Value,
    /// For `name = jsonencode(x)`: `x` itself, so ARM-shaped bodies keep their structure and spans.
    pub encoded: Option<Value>,
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

    pub fn empty_block(&self, ident: &str) -> Option<&Value> {
        self.empty_blocks
            .iter()
            .find(|(kind, _)| kind == ident)
            .map(|(_, value)| value)
    }
}

/// What one module instance's expressions can see: its variables and locals.
pub struct Scope<'a> {
    pub sources: &'a SourceMap,
    /// Every declared variable with its value (or an unknown naming why it has none).
    pub variables: BTreeMap<String, Value>,
    pub locals: BTreeMap<String, Expr<'a>>,
    /// Policy definition data sources of the module (see [`super::module::PolicyDataDecl`]).
    pub policy_data: BTreeMap<String, super::module::PolicyDataDecl<'a>>,
    /// `path.module` and `path.root` as Terraform gives them (relative to the working
    /// directory); `None` where no module is being evaluated (tfvars files).
    pub paths: Option<ModulePaths>,
    /// The outputs of the module calls evaluated so far, by call name (an object of outputs).
    pub module_outputs: BTreeMap<String, Value>,
    /// Each local's value, computed on first use.
    local_values: BTreeMap<String, Lazy>,
    /// Locals being evaluated, innermost last: names the path of a cycle.
    local_stack: RefCell<Vec<String>>,
    depth: Cell<u32>,
    fuel: Cell<u32>,
}

impl<'a> Scope<'a> {
    pub fn new(
        sources: &'a SourceMap,
        variables: BTreeMap<String, Value>,
        locals: BTreeMap<String, Expr<'a>>,
    ) -> Scope<'a> {
        Scope {
            sources,
            variables,
            local_values: locals
                .keys()
                .map(|name| (name.clone(), Lazy::default()))
                .collect(),
            locals,
            policy_data: BTreeMap::new(),
            paths: None,
            module_outputs: BTreeMap::new(),
            local_stack: RefCell::new(Vec::new()),
            depth: Cell::new(0),
            fuel: Cell::new(MAX_FUEL),
        }
    }

    /// A scope with no variables or locals (tfvars files, `--var` values).
    pub fn empty(sources: &'a SourceMap) -> Scope<'a> {
        Scope::new(sources, BTreeMap::new(), BTreeMap::new())
    }

    /// Take one unit of fuel and one level of depth; `false` when either is exhausted.
    fn enter(&self) -> bool {
        let fuel = self.fuel.get();
        if fuel == 0 || self.depth.get() >= MAX_DEPTH {
            return false;
        }
        self.fuel.set(fuel - 1);
        self.depth.set(self.depth.get() + 1);
        true
    }

    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }
}

#[derive(Clone)]
pub struct Evaluator<'s, 'a> {
    scope: &'s Scope<'a>,
    file: FileId,
    /// The text the syntax tree being evaluated was parsed from, which its names point into: the
    /// file's, or a template's parsed from a string.
    text: &'s str,
    /// Inside a `*.tf.json` string template every span is the JSON string's.
    fixed_span: Option<Span>,
    /// Names bound by `count`, `for_each`, `for` expressions and `dynamic` iterators.
    bindings: Rc<Vec<(String, Value)>>,
    /// Inside `templatestring`: only the bound names exist, any other reference is an error.
    only_bindings: bool,
}

impl<'s, 'a> Evaluator<'s, 'a> {
    pub fn new(scope: &'s Scope<'a>, file: FileId) -> Evaluator<'s, 'a> {
        Evaluator {
            scope,
            file,
            text: &scope.sources.get(file).text,
            fixed_span: None,
            bindings: Rc::new(Vec::new()),
            only_bindings: false,
        }
    }

    /// The same evaluator reading another file (a local defined elsewhere in the module).
    fn in_file(&self, file: FileId) -> Evaluator<'s, 'a> {
        Evaluator {
            file,
            text: &self.scope.sources.get(file).text,
            fixed_span: None,
            ..self.clone()
        }
    }

    /// The same evaluator reading a tree parsed from `text` (a `--var` value).
    pub fn with_text<'t>(&self, text: &'t str) -> Evaluator<'t, 'a>
    where
        's: 't,
    {
        Evaluator {
            text,
            ..self.clone()
        }
    }

    /// The same evaluator with `name` bound to `value` (`count`, `each`, an iterator).
    pub fn with_binding(&self, name: &str, value: Value) -> Evaluator<'s, 'a> {
        let mut bindings = (*self.bindings).clone();
        bindings.retain(|(bound, _)| bound != name);
        bindings.push((name.to_string(), value));
        Evaluator {
            bindings: Rc::new(bindings),
            ..self.clone()
        }
    }

    fn binding(&self, name: &str) -> Option<&Value> {
        self.bindings
            .iter()
            .rev()
            .find(|(bound, _)| bound == name)
            .map(|(_, value)| value)
    }

    pub fn span(&self, range: TextRange) -> Span {
        match self.fixed_span {
            Some(span) => span,
            None => Span::new(self.file, range.range()),
        }
    }

    /// A name or literal of the tree being evaluated.
    fn text<'t>(&'t self, text: &'t Text) -> &'t str {
        text.get(self.text)
    }

    /// `span` cut at the end of its first line.
    fn first_line(&self, span: Span) -> Span {
        let text = self.scope.sources.get(span.file).snippet(span);
        match text.find('\n') {
            Some(newline) => Span {
                end: span.start + text[..newline].trim_end().len() as u32,
                ..span
            },
            None => span,
        }
    }

    /// The source text of `span`, for messages.
    pub fn source(&self, span: Span) -> String {
        let text = self.scope.sources.get(span.file).snippet(span).trim();
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().count() > 80 {
            format!("{}…", text.chars().take(79).collect::<String>())
        } else {
            text
        }
    }

    // ----- blocks -------------------------------------------------------------------------

    pub fn block_syntax(&self, block: BlockSyntax) -> EvalBlock {
        match block {
            BlockSyntax::Hcl(file, block) => self.in_file(file).block(block),
            BlockSyntax::Json {
                ident,
                labels,
                header,
                body,
            } => self.json_block(
                ident,
                labels.iter().map(|l| l.to_string()).collect(),
                header,
                body,
            ),
        }
    }

    pub fn block(&self, block: &Block) -> EvalBlock {
        let span = self.span(block.span);
        let header = Span {
            end: block.header().end,
            ..span
        };
        let mut evaluated = EvalBlock {
            ident: self.text(&block.ident).to_string(),
            labels: block
                .labels
                .iter()
                .map(|l| self.text(&l.text).to_string())
                .collect(),
            header,
            span,
            attributes: Vec::new(),
            blocks: Vec::new(),
            undecided_blocks: Vec::new(),
            empty_blocks: Vec::new(),
        };
        self.body_into(&block.body, &mut evaluated);
        evaluated
    }

    fn body_into(&self, body: &Body, target: &mut EvalBlock) {
        for item in body.items.iter() {
            match item {
                Item::Attribute(attribute) => {
                    let name = self.text(&attribute.key);
                    let value = if target.ident == "lifecycle" && name == "ignore_changes" {
                        self.attribute_paths(&attribute.value)
                    } else {
                        self.expr(&attribute.value)
                    };
                    target.attributes.push(EvalAttribute {
                        name: name.to_string(),
                        span: self.first_line(self.span(attribute.span)),
                        value,
                        encoded: self.jsonencode_argument(&attribute.value),
                    })
                }
                Item::Block(block) if self.text(&block.ident) == "dynamic" => {
                    self.dynamic_into(block, target)
                }
                Item::Block(block) => target.blocks.push(self.block(block)),
            }
        }
    }

    /// `dynamic "kind" { for_each = ...; iterator = it; content { ... } }`: one block per element,
    /// none for an empty collection, undecided when the collection is unknown.
    fn dynamic_into(&self, block: &Block, target: &mut EvalBlock) {
        let kind = block.labels.first().map_or("", |l| self.text(&l.text));
        let span = self.span(block.span);
        let header = Span {
            end: block.labels.first().map_or(span.end, |l| l.span.end),
            ..span
        };
        let iterator = (block.body.attribute("iterator", self.text))
            .and_then(|a| match &a.value.kind {
                ExprKind::Variable(name) => Some(self.text(name)),
                _ => None,
            })
            .unwrap_or(kind);
        let Some(content) = block.body.blocks_named("content", self.text).next() else {
            return;
        };
        let for_each = match block.body.attribute("for_each", self.text) {
            Some(attribute) => self.expr(&attribute.value),
            None => Value::unknown(
                UnknownCause::Unsupported,
                format!("dynamic \"{kind}\" block has no for_each"),
                header,
            ),
        };
        self.expand_dynamic(kind, header, iterator, &for_each, target, |bound| {
            let mut expanded = bound.block(content);
            expanded.ident = kind.to_string();
            expanded.header = header;
            expanded
        });
    }

    /// Expand a `dynamic "<kind>"` block over its evaluated `for_each`, in HCL or JSON syntax:
    /// an unknown collection leaves the block undecided, an empty one records which input emptied
    /// it, and each element yields one block built by `content` with the iterator bound.
    fn expand_dynamic(
        &self,
        kind: &str,
        header: Span,
        iterator: &str,
        for_each: &Value,
        target: &mut EvalBlock,
        content: impl Fn(&Evaluator) -> EvalBlock,
    ) {
        let elements = match for_each_elements(for_each) {
            Ok(elements) => elements,
            Err(mut unknown) => {
                unknown.span = header;
                target.undecided_blocks.push((kind.to_string(), unknown));
                return;
            }
        };
        if elements.is_empty() {
            target
                .empty_blocks
                .push((kind.to_string(), with_span(for_each.clone(), header)));
        }
        for (key, value) in elements {
            let iterator_value = object(
                vec![("key", key), ("value", value)],
                for_each.span,
                for_each.provenance.to_vec(),
            );
            target
                .blocks
                .push(content(&self.with_binding(iterator, iterator_value)));
        }
    }

    /// For `jsonencode(x)`, the value of `x`.
    fn jsonencode_argument(&self, expr: &syntax::Expr) -> Option<Value> {
        let ExprKind::FuncCall(call) = &expr.kind else {
            return None;
        };
        if self.text(&call.name) != "jsonencode" || call.args.len() != 1 {
            return None;
        }
        call.args.first().map(|arg| self.expr(arg))
    }

    /// `ignore_changes` names attributes, not values: `[tags, microsoft_defender]` or `all`.
    /// Each item becomes the string of its path as written (`tags["owner"]` stays as is).
    fn attribute_paths(&self, expr: &syntax::Expr) -> Value {
        let span = self.span(expr.span);
        let path = |expr: &syntax::Expr| {
            let span = self.span(expr.span);
            let text = self.source(span).trim_matches('"').to_string();
            Value::new(ValueKind::String(text), span)
        };
        match &expr.kind {
            ExprKind::Array(items) => {
                Value::new(ValueKind::List(items.iter().map(path).collect()), span)
            }
            _ => path(expr),
        }
    }

    // ----- JSON syntax --------------------------------------------------------------------

    /// A block written as a JSON object: keys holding objects (or arrays of objects) may be
    /// nested blocks or object attributes, and JSON cannot tell which without the provider's
    /// schema, so they are both.
    fn json_block(
        &self,
        ident: &str,
        labels: Vec<String>,
        header: Span,
        body: &Value,
    ) -> EvalBlock {
        let mut evaluated = EvalBlock {
            ident: ident.to_string(),
            labels,
            header,
            span: body.span,
            attributes: Vec::new(),
            blocks: Vec::new(),
            undecided_blocks: Vec::new(),
            empty_blocks: Vec::new(),
        };
        for entry in body.entries().unwrap_or(&[]) {
            let key_header = entry.key_span;
            if entry.key == "dynamic" {
                for (kind, dynamic) in entry
                    .value
                    .entries()
                    .unwrap_or(&[])
                    .iter()
                    .map(|e| (&e.key, e))
                {
                    self.json_dynamic_into(kind, dynamic, &mut evaluated);
                }
                continue;
            }
            let value = if ident == "lifecycle" && entry.key == "ignore_changes" {
                entry.value.clone()
            } else {
                self.json(&entry.value)
            };
            match &entry.value.kind {
                ValueKind::Object(_) => evaluated.blocks.push(self.json_block(
                    &entry.key,
                    Vec::new(),
                    key_header,
                    &entry.value,
                )),
                ValueKind::List(items) if items.iter().all(|i| i.entries().is_some()) => {
                    for item in items {
                        evaluated.blocks.push(self.json_block(
                            &entry.key,
                            Vec::new(),
                            key_header,
                            item,
                        ));
                    }
                }
                _ => {}
            }
            let span = Span {
                start: entry.key_span.start,
                ..self.first_line(Span {
                    start: entry.key_span.start,
                    ..entry.value.span
                })
            };
            evaluated.attributes.push(EvalAttribute {
                name: entry.key.to_string(),
                span,
                value,
                encoded: None,
            });
        }
        evaluated
    }

    fn json_dynamic_into(&self, kind: &str, dynamic: &Entry, target: &mut EvalBlock) {
        let header = dynamic.key_span;
        let iterator = dynamic
            .value
            .get("iterator")
            .and_then(|e| e.value.as_str())
            .unwrap_or(kind)
            .to_string();
        let Some(content) = dynamic.value.get("content") else {
            return;
        };
        let for_each = match dynamic.value.get("for_each") {
            Some(entry) => self.json(&entry.value),
            None => Value::unknown(
                UnknownCause::Unsupported,
                format!("dynamic \"{kind}\" block has no for_each"),
                header,
            ),
        };
        self.expand_dynamic(kind, header, &iterator, &for_each, target, |bound| {
            bound.json_block(kind, Vec::new(), header, &content.value)
        });
    }

    /// A JSON value as Terraform reads it: strings are templates (`"${var.x}"`).
    pub fn json(&self, value: &Value) -> Value {
        if !self.scope.enter() {
            return exhausted(value.span);
        }
        let result = match &value.kind {
            ValueKind::String(text) if text.contains("${") || text.contains("%{") => {
                match hcl_edit::parser::parse_template(text) {
                    Ok(template) => {
                        let template = syntax::template(&template, text);
                        let evaluator = Evaluator {
                            file: value.span.file,
                            text,
                            fixed_span: Some(value.span),
                            ..self.clone()
                        };
                        evaluator.template(&template, value.span)
                    }
                    Err(error) => Value::unknown(
                        UnknownCause::Unsupported,
                        format!("template does not parse: {}", error.message()),
                        value.span,
                    ),
                }
            }
            ValueKind::List(items) => {
                let items: Vec<Value> = items.iter().map(|i| self.json(i)).collect();
                match items.iter().find(|item| is_error(item)) {
                    Some(error) => with_span(error.clone(), value.span),
                    None => Value::new(ValueKind::List(items), value.span),
                }
            }
            ValueKind::Object(entries) => {
                let entries: Vec<Entry> = entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: self.json(&e.value),
                    })
                    .collect();
                match entries.iter().find(|e| is_error(&e.value)) {
                    Some(error) => with_span(error.value.clone(), value.span),
                    None => Value::new(ValueKind::Object(entries), value.span),
                }
            }
            _ => value.clone(),
        };
        self.scope.leave();
        result
    }

    pub fn expr_any(&self, expr: Expr) -> Value {
        match expr {
            Expr::Hcl(file, expr) => self.in_file(file).expr(expr),
            Expr::Json(value) => self.json(value),
        }
    }

    // ----- expressions --------------------------------------------------------------------

    pub fn expr(&self, expr: &syntax::Expr) -> Value {
        let span = self.span(expr.span);
        if !self.scope.enter() {
            return exhausted(span);
        }
        let value = self.expr_inner(expr, span);
        self.scope.leave();
        value
    }

    fn expr_inner(&self, expr: &syntax::Expr, span: Span) -> Value {
        let kind = match &expr.kind {
            ExprKind::Null => ValueKind::Null,
            ExprKind::Bool(b) => ValueKind::Bool(*b),
            ExprKind::Number(n) => ValueKind::Number(*n),
            ExprKind::String(s) => ValueKind::String(self.text(s).to_string()),
            ExprKind::Parenthesis(inner) => return self.expr(inner),
            ExprKind::Array(array) => {
                let items: Vec<Value> = array.iter().map(|item| self.expr(item)).collect();
                if let Some(error) = items.iter().find(|item| is_error(item)) {
                    return with_span(error.clone(), span);
                }
                ValueKind::List(items)
            }
            ExprKind::Object(object) => {
                let mut entries = Vec::new();
                for item in object.iter() {
                    let key_span = self.span(item.key_span);
                    let key = match &item.key {
                        ObjectKey::Ident(ident) => self.text(ident).to_string(),
                        ObjectKey::Expr(key_expr) => {
                            let key = self.expr(key_expr);
                            match key_string(&key) {
                                Some(key) => key,
                                None => return unknown_from(&key, span, "object key"),
                            }
                        }
                    };
                    let value = self.expr(&item.value);
                    if is_error(&value) {
                        return with_span(value, span);
                    }
                    entries.retain(|e: &Entry| e.key != key);
                    entries.push(Entry {
                        key: key.into(),
                        key_span,
                        value,
                    });
                }
                ValueKind::Object(entries)
            }
            ExprKind::Template(template) => return self.template(template, span),
            ExprKind::Variable(ident) => match self.binding(self.text(ident)) {
                Some(value) => return with_span(value.clone(), span),
                None if self.only_bindings => {
                    return self.type_error(
                        span,
                        &format!("the vars map does not contain key \"{}\"", self.text(ident)),
                    )
                }
                None => return self.not_evaluated(span),
            },
            ExprKind::Conditional(conditional) => {
                let condition = self.expr(&conditional.condition);
                if condition.as_unknown().is_none() && to_bool(&condition).is_none() {
                    return self.type_error(
                        span,
                        &format!(
                            "the condition is {}, and a condition must be a bool",
                            condition.describe()
                        ),
                    );
                }
                return match to_bool(&condition) {
                    Some(choice) => {
                        let (chosen, other) = if choice {
                            (&conditional.true_expr, &conditional.false_expr)
                        } else {
                            (&conditional.false_expr, &conditional.true_expr)
                        };
                        let value = self.expr(chosen);
                        // The other branch's errors do not matter, but its type does.
                        let other = self.expr(other);
                        with_provenance(
                            self.unify_branches(value, &other, span),
                            &condition.provenance,
                        )
                    }
                    None => {
                        // Both branches alike: the condition does not matter.
                        let yes = self.expr(&conditional.true_expr);
                        let no = self.expr(&conditional.false_expr);
                        if !is_error(&yes) && same(&yes, &no) == Some(true) {
                            return with_provenance(yes, &condition.provenance);
                        }
                        unknown_from(&condition, span, "condition")
                    }
                };
            }
            ExprKind::FuncCall(call) => return self.call(call, span),
            ExprKind::Traversal(traversal) => return self.traversal(traversal, span),
            ExprKind::UnaryOp(operator, operand) => {
                let operand = self.expr(operand);
                if operand.as_unknown().is_some() {
                    return with_span(operand, span);
                }
                let kind = match operator {
                    UnaryOperator::Not => match to_bool(&operand) {
                        Some(b) => ValueKind::Bool(!b),
                        None => return self.type_error(span, "`!` needs a boolean"),
                    },
                    UnaryOperator::Neg => match to_number(&operand) {
                        Some(n) => ValueKind::Number(-n),
                        None => return self.type_error(span, "`-` needs a number"),
                    },
                };
                return Value {
                    kind,
                    span,
                    provenance: operand.provenance,
                };
            }
            ExprKind::BinaryOp(op) => {
                let lhs = self.expr(&op.lhs);
                let rhs = self.expr(&op.rhs);
                return self.binary(op.operator, lhs, rhs, span);
            }
            ExprKind::ForExpr(for_expr) => return self.for_expr(for_expr, span),
        };
        Value::new(kind, span)
    }

    /// A conditional's chosen value in the type both branches share, as Terraform unifies them
    /// (`true ? 1 : "a"` is "1"); results with no common type (a list and a string) fail.
    fn unify_branches(&self, chosen: Value, other: &Value, span: Span) -> Value {
        if is_error(&chosen) || is_error(other) {
            return chosen;
        }
        match unify_conditional(&chosen, other) {
            Some(unified) => unified,
            None => self.type_error(
                span,
                &format!(
                    "the true and false results must have consistent types, not {} and {}",
                    chosen.describe(),
                    other.describe()
                ),
            ),
        }
    }

    fn binary(&self, operator: BinaryOperator, lhs: Value, rhs: Value, span: Span) -> Value {
        let provenance = merge_provenance([&lhs, &rhs]);
        let known = |kind| Value {
            kind,
            span,
            provenance: provenance.clone().into(),
        };
        // Terraform evaluates both sides: an error in either fails the operation.
        for side in [&lhs, &rhs] {
            if is_error(side) {
                return with_span(side.clone(), span);
            }
        }
        // A known false decides `&&`, a known true decides `||`, whatever the other side.
        match operator {
            BinaryOperator::And if to_bool(&lhs) == Some(false) || to_bool(&rhs) == Some(false) => {
                return known(ValueKind::Bool(false))
            }
            BinaryOperator::Or if to_bool(&lhs) == Some(true) || to_bool(&rhs) == Some(true) => {
                return known(ValueKind::Bool(true))
            }
            _ => {}
        }
        for side in [&lhs, &rhs] {
            if side.as_unknown().is_some() {
                return with_provenance(with_span(side.clone(), span), &provenance);
            }
        }
        let numbers = || Some((to_number(&lhs)?, to_number(&rhs)?));
        let kind = match operator {
            BinaryOperator::Eq | BinaryOperator::NotEq => match same(&lhs, &rhs) {
                Some(equal) => ValueKind::Bool(equal == (operator == BinaryOperator::Eq)),
                None => return unknown_from(&lhs, span, "comparison"),
            },
            BinaryOperator::And | BinaryOperator::Or => match (to_bool(&lhs), to_bool(&rhs)) {
                (Some(a), Some(b)) => ValueKind::Bool(if operator == BinaryOperator::And {
                    a && b
                } else {
                    a || b
                }),
                _ => return self.type_error(span, "`&&` and `||` need booleans"),
            },
            _ => {
                let Some((a, b)) = numbers() else {
                    return self
                        .type_error(span, &format!("`{}` needs numbers", operator.as_str()));
                };
                match operator {
                    BinaryOperator::LessEq => ValueKind::Bool(a <= b),
                    BinaryOperator::GreaterEq => ValueKind::Bool(a >= b),
                    BinaryOperator::Less => ValueKind::Bool(a < b),
                    BinaryOperator::Greater => ValueKind::Bool(a > b),
                    BinaryOperator::Plus => {
                        ValueKind::Number(decimal_arithmetic(Arithmetic::Add, a, b))
                    }
                    BinaryOperator::Minus => {
                        ValueKind::Number(decimal_arithmetic(Arithmetic::Subtract, a, b))
                    }
                    BinaryOperator::Mul => {
                        ValueKind::Number(decimal_arithmetic(Arithmetic::Multiply, a, b))
                    }
                    // Terraform divides into an infinity, as f64 does; 0 / 0 it rejects.
                    BinaryOperator::Div if b != 0.0 || a != 0.0 => ValueKind::Number(a / b),
                    BinaryOperator::Mod if b != 0.0 => ValueKind::Number(a % b),
                    // Terraform's `a % 0` is `a`.
                    BinaryOperator::Mod => ValueKind::Number(a),
                    _ => return self.type_error(span, "division by zero"),
                }
            }
        };
        // Infinities can cancel (`inf - inf`): Terraform cannot represent the result.
        if matches!(kind, ValueKind::Number(n) if n.is_nan()) {
            return self.type_error(span, "the result is not a number");
        }
        known(kind)
    }

    fn template(&self, template: &Template, span: Span) -> Value {
        // A template that is one interpolation yields the value itself, not its string form.
        if let [Element::Interpolation(interpolation)] = &template.elements[..] {
            return with_span(self.expr(interpolation), span);
        }
        let mut text = String::new();
        let mut provenance = Vec::new();
        let mut unknown = None;
        if let Err(error) =
            self.template_into(template, span, &mut text, &mut provenance, &mut unknown)
        {
            return error;
        }
        // An unknown part leaves the text unknown, unless another part fails (checked above).
        if let Some(unknown) = unknown {
            return unknown;
        }
        Value {
            kind: ValueKind::String(text),
            span,
            provenance: provenance.into(),
        }
    }

    /// Append `template` to `text`. `Err` is an error, which ends it; the first unknown part is
    /// kept in `unknown` and the rest still evaluated, as an error there fails the whole.
    fn template_into(
        &self,
        template: &Template,
        span: Span,
        text: &mut String,
        provenance: &mut Vec<Related>,
        unknown: &mut Option<Value>,
    ) -> Result<(), Value> {
        for element in template.elements.iter() {
            match element {
                Element::Literal(literal) => text.push_str(self.text(literal)),
                Element::Interpolation(interpolation) => {
                    let value = self.expr(interpolation);
                    match self.template_string(&value, span) {
                        Ok(part) => text.push_str(&part),
                        Err(failed) if is_error(&failed) => return Err(failed),
                        Err(failed) => {
                            unknown.get_or_insert(failed);
                        }
                    }
                    extend_provenance(provenance, &value.provenance);
                }
                Element::If(directive) => {
                    let condition = self.expr(&directive.condition);
                    extend_provenance(provenance, &condition.provenance);
                    match to_bool(&condition) {
                        Some(true) => {
                            self.template_into(&directive.then, span, text, provenance, unknown)?
                        }
                        Some(false) => {
                            if let Some(otherwise) = &directive.otherwise {
                                self.template_into(otherwise, span, text, provenance, unknown)?
                            }
                        }
                        None => {
                            let failed = unknown_from(&condition, span, "template condition");
                            if is_error(&failed) {
                                return Err(failed);
                            }
                            unknown.get_or_insert(failed);
                        }
                    }
                }
                Element::For(directive) => {
                    let collection = self.expr(&directive.collection);
                    let elements = match collection_elements(&collection) {
                        Ok(elements) => elements,
                        Err(failed) if is_error(&failed) => return Err(with_span(failed, span)),
                        Err(failed) => {
                            unknown.get_or_insert(with_span(failed, span));
                            Vec::new()
                        }
                    };
                    for (key, value) in elements {
                        let mut evaluator =
                            self.with_binding(self.text(&directive.value_var), value);
                        if let Some(key_var) = &directive.key_var {
                            evaluator = evaluator.with_binding(self.text(key_var), key);
                        }
                        evaluator.template_into(
                            &directive.template,
                            span,
                            text,
                            provenance,
                            unknown,
                        )?;
                    }
                }
            }
        }
        Ok(())
    }

    fn template_string(&self, value: &Value, span: Span) -> Result<String, Value> {
        match &value.kind {
            ValueKind::String(s) => Ok(s.clone()),
            ValueKind::Number(n) => Ok(crate::value::format_number(*n)),
            ValueKind::Bool(b) => Ok(b.to_string()),
            ValueKind::Unknown(_) => Err(with_span(value.clone(), span)),
            _ => Err(self.type_error(
                span,
                &format!("cannot interpolate {} into a string", value.describe()),
            )),
        }
    }

    fn for_expr(&self, for_expr: &ForExpr, span: Span) -> Value {
        let collection = self.expr(&for_expr.collection);
        let elements = match collection_elements(&collection) {
            Ok(elements) => elements,
            Err(unknown) => return with_span(unknown, span),
        };
        let mut items = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        for (key, value) in elements {
            let mut evaluator = self.with_binding(self.text(&for_expr.value_var), value);
            if let Some(key_var) = &for_expr.key_var {
                evaluator = evaluator.with_binding(self.text(key_var), key);
            }
            if let Some(condition) = &for_expr.condition {
                let keep = evaluator.expr(condition);
                match to_bool(&keep) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return unknown_from(&keep, span, "`for` condition"),
                }
            }
            let value = evaluator.expr(&for_expr.value_expr);
            if is_error(&value) {
                return with_span(value, span);
            }
            match &for_expr.key_expr {
                None => items.push(value),
                Some(key_expr) => {
                    let key_value = evaluator.expr(key_expr);
                    let Some(key) = key_string(&key_value) else {
                        return unknown_from(&key_value, span, "`for` key");
                    };
                    match entries.iter_mut().find(|e| e.key == key) {
                        Some(existing) if for_expr.grouping => {
                            if let ValueKind::List(group) = &mut existing.value.kind {
                                group.push(value);
                            }
                        }
                        Some(_) => {
                            return self.type_error(span, &format!("duplicate key \"{key}\""))
                        }
                        None => entries.push(Entry {
                            key: key.into(),
                            key_span: key_value.span,
                            value: if for_expr.grouping {
                                Value::new(ValueKind::List(vec![value]), span)
                            } else {
                                value
                            },
                        }),
                    }
                }
            }
        }
        let kind = match &for_expr.key_expr {
            None => ValueKind::List(items),
            Some(_) => ValueKind::Object(entries),
        };
        Value {
            kind,
            span,
            provenance: collection.provenance,
        }
    }

    fn call(&self, call: &FuncCall, span: Span) -> Value {
        let name = self.text(&call.name);
        if call.namespaced {
            return self.not_evaluated(span);
        }
        match name {
            // Lazy: the first argument that Terraform evaluates without an error wins. Only a
            // real error moves on: an unknown part (an input, a computed value, something
            // aksguard does not evaluate, a bound reached) might still fail or succeed, so it
            // leaves the whole `try` unknown, naming that part.
            "try" => {
                let mut last_error = None;
                for arg in call.args.iter() {
                    let value = self.expr(arg);
                    if let Some(error) = find_error(&value) {
                        last_error = Some(error.clone());
                        continue;
                    }
                    if let Some(unknown) = find_unknown(&value) {
                        return with_provenance(
                            with_span(unknown.clone(), span),
                            &value.provenance,
                        );
                    }
                    return value;
                }
                match last_error {
                    Some(error) => self.type_error(
                        span,
                        &format!(
                            "no argument of try() succeeded; the last: {}",
                            error.as_unknown().map_or("", |u| u.reason.as_str())
                        ),
                    ),
                    None => self.type_error(span, "try() needs at least one argument"),
                }
            }
            // `can(x)`: false exactly when Terraform fails on `x`; unknown when `x` is.
            "can" => {
                let [arg] = call.args.iter().collect::<Vec<_>>()[..] else {
                    return self.type_error(span, "can() takes exactly one argument");
                };
                let value = self.expr(arg);
                if find_error(&value).is_some() {
                    return Value {
                        kind: ValueKind::Bool(false),
                        span,
                        provenance: value.provenance,
                    };
                }
                match find_unknown(&value) {
                    Some(unknown) => {
                        with_provenance(with_span(unknown.clone(), span), &value.provenance)
                    }
                    None => Value {
                        kind: ValueKind::Bool(true),
                        span,
                        provenance: value.provenance,
                    },
                }
            }
            "templatestring" => self.templatestring(call, span),
            "file" | "fileexists" | "templatefile" => self.file_function(name, call, span),
            _ => {
                let mut args: Vec<Value> = call.args.iter().map(|arg| self.expr(arg)).collect();
                // `f(list...)`: the last argument's elements are the arguments.
                if call.expand_final {
                    match args.pop() {
                        Some(Value {
                            kind: ValueKind::List(items),
                            ..
                        }) => args.extend(items),
                        Some(other) => return with_span(other, span),
                        None => {}
                    }
                }
                functions::call(name, &args, span, &self.source(span))
            }
        }
    }

    /// `file(path)`, `fileexists(path)` and `templatefile(path, vars)`: files read from disk,
    /// relative to the working directory as Terraform reads them (hence `"${path.module}/x"`),
    /// within the repository and up to a size, as UTF-8.
    fn file_function(&self, name: &str, call: &FuncCall, span: Span) -> Value {
        let args: Vec<Value> = call.args.iter().map(|arg| self.expr(arg)).collect();
        if let Some(error) = args.iter().find_map(find_error) {
            return with_span(error.clone(), span);
        }
        if let Some(unknown) = args.first().and_then(find_unknown) {
            return with_span(unknown.clone(), span);
        }
        let expected = if name == "templatefile" { 2 } else { 1 };
        let Some(path) = args
            .first()
            .and_then(Value::as_str)
            .filter(|_| args.len() == expected)
        else {
            return self.type_error(
                span,
                &format!("{name}() takes {expected} argument(s), the first a path"),
            );
        };
        let path = std::path::Path::new(path);
        let Some(paths) = &self.scope.paths else {
            // Variables files have no module directory to read from.
            return self.not_evaluated(span);
        };
        let module_dir = std::path::Path::new(&paths.module);
        if crate::frontend::repository::outside_repository(module_dir, path).is_some() {
            return Value::unknown(
                UnknownCause::Unsupported,
                format!(
                    "`{}` reads a file outside the repository, which aksguard does not read",
                    self.source(span)
                ),
                span,
            );
        }
        if name == "fileexists" {
            return Value::new(ValueKind::Bool(path.is_file()), span);
        }
        let text = match std::fs::metadata(path) {
            Err(_) => {
                return self.type_error(span, &format!("no file exists at {}", path.display()))
            }
            // A device or FIFO (`/dev/zero`) reports no length and may never end.
            Ok(meta) if !meta.is_file() => {
                return Value::unknown(
                    UnknownCause::Unsupported,
                    format!(
                        "`{}` reads {}, which is not a regular file; aksguard does not read it",
                        self.source(span),
                        path.display()
                    ),
                    span,
                )
            }
            Ok(meta) if meta.len() > MAX_FILE_BYTES => {
                return Value::unknown(
                    UnknownCause::Unsupported,
                    format!(
                        "`{}` reads a file of {} bytes, past the {MAX_FILE_BYTES} aksguard reads",
                        self.source(span),
                        meta.len()
                    ),
                    span,
                )
            }
            Ok(_) => match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(error) => {
                    return self.type_error(
                        span,
                        &format!("{} cannot be read as UTF-8 text: {error}", path.display()),
                    )
                }
            },
        };
        let content = Value::new(ValueKind::String(text), span);
        if name == "file" {
            return with_provenance(content, &merge_provenance(&args));
        }
        self.render_template(content, &args[1], &args, span)
    }

    /// `templatestring(template, vars)`: the template text is parsed and evaluated seeing only
    /// `vars`' keys.
    fn templatestring(&self, call: &FuncCall, span: Span) -> Value {
        let args: Vec<Value> = call.args.iter().map(|arg| self.expr(arg)).collect();
        if let Some(error) = args.iter().find_map(find_error) {
            return with_span(error.clone(), span);
        }
        let [template, vars] = &args[..] else {
            return self.type_error(span, "templatestring() takes exactly two arguments");
        };
        self.render_template(template.clone(), vars, &args, span)
    }

    /// A template's text evaluated seeing only `vars`' keys (`templatestring`, `templatefile`).
    fn render_template(&self, template: Value, vars: &Value, args: &[Value], span: Span) -> Value {
        let template = &template;
        for arg in [template, vars] {
            if let Some(unknown) = find_unknown(arg) {
                return with_span(unknown.clone(), span);
            }
        }
        let (Some(text), Some(entries)) = (template.as_str(), vars.entries()) else {
            return self.type_error(
                span,
                "templatestring() needs a template string and a map of variables",
            );
        };
        let parsed = match hcl_edit::parser::parse_template(text) {
            Ok(parsed) => syntax::template(&parsed, text),
            Err(error) => {
                return self.type_error(
                    span,
                    &format!("the template does not parse: {}", error.message()),
                )
            }
        };
        let scope = Scope::empty(self.scope.sources);
        scope.fuel.set(self.scope.fuel.get());
        scope.depth.set(self.scope.depth.get());
        let evaluator = Evaluator {
            scope: &scope,
            file: self.file,
            text,
            fixed_span: Some(span),
            bindings: Rc::new(
                entries
                    .iter()
                    .map(|e| (e.key.to_string(), e.value.clone()))
                    .collect(),
            ),
            only_bindings: true,
        };
        let value = evaluator.template(&parsed, span);
        self.scope.fuel.set(scope.fuel.get());
        with_provenance(value, &merge_provenance(args))
    }

    fn traversal(&self, traversal: &Traversal, span: Span) -> Value {
        let operators = &traversal.operators[..];
        let ExprKind::Variable(root) = &traversal.expr.kind else {
            let value = self.expr(&traversal.expr);
            return self.apply(value, operators, span);
        };
        let root = self.text(root);
        if let Some(bound) = self.binding(root) {
            return self.apply(bound.clone(), operators, span);
        }
        if self.only_bindings {
            return self.type_error(
                span,
                &format!("the vars map does not contain key \"{root}\""),
            );
        }
        let first = match operators.first() {
            Some(Operator::GetAttr(name)) => Some(self.text(name)),
            _ => None,
        };
        let text = self.source(span);
        match (root, first) {
            ("var", Some(name)) => {
                let value = match self.scope.variables.get(name) {
                    Some(value) => with_span(value.clone(), span),
                    None => Value::unknown(
                        UnknownCause::Unsupported,
                        format!("var.{name} is not declared"),
                        span,
                    ),
                };
                with_span(self.apply(value, &operators[1..], span), span)
            }
            ("local", Some(name)) => {
                let value = with_span(self.local(name, span), span);
                with_span(self.apply(value, &operators[1..], span), span)
            }
            ("data", _) => match self.policy_definition_id(operators) {
                Some(id) => Value::new(ValueKind::String(id), span),
                None => {
                    let mut unknown = Unknown::new(
                        UnknownCause::Computed,
                        format!("`{text}` is read from Azure when Terraform runs"),
                    );
                    // `data.<type>.<name>`: what it reads tells a scope's kind.
                    if let [Operator::GetAttr(kind), Operator::GetAttr(name), ..] = operators {
                        unknown.reference =
                            Some(format!("data.{}.{}", self.text(kind), self.text(name)));
                    }
                    Value::new(ValueKind::Unknown(Box::new(unknown)), span)
                }
            },
            ("module", Some(name)) if self.scope.module_outputs.contains_key(name) => {
                let outputs = with_span(self.scope.module_outputs[name].clone(), span);
                with_span(self.apply(outputs, &operators[1..], span), span)
            }
            ("module", _) => Value::unknown(
                UnknownCause::Unsupported,
                format!("`{text}` is a module output, which aksguard does not evaluate"),
                span,
            ),
            ("path", Some(name @ ("module" | "root" | "cwd"))) => match &self.scope.paths {
                Some(paths) => {
                    let path = match name {
                        "module" => paths.module.clone(),
                        "root" => paths.root.clone(),
                        _ => std::env::current_dir()
                            .map(|d| d.to_string_lossy().replace('\\', "/"))
                            .unwrap_or_else(|_| ".".to_string()),
                    };
                    let value = Value::new(ValueKind::String(path), span);
                    with_span(self.apply(value, &operators[1..], span), span)
                }
                None => self.not_evaluated(span),
            },
            ("count" | "each" | "self" | "path" | "terraform" | "var" | "local", _) => {
                self.not_evaluated(span)
            }
            // `<type>.<name>.<attribute>`: another resource's attribute. The address is kept, so
            // an id can still tell which resource it points at (an extension's `cluster_id`).
            (resource_type, Some(name)) => {
                let mut unknown = Unknown::new(
                    UnknownCause::Computed,
                    format!("`{text}` is known only after apply"),
                );
                unknown.reference = Some(format!("{resource_type}.{name}"));
                Value::new(ValueKind::Unknown(Box::new(unknown)), span)
            }
            _ => Value::unknown(
                UnknownCause::Computed,
                format!("`{text}` is known only after apply"),
                span,
            ),
        }
    }

    /// `data.<policy type>.<name>.id` of a built-in definition looked up by `name` (its GUID) or by
    /// a `display_name` aksguard knows: the id is the built-in's, whatever the tenant.
    fn policy_definition_id(&self, operators: &[Operator]) -> Option<String> {
        let [Operator::GetAttr(data_type), Operator::GetAttr(name), Operator::GetAttr(attribute)] =
            operators
        else {
            return None;
        };
        if self.text(attribute) != "id" {
            return None;
        }
        let decl = *self.scope.policy_data.get(&format!(
            "{}.{}",
            self.text(data_type),
            self.text(name)
        ))?;
        let kind = if decl.is_set {
            "policySetDefinitions"
        } else {
            "policyDefinitions"
        };
        if let Some(guid) = decl
            .name
            .map(|e| self.expr_any(e))
            .and_then(|v| v.as_str().map(str::to_string))
        {
            return Some(format!("/providers/Microsoft.Authorization/{kind}/{guid}"));
        }
        let display_name = decl.display_name.map(|e| self.expr_any(e))?;
        crate::policy::id_for_display_name(display_name.as_str()?)
    }

    fn local(&self, name: &str, span: Span) -> Value {
        let (Some(expr), Some(lazy)) = (
            self.scope.locals.get(name),
            self.scope.local_values.get(name),
        ) else {
            return Value::unknown(
                UnknownCause::Unsupported,
                format!("local.{name} is not defined"),
                span,
            );
        };
        lazy.get(
            || {
                self.scope.local_stack.borrow_mut().push(name.to_string());
                // Locals see no `count`/`each`: a fresh evaluator in the local's own file.
                let fresh = Evaluator {
                    bindings: Rc::new(Vec::new()),
                    ..self.clone()
                };
                let value = fresh.expr_any(*expr);
                self.scope.local_stack.borrow_mut().pop();
                value
            },
            || {
                let stack = self.scope.local_stack.borrow();
                let at = stack.iter().position(|n| n == name).unwrap_or(0);
                let cycle: Vec<String> = stack[at..]
                    .iter()
                    .chain(std::iter::once(&name.to_string()))
                    .map(|n| format!("local.{n}"))
                    .collect();
                Value::unknown(
                    UnknownCause::Unsupported,
                    format!(
                        "locals refer to each other in a cycle ({})",
                        cycle.join(" → ")
                    ),
                    span,
                )
            },
        )
    }

    /// Apply attribute access, indexing and splats to `value`.
    fn apply(&self, value: Value, operators: &[Operator], span: Span) -> Value {
        let mut current = value;
        for (at, operator) in operators.iter().enumerate() {
            if current.as_unknown().is_some() {
                return current;
            }
            current = match operator {
                Operator::GetAttr(name) => self.get(&current, self.text(name), span),
                Operator::Index(index) => {
                    let index = self.expr(index);
                    self.index(&current, &index, span)
                }
                Operator::LegacyIndex(index) => {
                    let index = Value::new(ValueKind::Number(*index as f64), span);
                    self.index(&current, &index, span)
                }
                Operator::AttrSplat | Operator::FullSplat => {
                    let items = match &current.kind {
                        ValueKind::List(items) => items.clone(),
                        ValueKind::Null => Vec::new(),
                        _ => vec![current.clone()],
                    };
                    let rest = &operators[at + 1..];
                    let items: Vec<Value> = items
                        .into_iter()
                        .map(|item| self.apply(item, rest, span))
                        .collect();
                    if let Some(error) = items.iter().find(|item| is_error(item)) {
                        return with_span(error.clone(), span);
                    }
                    return Value {
                        kind: ValueKind::List(items),
                        span,
                        provenance: current.provenance,
                    };
                }
            };
        }
        current
    }

    fn get(&self, value: &Value, name: &str, span: Span) -> Value {
        match value.get(name) {
            Some(entry) => with_provenance(entry.value.clone(), &value.provenance),
            None => self.type_error(
                span,
                &format!("{} has no attribute \"{name}\"", value.describe()),
            ),
        }
    }

    fn index(&self, value: &Value, index: &Value, span: Span) -> Value {
        if index.as_unknown().is_some() {
            return with_span(index.clone(), span);
        }
        let found = match (&value.kind, key_string(index)) {
            (ValueKind::List(items), _) => to_number(index)
                .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                .and_then(|n| items.get(n as usize)),
            (ValueKind::Object(_), Some(key)) => value.get(&key).map(|e| &e.value),
            _ => None,
        };
        match found {
            Some(found) => with_provenance(found.clone(), &value.provenance),
            None => self.type_error(
                span,
                &format!("{} has no element {}", value.describe(), index.describe()),
            ),
        }
    }

    fn not_evaluated(&self, span: Span) -> Value {
        Value::unknown(
            UnknownCause::Unsupported,
            format!("`{}` is not evaluated", self.source(span)),
            span,
        )
    }

    /// What Terraform reports as an error: an unknown here (the scan goes on), naming the problem.
    fn type_error(&self, span: Span, message: &str) -> Value {
        Value::unknown(
            UnknownCause::Error,
            format!("Terraform fails on `{}`: {message}", self.source(span)),
            span,
        )
    }
}

/// The elements of a `for_each` (resource, module or dynamic block) as `(each.key, each.value)`
/// pairs: a map's entries, or a set's strings (key and value alike). `Err` is the unknown.
pub fn for_each_elements(value: &Value) -> Result<Vec<(Value, Value)>, Value> {
    match &value.kind {
        ValueKind::Object(entries) => Ok(entries
            .iter()
            .map(|e| {
                (
                    Value::new(ValueKind::String(e.key.to_string()), e.key_span),
                    with_provenance(e.value.clone(), &value.provenance),
                )
            })
            .collect()),
        ValueKind::List(items) => {
            if let Some(unknown) = items.iter().find(|i| i.as_unknown().is_some()) {
                return Err(unknown.clone());
            }
            Ok(items
                .iter()
                .map(|item| {
                    let item = with_provenance(item.clone(), &value.provenance);
                    (item.clone(), item)
                })
                .collect())
        }
        ValueKind::Unknown(_) => Err(value.clone()),
        _ => Err(Value::unknown(
            UnknownCause::Unsupported,
            format!("for_each needs a map or a set, found {}", value.describe()),
            value.span,
        )),
    }
}

/// The elements of a collection for a `for` expression: `(index, value)` for lists, `(key,
/// value)` for objects.
fn collection_elements(value: &Value) -> Result<Vec<(Value, Value)>, Value> {
    match &value.kind {
        ValueKind::List(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                (
                    Value::new(ValueKind::Number(i as f64), item.span),
                    with_provenance(item.clone(), &value.provenance),
                )
            })
            .collect()),
        // Terraform iterates a map or object in the lexical order of its keys.
        ValueKind::Object(_) => {
            let mut elements = for_each_elements(value)?;
            elements.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
            Ok(elements)
        }
        ValueKind::Unknown(_) => Err(value.clone()),
        _ => Err(Value::unknown(
            UnknownCause::Error,
            format!("Terraform cannot iterate over {}", value.describe()),
            value.span,
        )),
    }
}

fn key_string(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::String(s) => Some(s.clone()),
        ValueKind::Number(n) => Some(crate::value::format_number(*n)),
        ValueKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `value` moved to `span` (where it is used), keeping what it holds and where it came from.
pub fn with_span(mut value: Value, span: Span) -> Value {
    value.span = span;
    value
}

/// An unknown at `span` carrying the reason of `from` (itself unknown, or of the wrong type).
fn unknown_from(from: &Value, span: Span, what: &str) -> Value {
    match from.as_unknown() {
        Some(_) => with_span(from.clone(), span),
        None => Value {
            provenance: from.provenance.clone(),
            ..Value::unknown(
                UnknownCause::Error,
                format!("the {what} is {}, which Terraform rejects", from.describe()),
                span,
            )
        },
    }
}

fn exhausted(span: Span) -> Value {
    Value::unknown(
        UnknownCause::Unsupported,
        "the expression is too deeply nested or too costly to evaluate",
        span,
    )
}

fn extend_provenance(into: &mut Vec<Related>, from: &[Related]) {
    for related in from {
        if !into.contains(related) {
            into.push(related.clone());
        }
    }
}

fn object(entries: Vec<(&str, Value)>, span: Span, provenance: Vec<Related>) -> Value {
    Value {
        kind: ValueKind::Object(
            entries
                .into_iter()
                .map(|(key, value)| Entry {
                    key: key.into(),
                    key_span: value.span,
                    value,
                })
                .collect(),
        ),
        span,
        provenance: provenance.into(),
    }
}

/// Re-exported for the module loader: values from the command line have no source text.
pub fn cli_value(value: Value, span: Span) -> Value {
    respan_deep(value, span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// Evaluate `local.result` of an HCL text holding `locals { ... }`, with `variables`.
    fn eval_local(text: &str, variables: &[(&str, Value)]) -> Value {
        let sources = SourceMap::new(vec![SourceFile::new("main.tf".into(), text.to_string())]);
        let body = super::super::parse(text).expect("parses");
        let mut locals = BTreeMap::new();
        for block in body.blocks() {
            for attribute in block.body.attributes() {
                locals.insert(
                    attribute.key.get(text).to_string(),
                    Expr::Hcl(FileId(0), &attribute.value),
                );
            }
        }
        let variables = variables
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let scope = Scope::new(&sources, variables, locals);
        let value = Evaluator::new(&scope, FileId(0)).local("result", Span::default());
        value
    }

    fn unset(name: &str) -> Value {
        Value::unknown(
            UnknownCause::Input,
            format!("var.{name} has no default and no tfvars sets it"),
            Span::default(),
        )
    }

    #[test]
    fn operators_conditionals_and_templates() {
        let value = eval_local(
            "locals {\n result = \"${local.n * 2 + 1 > 6 ? \"big\" : \"small\"}-${upper(local.s)}\"\n n = 3\n s = \"x\"\n}",
            &[],
        );
        assert_eq!(value.as_str(), Some("big-X"));
        let value = eval_local("locals {\n result = !(1 == 1) || \"a\" != \"b\"\n}", &[]);
        assert_eq!(value.as_bool(), Some(true));
    }

    #[test]
    fn for_expressions_and_splats() {
        let value = eval_local(
            "locals {\n result = { for k, v in local.m : upper(k) => v.on if v.on }\n m = { a = { on = true }, b = { on = false } }\n}",
            &[],
        );
        assert_eq!(value.entries().unwrap().len(), 1);
        assert_eq!(value.get("A").unwrap().value.as_bool(), Some(true));
        let value = eval_local(
            "locals {\n result = local.l[*].name\n l = [{ name = \"x\" }, { name = \"y\" }]\n}",
            &[],
        );
        assert_eq!(value.items().unwrap()[1].as_str(), Some("y"));
    }

    #[test]
    fn unknowns_name_their_input() {
        let value = eval_local(
            "locals {\n result = var.enable ? [1] : []\n}",
            &[("enable", unset("enable"))],
        );
        let unknown = value.as_unknown().expect("unknown");
        assert_eq!(unknown.cause, UnknownCause::Input);
        assert!(unknown.reason.contains("var.enable has no default"));
        // Both branches alike: the condition does not matter.
        let value = eval_local(
            "locals {\n result = var.enable ? \"a\" : \"a\"\n}",
            &[("enable", unset("enable"))],
        );
        assert_eq!(value.as_str(), Some("a"));
        // A known false decides `&&`.
        let value = eval_local(
            "locals {\n result = var.enable && false\n}",
            &[("enable", unset("enable"))],
        );
        assert_eq!(value.as_bool(), Some(false));
        let value = eval_local(
            "locals {\n result = azurerm_log_analytics_workspace.law.id\n}",
            &[],
        );
        assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Computed);
        let value = eval_local(
            "locals {\n result = data.azurerm_client_config.c.id\n}",
            &[],
        );
        assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Computed);
        let value = eval_local("locals {\n result = file(\"missing.json\")\n}", &[]);
        assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Unsupported);
        let value = eval_local("locals {\n result = var.undeclared\n}", &[]);
        assert!(value.as_unknown().is_some());
    }

    #[test]
    fn try_and_can_fall_back_only_on_errors() {
        let value = eval_local(
            "locals {\n result = try(local.m.missing, \"fallback\")\n m = {}\n}",
            &[],
        );
        assert_eq!(value.as_str(), Some("fallback"));
        let value = eval_local(
            "locals {\n result = try(var.x, \"fallback\")\n}",
            &[("x", unset("x"))],
        );
        assert!(
            value.as_unknown().is_some(),
            "an unset input is not an error"
        );
        let value = eval_local("locals {\n result = can(local.m.a)\n m = {}\n}", &[]);
        assert_eq!(value.as_bool(), Some(false));
    }

    #[test]
    fn try_and_can_tell_errors_from_what_aksguard_cannot_evaluate() {
        // Issue 17: a regex that matches is no error.
        let value = eval_local(
            "locals {\n result = can(regex(\"^prod\", \"prod-eu\"))\n}",
            &[],
        );
        assert_eq!(value.as_bool(), Some(true));
        let value = eval_local(
            "locals {\n result = try(regex(\"^prod\", \"prod-eu\") != \"\", false)\n}",
            &[],
        );
        assert_eq!(value.as_bool(), Some(true));
        // A regex that does not match is Terraform's error: the fallback.
        let value = eval_local(
            "locals {\n result = try(regex(\"^prod\", \"dev\"), \"none\")\n}",
            &[],
        );
        assert_eq!(value.as_str(), Some("none"));
        // What aksguard does not evaluate leaves try and can unknown, naming it.
        for expr in [
            "try(base64gzip(\"x\"), 1)",
            "can(base64gzip(\"x\"))",
            "try([base64gzip(\"x\")], 1)",
        ] {
            let value = eval_local(&format!("locals {{\n result = {expr}\n}}"), &[]);
            let unknown = value
                .as_unknown()
                .unwrap_or_else(|| panic!("{expr}: {value:?}"));
            assert_eq!(unknown.cause, UnknownCause::Unsupported, "{expr}");
            assert!(
                unknown.reason.contains("base64gzip()"),
                "{expr}: {}",
                unknown.reason
            );
        }
        // An error anywhere fails the whole, even beside an unknown.
        let value = eval_local(
            "locals {\n result = can([var.x, regex(\"a\", \"b\")])\n}",
            &[("x", unset("x"))],
        );
        assert_eq!(value.as_bool(), Some(false));
        let value = eval_local(
            "locals {\n result = \"${var.x}${regex(\"a\", \"b\")}\"\n}",
            &[("x", unset("x"))],
        );
        assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Error);
        // No argument succeeds: the error names the last one.
        let value = eval_local("locals {\n result = try({}.a, [][0])\n}", &[]);
        let unknown = value.as_unknown().unwrap();
        assert_eq!(unknown.cause, UnknownCause::Error);
        assert!(unknown.reason.contains("no argument of try() succeeded"));
        // A non-bool condition is Terraform's error.
        let value = eval_local("locals {\n result = 1 ? 2 : 3\n}", &[]);
        assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Error);
    }

    #[test]
    fn cycles_and_depth_end_as_unknown() {
        // The bound is sized for the scan's threads (64 MB stacks), not a test thread's 2 MB.
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(cycles_and_depth_on_a_scan_sized_stack)
            .expect("thread")
            .join()
            .expect("no panic");
    }

    fn cycles_and_depth_on_a_scan_sized_stack() {
        let value = eval_local("locals {\n result = local.a\n a = local.result\n}", &[]);
        assert!(value.as_unknown().unwrap().reason.contains("cycle"));
        let mut text = String::from("locals {\n result = local.l0\n");
        for i in 0..1000 {
            text.push_str(&format!(" l{i} = local.l{}\n", i + 1));
        }
        text.push_str(" l1000 = true\n}");
        let value = eval_local(&text, &[]);
        assert!(value
            .as_unknown()
            .unwrap()
            .reason
            .contains("too deeply nested"));
    }

    #[test]
    fn wrong_types_are_unknown_not_panics() {
        for expr in [
            "1 + \"a\"",
            "-true",
            "!1",
            "[1][5]",
            "{}.a",
            "\"x${[1]}\"",
            "[for x in 1 : x]",
            "0 / 0",
            "lookup()",
            "merge(1, 2)",
            "element([], 0)",
        ] {
            let value = eval_local(&format!("locals {{\n result = {expr}\n}}"), &[]);
            assert!(value.as_unknown().is_some(), "{expr} gave {value:?}");
        }
    }
}
