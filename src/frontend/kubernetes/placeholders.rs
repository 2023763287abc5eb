//! `clusterctl` (and Flux, envsubst) variables: `${VAR}`, `${VAR:=default}`, `${VAR:-default}`.
//!
//! Templates are substituted as text before Kubernetes sees them. Here a string that holds a
//! variable with a default becomes what the default makes it (re-read as a YAML plain scalar, as
//! the substituted text would be); one that holds a variable without default is *unknown*,
//! naming the variable. Text that is not a variable (`${Rand.RFC1123Subdomain}`) is left as is.

use crate::frontend::yaml;
use crate::value::{Entry, Related, Value, ValueKind};

/// Deeper than any object the YAML parser produces; guards values built elsewhere (Helm).
const MAX_DEPTH: usize = 256;

/// `value` with every string's variables substituted.
pub fn resolve(value: &Value) -> Value {
    resolve_at(value, 0)
}

fn resolve_at(value: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return value.clone();
    }
    let kind = match &value.kind {
        ValueKind::String(text) => return resolve_string(text, value),
        ValueKind::List(items) => {
            ValueKind::List(items.iter().map(|v| resolve_at(v, depth + 1)).collect())
        }
        ValueKind::Object(entries) => ValueKind::Object(
            entries
                .iter()
                .map(|entry| Entry {
                    key: entry.key.clone(),
                    key_span: entry.key_span,
                    value: resolve_at(&entry.value, depth + 1),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Value {
        kind,
        span: value.span,
        provenance: value.provenance.clone(),
    }
}

/// One variable met in a string: its name and its default, if any.
struct Variable {
    name: String,
    default: Option<String>,
}

fn resolve_string(text: &str, value: &Value) -> Value {
    let mut variables = Vec::new();
    let Some(substituted) = substitute(text, &mut variables, 0) else {
        return value.clone();
    };
    if variables.is_empty() {
        return value.clone();
    }
    let unset: Vec<String> = variables
        .iter()
        .filter(|v| v.default.is_none())
        .map(|v| format!("`${{{}}}`", v.name))
        .collect();
    if !unset.is_empty() {
        let mut unknown = Value::unknown(
            crate::value::UnknownCause::Input,
            format!(
                "{} {} a template variable with no default (substituted by clusterctl or envsubst when the manifest is rendered)",
                unset.join(", "),
                if unset.len() == 1 { "is" } else { "are" }
            ),
            value.span,
        );
        unknown.provenance = value.provenance.clone();
        return unknown;
    }
    let mut resolved = Value::new(reread(&substituted), value.span);
    resolved.provenance = value.provenance.clone();
    for variable in &variables {
        resolved.provenance.push(Related {
            span: value.span,
            message: format!(
                "template variable `${{{}}}` takes its default `{}` here unless it is set when the manifest is rendered",
                variable.name,
                variable.default.as_deref().unwrap_or_default()
            ),
        });
    }
    resolved
}

/// The substituted text as YAML reads it in place of the variable (`""` is an empty string,
/// `false` a boolean); text that is not one scalar stays a string.
fn reread(text: &str) -> ValueKind {
    match yaml::parse_stream(text) {
        Ok(documents) if documents.is_empty() => ValueKind::Null,
        Ok(documents) if documents.len() == 1 => match &documents[0].kind {
            ValueKind::List(_) | ValueKind::Object(_) | ValueKind::Unknown(_) => {
                ValueKind::String(text.to_string())
            }
            scalar => scalar.clone(),
        },
        _ => ValueKind::String(text.to_string()),
    }
}

/// `text` with variables that have defaults replaced by them (unset ones by nothing); each
/// variable is recorded in `variables`. `None` when nesting goes past the bound.
fn substitute(text: &str, variables: &mut Vec<Variable>, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match parse_variable(after) {
            Some((name, default, consumed)) => {
                let default = match default {
                    Some(default) => Some(substitute(default, variables, depth + 1)?),
                    None => None,
                };
                if let Some(default) = &default {
                    out.push_str(default);
                }
                variables.push(Variable { name, default });
                rest = &after[consumed..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// After `${`: the name, the default text (for `:=`, `:-`, `=`, `-`) and the bytes up to and
/// including the closing `}`.
fn parse_variable(after: &str) -> Option<(String, Option<&str>, usize)> {
    let bytes = after.as_bytes();
    let first = *bytes.first()?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let name_end = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))?;
    let name = after[..name_end].to_string();
    let operator = [":=", ":-", "=", "-", "}"]
        .into_iter()
        .find(|op| after[name_end..].starts_with(op))?;
    if operator == "}" {
        return Some((name, None, name_end + 1));
    }
    // The default runs to the brace that closes this variable (defaults may hold variables).
    let default_start = name_end + operator.len();
    let mut open = 1usize;
    let mut i = default_start;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if i > 0 && bytes[i - 1] == b'$' => open += 1,
            b'}' => {
                open -= 1;
                if open == 0 {
                    return Some((name, Some(&after[default_start..i]), i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn string(text: &str) -> Value {
        Value::new(
            ValueKind::String(text.to_string()),
            Span::new(FileId(0), 0..1),
        )
    }

    #[test]
    fn variables_without_default_are_unknown_naming_them() {
        let value = resolve(&string("${DEFENDER_ENABLED}"));
        let unknown = value.as_unknown().expect("unknown");
        assert!(
            unknown.reason.contains("`${DEFENDER_ENABLED}`"),
            "{}",
            unknown.reason
        );
        let value = resolve(&string("${CLUSTER_NAME}-pool0"));
        assert!(value.as_unknown().is_some());
        let value = resolve(&string("${A:=${B}}"));
        assert!(value.as_unknown().unwrap().reason.contains("`${B}`"));
    }

    #[test]
    fn defaults_apply_and_are_read_as_yaml() {
        let value = resolve(&string("${DEFENDER_ENABLED:=false}"));
        assert_eq!(value.kind, ValueKind::Bool(false));
        assert_eq!(value.provenance.len(), 1);
        let value = resolve(&string("${RG:-${NAME:=aks}}-rg"));
        assert_eq!(value.as_str(), Some("aks-rg"));
        let value = resolve(&string("${KEY:=\"\"}"));
        assert_eq!(value.as_str(), Some(""));
        let value = resolve(&string("${COUNT:=2}"));
        assert_eq!(value.kind, ValueKind::Number(2.0));
    }

    #[test]
    fn other_text_is_left_alone() {
        for text in [
            "${Rand.RFC1123Subdomain}",
            "$HOME",
            "${",
            "${1X}",
            "plain",
            "${A:=unclosed",
        ] {
            assert_eq!(resolve(&string(text)).as_str(), Some(text), "{text}");
        }
    }
}
