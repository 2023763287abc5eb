//! Evaluation of Bicep expressions into [`Value`]s with spans into the `.bicep` file.
//!
//! Bicep functions are ARM functions, so calls go to the ARM function library
//! ([`functions::call`]); what Bicep adds (operators, interpolation, `??`, `.?`, lambdas,
//! symbolic references to resources and modules, user functions) is evaluated here. Parameters
//! and variables are evaluated lazily, once; a cycle or a chain deeper than [`MAX_EVAL_DEPTH`] is
//! an unknown, not a stack overflow.

use std::cell::Cell;
use std::rc::Rc;

use super::ast::*;
use crate::frontend::arm::expr::eval::DeployScope;
use crate::frontend::arm::expr::functions;
use crate::source::{FileId, Span};
use crate::value::{Entry, Lazy, Related, Unknown, UnknownCause, Value, ValueKind};

/// Deepest chain of variable, parameter and function evaluations followed.
pub const MAX_EVAL_DEPTH: usize = 64;

/// Deepest nesting of expression evaluations, counting through variables and functions: each
/// variable may itself be nested as deep as the parser allows, so the chains multiply.
pub const MAX_NESTED_EVALUATIONS: usize = 400;

/// Most elements a `for` expression inside a value produces (ARM caps loops at 800).
pub const MAX_LOOP: usize = 800;

/// Most loop elements and lambda calls evaluated in one evaluation of one file: nested loops
/// multiply, and past this their values are unknown.
pub const MAX_STEPS: usize = 100_000;

struct ParamSlot<'a> {
    name: &'a str,
    statement: &'a Statement,
    default: Option<&'a Expr>,
    nullable: bool,
    supplied: Option<Value>,
    slot: Lazy,
}

struct VarSlot<'a> {
    name: &'a str,
    value: &'a Expr,
    slot: Lazy,
}

struct Function<'a> {
    name: &'a str,
    parameters: &'a [Name],
    body: &'a Expr,
}

/// One evaluation of one Bicep file: its declarations, the values supplied to its parameters,
/// and where it deploys.
pub struct Template<'a> {
    pub file: FileId,
    pub program: &'a Program,
    pub text: &'a str,
    pub scope: DeployScope,
    params: Vec<ParamSlot<'a>>,
    vars: Vec<VarSlot<'a>>,
    pub resources: Vec<&'a ResourceDecl>,
    pub modules: Vec<&'a ModuleDecl>,
    functions: Vec<Function<'a>>,
    /// Names brought in by `import`, with where from.
    imports: Vec<(String, String)>,
    /// Why a parameter without a default has no value: "no parameter file", "prod.bicepparam does
    /// not set it", "module 'aks' in main.bicep does not pass it".
    missing: String,
    depth: Cell<usize>,
    /// Expression evaluations under way (see [`MAX_NESTED_EVALUATIONS`]).
    nesting: Cell<usize>,
    /// Loop elements and lambda calls evaluated so far (see [`MAX_STEPS`]).
    steps: Cell<usize>,
    /// The directory `load*Content()` paths are relative to (the file's own).
    pub base_dir: Option<std::path::PathBuf>,
}

/// Largest file `loadJsonContent()` and `loadTextContent()` read (Bicep's own limit is far lower).
pub const MAX_LOADED_BYTES: u64 = 4 * 1024 * 1024;

/// The scope a `targetScope` names.
pub fn target_scope(program: &Program, text: &str) -> DeployScope {
    let declared = program.statements.iter().find_map(|s| match &s.kind {
        StatementKind::TargetScope(scope) => match &program[*scope].kind {
            ExprKind::Str(scope) => Some(program.text(scope, text).to_ascii_lowercase()),
            _ => None,
        },
        _ => None,
    });
    match declared.as_deref() {
        Some("subscription") => DeployScope::Subscription { subscription: None },
        Some("managementgroup") => DeployScope::ManagementGroup { group: None },
        Some("tenant") => DeployScope::Tenant,
        _ => DeployScope::ResourceGroup {
            subscription: None,
            group: None,
        },
    }
}

impl<'a> Template<'a> {
    pub fn new(
        file: FileId,
        program: &'a Program,
        text: &'a str,
        supplied: Vec<(String, Value)>,
        missing: String,
    ) -> Template<'a> {
        let mut supplied = supplied;
        let mut template = Template {
            file,
            program,
            text,
            scope: target_scope(program, text),
            params: Vec::new(),
            vars: Vec::new(),
            resources: Vec::new(),
            modules: Vec::new(),
            functions: Vec::new(),
            imports: Vec::new(),
            missing,
            depth: Cell::new(0),
            nesting: Cell::new(0),
            steps: Cell::new(0),
            base_dir: None,
        };
        for statement in &program.statements {
            match &statement.kind {
                StatementKind::Param { name, ty, value } => {
                    let name = name.text(text);
                    let position = supplied.iter().position(|(n, _)| n == name);
                    template.params.push(ParamSlot {
                        name,
                        statement,
                        default: value.map(|value| &program[value]),
                        nullable: ty.as_ref().is_some_and(|t| t.nullable),
                        supplied: position.map(|p| supplied.swap_remove(p).1),
                        slot: Lazy::default(),
                    })
                }
                StatementKind::Var { name, value } => template.vars.push(VarSlot {
                    name: name.text(text),
                    value: &program[*value],
                    slot: Lazy::default(),
                }),
                StatementKind::Resource(resource) => template.resources.push(resource),
                StatementKind::Module(module) => template.modules.push(module),
                StatementKind::Func {
                    name,
                    parameters,
                    body,
                } => template.functions.push(Function {
                    name: name.text(text),
                    parameters,
                    body: &program[*body],
                }),
                StatementKind::Import { names, from } => {
                    let from = match from.map(|f| &program[f].kind) {
                        Some(ExprKind::Str(path)) => program.text(path, text).to_string(),
                        _ => "another file".to_string(),
                    };
                    for name in names {
                        template
                            .imports
                            .push((name.text(text).to_string(), from.clone()));
                    }
                }
                _ => {}
            }
        }
        template
    }

    pub fn span(&self, loc: &Loc) -> Span {
        Span::new(self.file, loc.range())
    }

    pub fn snippet(&self, loc: &Loc) -> &str {
        self.text.get(loc.range()).unwrap_or("")
    }

    /// An expression of this file.
    pub fn expr(&self, id: ExprId) -> &'a Expr {
        &self.program[id]
    }

    /// The text of a name in this file.
    pub fn name(&self, name: &Name) -> &'a str {
        name.text(self.text)
    }

    /// The content of a string in this file.
    pub fn str<'s>(&'s self, text: &'s Text) -> &'s str {
        self.program.text(text, self.text)
    }

    /// An evaluator with no loop variables.
    pub fn evaluator(&self) -> Eval<'_, 'a> {
        Eval {
            template: self,
            locals: None,
        }
    }
}

/// Evaluates expressions of one [`Template`] with some loop or lambda variables bound.
#[derive(Clone)]
pub struct Eval<'t, 'a> {
    pub template: &'t Template<'a>,
    /// The innermost loop or lambda variable; the others are its parents.
    locals: Option<Rc<Local>>,
}

/// A loop or lambda variable, in a chain of them shared by the evaluators of nested loops and
/// lambdas: binding one more is one allocation, never a copy of the values bound outside it
/// (a lambda called for each element of a loop bound them all again each time).
struct Local {
    name: String,
    value: Value,
    outer: Option<Rc<Local>>,
}

fn unknown(cause: UnknownCause, reason: impl Into<String>, span: Span) -> Value {
    Value::unknown(cause, reason, span)
}

fn parameter_cycle(param: &ParamSlot, span: Span) -> Value {
    let reason = format!("parameter `{}` refers to itself", param.name);
    unknown(UnknownCause::Unsupported, reason, span)
}

fn variable_cycle(name: &str, span: Span) -> Value {
    let reason = format!("variable `{name}` refers to itself");
    unknown(UnknownCause::Unsupported, reason, span)
}

fn with_provenance(mut result: Value, from: &[&Value]) -> Value {
    for value in from {
        for related in &value.provenance {
            if !result.provenance.contains(related) {
                result.provenance.push(related.clone());
            }
        }
    }
    result
}

/// Functions known only when the deployment runs.
fn deployment_time(name: &str) -> Option<&'static str> {
    match name {
        "reference" | "subscription" | "resourcegroup" | "deployment" | "environment"
        | "managementgroup" | "tenant" | "pickzones" | "deployer" => {
            Some("is known only at deployment")
        }
        "utcnow" | "newguid" => Some("changes with every deployment"),
        _ if name.starts_with("list") => Some("is known only at deployment"),
        _ => None,
    }
}

impl<'t, 'a> Eval<'t, 'a> {
    /// An expression of the template evaluated.
    fn expr(&self, id: ExprId) -> &'a Expr {
        self.template.expr(id)
    }

    pub fn with_local(&self, name: &str, value: Value) -> Eval<'t, 'a> {
        Eval {
            template: self.template,
            locals: Some(Rc::new(Local {
                name: name.to_string(),
                value,
                outer: self.locals.clone(),
            })),
        }
    }

    fn span(&self, expr: &Expr) -> Span {
        self.template.span(&expr.span)
    }

    fn text(&self, expr: &Expr) -> &str {
        self.template.snippet(&expr.span)
    }

    fn local(&self, name: &str) -> Option<&Value> {
        let mut local = self.locals.as_deref();
        while let Some(bound) = local {
            if bound.name == name {
                return Some(&bound.value);
            }
            local = bound.outer.as_deref();
        }
        None
    }

    /// Run `f` one level deeper, or give the unknown that says the chain is too deep.
    fn deeper(&self, span: Span, f: impl FnOnce() -> Value) -> Value {
        let depth = self.template.depth.get();
        if depth >= MAX_EVAL_DEPTH {
            return unknown(
                UnknownCause::Unsupported,
                format!("references nest more than {MAX_EVAL_DEPTH} deep; aksguard stops here"),
                span,
            );
        }
        self.template.depth.set(depth + 1);
        let value = f();
        self.template.depth.set(depth);
        value
    }

    /// Take `n` steps of the evaluation's budget; `false` when it is spent.
    fn take_steps(&self, n: usize) -> bool {
        let taken = self.template.steps.get().saturating_add(n);
        self.template.steps.set(taken);
        taken <= MAX_STEPS
    }

    fn over_budget(&self, span: Span) -> Value {
        unknown(
            UnknownCause::Unsupported,
            format!("loops and lambdas here evaluate more than {MAX_STEPS} elements; aksguard stops here"),
            span,
        )
    }

    pub fn value(&self, expr: &Expr) -> Value {
        let nesting = self.template.nesting.get();
        if nesting >= MAX_NESTED_EVALUATIONS {
            return unknown(
                UnknownCause::Unsupported,
                format!("expressions nest more than {MAX_NESTED_EVALUATIONS} deep through variables and functions; aksguard stops here"),
                self.span(expr),
            );
        }
        self.template.nesting.set(nesting + 1);
        let value = self.value_at_depth(expr);
        self.template.nesting.set(nesting);
        value
    }

    fn value_at_depth(&self, expr: &Expr) -> Value {
        let span = self.span(expr);
        match &expr.kind {
            ExprKind::Null => Value::new(ValueKind::Null, span),
            ExprKind::Bool(b) => Value::new(ValueKind::Bool(*b), span),
            ExprKind::Int(n) => Value::new(ValueKind::Number(*n), span),
            ExprKind::Str(s) => {
                Value::new(ValueKind::String(self.template.str(s).to_string()), span)
            }
            ExprKind::Interpolated(parts) => {
                self.interpolated(self.template.program.string_parts(*parts), span)
            }
            ExprKind::Ident(name) => self.identifier(self.template.name(name), expr, span),
            ExprKind::Array(items) => self.array(self.template.program.array_items(*items), span),
            ExprKind::Object(items) => {
                self.object(self.template.program.object_items(*items), span)
            }
            ExprKind::Paren(inner) | ExprKind::NonNull(inner) => Value {
                span,
                ..self.value(self.expr(*inner))
            },
            ExprKind::Unary { op, operand } => self.unary(op, self.expr(*operand), span),
            ExprKind::Binary { op, left, right } => {
                self.binary(op, self.expr(*left), self.expr(*right), expr, span)
            }
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            } => {
                let decided = self.value(self.expr(*condition));
                match decided.as_bool() {
                    Some(choice) => {
                        let branch = if choice { then } else { otherwise };
                        with_provenance(self.value(self.expr(*branch)), &[&decided])
                    }
                    None => match decided.as_unknown() {
                        Some(_) => Value { span, ..decided },
                        None => unknown(
                            UnknownCause::Unsupported,
                            format!(
                                "`{}` needs a boolean condition, found {}",
                                self.text(expr),
                                decided.describe()
                            ),
                            span,
                        ),
                    },
                }
            }
            ExprKind::Property { target, name, safe } => {
                let target = self.expr(*target);
                if let Some(value) = self.symbol_property(target, name, expr, span) {
                    return value;
                }
                let (name, text) = (self.template.name(name), self.text(expr));
                let read = |target: &Value| property(target, name, *safe, text, span);
                if let Some(value) = self.read_named(target, read) {
                    return value;
                }
                read(&self.value(target))
            }
            ExprKind::Index {
                target,
                index,
                safe,
            } => {
                let (target, index) = (self.expr(*target), self.expr(*index));
                let read = |target: &Value| {
                    let index = self.value(index);
                    indexed(target, index, *safe, self.text(expr), span)
                };
                if let Some(value) = self.read_named(target, read) {
                    return value;
                }
                read(&self.value(target))
            }
            ExprKind::Nested { .. } => self.symbol_value(expr, span),
            ExprKind::Call { target, name, args } => self.call(
                target.map(|target| self.expr(target)),
                name,
                self.template.program.arguments(*args),
                expr,
                span,
            ),
            ExprKind::Lambda { .. } => unknown(
                UnknownCause::Unsupported,
                format!(
                    "`{}` is a lambda outside a function that takes one",
                    self.text(expr)
                ),
                span,
            ),
            ExprKind::For(for_loop) => self.for_values(
                &for_loop.item,
                for_loop.index.as_ref(),
                self.expr(for_loop.iterable),
                self.expr(for_loop.body),
                span,
            ),
            ExprKind::If { condition, body } => {
                let decided = self.value(self.expr(*condition));
                match decided.as_bool() {
                    Some(true) => self.value(self.expr(*body)),
                    Some(false) => Value::new(ValueKind::Null, span),
                    None => Value { span, ..decided },
                }
            }
        }
    }

    fn interpolated(&self, parts: &[StringPart], span: Span) -> Value {
        let mut text = String::new();
        let mut sources = Vec::new();
        for part in parts {
            match part {
                StringPart::Text(t) => text.push_str(self.template.str(t)),
                StringPart::Expr(e) => {
                    let e = self.expr(*e);
                    let value = self.value(e);
                    if value.as_unknown().is_some() {
                        return Value { span, ..value };
                    }
                    match functions::to_text(&value) {
                        Some(t) => text.push_str(&t),
                        None => {
                            return unknown(
                                UnknownCause::Unsupported,
                                format!("`{}` cannot be written into a string", self.text(e)),
                                span,
                            )
                        }
                    }
                    sources.push(value);
                }
            }
        }
        let refs: Vec<&Value> = sources.iter().collect();
        with_provenance(Value::new(ValueKind::String(text), span), &refs)
    }

    fn identifier(&self, name: &str, expr: &Expr, span: Span) -> Value {
        if let Some(value) = self.local(name) {
            return Value {
                span,
                ..value.clone()
            };
        }
        if let Some(param) = self.template.params.iter().find(|p| p.name == name) {
            let value = self.deeper(span, || self.parameter(param, span));
            return Value { span, ..value };
        }
        if let Some(var) = self.template.vars.iter().find(|v| v.name == name) {
            let value = var.slot.get(
                || self.deeper(span, || self.template.evaluator().value(var.value)),
                || variable_cycle(name, span),
            );
            // A variable keeps the span of where it is defined: findings point at the value
            // people edit.
            return value;
        }
        if self
            .template
            .resources
            .iter()
            .any(|r| self.template.name(&r.name) == name)
            || self
                .template
                .modules
                .iter()
                .any(|m| self.template.name(&m.name) == name)
        {
            return self.symbol_value(expr, span);
        }
        if let Some((_, from)) = self.template.imports.iter().find(|(n, _)| n == name) {
            return unknown(
                UnknownCause::Unsupported,
                format!("`{name}` is imported from '{from}', which aksguard does not evaluate"),
                span,
            );
        }
        unknown(
            UnknownCause::Unsupported,
            format!("`{name}` is not declared in this file"),
            span,
        )
    }

    /// What `read` makes of the value of `target` when it names a loop or lambda variable, a
    /// parameter or a variable: the value is lent, not copied (`x.member` and `x[i]` need one
    /// member of `x`, and copying all of `x` was most of the time spent evaluating loops in
    /// Azure Verified Modules). `None`, with `read` not called, for any other expression and
    /// where evaluating `target` would stop at a bound: the caller evaluates it as usual. What
    /// is evaluated runs at the nesting and depth [`Eval::value`] and [`Eval::identifier`] give
    /// it, so that results are the same either way.
    fn read_named<R>(&self, target: &Expr, read: impl FnOnce(&Value) -> R) -> Option<R> {
        let ExprKind::Ident(name) = &target.kind else {
            return None;
        };
        let nesting = &self.template.nesting;
        if nesting.get() >= MAX_NESTED_EVALUATIONS {
            return None;
        }
        let name = self.template.name(name);
        if let Some(value) = self.local(name) {
            return Some(read(value));
        }
        let span = self.span(target);
        // As `value` evaluates `target`, one level down.
        let nested = |compute: &dyn Fn() -> Value| {
            nesting.set(nesting.get() + 1);
            let value = compute();
            nesting.set(nesting.get() - 1);
            value
        };
        if let Some(param) = self.template.params.iter().find(|p| p.name == name) {
            let depth = &self.template.depth;
            if depth.get() >= MAX_EVAL_DEPTH {
                return None;
            }
            // As `identifier` does through `deeper`.
            let compute = || {
                depth.set(depth.get() + 1);
                let value = self.resolve_parameter(param, span);
                depth.set(depth.get() - 1);
                value
            };
            return Some(param.slot.read(
                || nested(&compute),
                || parameter_cycle(param, span),
                read,
            ));
        }
        let var = self.template.vars.iter().find(|v| v.name == name)?;
        let compute = || self.deeper(span, || self.template.evaluator().value(var.value));
        Some(
            var.slot
                .read(|| nested(&compute), || variable_cycle(name, span), read),
        )
    }

    fn parameter(&self, param: &ParamSlot, span: Span) -> Value {
        param.slot.get(
            || self.resolve_parameter(param, span),
            || parameter_cycle(param, span),
        )
    }

    fn resolve_parameter(&self, param: &ParamSlot, span: Span) -> Value {
        let name = param.name;
        if let Some(supplied) = &param.supplied {
            return supplied.clone();
        }
        if let Some(default) = param.default {
            let mut value = self.template.evaluator().value(default);
            value.provenance.push(Related {
                span: self.template.span(&default.span),
                message: format!("parameter `{name}` defaults to {}", value.describe()),
            });
            return value;
        }
        if param.nullable {
            return Value::new(ValueKind::Null, span);
        }
        let mut value = unknown(
            UnknownCause::Input,
            format!(
                "parameter `{name}` has no default and {}",
                self.template.missing
            ),
            span,
        );
        value.provenance.push(Related {
            span: self.template.span(&param.statement.span),
            message: format!("parameter `{name}` is declared here without a default"),
        });
        value
    }

    fn array(&self, items: &[ArrayItem], span: Span) -> Value {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                ArrayItem::Item(e) => out.push(self.value(self.expr(*e))),
                ArrayItem::Spread(e) => {
                    let e = self.expr(*e);
                    let spread = self.value(e);
                    match spread.kind {
                        ValueKind::List(values) => out.extend(values),
                        ValueKind::Unknown(_) => return Value { span, ..spread },
                        _ => {
                            return unknown(
                                UnknownCause::Unsupported,
                                format!(
                                    "`...{}` spreads {}, not an array",
                                    self.text(e),
                                    spread.describe()
                                ),
                                span,
                            )
                        }
                    }
                }
            }
        }
        Value::new(ValueKind::List(out), span)
    }

    pub fn object(&self, items: &[ObjectItem], span: Span) -> Value {
        let mut entries: Vec<Entry> = Vec::with_capacity(items.len());
        let set = |entries: &mut Vec<Entry>, entry: Entry| match entries
            .iter_mut()
            .find(|e| e.key.eq_ignore_ascii_case(&entry.key))
        {
            Some(existing) => *existing = entry,
            None => entries.push(entry),
        };
        for item in items {
            match item {
                ObjectItem::Property {
                    key,
                    key_span,
                    value,
                } => set(
                    &mut entries,
                    Entry {
                        key: self.template.str(key).into(),
                        key_span: self.template.span(key_span),
                        value: self.value(self.expr(*value)),
                    },
                ),
                ObjectItem::ComputedProperty { key, value } => {
                    let key = self.expr(*key);
                    let evaluated = self.value(key);
                    match evaluated.as_str() {
                        Some(text) => set(
                            &mut entries,
                            Entry {
                                key: text.into(),
                                key_span: self.span(key),
                                value: self.value(self.expr(*value)),
                            },
                        ),
                        None => return Value { span, ..evaluated },
                    }
                }
                ObjectItem::Spread(e) => {
                    let e = self.expr(*e);
                    let spread = self.value(e);
                    match spread.kind {
                        ValueKind::Object(spread_entries) => {
                            for entry in spread_entries {
                                set(&mut entries, entry);
                            }
                        }
                        ValueKind::Null => {}
                        ValueKind::Unknown(_) => return Value { span, ..spread },
                        _ => {
                            return unknown(
                                UnknownCause::Unsupported,
                                format!(
                                    "`...{}` spreads {}, not an object",
                                    self.text(e),
                                    spread.describe()
                                ),
                                span,
                            )
                        }
                    }
                }
                // Child resources are deployed on their own, not part of the parent's value.
                ObjectItem::Resource(_) => {}
            }
        }
        Value::new(ValueKind::Object(entries), span)
    }

    fn unary(&self, op: &str, operand: &Expr, span: Span) -> Value {
        if op == "-" {
            if let ExprKind::Int(n) = operand.kind {
                return Value::new(ValueKind::Number(-n), span);
            }
        }
        let value = self.value(operand);
        let result = match op {
            "!" => functions::call("not", std::slice::from_ref(&value), span),
            "-" => functions::call(
                "sub",
                &[Value::new(ValueKind::Number(0.0), span), value.clone()],
                span,
            ),
            _ => Some(value.clone()),
        };
        with_provenance(result.unwrap_or(value.clone()), &[&value])
    }

    fn binary(&self, op: &str, left: &Expr, right: &Expr, expr: &Expr, span: Span) -> Value {
        let l = self.value(left);
        // `??`, `&&` and `||` decide from the left side when they can.
        match op {
            "??" => {
                return match &l.kind {
                    ValueKind::Null => self.value(right),
                    _ => l,
                }
            }
            "&&" if l.as_bool() == Some(false) => return Value { span, ..l },
            "||" if l.as_bool() == Some(true) => return Value { span, ..l },
            _ => {}
        }
        let r = self.value(right);
        let call = |name: &str, args: &[Value]| functions::call(name, args, span);
        let pair = [l.clone(), r.clone()];
        let result = match op {
            "&&" => call("and", &pair),
            "||" => call("or", &pair),
            "==" => call("equals", &pair),
            "!=" => call("equals", &pair).and_then(|v| call("not", &[v])),
            "=~" | "!~" => {
                let lowered = [lower(&l), lower(&r)];
                let equal = call("equals", &lowered);
                if op == "=~" {
                    equal
                } else {
                    equal.and_then(|v| call("not", &[v]))
                }
            }
            "<" => call("less", &pair),
            "<=" => call("lessorequals", &pair),
            ">" => call("greater", &pair),
            ">=" => call("greaterorequals", &pair),
            "+" => call("add", &pair),
            "-" => call("sub", &pair),
            "*" => call("mul", &pair),
            "/" => call("div", &pair),
            "%" => call("mod", &pair),
            _ => None,
        };
        let result = result.unwrap_or_else(|| {
            unknown(
                UnknownCause::Unsupported,
                format!(
                    "`{}` uses `{op}`, which aksguard does not evaluate",
                    self.text(expr)
                ),
                span,
            )
        });
        with_provenance(result, &[&l, &r])
    }

    fn for_values(
        &self,
        item: &Name,
        index: Option<&Name>,
        iterable: &Expr,
        body: &Expr,
        span: Span,
    ) -> Value {
        let list = self.value(iterable);
        let Some(items) = list.items() else {
            return match list.as_unknown() {
                Some(_) => Value { span, ..list },
                None => unknown(
                    UnknownCause::Unsupported,
                    format!("`for` over {}, not an array", list.describe()),
                    span,
                ),
            };
        };
        if items.len() > MAX_LOOP {
            return unknown(
                UnknownCause::Unsupported,
                format!(
                    "a loop over {} elements is past aksguard's limit of {MAX_LOOP}",
                    items.len()
                ),
                span,
            );
        }
        if !self.take_steps(items.len()) {
            return self.over_budget(span);
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, element) in items.iter().enumerate() {
            let mut inner = self.with_local(self.template.name(item), element.clone());
            if let Some(index) = index {
                inner = inner.with_local(
                    self.template.name(index),
                    Value::new(ValueKind::Number(i as f64), self.template.span(&index.span)),
                );
            }
            match &body.kind {
                // A filter: elements whose condition is false are left out.
                ExprKind::If { condition, body } => {
                    let decided = inner.value(self.expr(*condition));
                    match decided.as_bool() {
                        Some(true) => out.push(inner.value(self.expr(*body))),
                        Some(false) => {}
                        None => return Value { span, ..decided },
                    }
                }
                _ => out.push(inner.value(body)),
            }
        }
        Value::new(ValueKind::List(out), span)
    }

    // ---- resources and modules as values ------------------------------------------------

    /// The declaration `expr` names when it is a resource symbol (`aks`, `aks[0]`, `vnet::subnet`),
    /// with the index expression if any.
    fn resource_of(&self, expr: &Expr) -> Option<(&'a ResourceDecl, Option<&'a Expr>)> {
        match &expr.kind {
            ExprKind::Ident(name) if self.local(self.template.name(name)).is_none() => self
                .template
                .resources
                .iter()
                .find(|r| self.template.name(&r.name) == self.template.name(name))
                .map(|r| (*r, None)),
            ExprKind::Index { target, index, .. } => {
                let (resource, None) = self.resource_of(self.expr(*target))? else {
                    return None;
                };
                Some((resource, Some(self.expr(*index))))
            }
            ExprKind::NonNull(inner) | ExprKind::Paren(inner) => {
                self.resource_of(self.expr(*inner))
            }
            ExprKind::Nested { target, name } => {
                let (parent, _) = self.resource_of(self.expr(*target))?;
                child_named(
                    self.template.program,
                    parent,
                    self.template.name(name),
                    self.template.text,
                )
                .map(|c| (c, None))
            }
            _ => None,
        }
    }

    fn module_of(&self, expr: &Expr) -> Option<&'a ModuleDecl> {
        match &expr.kind {
            ExprKind::Ident(name) if self.local(self.template.name(name)).is_none() => self
                .template
                .modules
                .iter()
                .find(|m| self.template.name(&m.name) == self.template.name(name))
                .copied(),
            ExprKind::Index { target, .. }
            | ExprKind::NonNull(target)
            | ExprKind::Paren(target) => self.module_of(self.expr(*target)),
            _ => None,
        }
    }

    /// A resource or module used as a value: in ARM terms its id, which the compiler writes as
    /// `type/name` for a `scope` and which is known only at deployment elsewhere.
    fn symbol_value(&self, expr: &Expr, span: Span) -> Value {
        if let Some(module) = self.module_of(expr) {
            return unknown(
                UnknownCause::Computed,
                format!(
                    "module `{}` is a deployment, known only at deployment",
                    self.template.name(&module.name)
                ),
                span,
            );
        }
        match self.resource_identity(expr, span) {
            Some((full_type, name)) => match name.as_str() {
                Some(name) => Value::new(ValueKind::String(format!("{full_type}/{name}")), span),
                None => Value { span, ..name },
            },
            None => unknown(
                UnknownCause::Unsupported,
                format!("`{}` is not a resource aksguard can name", self.text(expr)),
                span,
            ),
        }
    }

    /// The full type and evaluated name of the resource `expr` names.
    fn resource_identity(&self, expr: &Expr, span: Span) -> Option<(String, Value)> {
        let (resource, index) = self.resource_of(expr)?;
        let (full_type, name) = resource_type_and_name(self, resource, index, span)?;
        Some((full_type, name))
    }

    /// `symbol.name`, `symbol.id`, `symbol.properties...`, `module.outputs...`: what is known
    /// before deployment.
    fn symbol_property(
        &self,
        target: &Expr,
        name: &Name,
        expr: &Expr,
        span: Span,
    ) -> Option<Value> {
        if let Some(module) = self.module_of(target) {
            let remote = matches!(&self.expr(module.path).kind, ExprKind::Str(p) if super::walk::is_remote(self.template.str(p)));
            let reason = match self.template.name(name) {
                "outputs" if remote => format!(
                    "`{}` is an output of registry module `{}`, which aksguard does not fetch",
                    self.text(expr),
                    self.template.name(&module.name)
                ),
                "outputs" => format!(
                    "`{}` is an output of module `{}`, known only after it deploys",
                    self.text(expr),
                    self.template.name(&module.name)
                ),
                _ => format!("`{}` is known only at deployment", self.text(expr)),
            };
            return Some(unknown(UnknownCause::Computed, reason, span));
        }
        let (full_type, resource_name) = self.resource_identity(target, span)?;
        Some(match self.template.name(name) {
            "name" => Value {
                span,
                ..resource_name
            },
            "type" => Value::new(ValueKind::String(full_type), span),
            "id" => {
                let mut unknown = Unknown::new(
                    UnknownCause::Computed,
                    format!(
                        "`{}` depends on the subscription and resource group of the deployment, known only at deployment",
                        self.text(expr)
                    ),
                );
                if let Some(name) = resource_name.as_str() {
                    unknown.reference = Some(format!("/providers/{full_type}/{name}"));
                }
                Value::new(ValueKind::Unknown(Box::new(unknown)), span)
            }
            _ => unknown(
                UnknownCause::Computed,
                format!(
                    "`{}` is read from the deployed resource, known only at deployment",
                    self.text(expr)
                ),
                span,
            ),
        })
    }

    // ---- calls ------------------------------------------------------------------------------

    fn call(
        &self,
        target: Option<&Expr>,
        name: &Name,
        args: &[ExprId],
        expr: &Expr,
        span: Span,
    ) -> Value {
        let call_text = self.text(expr);
        let namespace = match target.map(|t| &t.kind) {
            None => None,
            Some(ExprKind::Ident(ns))
                if matches!(self.template.name(ns), "az" | "sys")
                    && self.local(self.template.name(ns)).is_none() =>
            {
                Some(self.template.name(ns))
            }
            // `storage.listKeys()`, `vault.getSecret('x')`: resource functions.
            Some(_) => {
                return unknown(
                    UnknownCause::Computed,
                    format!("`{call_text}` is known only at deployment"),
                    span,
                )
            }
        };
        let name = self.template.name(name);
        let lower = name.to_ascii_lowercase();
        if namespace.is_none() {
            if let Some(function) = self.template.functions.iter().find(|f| f.name == name) {
                return self.user_function(function, args, span);
            }
            if let Some((_, from)) = self.template.imports.iter().find(|(n, _)| n == name) {
                return unknown(
                    UnknownCause::Unsupported,
                    format!("`{call_text}` calls `{name}`, imported from '{from}', which aksguard does not evaluate"),
                    span,
                );
            }
        }
        if let Some(reason) = deployment_time(&lower) {
            return unknown(
                UnknownCause::Computed,
                format!("`{call_text}` {reason}"),
                span,
            );
        }
        match lower.as_str() {
            "readenvironmentvariable" => {
                return unknown(
                    UnknownCause::Input,
                    format!("`{call_text}` reads an environment variable of the deployment"),
                    span,
                )
            }
            "getsecret" => {
                return unknown(
                    UnknownCause::Input,
                    format!("`{call_text}` is a Key Vault secret, read only at deployment"),
                    span,
                )
            }
            "filter" | "map" | "reduce" | "sort" | "toobject" | "groupby" | "mapvalues" => {
                return self.lambda_function(&lower, args, call_text, span)
            }
            "loadjsoncontent" | "loadtextcontent" => {
                let values: Vec<Value> = args.iter().map(|a| self.value(self.expr(*a))).collect();
                return self.load_content(&lower, &values, call_text, span);
            }
            _ => {}
        }
        let values: Vec<Value> = args.iter().map(|a| self.value(self.expr(*a))).collect();
        let result = match lower.as_str() {
            "any" if values.len() == 1 => values[0].clone(),
            "resourceid"
            | "subscriptionresourceid"
            | "tenantresourceid"
            | "managementgroupresourceid"
            | "extensionresourceid" => self.resource_id(&lower, &values, call_text, span),
            _ => match functions::call(&lower, &values, span) {
                Some(value) => value,
                None => unknown(
                    UnknownCause::Unsupported,
                    format!("`{call_text}` uses `{name}()`, which aksguard does not evaluate"),
                    span,
                ),
            },
        };
        let refs: Vec<&Value> = values.iter().collect();
        with_provenance(result, &refs)
    }

    /// `loadTextContent(path)` and `loadJsonContent(path, [jsonPath])`: the compiler embeds the
    /// file's content as a literal, so it is read here (bounded in size); values point at the call.
    fn load_content(&self, function: &str, args: &[Value], call_text: &str, span: Span) -> Value {
        let cannot = |why: String| {
            unknown(
                UnknownCause::Unsupported,
                format!("`{call_text}`: {why}"),
                span,
            )
        };
        let (Some(path), Some(dir)) = (
            args.first().and_then(|a| a.as_str()),
            &self.template.base_dir,
        ) else {
            return cannot("the file to load is not known".to_string());
        };
        let path = dir.join(path);
        match std::fs::metadata(&path) {
            // A device or FIFO (`/dev/zero`) reports no length and may never end.
            Ok(meta) if !meta.is_file() => return cannot("it is not a regular file".to_string()),
            Ok(meta) if meta.len() > MAX_LOADED_BYTES => {
                return cannot(format!("the file is larger than {MAX_LOADED_BYTES} bytes"))
            }
            Ok(_) => {}
            Err(error) => return cannot(format!("cannot read the file: {error}")),
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => return cannot(format!("cannot read the file: {error}")),
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        if function == "loadtextcontent" {
            return Value::new(ValueKind::String(text.to_string()), span);
        }
        let parsed = match crate::frontend::json::parse(self.template.file, text) {
            Ok(Some(value)) => functions::respan(value, span),
            Ok(None) => return cannot("the file is empty".to_string()),
            Err(error) => return cannot(format!("the file is not JSON: {}", error.message)),
        };
        match args.get(1).map(|a| a.as_str()) {
            None => parsed,
            Some(Some(json_path)) => select(parsed, json_path, span).unwrap_or_else(|| {
                cannot(format!(
                    "aksguard does not evaluate the JSON path `{json_path}`"
                ))
            }),
            Some(None) => cannot("the JSON path is not known".to_string()),
        }
    }

    fn user_function(&self, function: &Function, args: &[ExprId], span: Span) -> Value {
        let mut inner = self.template.evaluator();
        for (parameter, arg) in function.parameters.iter().zip(args) {
            inner = inner.with_local(self.template.name(parameter), self.value(self.expr(*arg)));
        }
        let value = self.deeper(span, || inner.value(function.body));
        Value { span, ..value }
    }

    /// Call `lambda` (a lambda expression) with `args` bound to its parameters.
    fn apply(&self, lambda: &Expr, args: &[Value], span: Span) -> Value {
        let ExprKind::Lambda { parameters, body } = &lambda.kind else {
            return unknown(
                UnknownCause::Unsupported,
                format!("`{}` is not a lambda", self.text(lambda)),
                span,
            );
        };
        if !self.take_steps(1) {
            return self.over_budget(span);
        }
        let mut inner = self.clone();
        let parameters = self.template.program.lambda_parameters(*parameters);
        for (parameter, arg) in parameters.iter().zip(args) {
            inner = inner.with_local(self.template.name(parameter), arg.clone());
        }
        self.deeper(span, || inner.value(self.expr(*body)))
    }

    fn lambda_function(&self, name: &str, args: &[ExprId], call_text: &str, span: Span) -> Value {
        let args: Vec<&Expr> = args.iter().map(|a| self.expr(*a)).collect();
        let args = args.as_slice();
        let misuse = || {
            unknown(
                UnknownCause::Unsupported,
                format!("`{call_text}`: `{name}()` is called with the wrong arguments"),
                span,
            )
        };
        let Some(first) = args.first() else {
            return misuse();
        };
        let input = self.value(first);
        if input.as_unknown().is_some() {
            return Value { span, ..input };
        }
        let index = |i: usize| Value::new(ValueKind::Number(i as f64), span);
        let decided = |value: Value| value.as_unknown().is_none();
        if name == "mapvalues" {
            let (Some(entries), Some(lambda)) = (input.entries(), args.get(1)) else {
                return misuse();
            };
            let mut out = Vec::new();
            for entry in entries {
                let value = self.apply(lambda, std::slice::from_ref(&entry.value), span);
                if !decided(value.clone()) {
                    return value;
                }
                out.push(Entry {
                    value,
                    ..entry.clone()
                });
            }
            return Value::new(ValueKind::Object(out), span);
        }
        let Some(items) = input.items() else {
            return misuse();
        };
        match (name, args) {
            ("filter", [_, lambda]) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let keep = self.apply(lambda, &[item.clone(), index(i)], span);
                    match keep.as_bool() {
                        Some(true) => out.push(item.clone()),
                        Some(false) => {}
                        None => return Value { span, ..keep },
                    }
                }
                Value::new(ValueKind::List(out), span)
            }
            ("map", [_, lambda]) => Value::new(
                ValueKind::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| self.apply(lambda, &[item.clone(), index(i)], span))
                        .collect(),
                ),
                span,
            ),
            ("reduce", [_, initial, lambda]) => {
                let mut accumulator = self.value(initial);
                for (i, item) in items.iter().enumerate() {
                    accumulator = self.apply(lambda, &[accumulator, item.clone(), index(i)], span);
                    if accumulator.as_unknown().is_some() {
                        break;
                    }
                }
                Value {
                    span,
                    ..accumulator
                }
            }
            ("toobject", [_, key, rest @ ..]) if rest.len() <= 1 => {
                let mut out: Vec<Entry> = Vec::new();
                for item in items {
                    let key_value = self.apply(key, std::slice::from_ref(item), span);
                    let Some(text) = key_value.as_str() else {
                        return match key_value.as_unknown() {
                            Some(_) => key_value,
                            None => misuse(),
                        };
                    };
                    let value = match rest.first() {
                        Some(lambda) => self.apply(lambda, std::slice::from_ref(item), span),
                        None => item.clone(),
                    };
                    let entry = Entry {
                        key: text.into(),
                        key_span: item.span,
                        value,
                    };
                    match out.iter_mut().find(|e| e.key.eq_ignore_ascii_case(text)) {
                        Some(existing) => *existing = entry,
                        None => out.push(entry),
                    }
                }
                Value::new(ValueKind::Object(out), span)
            }
            _ => unknown(
                UnknownCause::Unsupported,
                format!("`{call_text}`: aksguard does not evaluate `{name}()`"),
                span,
            ),
        }
    }

    fn resource_id(&self, function: &str, args: &[Value], call_text: &str, span: Span) -> Value {
        if let Some(unknown) = args.iter().find(|v| v.as_unknown().is_some()) {
            return Value {
                span,
                ..unknown.clone()
            };
        }
        let strings: Option<Vec<&str>> = args.iter().map(|a| a.as_str()).collect();
        let Some(strings) = strings else {
            return functions::misuse(span, function, "expects strings");
        };
        let skip = usize::from(function == "extensionresourceid");
        let Some(type_at) = strings
            .iter()
            .skip(skip)
            .position(|s| s.contains('/'))
            .map(|p| p + skip)
        else {
            return functions::misuse(
                span,
                function,
                "needs a resource type such as 'Microsoft.X/y'",
            );
        };
        let mut segments = strings[type_at].split('/');
        let namespace = segments.next().unwrap_or("");
        let types: Vec<&str> = segments.collect();
        let names = &strings[type_at + 1..];
        if types.len() != names.len() || types.is_empty() {
            return functions::misuse(span, function, "needs one name per resource type segment");
        }
        let mut path = format!("/providers/{namespace}");
        for (kind, name) in types.iter().zip(names) {
            path.push_str(&format!("/{kind}/{name}"));
        }
        let before = &strings[..type_at];
        let known = match (function, before) {
            ("tenantresourceid", _) => Some(path.clone()),
            ("extensionresourceid", [scope, ..]) => {
                Some(format!("{}{path}", scope.trim_end_matches('/')))
            }
            ("subscriptionresourceid", [subscription]) => {
                Some(format!("/subscriptions/{subscription}{path}"))
            }
            ("managementgroupresourceid", [group]) => Some(format!(
                "/providers/Microsoft.Management/managementGroups/{group}{path}"
            )),
            ("resourceid", [subscription, group]) => Some(format!(
                "/subscriptions/{subscription}/resourceGroups/{group}{path}"
            )),
            _ => None,
        };
        match known {
            Some(id) => Value::new(ValueKind::String(id), span),
            None => {
                let mut unknown = Unknown::new(
                    UnknownCause::Computed,
                    format!("`{call_text}` depends on the scope of the deployment, known only at deployment"),
                );
                unknown.reference = Some(path);
                Value::new(ValueKind::Unknown(Box::new(unknown)), span)
            }
        }
    }
}

/// A simple JSON path (`$`, `$.a.b`, `$.a[0]`, `$['a']`) applied to `value`; `None` for anything
/// else or a path that leads nowhere.
fn select(value: Value, path: &str, span: Span) -> Option<Value> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut current = value;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            current = current.get_ignore_case(&after[..end])?.value.clone();
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let key = &after[..end];
            current = match key.trim_matches(['\'', '"']).parse::<usize>() {
                Ok(index) if !key.starts_with(['\'', '"']) => current.items()?.get(index)?.clone(),
                _ => current
                    .get_ignore_case(key.trim_matches(['\'', '"']))?
                    .value
                    .clone(),
            };
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(Value { span, ..current })
}

fn lower(value: &Value) -> Value {
    match &value.kind {
        ValueKind::String(s) => Value {
            kind: ValueKind::String(s.to_lowercase()),
            ..value.clone()
        },
        _ => value.clone(),
    }
}

/// A child resource declared in `parent`'s body under `name`.
pub fn child_named<'a>(
    program: &'a Program,
    parent: &'a ResourceDecl,
    name: &str,
    text: &str,
) -> Option<&'a ResourceDecl> {
    let body = declaration_body(program, &program[parent.value]);
    let ExprKind::Object(items) = &body.kind else {
        return None;
    };
    program
        .object_items(*items)
        .iter()
        .find_map(|item| match item {
            ObjectItem::Resource(statement) => match &statement.kind {
                StatementKind::Resource(child) if child.name.text(text) == name => Some(&**child),
                _ => None,
            },
            _ => None,
        })
}

/// The object of a declaration (an expression of `program`), through its `if` and `for`.
pub fn declaration_body<'a>(program: &'a Program, value: &'a Expr) -> &'a Expr {
    match &value.kind {
        ExprKind::If { body, .. } => declaration_body(program, &program[*body]),
        ExprKind::For(for_loop) => declaration_body(program, &program[for_loop.body]),
        _ => value,
    }
}

/// The full type (without API version) and evaluated name of `resource`; `index` picks one
/// instance of a looped resource.
fn resource_type_and_name(
    eval: &Eval,
    resource: &ResourceDecl,
    index: Option<&Expr>,
    span: Span,
) -> Option<(String, Value)> {
    let program = eval.template.program;
    let type_text = match &program[resource.type_string].kind {
        ExprKind::Str(s) => eval
            .template
            .str(s)
            .split('@')
            .next()
            .unwrap_or("")
            .to_string(),
        _ => return None,
    };
    let full_type = match parent_of(eval.template, resource) {
        Some(parent) if !type_text.split('/').next().unwrap_or("").contains('.') => {
            format!(
                "{}/{type_text}",
                resource_type_and_name(eval, parent, None, span)?.0
            )
        }
        _ => type_text,
    };
    let body = declaration_body(program, &program[resource.value]);
    let ExprKind::Object(items) = &body.kind else {
        return Some((
            full_type,
            unknown(
                UnknownCause::Unsupported,
                "the resource body is not an object",
                span,
            ),
        ));
    };
    let name_expr = program.object_items(*items).iter().find_map(|i| match i {
        ObjectItem::Property { key, value, .. } if eval.template.str(key) == "name" => {
            Some(&program[*value])
        }
        _ => None,
    })?;
    // A looped resource's name needs the loop variable of the instance.
    let mut evaluator = eval.template.evaluator();
    if let ExprKind::For(for_loop) = &program[resource.value].kind {
        let ForLoop {
            item,
            index: index_name,
            iterable,
            ..
        } = for_loop;
        let Some(index) = index else {
            return Some((
                full_type,
                unknown(
                    UnknownCause::Unsupported,
                    format!(
                        "`{}` is a resource loop: its instances have different names",
                        eval.template.name(&resource.name)
                    ),
                    span,
                ),
            ));
        };
        let position = eval.value(index);
        let list = evaluator.value(&program[*iterable]);
        let element = match (&position.kind, list.items()) {
            (ValueKind::Number(n), Some(items)) if *n >= 0.0 => items.get(*n as usize).cloned(),
            _ => None,
        };
        let Some(element) = element else {
            return Some((
                full_type,
                unknown(
                    UnknownCause::Unsupported,
                    format!(
                        "which instance of `{}` is meant cannot be decided",
                        eval.template.name(&resource.name)
                    ),
                    span,
                ),
            ));
        };
        evaluator = evaluator.with_local(eval.template.name(item), element);
        if let Some(index_name) = index_name {
            evaluator = evaluator.with_local(eval.template.name(index_name), position);
        }
    }
    let mut name = evaluator.value(name_expr);
    // A child's name is relative to its parent's.
    if let (Some(parent), Some(short)) = (parent_of(eval.template, resource), name.as_str()) {
        if let Some((_, parent_name)) = resource_type_and_name(eval, parent, None, span) {
            name = match parent_name.as_str() {
                Some(parent_name) => Value::new(
                    ValueKind::String(format!("{parent_name}/{short}")),
                    name.span,
                ),
                None => parent_name,
            };
        }
    }
    Some((full_type, name))
}

/// The resource whose body declares `child`, if it is a nested child resource.
fn parent_of<'a>(template: &Template<'a>, child: &ResourceDecl) -> Option<&'a ResourceDecl> {
    fn search<'a>(
        program: &'a Program,
        resource: &'a ResourceDecl,
        child: &ResourceDecl,
        depth: usize,
    ) -> Option<&'a ResourceDecl> {
        if depth > 16 {
            return None;
        }
        let body = declaration_body(program, &program[resource.value]);
        let ExprKind::Object(items) = &body.kind else {
            return None;
        };
        for item in program.object_items(*items) {
            if let ObjectItem::Resource(statement) = item {
                if let StatementKind::Resource(inner) = &statement.kind {
                    if std::ptr::eq(&**inner, child) {
                        return Some(resource);
                    }
                    if let Some(found) = search(program, inner, child, depth + 1) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }
    template
        .resources
        .iter()
        .find_map(|resource| search(template.program, resource, child, 0))
}

fn property(target: &Value, name: &str, safe: bool, text: &str, span: Span) -> Value {
    match &target.kind {
        ValueKind::Unknown(_) => Value {
            span,
            ..target.clone()
        },
        ValueKind::Null if safe => Value::new(ValueKind::Null, span),
        ValueKind::Object(_) => match target.get_ignore_case(name) {
            Some(entry) => with_provenance(entry.value.clone(), &[target]),
            None if safe => Value::new(ValueKind::Null, span),
            None => unknown(
                UnknownCause::Unsupported,
                format!("`{text}`: the object has no property `{name}`"),
                span,
            ),
        },
        _ => unknown(
            UnknownCause::Unsupported,
            format!("`{text}`: {} has no properties", target.describe()),
            span,
        ),
    }
}

fn indexed(target: &Value, index: Value, safe: bool, text: &str, span: Span) -> Value {
    if target.as_unknown().is_some() {
        return Value {
            span,
            ..target.clone()
        };
    }
    if index.as_unknown().is_some() {
        return Value { span, ..index };
    }
    if safe && target.is_null() {
        return Value::new(ValueKind::Null, span);
    }
    let found = match (&target.kind, &index.kind) {
        (ValueKind::List(items), ValueKind::Number(i)) if *i >= 0.0 => {
            items.get(*i as usize).cloned()
        }
        (ValueKind::Object(_), ValueKind::String(key)) => {
            target.get_ignore_case(key).map(|e| e.value.clone())
        }
        _ => None,
    };
    match found {
        Some(value) => with_provenance(value, &[target, &index]),
        None if safe => Value::new(ValueKind::Null, span),
        None => unknown(
            UnknownCause::Unsupported,
            format!(
                "`{text}`: no element {} in {}",
                index.describe(),
                target.describe()
            ),
            span,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::bicep::parse;

    fn evaluate(text: &str, name: &str) -> Value {
        let program = parse(text).unwrap();
        let template = Template::new(
            FileId(0),
            &program,
            text,
            Vec::new(),
            "no parameter file".to_string(),
        );
        template
            .evaluator()
            .value(&reference_to(&program, text, name))
    }

    /// An expression naming the variable or parameter `name` declared in `program`.
    fn reference_to(program: &Program, text: &str, name: &str) -> Expr {
        let declared = program.statements.iter().find_map(|s| match &s.kind {
            StatementKind::Var { name: declared, .. }
            | StatementKind::Param { name: declared, .. }
                if declared.text(text) == name =>
            {
                Some(declared.clone())
            }
            _ => None,
        });
        let declared = declared.unwrap_or_else(|| panic!("`{name}` is not declared"));
        Expr {
            span: declared.span,
            kind: ExprKind::Ident(declared),
        }
    }

    fn show(text: &str, name: &str) -> String {
        let value = evaluate(text, name);
        match &value.kind {
            ValueKind::Unknown(u) => format!("unknown: {}", u.reason),
            ValueKind::String(s) => s.clone(),
            _ => functions::to_text(&value).unwrap_or_default(),
        }
    }

    #[test]
    fn operators_interpolation_and_safe_access() {
        let text = "param env string = 'prod'\nparam o object = {}\nvar a = '${env}-${1 + 2}'\nvar b = env == 'prod' ? 'yes' : 'no'\nvar c = o.?missing ?? 'fallback'\nvar d = !(env =~ 'PROD')\nvar e = [1, ...[2, 3]]\nvar f = { ...{ x: 1 }, y: 2 }\nvar g = o.missing\nvar h = -5 % 3\nvar i = o[?'k']\n";
        assert_eq!(show(text, "a"), "prod-3");
        assert_eq!(show(text, "b"), "yes");
        assert_eq!(show(text, "c"), "fallback");
        assert_eq!(show(text, "d"), "False");
        assert_eq!(show(text, "e"), "[1,2,3]");
        assert_eq!(show(text, "f"), "{\"x\":1,\"y\":2}");
        assert!(show(text, "g").contains("no property `missing`"));
        assert_eq!(show(text, "h"), "-2");
        assert!(evaluate(text, "i").is_null());
    }

    #[test]
    fn loops_lambdas_and_user_functions() {
        let text = "var xs = [1, 2, 3, 4]\nvar evens = filter(xs, x => x % 2 == 0)\nvar doubled = map(xs, (x, i) => x * 2 + i)\nvar sum = reduce(xs, 0, (acc, x) => acc + x)\nvar byName = toObject([{n: 'a'}, {n: 'b'}], e => e.n)\nvar looped = [for (x, i) in xs: if (i > 1) x]\nfunc twice(v int) int => v * 2\nvar called = twice(21)\nvar nested = [for a in range(0, 800): [for b in range(0, 800): [for c in range(0, 800): c]]]\n";
        assert_eq!(show(text, "evens"), "[2,4]");
        assert_eq!(show(text, "doubled"), "[2,5,8,11]");
        assert_eq!(show(text, "sum"), "10");
        assert_eq!(
            show(text, "byName"),
            "{\"a\":{\"n\":\"a\"},\"b\":{\"n\":\"b\"}}"
        );
        assert_eq!(show(text, "looped"), "[3,4]");
        assert_eq!(show(text, "called"), "42");
        let nested = evaluate(text, "nested");
        let stopped = functions::first_unknown(std::slice::from_ref(&nested)).unwrap();
        assert!(stopped
            .as_unknown()
            .unwrap()
            .reason
            .contains("aksguard stops here"));
    }

    #[test]
    fn members_of_named_values_are_read_in_place() {
        let text = "param p object = { k: 'v' }\nparam pc object = pc.x\nvar cfg = { a: { b: 'x' }, list: [10, 20] }\nvar m = cfg.a.b\nvar n = cfg.list[1]\nvar o = cfg[?'missing'] ?? 'd'\nvar q = p.k\nvar ms = [for item in [{ n: 1 }, { n: 2 }]: item.n]\nvar xs = [1, 2, 3]\nvar last = xs[length(xs) - 1]\nvar selfref = selfref.a\nvar absent = cfg.nope\n";
        assert_eq!(show(text, "m"), "x");
        assert_eq!(show(text, "n"), "20");
        assert_eq!(show(text, "o"), "d");
        assert_eq!(show(text, "q"), "v");
        assert_eq!(show(text, "ms"), "[1,2]");
        assert_eq!(show(text, "last"), "3");
        assert!(show(text, "selfref").contains("variable `selfref` refers to itself"));
        assert!(show(text, "pc").contains("parameter `pc` refers to itself"));
        assert!(show(text, "absent").contains("`cfg.nope`: the object has no property `nope`"));
        // Where the value came from goes with the member read from it.
        let q = evaluate(text, "q");
        assert!(
            q.provenance
                .iter()
                .any(|r| r.message.contains("parameter `p` defaults to")),
            "{:?}",
            q.provenance
        );
    }

    #[test]
    fn unknowns_name_what_decides_them() {
        let text = "param missing string\nparam optional string?\nvar rg = resourceGroup().location\nvar self = self\nvar imported = common\nimport { common } from './types.bicep'\nvar env = readEnvironmentVariable('X')\nresource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = { name: 'aks-1' }\nvar id = aks.id\nvar name = aks.name\nvar scope = aks\nvar props = aks.properties.fqdn\nvar chain0 = chain1\nvar chain1 = chain0\n";
        assert_eq!(
            show(text, "missing"),
            "unknown: parameter `missing` has no default and no parameter file"
        );
        assert_eq!(
            evaluate(text, "missing").as_unknown().unwrap().cause,
            UnknownCause::Input
        );
        assert!(evaluate(text, "optional").is_null());
        assert_eq!(
            show(text, "rg"),
            "unknown: `resourceGroup()` is known only at deployment"
        );
        assert!(show(text, "self").contains("refers to itself"));
        assert!(show(text, "imported").contains("imported from './types.bicep'"));
        assert!(show(text, "env").contains("environment variable"));
        let id = evaluate(text, "id");
        assert_eq!(
            id.as_unknown().unwrap().reference.as_deref(),
            Some("/providers/Microsoft.ContainerService/managedClusters/aks-1")
        );
        assert_eq!(show(text, "name"), "aks-1");
        assert_eq!(
            show(text, "scope"),
            "Microsoft.ContainerService/managedClusters/aks-1"
        );
        assert!(show(text, "props").contains("read from the deployed resource"));
        assert!(show(text, "chain0").contains("refers to itself"));
    }

    #[test]
    fn deep_values_in_long_chains_stay_within_a_small_stack() {
        let mut text = String::from("var v0 = 1\n");
        for i in 1..80 {
            let open = "[".repeat(45);
            let close = "]".repeat(45);
            text.push_str(&format!("var v{i} = {open}v{}{close}\n", i - 1));
        }
        let program = parse(&text).unwrap();
        // Rayon's and the test harness's threads have 2 MiB stacks.
        let evaluated = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let template = Template::new(FileId(0), &program, &text, Vec::new(), String::new());
                let reference = reference_to(&program, &text, "v79");
                functions::first_unknown(std::slice::from_ref(
                    &template.evaluator().value(&reference),
                ))
                .is_some()
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(evaluated);
    }

    #[test]
    fn json_paths_select_simple_members() {
        let text = r#"{"a": {"b": [10, {"c": "x"}]}, "k-1": true}"#;
        let value = crate::frontend::json::parse(FileId(0), text)
            .unwrap()
            .unwrap();
        let at = |path: &str| select(value.clone(), path, Span::default());
        assert_eq!(at("$.a.b[1].c").unwrap().as_str(), Some("x"));
        assert_eq!(at("$['k-1']").unwrap().as_bool(), Some(true));
        assert!(at("$").is_some());
        assert!(at("$.a.missing").is_none());
        assert!(at("$..b").is_none());
        assert!(at("a.b").is_none());
    }

    #[test]
    fn loaded_content_without_a_directory_is_unknown() {
        let text = "var j = loadJsonContent('x.json')\nvar y = loadYamlContent('x.yaml')\n";
        assert!(show(text, "j").contains("the file to load is not known"));
        assert!(show(text, "y").contains("does not evaluate"));
    }

    #[test]
    fn long_reference_chains_stop_without_overflowing() {
        let mut text = String::from("var v0 = 1\n");
        for i in 1..5000 {
            text.push_str(&format!("var v{i} = v{}\n", i - 1));
        }
        assert!(show(&text, "v4999").contains("nest more than"));
        assert_eq!(show(&text, "v10"), "1");
    }
}
