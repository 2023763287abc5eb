//! Evaluation of template values: every `"[...]"` string inside a JSON value is parsed and
//! evaluated against one template's parameters, variables, copy indexes and deployment scope.
//!
//! Parameters and variables are evaluated lazily, once, on first use (they may refer to each
//! other); a cycle is an unknown, not a stack overflow.

use super::functions::{self, misuse};
use super::parser::{self, Expr, Node};
use super::{classify, StringForm};
use crate::source::Span;
use crate::value::{Entry, Lazy, Related, Unknown, UnknownCause, Value, ValueKind};

/// Where the template deploys to; names are `None` when only the deployment decides them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployScope {
    ResourceGroup {
        subscription: Option<String>,
        group: Option<String>,
    },
    Subscription {
        subscription: Option<String>,
    },
    ManagementGroup {
        group: Option<String>,
    },
    Tenant,
}

/// A value given to a parameter from outside the template (a parameter file, a module call).
#[derive(Debug, Clone)]
pub struct Supplied {
    pub value: Value,
}

/// Why a parameter without a default has no value: the end of the unknown's reason.
#[derive(Debug, Clone)]
pub enum MissingInput {
    NoParameterFile,
    FileDoesNotSet(String),
    CallerDoesNotPass(String),
    /// A policy parameter: the assignment (named as given) does not set it.
    AssignmentDoesNotSet(String),
}

#[derive(Debug)]
pub struct Parameter {
    pub name: String,
    /// The parameter's declaration object (`type`, `defaultValue`, ...).
    pub declaration: Value,
    pub supplied: Option<Supplied>,
    slot: Lazy,
}

#[derive(Debug)]
pub struct Variable {
    pub name: String,
    pub raw: Value,
    /// Defined by a variable copy loop: `raw` is the `{name, count, input}` object.
    copy_loop: bool,
    slot: Lazy,
}

/// One evaluation of one template: its inputs and scope.
#[derive(Debug)]
pub struct Context {
    pub parameters: Vec<Parameter>,
    pub variables: Vec<Variable>,
    pub scope: DeployScope,
    pub missing_input: MissingInput,
    /// Elements property `copy` loops may still produce in this evaluation: nested loops
    /// multiply (800 × 800 × ...), so past this bound a loop's value is unknown.
    pub property_copies: crate::budget::Budget,
    /// The template's own location, as `deployment().properties.templateLink.uri` gives it
    /// (a `file://` URI of the template file), so links relative to it can be followed.
    pub template_uri: Option<String>,
}

/// Most elements property `copy` loops produce in one evaluation of a template.
pub const PROPERTY_COPY_BUDGET: usize = 20_000;

impl Context {
    /// A context for `template` (its `parameters` and `variables` sections) with the values
    /// `supplied` by name.
    pub fn new(
        template: &Value,
        supplied: Vec<(String, Supplied)>,
        scope: DeployScope,
        missing_input: MissingInput,
    ) -> Context {
        let mut supplied = supplied;
        let parameters = section(template, "parameters")
            .map(|entry| {
                let position = supplied
                    .iter()
                    .position(|(name, _)| name.eq_ignore_ascii_case(&entry.key));
                Parameter {
                    name: entry.key.to_string(),
                    declaration: entry.value.clone(),
                    supplied: position.map(|p| supplied.swap_remove(p).1),
                    slot: Lazy::default(),
                }
            })
            .collect();
        let mut variables: Vec<Variable> = section(template, "variables")
            .filter(|entry| !entry.key.eq_ignore_ascii_case("copy"))
            .map(|entry| Variable {
                name: entry.key.to_string(),
                raw: entry.value.clone(),
                copy_loop: false,
                slot: Lazy::default(),
            })
            .collect();
        // Variable iteration: `"copy": [{"name", "count", "input"}]` defines array variables.
        let copies = template
            .get_ignore_case("variables")
            .and_then(|v| v.value.get_ignore_case("copy"))
            .and_then(|c| c.value.items());
        for copy in copies.unwrap_or(&[]) {
            if let Some(name) = copy.get_ignore_case("name").and_then(|n| n.value.as_str()) {
                variables.push(Variable {
                    name: name.to_string(),
                    raw: copy.clone(),
                    copy_loop: true,
                    slot: Lazy::default(),
                });
            }
        }
        Context {
            parameters,
            variables,
            scope,
            missing_input,
            property_copies: crate::budget::Budget::new(PROPERTY_COPY_BUDGET),
            template_uri: None,
        }
    }
}

fn section<'a>(template: &'a Value, name: &str) -> impl Iterator<Item = &'a Entry> {
    template
        .get_ignore_case(name)
        .and_then(|e| e.value.entries())
        .unwrap_or(&[])
        .iter()
}

/// The index of one copy loop being expanded.
#[derive(Debug, Clone)]
pub struct CopyIndex {
    pub name: Option<String>,
    /// Whether this is the resource's own loop (what `copyIndex()` without a name refers to).
    pub resource_loop: bool,
    pub index: Value,
}

/// Evaluates values in one [`Context`], inside zero or more copy loops.
#[derive(Debug, Clone)]
pub struct Evaluator<'c> {
    pub context: &'c Context,
    pub copies: Vec<CopyIndex>,
}

/// ARM caps copy loops at 800 iterations.
pub const MAX_COPY: i64 = 800;

impl<'c> Evaluator<'c> {
    pub fn new(context: &'c Context) -> Evaluator<'c> {
        Evaluator {
            context,
            copies: Vec::new(),
        }
    }

    pub fn with_copy(&self, copy: CopyIndex) -> Evaluator<'c> {
        let mut next = self.clone();
        next.copies.push(copy);
        next
    }

    /// `value` with every expression string evaluated and property copies expanded.
    pub fn value(&self, value: &Value) -> Value {
        match &value.kind {
            ValueKind::String(text) => match classify(text) {
                StringForm::Literal(literal) => Value {
                    kind: ValueKind::String(literal.into_owned()),
                    ..value.clone()
                },
                StringForm::Expression(expression) => self.expression(expression, value.span),
            },
            ValueKind::List(items) => Value {
                kind: ValueKind::List(items.iter().map(|v| self.value(v)).collect()),
                ..value.clone()
            },
            ValueKind::Object(entries) => self.object(value, entries),
            _ => value.clone(),
        }
    }

    fn object(&self, value: &Value, entries: &[Entry]) -> Value {
        let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
        for entry in entries {
            let copies = entry
                .key
                .eq_ignore_ascii_case("copy")
                .then(|| entry.value.items())
                .flatten();
            match copies {
                // Property iteration: each `{name, count, input}` becomes the array `name`.
                Some(loops) => {
                    for copy in loops {
                        let Some(name) =
                            copy.get_ignore_case("name").and_then(|n| n.value.as_str())
                        else {
                            continue;
                        };
                        out.push(Entry {
                            key: name.into(),
                            key_span: copy.span,
                            value: self.property_copy(name, copy),
                        });
                    }
                }
                None => out.push(Entry {
                    key: entry.key.clone(),
                    key_span: entry.key_span,
                    value: self.value(&entry.value),
                }),
            }
        }
        Value {
            kind: ValueKind::Object(out),
            ..value.clone()
        }
    }

    fn property_copy(&self, name: &str, copy: &Value) -> Value {
        let count = copy.get_ignore_case("count").map(|c| self.value(&c.value));
        let input = copy.get_ignore_case("input").map(|i| &i.value);
        let (Some(count), Some(input)) = (count, input) else {
            return misuse(copy.span, "copy", "needs `count` and `input`");
        };
        match count.kind {
            ValueKind::Number(n)
                if (0.0..=MAX_COPY as f64).contains(&n)
                    && !self.context.property_copies.take(n as usize) =>
            {
                Value::unknown(
                    UnknownCause::Unsupported,
                    format!(
                        "the `{name}` copy loop is not expanded: its {n} elements are past the limit of {} property copies per template evaluation",
                        self.context.property_copies.limit()
                    ),
                    copy.span,
                )
            }
            ValueKind::Number(n) if (0.0..=MAX_COPY as f64).contains(&n) => {
                let items = (0..n as i64)
                    .map(|i| {
                        self.with_copy(CopyIndex {
                            name: Some(name.to_string()),
                            resource_loop: false,
                            index: Value::new(ValueKind::Number(i as f64), copy.span),
                        })
                        .value(input)
                    })
                    .collect();
                Value::new(ValueKind::List(items), copy.span)
            }
            ValueKind::Unknown(_) => Value {
                span: copy.span,
                ..count
            },
            _ => misuse(
                copy.span,
                "copy",
                format!("count must be 0 to {MAX_COPY}, found {}", count.describe()),
            ),
        }
    }

    /// Evaluate the expression text of a `"[...]"` string whose JSON span is `span`.
    pub fn expression(&self, text: &str, span: Span) -> Value {
        let mut result = match parser::parse(text) {
            Ok(node) => self.node(&node, text, span),
            Err(error) => Value::unknown(
                UnknownCause::Unsupported,
                format!("`[{text}]` does not parse: {error}"),
                span,
            ),
        };
        // Findings point at the template text that holds the expression.
        result.span = span;
        result
    }

    fn node(&self, node: &Node, text: &str, span: Span) -> Value {
        match &node.expr {
            Expr::Str(s) => Value::new(ValueKind::String(s.clone()), span),
            Expr::Int(n) => Value::new(ValueKind::Number(*n as f64), span),
            Expr::Property { target, name } => {
                let target = self.node(target, text, span);
                property(target, name, &text[node.range.clone()], span)
            }
            Expr::Index { target, index } => {
                let target = self.node(target, text, span);
                let index = self.node(index, text, span);
                indexed(target, index, &text[node.range.clone()], span)
            }
            Expr::Call { name, args } => {
                self.call(name, args, &text[node.range.clone()], text, span)
            }
        }
    }

    fn call(&self, name: &str, args: &[Node], call_text: &str, text: &str, span: Span) -> Value {
        let lower = name.to_ascii_lowercase();
        // `if` evaluates only the branch its known condition picks, so an unknown in the other
        // branch does not leak into the result.
        if lower == "if" {
            if args.len() != 3 {
                return misuse(
                    span,
                    "if",
                    format!("takes 3 arguments, found {}", args.len()),
                );
            }
            let condition = self.node(&args[0], text, span);
            return match condition.as_bool() {
                Some(choice) => {
                    let branch = if choice { &args[1] } else { &args[2] };
                    with_provenance(self.node(branch, text, span), &[condition])
                }
                None if condition.as_unknown().is_some() => without_derivation(condition),
                None => misuse(
                    span,
                    "if",
                    format!(
                        "expects a boolean condition, found {}",
                        condition.describe()
                    ),
                ),
            };
        }
        if let (Some(uri), "deployment", true) =
            (&self.context.template_uri, lower.as_str(), args.is_empty())
        {
            return deployment_object(uri, call_text, span);
        }
        if let Some(reason) = deployment_time(&lower) {
            let mut unknown =
                Unknown::new(UnknownCause::Computed, format!("`{call_text}` {reason}"));
            // The deployment's own scope is one value throughout it: `subscription()` written
            // twice is the same subscription, which lets symbolic ids (`guid(subscription().id,
            // 'x')`) on both sides of a reference compare equal.
            if args.is_empty() && same_throughout_deployment(&lower) {
                unknown.derivation = Some(format!("{lower}()"));
            }
            return Value::new(ValueKind::Unknown(Box::new(unknown)), span);
        }
        let values: Vec<Value> = args.iter().map(|a| self.node(a, text, span)).collect();
        let result = match lower.as_str() {
            "parameters" => self.parameter(&values, span),
            "variables" => self.variable(&values, span),
            "copyindex" => self.copy_index(&values, span),
            "resourceid"
            | "subscriptionresourceid"
            | "tenantresourceid"
            | "managementgroupresourceid"
            | "extensionresourceid" => {
                if let Some(unknown) = values.iter().find(|v| v.as_unknown().is_some()) {
                    return symbolic_resource_id(&lower, &values, span)
                        .unwrap_or_else(|| without_derivation(unknown.clone()));
                }
                self.resource_id(&lower, &values, call_text, span)
            }
            _ => match functions::call(&lower, &values, span) {
                Some(value) => value,
                None => Value::unknown(
                    UnknownCause::Unsupported,
                    format!("`{call_text}` uses `{name}()`, which aksguard does not evaluate"),
                    span,
                ),
            },
        };
        with_provenance(with_derivation(result, &lower, &values), &values)
    }

    fn parameter(&self, args: &[Value], span: Span) -> Value {
        let Some(name) = single_string(args) else {
            return misuse(span, "parameters", "takes one parameter name");
        };
        let Some(parameter) = self
            .context
            .parameters
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        else {
            return Value::unknown(
                UnknownCause::Unsupported,
                format!("parameters('{name}') is not declared in the template"),
                span,
            );
        };
        parameter.slot.get(
            || self.resolve_parameter(parameter, span),
            || {
                Value::unknown(
                    UnknownCause::Unsupported,
                    format!("parameters('{name}') refers to itself"),
                    span,
                )
            },
        )
    }

    fn resolve_parameter(&self, parameter: &Parameter, span: Span) -> Value {
        let name = &parameter.name;
        if let Some(supplied) = &parameter.supplied {
            return supplied.value.clone();
        }
        if let Some(default) = parameter.declaration.get_ignore_case("defaultValue") {
            // Defaults are evaluated in the template, outside any copy loop.
            let mut value = Evaluator::new(self.context).value(&default.value);
            value.provenance.push(Related {
                span: default.value.span,
                message: format!("parameter `{name}` defaults to {}", value.describe()),
            });
            return value;
        }
        let nullable = parameter
            .declaration
            .get_ignore_case("nullable")
            .and_then(|n| n.value.as_bool())
            == Some(true);
        if nullable {
            return Value::new(ValueKind::Null, span);
        }
        let missing = match &self.context.missing_input {
            MissingInput::NoParameterFile => "no parameter file".to_string(),
            MissingInput::FileDoesNotSet(file) => format!("{file} does not set it"),
            MissingInput::CallerDoesNotPass(caller) => format!("{caller} does not pass it"),
            MissingInput::AssignmentDoesNotSet(assignment) => {
                format!("{assignment} does not set it")
            }
        };
        let mut value = Value::unknown(
            UnknownCause::Input,
            format!("parameters('{name}') has no default and {missing}"),
            span,
        );
        value.provenance.push(Related {
            span: parameter.declaration.span,
            message: format!("parameter `{name}` is declared here without a default"),
        });
        value
    }

    fn variable(&self, args: &[Value], span: Span) -> Value {
        let Some(name) = single_string(args) else {
            return misuse(span, "variables", "takes one variable name");
        };
        let Some(variable) = self
            .context
            .variables
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
        else {
            return Value::unknown(
                UnknownCause::Unsupported,
                format!("variables('{name}') is not declared in the template"),
                span,
            );
        };
        variable.slot.get(
            || {
                let evaluator = Evaluator::new(self.context);
                if variable.copy_loop {
                    evaluator.property_copy(&variable.name, &variable.raw)
                } else {
                    evaluator.value(&variable.raw)
                }
            },
            || {
                Value::unknown(
                    UnknownCause::Unsupported,
                    format!("variables('{name}') refers to itself"),
                    span,
                )
            },
        )
    }

    fn copy_index(&self, args: &[Value], span: Span) -> Value {
        let (name, offset) = match args {
            [] => (None, 0.0),
            [Value {
                kind: ValueKind::Number(offset),
                ..
            }] => (None, *offset),
            [name] if name.as_str().is_some() => (name.as_str(), 0.0),
            [name, Value {
                kind: ValueKind::Number(offset),
                ..
            }] if name.as_str().is_some() => (name.as_str(), *offset),
            _ => {
                return misuse(
                    span,
                    "copyIndex",
                    "takes an optional loop name and an optional integer offset",
                )
            }
        };
        let found = self.copies.iter().rev().find(|c| match name {
            None => c.resource_loop,
            Some(name) => c
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name)),
        });
        match found {
            Some(copy) => match copy.index.kind {
                ValueKind::Number(index) => Value::new(ValueKind::Number(index + offset), span),
                _ => copy.index.clone(),
            },
            None => misuse(span, "copyIndex", "is used outside a copy loop"),
        }
    }

    fn resource_id(&self, function: &str, args: &[Value], call_text: &str, span: Span) -> Value {
        let strings: Option<Vec<&str>> = args.iter().map(|a| a.as_str()).collect();
        let Some(strings) = strings else {
            return misuse(span, function, "expects strings");
        };

        // The resource type is the first argument with a `/`; what precedes it names the scope.
        let type_at = match function {
            "extensionresourceid" => strings
                .iter()
                .skip(1)
                .position(|s| s.contains('/'))
                .map(|p| p + 1),
            _ => strings.iter().position(|s| s.contains('/')),
        };
        let Some(type_at) = type_at else {
            return misuse(
                span,
                function,
                "needs a resource type such as 'Microsoft.X/y'",
            );
        };
        let Some(path) = provider_path(strings[type_at], &strings[type_at + 1..]) else {
            return misuse(span, function, "needs one name per resource type segment");
        };
        let before = &strings[..type_at];
        // The scope part may be known only at deployment, but the provider path still says which
        // resource the id names: keep it as the unknown's reference.
        let unknown_scope = |what: &str| {
            let mut unknown = Unknown::new(
                UnknownCause::Computed,
                format!("`{call_text}` depends on the {what} of the deployment, known only at deployment"),
            );
            unknown.reference = Some(path.clone());
            Value::new(ValueKind::Unknown(Box::new(unknown)), span)
        };
        let id = match function {
            "tenantresourceid" => path,
            "extensionresourceid" => format!("{}{path}", before[0].trim_end_matches('/')),
            "managementgroupresourceid" => {
                let group = match (before.first(), &self.context.scope) {
                    (Some(group), _) => group.to_string(),
                    (None, DeployScope::ManagementGroup { group: Some(g) }) => g.clone(),
                    _ => return unknown_scope("management group"),
                };
                format!("/providers/Microsoft.Management/managementGroups/{group}{path}")
            }
            "subscriptionresourceid" => {
                let Some(subscription) = before
                    .first()
                    .map(|s| s.to_string())
                    .or_else(|| self.subscription())
                else {
                    return unknown_scope("subscription");
                };
                format!("/subscriptions/{subscription}{path}")
            }
            _ => {
                let (subscription, group) = match before {
                    [subscription, group] => {
                        (Some(subscription.to_string()), Some(group.to_string()))
                    }
                    [group] => (self.subscription(), Some(group.to_string())),
                    _ => match &self.context.scope {
                        DeployScope::ResourceGroup {
                            subscription,
                            group,
                        } => (subscription.clone(), group.clone()),
                        DeployScope::Subscription { subscription } => {
                            let Some(subscription) = subscription else {
                                return unknown_scope("subscription");
                            };
                            return Value::new(
                                ValueKind::String(format!("/subscriptions/{subscription}{path}")),
                                span,
                            );
                        }
                        _ => return Value::new(ValueKind::String(path), span),
                    },
                };
                let Some(subscription) = subscription else {
                    return unknown_scope("subscription");
                };
                let Some(group) = group else {
                    return unknown_scope("resource group");
                };
                format!("/subscriptions/{subscription}/resourceGroups/{group}{path}")
            }
        };
        Value::new(ValueKind::String(id), span)
    }

    fn subscription(&self) -> Option<String> {
        match &self.context.scope {
            DeployScope::ResourceGroup { subscription, .. }
            | DeployScope::Subscription { subscription } => subscription.clone(),
            _ => None,
        }
    }
}

/// `/providers/Microsoft.X/a/name1/b/name2` for type `Microsoft.X/a/b` and names.
fn provider_path(resource_type: &str, names: &[&str]) -> Option<String> {
    let mut segments = resource_type.split('/');
    let namespace = segments.next()?;
    let types: Vec<&str> = segments.collect();
    if types.len() != names.len() || types.is_empty() {
        return None;
    }
    let mut path = format!("/providers/{namespace}");
    for (kind, name) in types.iter().zip(names) {
        path.push_str(&format!("/{kind}/{name}"));
    }
    Some(path)
}

/// `deployment()` for a template read from the repository: its `templateLink.uri` is the file's
/// own location; everything else about the deployment is known only when it runs.
fn deployment_object(uri: &str, call_text: &str, span: Span) -> Value {
    let entry = |key: &str, value: Value| Entry {
        key: key.into(),
        key_span: span,
        value,
    };
    let later = |what: &str| {
        Value::unknown(
            UnknownCause::Computed,
            format!("`{call_text}.{what}` is known only at deployment"),
            span,
        )
    };
    let link = Value::new(
        ValueKind::Object(vec![entry(
            "uri",
            Value::new(ValueKind::String(uri.to_string()), span),
        )]),
        span,
    );
    let properties = Value::new(ValueKind::Object(vec![entry("templateLink", link)]), span);
    Value::new(
        ValueKind::Object(vec![
            entry("name", later("name")),
            entry("location", later("location")),
            entry("properties", properties),
        ]),
        span,
    )
}

/// Deployment-time functions without arguments whose value is one throughout a deployment.
fn same_throughout_deployment(name: &str) -> bool {
    matches!(
        name,
        "subscription" | "resourcegroup" | "managementgroup" | "tenant" | "environment"
    )
}

/// An unknown passed along as the result of something else: the derivation was the input's.
fn without_derivation(mut value: Value) -> Value {
    if let ValueKind::Unknown(unknown) = &mut value.kind {
        unknown.derivation = None;
    }
    value
}

/// How a function argument enters a derivation: a known value as JSON, an unknown by its own
/// derivation; `None` when an unknown has none (then the result has none either).
fn derivation_of(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::Unknown(unknown) => unknown.derivation.clone(),
        _ => value.to_json().map(|json| json.to_string()),
    }
}

/// `result` of `function(args)`, when unknown because of arguments that all have derivations,
/// remembers the call as its derivation.
fn with_derivation(mut result: Value, function: &str, args: &[Value]) -> Value {
    let ValueKind::Unknown(unknown) = &mut result.kind else {
        return result;
    };
    if !args.iter().any(|a| a.as_unknown().is_some()) {
        return result;
    }
    // The result is often an argument passed along (`guid(subscription().id, 'x')` returns the
    // unknown `subscription().id`): its derivation is this call's, or none when an argument has
    // none. Functions that change on every call derive nothing.
    let parts: Option<Vec<String>> = args.iter().map(derivation_of).collect();
    unknown.derivation = match parts {
        Some(parts) if !matches!(function, "newguid" | "utcnow") => {
            Some(format!("{function}({})", parts.join(",")))
        }
        _ => None,
    };
    result
}

/// A resource id whose names are known only symbolically (`resourceId('T', guid(subscription().id,
/// 'x'))`): unknown, but its reference is the provider path with each such name written `[d]`
/// (its derivation), so a resource in the same deployment whose name has that derivation is the
/// one it names. `None` when an unknown is the type or scope part, or has no derivation.
fn symbolic_resource_id(function: &str, args: &[Value], span: Span) -> Option<Value> {
    let texts: Vec<String> = args
        .iter()
        .map(|arg| match &arg.kind {
            ValueKind::String(text) => Some(text.clone()),
            ValueKind::Unknown(unknown) => unknown.derivation.as_ref().map(|d| format!("[{d}]")),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let skip = usize::from(function == "extensionresourceid");
    let type_at = texts
        .iter()
        .enumerate()
        .skip(skip)
        .find(|(i, t)| args[*i].as_str().is_some() && t.contains('/'))
        .map(|(i, _)| i)?;
    if args[..=type_at].iter().any(|a| a.as_unknown().is_some()) {
        return None;
    }
    let names: Vec<&str> = texts[type_at + 1..].iter().map(String::as_str).collect();
    let path = provider_path(&texts[type_at], &names)?;
    let first = args.iter().find_map(|a| a.as_unknown())?;
    let mut unknown = Unknown::new(UnknownCause::Computed, first.reason.clone());
    unknown.reference = Some(path);
    let parts: Option<Vec<String>> = args.iter().map(derivation_of).collect();
    unknown.derivation = parts.map(|p| format!("{function}({})", p.join(",")));
    Some(Value::new(ValueKind::Unknown(Box::new(unknown)), span))
}

/// Functions whose value only the deployment knows, with how to say so.
fn deployment_time(name: &str) -> Option<&'static str> {
    match name {
        "reference" | "subscription" | "resourcegroup" | "deployment" | "environment"
        | "managementgroup" | "tenant" | "pickzones" | "deployer" => {
            Some("is known only at deployment")
        }
        "utcnow" | "newguid" => Some("changes with every deployment"),
        // The policy language's `field()`, inside a DeployIfNotExists deployment.
        "field" => Some("is a field of the resource the policy evaluates, known only when it runs"),
        _ if name.starts_with("list") => Some("is known only at deployment"),
        _ => None,
    }
}

fn single_string(args: &[Value]) -> Option<&str> {
    match args {
        [name] => name.as_str(),
        _ => None,
    }
}

/// `result` with the provenance of the values it was computed from added.
fn with_provenance(mut result: Value, from: &[Value]) -> Value {
    for value in from {
        for related in &value.provenance {
            if !result.provenance.contains(related) {
                result.provenance.push(related.clone());
            }
        }
    }
    result
}

fn property(target: Value, name: &str, text: &str, span: Span) -> Value {
    match &target.kind {
        ValueKind::Unknown(unknown) => {
            let derivation = unknown
                .derivation
                .as_ref()
                .map(|d| format!("{d}.{}", name.to_ascii_lowercase()));
            let mut target = target;
            if let ValueKind::Unknown(unknown) = &mut target.kind {
                unknown.derivation = derivation;
            }
            target
        }
        ValueKind::Object(_) => match target.get_ignore_case(name) {
            Some(entry) => with_provenance(entry.value.clone(), std::slice::from_ref(&target)),
            None => Value::unknown(
                UnknownCause::Unsupported,
                format!("`{text}`: the object has no property `{name}`"),
                span,
            ),
        },
        _ => Value::unknown(
            UnknownCause::Unsupported,
            format!("`{text}`: {} has no properties", target.describe()),
            span,
        ),
    }
}

fn indexed(target: Value, index: Value, text: &str, span: Span) -> Value {
    if let ValueKind::Unknown(unknown) = &target.kind {
        // `x['id']` and `x.id` are the same property (ARM compares names case-insensitively).
        let derivation = match (&unknown.derivation, &index.kind) {
            (Some(d), ValueKind::String(key)) => Some(format!("{d}.{}", key.to_ascii_lowercase())),
            (Some(d), ValueKind::Number(_)) => derivation_of(&index).map(|i| format!("{d}[{i}]")),
            _ => None,
        };
        let mut target = target;
        if let ValueKind::Unknown(unknown) = &mut target.kind {
            unknown.derivation = derivation;
        }
        return target;
    }
    if index.as_unknown().is_some() {
        return index;
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
        Some(value) => with_provenance(value, &[target, index]),
        None => Value::unknown(
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
    use crate::source::FileId;

    const TEMPLATE: &str = r#"{
      "parameters": {
        "env": {"type": "string", "defaultValue": "dev"},
        "noDefault": {"type": "bool"},
        "derived": {"type": "string", "defaultValue": "[format('{0}-x', parameters('env'))]"},
        "optional": {"type": "object", "nullable": true},
        "regions": {"type": "array", "defaultValue": ["a", "b"]},
        "self": {"type": "string", "defaultValue": "[parameters('self')]"}
      },
      "variables": {
        "tags": {"owner": "team"},
        "loop": "[variables('loop')]",
        "copy": [{"name": "doubled", "count": 2, "input": "[mul(copyIndex('doubled'), 2)]"}]
      }
    }"#;

    fn context(scope: DeployScope) -> Context {
        let template = crate::frontend::json::parse(FileId(0), TEMPLATE)
            .unwrap()
            .unwrap();
        Context::new(&template, Vec::new(), scope, MissingInput::NoParameterFile)
    }

    fn rg() -> DeployScope {
        DeployScope::ResourceGroup {
            subscription: None,
            group: None,
        }
    }

    fn eval_in(scope: DeployScope, expression: &str) -> Value {
        let context = context(scope);
        Evaluator::new(&context).expression(expression, Span::default())
    }

    fn eval(expression: &str) -> Value {
        eval_in(rg(), expression)
    }

    /// The value as compact JSON text, or `unknown: <reason>`.
    fn show(expression: &str) -> String {
        let value = eval(expression);
        match value.as_unknown() {
            Some(unknown) => format!("unknown: {}", unknown.reason),
            None => functions_json(&value),
        }
    }

    fn functions_json(value: &Value) -> String {
        match &value.kind {
            ValueKind::String(s) => format!("{s:?}"),
            _ => functions::to_text(value).unwrap(),
        }
    }

    fn is_unknown(expression: &str, cause: UnknownCause) -> bool {
        eval(expression)
            .as_unknown()
            .is_some_and(|u| u.cause == cause)
    }

    fn derivation(expression: &str) -> Option<String> {
        eval_in(DeployScope::Subscription { subscription: None }, expression)
            .as_unknown()
            .and_then(|u| u.derivation.clone())
    }

    #[test]
    fn deployment_time_values_remember_their_derivation() {
        let guid = derivation("guid(subscription().id, 'EnableDefender')");
        assert_eq!(
            guid.as_deref(),
            Some(r#"guid(subscription().id,"EnableDefender")"#)
        );
        // Spelling and spacing do not matter; inputs by value do.
        assert_eq!(
            derivation("GUID(subscription()['ID'],   'EnableDefender')"),
            guid
        );
        assert_eq!(
            derivation("guid(subscription().id, parameters('env'))"),
            Some(r#"guid(subscription().id,"dev")"#.to_string())
        );
        assert_ne!(derivation("guid(subscription().id, 'Other')"), guid);
        assert_ne!(
            derivation("guid(subscription().displayName, 'EnableDefender')"),
            guid
        );
        // Unset inputs, per-call values and `reference()` derive nothing.
        assert_eq!(
            derivation("guid(subscription().id, parameters('noDefault'))"),
            None
        );
        assert_eq!(derivation("guid(newGuid())"), None);
        assert_eq!(derivation("reference('x').id"), None);
        assert_eq!(derivation("if(parameters('noDefault'), 'a', 'b')"), None);
        // A resource id named symbolically keeps its provider path, the name as `[derivation]`.
        let id = eval_in(
            DeployScope::Subscription { subscription: None },
            "subscriptionResourceId('Microsoft.Authorization/policySetDefinitions', guid(subscription().id, 'EnableDefender'))",
        );
        assert_eq!(
            id.as_unknown().and_then(|u| u.reference.as_deref()),
            Some(
                r#"/providers/Microsoft.Authorization/policySetDefinitions/[guid(subscription().id,"EnableDefender")]"#
            )
        );
    }

    #[test]
    fn parameters_defaults_files_and_missing_inputs() {
        assert_eq!(show("parameters('env')"), "\"dev\"");
        assert_eq!(show("parameters('ENV')"), "\"dev\"");
        assert_eq!(show("parameters('derived')"), "\"dev-x\"");
        assert_eq!(show("parameters('optional')"), "");
        assert!(eval("parameters('optional')").is_null());
        assert_eq!(
            show("parameters('noDefault')"),
            "unknown: parameters('noDefault') has no default and no parameter file"
        );
        assert!(is_unknown("parameters('noDefault')", UnknownCause::Input));
        assert!(show("parameters('self')").contains("refers to itself"));
        assert!(show("parameters('missing')").contains("not declared"));
        assert!(is_unknown("parameters()", UnknownCause::Unsupported));
        assert!(is_unknown("parameters(1)", UnknownCause::Unsupported));
        // A default's provenance says where it came from.
        let value = eval("parameters('env')");
        assert!(value.provenance[0].message.contains("defaults to \"dev\""));
    }

    #[test]
    fn supplied_values_win_over_defaults() {
        let template = crate::frontend::json::parse(FileId(0), TEMPLATE)
            .unwrap()
            .unwrap();
        let supplied = vec![(
            "env".to_string(),
            Supplied {
                value: Value::new(ValueKind::String("prod".into()), Span::default()),
            },
        )];
        let context = Context::new(
            &template,
            supplied,
            rg(),
            MissingInput::FileDoesNotSet("main.parameters.json".into()),
        );
        let evaluator = Evaluator::new(&context);
        let env = evaluator.expression("parameters('env')", Span::default());
        assert_eq!(env.as_str(), Some("prod"));
        let missing = evaluator.expression("parameters('noDefault')", Span::default());
        assert_eq!(
            missing.as_unknown().unwrap().reason,
            "parameters('noDefault') has no default and main.parameters.json does not set it"
        );
    }

    #[test]
    fn variables_including_copies_and_cycles() {
        assert_eq!(show("variables('tags').owner"), "\"team\"");
        assert_eq!(show("variables('doubled')"), "[0,2]");
        assert!(show("variables('loop')").contains("refers to itself"));
        assert!(show("variables('nope')").contains("not declared"));
    }

    #[test]
    fn if_evaluates_only_the_chosen_branch() {
        assert_eq!(
            show("if(equals(parameters('env'), 'dev'), true(), reference('x').y)"),
            "True"
        );
        assert_eq!(
            show("if(equals(parameters('env'), 'prod'), reference('x'), 'no')"),
            "\"no\""
        );
        assert!(is_unknown(
            "if(parameters('noDefault'), 1, 2)",
            UnknownCause::Input
        ));
        assert!(is_unknown("if(true(), 1)", UnknownCause::Unsupported));
        assert!(is_unknown("if('maybe', 1, 2)", UnknownCause::Unsupported));
    }

    #[test]
    fn logic() {
        assert_eq!(show("equals('a', 'a')"), "True");
        assert_eq!(show("equals('a', 'A')"), "False");
        assert_eq!(
            show("equals(createObject('K', 1), createObject('k', 1))"),
            "True"
        );
        assert_eq!(show("equals(createArray(1, 2), createArray(1, 2))"), "True");
        assert!(is_unknown("equals(1)", UnknownCause::Unsupported));
        assert_eq!(show("not(false())"), "True");
        assert!(is_unknown("not('x')", UnknownCause::Unsupported));
        assert_eq!(show("and(true(), true())"), "True");
        assert_eq!(show("and(false(), parameters('noDefault'))"), "False");
        assert!(is_unknown(
            "and(true(), parameters('noDefault'))",
            UnknownCause::Input
        ));
        assert_eq!(show("or(parameters('noDefault'), true())"), "True");
        assert!(is_unknown("or(1, false())", UnknownCause::Unsupported));
        assert!(is_unknown("and()", UnknownCause::Unsupported));
        assert_eq!(show("bool('TRUE')"), "True");
        assert_eq!(show("bool(0)"), "False");
        assert!(is_unknown("bool('yes')", UnknownCause::Unsupported));
        assert_eq!(show("true()"), "True");
        assert!(is_unknown("true(1)", UnknownCause::Unsupported));
        assert!(eval("null()").is_null());
    }

    #[test]
    fn conversions() {
        assert_eq!(show("string(true())"), "\"True\"");
        assert_eq!(show("string(createObject('a', 1))"), "\"{\\\"a\\\":1}\"");
        assert!(is_unknown("string()", UnknownCause::Unsupported));
        assert_eq!(show("int('42')"), "42");
        assert!(is_unknown("int('x')", UnknownCause::Unsupported));
        assert_eq!(show("json('{\"a\": [1, true]}').a[1]"), "True");
        assert!(is_unknown("json('{')", UnknownCause::Unsupported));
        assert!(is_unknown("json(1)", UnknownCause::Unsupported));
        assert_eq!(show("array('a')"), "[\"a\"]");
    }

    #[test]
    fn strings() {
        assert_eq!(show("concat('a', 'b', 1)"), "\"ab1\"");
        assert_eq!(show("concat(createArray(1), createArray(2))"), "[1,2]");
        assert!(is_unknown(
            "concat('a', createArray(1))",
            UnknownCause::Unsupported
        ));
        assert_eq!(show("format('{0}-{1:D3}-{{x}}', 'a', 7)"), "\"a-007-{x}\"");
        assert!(is_unknown("format('{1}', 'a')", UnknownCause::Unsupported));
        assert!(is_unknown("format(1)", UnknownCause::Unsupported));
        // Found by fuzzing (fuzz/corpus/arm_expr): the index + 1 overflowed (wrapping, in a
        // release build, to the format string itself), and a huge width allocated gigabytes.
        assert_eq!(
            show("format('M/{18446744073709551615}', 'a')"),
            "unknown: format() has no argument for `{18446744073709551615}`"
        );
        assert!(is_unknown(
            "format('{0:D999999999}', 1)",
            UnknownCause::Unsupported
        ));
        assert_eq!(show("format('{0:D1024}', 1)").len(), 1024 + 2);
        assert_eq!(show("toLower('AbC')"), "\"abc\"");
        assert_eq!(show("toUpper('AbC')"), "\"ABC\"");
        assert!(is_unknown("toLower(1)", UnknownCause::Unsupported));
        assert_eq!(
            show("split('a,b;c', createArray(',', ';'))"),
            "[\"a\",\"b\",\"c\"]"
        );
        assert!(is_unknown("split(1, ',')", UnknownCause::Unsupported));
        assert_eq!(show("replace('a-b-c', '-', '_')"), "\"a_b_c\"");
        assert!(is_unknown(
            "replace('a', '', 'b')",
            UnknownCause::Unsupported
        ));
        assert_eq!(show("startsWith('Microsoft.X', 'microsoft')"), "True");
        assert_eq!(show("endsWith('abc', 'BC')"), "True");
        assert!(is_unknown("startsWith('a')", UnknownCause::Unsupported));
        assert_eq!(show("'it''s'"), "\"it's\"");
    }

    #[test]
    fn collections() {
        assert_eq!(show("union(createObject('a', createObject('x', 1)), createObject('A', createObject('y', 2)))"), "{\"a\":{\"x\":1,\"y\":2}}");
        assert_eq!(
            show("union(createArray(1, 2), createArray(2, 3))"),
            "[1,2,3]"
        );
        assert!(is_unknown(
            "union(createArray(1), createObject())",
            UnknownCause::Unsupported
        ));
        assert_eq!(
            show("intersection(createArray(1, 2), createArray(2, 3))"),
            "[2]"
        );
        assert_eq!(
            show("intersection(createObject('a', 1, 'b', 2), createObject('a', 1))"),
            "{\"a\":1}"
        );
        assert!(is_unknown("intersection(1, 2)", UnknownCause::Unsupported));
        assert!(is_unknown("createObject('a')", UnknownCause::Unsupported));
        assert!(is_unknown("createObject(1, 2)", UnknownCause::Unsupported));
        // An unknown property stays in place.
        let object = eval("createObject('a', parameters('noDefault'), 'b', 1)");
        assert!(object.get("a").unwrap().value.as_unknown().is_some());
        assert_eq!(object.get("b").unwrap().value.kind, ValueKind::Number(1.0));
        assert_eq!(show("createArray()"), "[]");
        assert_eq!(show("coalesce(null(), null(), 'x')"), "\"x\"");
        assert!(is_unknown(
            "coalesce(null(), parameters('noDefault'), 'x')",
            UnknownCause::Input
        ));
        assert!(eval("coalesce()").is_null());
        assert_eq!(show("contains('abc', 'b')"), "True");
        assert_eq!(show("contains('abc', 'B')"), "False");
        assert_eq!(show("contains(createObject('Key', 1), 'key')"), "True");
        assert_eq!(show("contains(parameters('regions'), 'b')"), "True");
        assert!(is_unknown("contains(1, 1)", UnknownCause::Unsupported));
        assert_eq!(show("empty('')"), "True");
        assert_eq!(show("empty(null())"), "True");
        assert_eq!(show("empty(parameters('regions'))"), "False");
        assert!(is_unknown("empty(1)", UnknownCause::Unsupported));
        assert_eq!(show("length(parameters('regions'))"), "2");
        assert_eq!(show("length('héllo')"), "5");
        assert!(is_unknown("length(true())", UnknownCause::Unsupported));
        assert_eq!(show("first(parameters('regions'))"), "\"a\"");
        assert_eq!(show("last('abc')"), "\"c\"");
        assert!(eval("first(createArray())").is_null());
        assert!(is_unknown("last(1)", UnknownCause::Unsupported));
        assert_eq!(show("items(createObject('b', 2, 'a', 1))[0].key"), "\"a\"");
        assert!(is_unknown(
            "items(createArray())",
            UnknownCause::Unsupported
        ));
        assert_eq!(show("range(5, 3)"), "[5,6,7]");
        assert!(is_unknown("range(0, 100000)", UnknownCause::Unsupported));
        assert!(is_unknown("range('a', 1)", UnknownCause::Unsupported));
        assert!(eval("tryGet(parameters('optional'), 'x')").is_null());
        assert_eq!(show("tryGet(variables('tags'), 'OWNER')"), "\"team\"");
        assert_eq!(show("parameters('regions')[1]"), "\"b\"");
        assert_eq!(show("variables('tags')['owner']"), "\"team\"");
        assert!(is_unknown(
            "parameters('regions')[5]",
            UnknownCause::Unsupported
        ));
        assert!(is_unknown(
            "variables('tags').missing",
            UnknownCause::Unsupported
        ));
        assert!(is_unknown("parameters('env').x", UnknownCause::Unsupported));
    }

    #[test]
    fn copy_index_inside_and_outside_loops() {
        let context = context(rg());
        let evaluator = Evaluator::new(&context).with_copy(CopyIndex {
            name: Some("pools".into()),
            resource_loop: true,
            index: Value::new(ValueKind::Number(2.0), Span::default()),
        });
        let value = |e: &str| evaluator.expression(e, Span::default()).kind;
        assert_eq!(value("copyIndex()"), ValueKind::Number(2.0));
        assert_eq!(value("copyIndex(1)"), ValueKind::Number(3.0));
        assert_eq!(value("copyIndex('POOLS', 10)"), ValueKind::Number(12.0));
        assert!(is_unknown("copyIndex()", UnknownCause::Unsupported));
        assert!(is_unknown("copyIndex(true())", UnknownCause::Unsupported));
    }

    #[test]
    fn resource_ids_by_scope() {
        assert_eq!(
            show("tenantResourceId('Microsoft.Authorization/policyDefinitions', 'abc')"),
            "\"/providers/Microsoft.Authorization/policyDefinitions/abc\""
        );
        assert_eq!(
            show("resourceId('sub', 'rg', 'Microsoft.Network/virtualNetworks/subnets', 'v', 's')"),
            "\"/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s\""
        );
        assert!(is_unknown(
            "resourceId('Microsoft.X/y', 'n')",
            UnknownCause::Computed
        ));
        let scoped = eval_in(
            DeployScope::ResourceGroup {
                subscription: Some("s1".into()),
                group: Some("g1".into()),
            },
            "resourceId('Microsoft.X/y', 'n')",
        );
        assert_eq!(
            scoped.as_str(),
            Some("/subscriptions/s1/resourceGroups/g1/providers/Microsoft.X/y/n")
        );
        assert_eq!(
            show("subscriptionResourceId('s2', 'Microsoft.Resources/resourceGroups', 'g')"),
            "\"/subscriptions/s2/providers/Microsoft.Resources/resourceGroups/g\""
        );
        assert_eq!(
            show("managementGroupResourceId('mg', 'Microsoft.Authorization/policyAssignments', 'a')"),
            "\"/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyAssignments/a\""
        );
        assert_eq!(
            show("extensionResourceId('/x/y', 'Microsoft.Authorization/locks', 'l')"),
            "\"/x/y/providers/Microsoft.Authorization/locks/l\""
        );
        assert!(is_unknown(
            "resourceId('Microsoft.X/y')",
            UnknownCause::Unsupported
        ));
        assert!(is_unknown(
            "resourceId('nothing')",
            UnknownCause::Unsupported
        ));
        assert!(is_unknown("tenantResourceId(1)", UnknownCause::Unsupported));
    }

    #[test]
    fn deployment_time_and_unsupported_functions_are_unknown() {
        for expression in [
            "reference('x').properties",
            "listKeys('x', '2020-01-01').keys[0]",
            "subscription().subscriptionId",
            "resourceGroup().location",
            "deployment().name",
            "environment().name",
            "utcNow()",
            "newGuid()",
        ] {
            assert!(
                is_unknown(expression, UnknownCause::Computed),
                "{expression}"
            );
        }
        assert_eq!(
            show("reference('aks').x"),
            "unknown: `reference('aks')` is known only at deployment"
        );
        assert!(is_unknown("uniqueString('a')", UnknownCause::Unsupported));
        assert!(is_unknown("__bicep.f(1)", UnknownCause::Unsupported));
        assert!(is_unknown("concat('a'", UnknownCause::Unsupported));
        // Nothing panics on deep or odd input.
        let deep = format!("{}1{}", "not(".repeat(100), ")".repeat(100));
        assert!(is_unknown(&deep, UnknownCause::Unsupported));
        assert!(is_unknown(
            "add(9223372036854775807, 1)",
            UnknownCause::Unsupported
        ));
        assert!(is_unknown("div(1, 0)", UnknownCause::Unsupported));
        assert_eq!(show("greater(2, 1)"), "True");
    }

    #[test]
    fn literal_strings_and_escapes() {
        let context = context(rg());
        let evaluator = Evaluator::new(&context);
        let value = crate::frontend::json::parse(
            FileId(0),
            r#"{"a": "[[x]", "b": "plain", "c": "[length('ab')]"}"#,
        )
        .unwrap()
        .unwrap();
        let evaluated = evaluator.value(&value);
        assert_eq!(evaluated.get("a").unwrap().value.as_str(), Some("[x]"));
        assert_eq!(evaluated.get("b").unwrap().value.as_str(), Some("plain"));
        assert_eq!(
            evaluated.get("c").unwrap().value.kind,
            ValueKind::Number(2.0)
        );
        // The result keeps the span of the JSON string it came from.
        assert_eq!(
            evaluated.get("c").unwrap().value.span,
            value.get("c").unwrap().value.span
        );
    }
}
