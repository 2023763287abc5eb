//! Terraform's built-in functions, evaluated as Terraform evaluates them. Every function is total:
//! a call Terraform rejects (wrong arity, wrong types, a failed conversion, no regex match, ...)
//! gives an [`UnknownCause::Error`] value saying what Terraform would say, never a panic; an
//! unknown argument gives an unknown result where Terraform's would be unknown; impure functions
//! are known only when Terraform runs; and functions not evaluated here (the file-system ones,
//! `base64gzip`, ...) are unknown, never guessed. `try`, `can` and `templatestring` need the
//! evaluator, so they live there. tests/terraform_functions.rs checks all of it against
//! `terraform console`.

mod collections;
mod encoding;
mod format;
mod network;
mod numbers;
mod strings;
mod time;
mod yaml;

use super::values::{find_unknown, is_error, merge_provenance, to_number, to_string};
use crate::source::Span;
use crate::value::{Entry, UnknownCause, Value, ValueKind};

/// Call `name` with evaluated `args`; `text` is the call as written, for messages.
pub fn call(name: &str, args: &[Value], span: Span, text: &str) -> Value {
    let call = Call {
        name,
        args,
        span,
        text,
    };
    let mut value = call.run().unwrap_or_else(|error| error);
    value.span = span;
    if value.provenance.is_empty() {
        value.provenance = merge_provenance(args).into();
    }
    value
}

/// A function's implementation: `Err` is the (unknown or error) result.
type Function = fn(&Call) -> Result;

/// Functions that decide themselves what an unknown argument leaves unknown (`length` of a list
/// with an unknown element is known); every other function is unknown when any part of any
/// argument is.
const UNKNOWN_AWARE: &[&str] = &[
    "alltrue",
    "anytrue",
    "coalesce",
    "concat",
    "contains",
    "element",
    "keys",
    "length",
    "lookup",
    "merge",
    "nonsensitive",
    "one",
    "reverse",
    "sensitive",
    "slice",
    "tolist",
    "values",
    "zipmap",
];

/// Every function evaluated here, by name.
const FUNCTIONS: &[(&str, Function)] = &[
    // strings
    ("chomp", strings::chomp),
    ("endswith", strings::endswith),
    ("format", format::format),
    ("formatlist", format::formatlist),
    ("indent", strings::indent),
    ("join", strings::join),
    ("lower", strings::lower),
    ("regex", strings::regex),
    ("regexall", strings::regexall),
    ("replace", strings::replace),
    ("split", strings::split),
    ("startswith", strings::startswith),
    ("strcontains", strings::strcontains),
    ("strrev", strings::strrev),
    ("substr", strings::substr),
    ("title", strings::title),
    ("trim", strings::trim),
    ("trimprefix", strings::trimprefix),
    ("trimspace", strings::trimspace),
    ("trimsuffix", strings::trimsuffix),
    ("upper", strings::upper),
    // numbers
    ("abs", numbers::abs),
    ("ceil", numbers::ceil),
    ("floor", numbers::floor),
    ("log", numbers::log),
    ("max", numbers::max),
    ("min", numbers::min),
    ("parseint", numbers::parseint),
    ("pow", numbers::pow),
    ("signum", numbers::signum),
    ("sum", numbers::sum),
    // collections
    ("alltrue", collections::alltrue),
    ("anytrue", collections::anytrue),
    ("chunklist", collections::chunklist),
    ("coalesce", collections::coalesce),
    ("coalescelist", collections::coalescelist),
    ("compact", collections::compact),
    ("concat", collections::concat),
    ("contains", collections::contains),
    ("distinct", collections::distinct),
    ("element", collections::element),
    ("flatten", collections::flatten),
    ("index", collections::index),
    ("keys", collections::keys),
    ("length", collections::length),
    ("lookup", collections::lookup),
    ("matchkeys", collections::matchkeys),
    ("merge", collections::merge),
    ("one", collections::one),
    ("range", collections::range),
    ("reverse", collections::reverse),
    ("setintersection", collections::setintersection),
    ("setproduct", collections::setproduct),
    ("setsubtract", collections::setsubtract),
    ("setunion", collections::setunion),
    ("slice", collections::slice),
    ("sort", collections::sort),
    ("transpose", collections::transpose),
    ("values", collections::values),
    ("zipmap", collections::zipmap),
    // type conversions
    ("tostring", collections::tostring),
    ("tonumber", collections::tonumber),
    ("tobool", collections::tobool),
    ("tolist", collections::tolist),
    ("toset", collections::toset),
    ("tomap", collections::tomap),
    ("sensitive", identity),
    ("nonsensitive", identity),
    ("ephemeralasnull", identity),
    // encodings and hashes
    ("base64decode", encoding::base64decode),
    ("base64encode", encoding::base64encode),
    ("textencodebase64", encoding::textencodebase64),
    ("textdecodebase64", encoding::textdecodebase64),
    ("csvdecode", encoding::csvdecode),
    ("jsondecode", encoding::jsondecode),
    ("jsonencode", encoding::jsonencode),
    ("urlencode", encoding::urlencode),
    ("yamldecode", yaml::yamldecode),
    ("yamlencode", yaml::yamlencode),
    ("md5", encoding::md5),
    ("sha1", encoding::sha1),
    ("sha256", encoding::sha256),
    ("sha512", encoding::sha512),
    ("base64sha256", encoding::base64sha256),
    ("base64sha512", encoding::base64sha512),
    ("uuidv5", encoding::uuidv5),
    // IP networks
    ("cidrhost", network::cidrhost),
    ("cidrnetmask", network::cidrnetmask),
    ("cidrsubnet", network::cidrsubnet),
    ("cidrsubnets", network::cidrsubnets),
    // time
    ("timeadd", time::timeadd),
    ("timecmp", time::timecmp),
    ("formatdate", time::formatdate),
];

fn function(name: &str) -> Option<Function> {
    FUNCTIONS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, function)| *function)
}

/// Functions whose result differs each run (a clock, randomness): known only when Terraform runs.
const IMPURE: &[&str] = &["timestamp", "plantimestamp", "uuid", "bcrypt"];

fn identity(call: &Call) -> Result {
    call.arity(1, 1)?;
    Ok(call.args[0].clone())
}

pub(super) struct Call<'a> {
    pub name: &'a str,
    pub args: &'a [Value],
    pub span: Span,
    pub text: &'a str,
}

pub(super) type Result = std::result::Result<Value, Value>;
pub(super) type Partial<T> = std::result::Result<T, Value>;

impl Call<'_> {
    fn run(&self) -> Result {
        // Terraform evaluates every argument first: one failing argument fails the call. (An
        // error inside a list or object fails the whole where it is built, so the top level
        // tells.)
        if let Some(error) = self.args.iter().find(|arg| is_error(arg)) {
            return Err(error.clone());
        }
        if IMPURE.contains(&self.name) {
            return Err(Value::unknown(
                UnknownCause::Computed,
                format!(
                    "`{}` differs on every run: known only when Terraform runs",
                    self.text
                ),
                self.span,
            ));
        }
        if self.name == "issensitive" {
            return Err(self.unsupported("aksguard does not track which values are sensitive"));
        }
        let Some(function) = function(self.name) else {
            return Err(self.unsupported(&format!("aksguard does not evaluate {}()", self.name)));
        };
        if !UNKNOWN_AWARE.contains(&self.name) {
            if let Some(unknown) = self.args.iter().find_map(find_unknown) {
                return Err(unknown.clone());
            }
        }
        function(self)
    }

    pub fn value(&self, kind: ValueKind) -> Result {
        Ok(Value::new(kind, self.span))
    }

    pub fn string_value(&self, text: String) -> Result {
        self.value(ValueKind::String(text))
    }

    pub fn number_value(&self, n: f64) -> Result {
        self.value(ValueKind::Number(n))
    }

    pub fn list_value(&self, items: Vec<Value>) -> Result {
        self.value(ValueKind::List(items))
    }

    /// A new string value at the call.
    pub fn string_item(&self, text: impl Into<String>) -> Value {
        Value::new(ValueKind::String(text.into()), self.span)
    }

    /// What Terraform reports as an error for this call.
    pub fn error(&self, message: &str) -> Value {
        Value::unknown(
            UnknownCause::Error,
            format!("Terraform fails on `{}`: {message}", self.text),
            self.span,
        )
    }

    /// What aksguard does not evaluate in this call.
    pub fn unsupported(&self, message: &str) -> Value {
        Value::unknown(
            UnknownCause::Unsupported,
            format!("`{}`: {message}", self.text),
            self.span,
        )
    }

    pub fn arity(&self, min: usize, max: usize) -> Partial<()> {
        let n = self.args.len();
        if n < min || n > max {
            let expected = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(self.error(&format!(
                "{}() takes {expected} argument(s), got {n}",
                self.name
            )));
        }
        Ok(())
    }

    fn argument_error(&self, at: usize, message: &str) -> Value {
        self.error(&format!("argument {} of {}() {message}", at + 1, self.name))
    }

    /// Argument `at`, which must not be null.
    pub fn not_null(&self, at: usize) -> Partial<&Value> {
        let arg = &self.args[at];
        if arg.is_null() {
            return Err(self.argument_error(at, "must not be null"));
        }
        Ok(arg)
    }

    /// Argument `at` converted to a string as Terraform converts primitives.
    pub fn string(&self, at: usize) -> Partial<String> {
        let arg = self.not_null(at)?;
        to_string(arg).ok_or_else(|| {
            self.argument_error(at, &format!("must be a string, found {}", arg.describe()))
        })
    }

    pub fn number(&self, at: usize) -> Partial<f64> {
        let arg = self.not_null(at)?;
        to_number(arg).ok_or_else(|| {
            self.argument_error(at, &format!("must be a number, found {}", arg.describe()))
        })
    }

    /// Argument `at` as a whole number.
    pub fn integer(&self, at: usize) -> Partial<i64> {
        let n = self.number(at)?;
        if n.fract() != 0.0 {
            return Err(self.argument_error(at, "must be a whole number"));
        }
        // From 2^53 on an f64 no longer holds the integer Terraform would see.
        if n.abs() >= 9.007_199_254_740_992e15 {
            return Err(self.unsupported(&format!(
                "argument {} is too large for aksguard to hold exactly",
                at + 1
            )));
        }
        Ok(n as i64)
    }

    pub fn list(&self, at: usize) -> Partial<&[Value]> {
        let arg = self.not_null(at)?;
        arg.items().ok_or_else(|| {
            self.argument_error(at, &format!("must be a list, found {}", arg.describe()))
        })
    }

    pub fn object(&self, at: usize) -> Partial<&[Entry]> {
        let arg = self.not_null(at)?;
        arg.entries().ok_or_else(|| {
            self.argument_error(
                at,
                &format!("must be a map or object, found {}", arg.describe()),
            )
        })
    }

    /// The elements of list argument `at` converted to strings (a `list(string)` parameter).
    pub fn strings(&self, at: usize) -> Partial<Vec<String>> {
        self.list(at)?
            .iter()
            .enumerate()
            .map(|(i, item)| {
                if item.is_null() {
                    return Err(self.error(&format!("element {i} must not be null")));
                }
                to_string(item).ok_or_else(|| {
                    self.error(&format!(
                        "element {i}: string required, found {}",
                        item.describe()
                    ))
                })
            })
            .collect()
    }

    /// The first argument among `positions` that is itself unknown.
    pub fn unknown_at(&self, positions: &[usize]) -> Partial<()> {
        for at in positions {
            if let Some(arg) = self.args.get(*at) {
                if arg.as_unknown().is_some() {
                    return Err(arg.clone());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
