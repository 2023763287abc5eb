//! Input variable values, in Terraform's precedence: declared defaults, then (for a root module)
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` by name, `--var-file`
//! files, `--var` values; for a called module, the caller's arguments. Every value carries where it
//! came from, and a variable nothing sets is an unknown naming it.

use std::collections::BTreeMap;

use super::eval::{with_span, Evaluator, Expr, Scope};
use super::module::{ModuleDir, TfvarsFile};
use super::values::{respan_deep, with_provenance_deep};
use crate::source::{SourceMap, Span};
use crate::value::{Related, UnknownCause, Value, ValueKind};

/// A `--var NAME=VALUE` from the command line.
#[derive(Debug, Clone)]
pub struct CliVar {
    pub name: String,
    pub value: String,
}

/// `file:line` of a span, for provenance messages.
fn place(sources: &SourceMap, span: Span) -> String {
    let file = sources.get(span.file);
    let name = file.path.file_name().map_or_else(
        || file.display.clone(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!("{name}:{}", sources.start(span).line)
}

/// Declared variables with their defaults; those without one are unknown with `missing` as the
/// reason's tail (e.g. "no tfvars sets it").
fn defaults(module: &ModuleDir, sources: &SourceMap, missing: &str) -> BTreeMap<String, Value> {
    let empty = Scope::empty(sources);
    let mut values = BTreeMap::new();
    for (name, declaration) in &module.variables {
        let value = match declaration.default {
            Some((span, expr)) => {
                let value = Evaluator::new(&empty, module.first_file).expr_any(expr);
                let related = Related {
                    span,
                    message: format!(
                        "{} declares {name} with default = {}",
                        place(sources, span),
                        value.describe()
                    ),
                };
                with_provenance_deep(value, &[related])
            }
            None => Value::unknown(
                UnknownCause::Input,
                format!("var.{name} has no default and {missing}"),
                declaration.header,
            ),
        };
        values.insert(name.clone(), value);
    }
    values
}

/// Values of a root module's variables: defaults, its own automatic tfvars files, then the
/// `--var-file` files and `--var` values the user gave.
pub fn root_variables(
    module: &ModuleDir,
    sources: &SourceMap,
    var_files: &[TfvarsFile],
    cli_vars: &[CliVar],
) -> BTreeMap<String, Value> {
    let mut values = defaults(module, sources, "no tfvars sets it");
    let files = module
        .auto_tfvars
        .iter()
        .map(|(_, file)| *file)
        .chain(var_files.iter().copied());
    for file in files {
        for (name, span, value) in assignments(file, sources) {
            if let Some(slot) = values.get_mut(&name) {
                let related = Related {
                    span,
                    message: format!(
                        "{} sets {name} = {}",
                        place(sources, span),
                        value.describe()
                    ),
                };
                *slot = with_provenance_deep(value, &[related]);
            }
        }
    }
    for var in cli_vars {
        if let Some(slot) = values.get_mut(&var.name) {
            let span = slot.span;
            *slot = respan_deep(cli_value(&var.value, sources, module), span);
        }
    }
    values
}

/// Values of a called module's variables: the caller's arguments (already evaluated in the
/// caller's scope), else the defaults. tfvars files never apply to called modules.
pub fn called_variables(
    module: &ModuleDir,
    sources: &SourceMap,
    call_address: &str,
    arguments: Vec<(String, Span, Value)>,
) -> BTreeMap<String, Value> {
    let mut values = defaults(module, sources, &format!("{call_address} does not set it"));
    for (name, span, value) in arguments {
        if let Some(slot) = values.get_mut(&name) {
            let related = Related {
                span,
                message: format!(
                    "{} {call_address} sets {name} = {}",
                    place(sources, span),
                    value.describe()
                ),
            };
            *slot = with_provenance_deep(value, &[related]);
        }
    }
    values
}

/// The `name = value` assignments of a tfvars file, evaluated (tfvars hold literals only).
fn assignments(file: TfvarsFile, sources: &SourceMap) -> Vec<(String, Span, Value)> {
    let empty = Scope::empty(sources);
    match file {
        TfvarsFile::Hcl(id, body) => {
            let evaluator = Evaluator::new(&empty, id);
            let text = &sources.get(id).text;
            body.attributes()
                .map(|attribute| {
                    let span = evaluator.span(attribute.span);
                    let span = first_line(sources, span);
                    let value = evaluator.expr(&attribute.value);
                    (attribute.key.get(text).to_string(), span, value)
                })
                .collect()
        }
        TfvarsFile::Json(id, document) => {
            let evaluator = Evaluator::new(&empty, id);
            document
                .entries()
                .unwrap_or(&[])
                .iter()
                .map(|entry| {
                    let value = evaluator.expr_any(Expr::Json(&entry.value));
                    (entry.key.to_string(), entry.key_span, value)
                })
                .collect()
        }
    }
}

fn first_line(sources: &SourceMap, span: Span) -> Span {
    let text = sources.get(span.file).snippet(span);
    match text.find('\n') {
        Some(at) => Span {
            end: span.start + text[..at].trim_end().len() as u32,
            ..span
        },
        None => span,
    }
}

/// A `--var` value as Terraform reads it: `{...}`/`[...]` are HCL expressions, anything else a
/// string (which converts to a bool or number where the variable's type asks for one).
fn cli_value(text: &str, sources: &SourceMap, module: &ModuleDir) -> Value {
    let trimmed = text.trim_start();
    let span = Span::new(module.first_file, 0..0);
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(expr) = hcl_edit::parser::parse_expr(text) {
            let expr = super::syntax::expr(&expr, text);
            // Spans of a parsed command-line value point nowhere: evaluate, then respan.
            let empty = Scope::empty(sources);
            let value = Evaluator::new(&empty, module.first_file)
                .with_text(text)
                .expr(&expr);
            if value.as_unknown().is_none() {
                return with_span(value, span);
            }
        }
    }
    Value::new(ValueKind::String(text.to_string()), span)
}
