//! Evaluated values shared by every format's evaluator (Terraform, ARM, YAML).
//!
//! A [`Value`] carries the span of the source text it came from and, when it came through an
//! input (a variable, a tfvars file, a parameter file, a module argument), the places that decided
//! it. A value that cannot be known statically is [`ValueKind::Unknown`] with the reason, never a
//! guess.

use thin_vec::ThinVec;

use crate::source::Span;

/// A place in the source that explains a result, with a sentence saying how.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// Why a value cannot be known statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// A sentence naming the input or expression that decides the value, e.g.
    /// "var.enable_defender has no default and no tfvars sets it".
    pub reason: String,
    pub cause: UnknownCause,
    /// For an attribute of another resource known only after apply, that resource's address
    /// (`azurerm_arc_kubernetes_cluster.edge`): enough to tell which resource an id points at.
    pub reference: Option<String>,
    /// For a value only the deployment knows but derives the same way wherever it is written
    /// (`guid(subscription().id, 'EnableDefender')`): the derivation, with known inputs as
    /// literals. Two unknowns with the same derivation in one deployment are the same value.
    pub derivation: Option<String>,
}

/// What kind of thing left a value unknown. Rules that only need to know whether something is
/// set treat [`UnknownCause::Computed`] values as set (a workspace id from another resource is
/// still a workspace id), while an unset input may be anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownCause {
    /// An input with no value: a variable without default, a parameter without default.
    Input,
    /// A value known only after apply or deployment (resource attributes, `reference()`).
    Computed,
    /// An expression or function the evaluator does not support.
    Unsupported,
    /// An expression Terraform itself rejects (a failed function call, a wrong type, a missing
    /// key): the configuration would not plan. Kept apart from [`UnknownCause::Unsupported`]
    /// because `try` and `can` act on exactly this: a real error is caught, while what aksguard
    /// cannot evaluate leaves them undecided.
    Error,
}

impl Unknown {
    pub fn new(cause: UnknownCause, reason: impl Into<String>) -> Unknown {
        Unknown {
            reason: reason.into(),
            cause,
            reference: None,
            derivation: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
    /// Where inputs decided this value (empty for literals written in place).
    pub provenance: ThinVec<Related>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Object(Vec<Entry>),
    /// Boxed: an unknown is rare and large, and every value would otherwise be as large as it.
    Unknown(Box<Unknown>),
}

/// One key of an object, with the span of the key itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Inline up to 24 bytes: nearly every key fits, and a large repository has millions.
    pub key: compact_str::CompactString,
    pub key_span: Span,
    pub value: Value,
}

/// A named value (a Terraform local, an ARM or Bicep variable or parameter) computed once, on
/// first use, by an evaluator that may be asked for it again while computing it: that is a
/// cycle, answered by the caller's unknown instead of a stack overflow. Every evaluator memoizes
/// through this one type.
#[derive(Debug, Default)]
pub struct Lazy {
    slot: std::cell::RefCell<Slot>,
}

#[derive(Debug, Default)]
enum Slot {
    #[default]
    Pending,
    InProgress,
    Done(Value),
}

impl Lazy {
    /// The value, computing it with `compute` the first time; `cycle` answers a request made
    /// while it is being computed (and is not remembered: each reference in a cycle says so at
    /// its own place).
    pub fn get(&self, compute: impl FnOnce() -> Value, cycle: impl FnOnce() -> Value) -> Value {
        self.read(compute, cycle, Value::clone)
    }

    /// What `read` makes of the value, which is lent to it rather than copied as [`Lazy::get`]
    /// does (a member of a large value needs no copy of the rest).
    pub fn read<R>(
        &self,
        compute: impl FnOnce() -> Value,
        cycle: impl FnOnce() -> Value,
        read: impl FnOnce(&Value) -> R,
    ) -> R {
        let pending = matches!(*self.slot.borrow(), Slot::Pending);
        if pending {
            *self.slot.borrow_mut() = Slot::InProgress;
            let value = compute();
            *self.slot.borrow_mut() = Slot::Done(value);
        }
        let slot = self.slot.borrow();
        match &*slot {
            Slot::Done(value) => read(value),
            Slot::Pending | Slot::InProgress => {
                drop(slot);
                read(&cycle())
            }
        }
    }
}

impl Value {
    pub fn new(kind: ValueKind, span: Span) -> Value {
        Value {
            kind,
            span,
            provenance: ThinVec::new(),
        }
    }

    /// Point this value's spans, and those of everything inside it, into file `file` (parsers
    /// run before files are numbered).
    pub fn set_file(&mut self, file: crate::source::FileId) {
        self.span.file = file;
        match &mut self.kind {
            ValueKind::List(items) => items.iter_mut().for_each(|v| v.set_file(file)),
            ValueKind::Object(entries) => entries.iter_mut().for_each(|e| {
                e.key_span.file = file;
                e.value.set_file(file)
            }),
            _ => {}
        }
    }

    pub fn unknown(cause: UnknownCause, reason: impl Into<String>, span: Span) -> Value {
        Value::new(
            ValueKind::Unknown(Box::new(Unknown::new(cause, reason))),
            span,
        )
    }

    pub fn as_unknown(&self) -> Option<&Unknown> {
        match &self.kind {
            ValueKind::Unknown(unknown) => Some(unknown),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, ValueKind::Null)
    }

    /// The value as a boolean the way both Terraform and ARM convert it: `true`/`false`, and the
    /// strings "true"/"false" in any case. `None` for anything else (including unknown).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            ValueKind::Bool(b) => Some(*b),
            ValueKind::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            ValueKind::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            ValueKind::Object(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::List(items) => Some(items),
            _ => None,
        }
    }

    /// The entry with exactly this key (Terraform object keys are case-sensitive).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key == key)
    }

    /// Every entry whose key equals `key` ignoring ASCII case (ARM property names are
    /// case-insensitive, so `azurepolicy` and `azurePolicy` name the same add-on).
    pub fn get_all_ignore_case<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> {
        self.entries()
            .unwrap_or(&[])
            .iter()
            .filter(move |e| e.key.eq_ignore_ascii_case(key))
    }

    /// The first entry whose key equals `key` ignoring ASCII case.
    pub fn get_ignore_case(&self, key: &str) -> Option<&Entry> {
        self.entries()?
            .iter()
            .find(|e| e.key.eq_ignore_ascii_case(key))
    }

    /// The value as JSON, the one conversion both evaluators use (`jsonencode`, ARM `string()`);
    /// `None` if an unknown is inside. Whole numbers within the 64-bit range print as integers
    /// (Terraform and ARM both print `1000000000000000`, never `1e15`); a number JSON cannot hold
    /// (NaN, infinity) is `None` too, since neither language has one to print.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match &self.kind {
            ValueKind::Null => serde_json::Value::Null,
            ValueKind::Bool(b) => serde_json::Value::Bool(*b),
            ValueKind::Number(n) if n.fract() == 0.0 && n.abs() < 9.2e18 => (*n as i64).into(),
            ValueKind::Number(n) => serde_json::Number::from_f64(*n)?.into(),
            ValueKind::String(s) => s.clone().into(),
            ValueKind::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            ValueKind::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| Some((e.key.to_string(), e.value.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            ValueKind::Unknown(_) => return None,
        })
    }

    /// A short rendering for messages: strings quoted, containers abbreviated.
    pub fn describe(&self) -> String {
        match &self.kind {
            ValueKind::Null => "null".to_string(),
            ValueKind::Bool(b) => b.to_string(),
            ValueKind::Number(n) => format_number(*n),
            ValueKind::String(s) => format!("{s:?}"),
            ValueKind::List(items) => format!("a list of {}", items.len()),
            ValueKind::Object(entries) => format!("an object with {} keys", entries.len()),
            ValueKind::Unknown(u) => format!("unknown ({})", u.reason),
        }
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn number(n: f64) -> Value {
        Value::new(ValueKind::Number(n), Span::new(FileId(0), 0..0))
    }

    #[test]
    fn json_prints_whole_numbers_as_integers_and_refuses_what_json_cannot_hold() {
        // Both evaluators used to disagree here: one cut integers at 1e15 and printed `1e15`.
        assert_eq!(
            number(1e15).to_json(),
            Some(serde_json::json!(1_000_000_000_000_000_i64))
        );
        assert_eq!(
            number(9e15).to_json(),
            Some(serde_json::json!(9_000_000_000_000_000_i64))
        );
        assert_eq!(number(1.5).to_json(), Some(serde_json::json!(1.5)));
        assert_eq!(number(f64::NAN).to_json(), None);
        assert_eq!(number(f64::INFINITY).to_json(), None);
        let unknown = Value::unknown(UnknownCause::Input, "var.x", Span::new(FileId(0), 0..0));
        let list = Value::new(
            ValueKind::List(vec![number(1.0), unknown]),
            Span::new(FileId(0), 0..0),
        );
        assert_eq!(list.to_json(), None);
    }
}
