//! Terraform's built-in functions that real configurations use to build cluster settings and
//! tags. Every function is total: wrong arity, wrong types and unknown arguments give an unknown
//! value naming the call, never a panic; functions not listed here are unknown, never guessed.
//! (`try` and `can` evaluate their arguments lazily, so they live in the evaluator.)

use super::values::{find_unknown, merge_provenance, respan_deep, same, sorted_entries, to_number};
use crate::source::Span;
use crate::value::{format_number, Entry, UnknownCause, Value, ValueKind};

/// Call `name` with evaluated `args`; `text` is the call as written, for messages.
pub fn call(name: &str, args: &[Value], span: Span, text: &str) -> Value {
    let call = Call {
        name,
        args,
        span,
        text,
    };
    let result = match name {
        "coalesce" => call.coalesce(),
        "contains" => call.contains(),
        "lookup" => call.lookup(),
        "merge" => call.merge(),
        "one" => call.one(),
        "jsonencode" => call.jsonencode(),
        "tostring" | "tobool" | "tonumber" | "tomap" | "toset" | "tolist" => call.convert(),
        _ => call.strict(),
    };
    let mut value = result.unwrap_or_else(|error| error);
    value.span = span;
    if value.provenance.is_empty() {
        value.provenance = merge_provenance(args);
    }
    value
}

struct Call<'a> {
    name: &'a str,
    args: &'a [Value],
    span: Span,
    text: &'a str,
}

type Result = std::result::Result<Value, Value>;

impl Call<'_> {
    fn value(&self, kind: ValueKind) -> Result {
        Ok(Value::new(kind, self.span))
    }

    fn error(&self, message: &str) -> Value {
        Value::unknown(
            UnknownCause::Unsupported,
            format!("`{}` cannot be evaluated: {message}", self.text),
            self.span,
        )
    }

    fn arity(&self, min: usize, max: usize) -> std::result::Result<(), Value> {
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

    /// The first argument that is itself unknown.
    fn unknown_arg(&self) -> std::result::Result<(), Value> {
        match self.args.iter().find(|a| a.as_unknown().is_some()) {
            Some(unknown) => Err(unknown.clone()),
            None => Ok(()),
        }
    }

    fn string(&self, at: usize) -> std::result::Result<String, Value> {
        match &self.args[at].kind {
            ValueKind::String(s) => Ok(s.clone()),
            ValueKind::Number(n) => Ok(format_number(*n)),
            ValueKind::Bool(b) => Ok(b.to_string()),
            _ => Err(self.error(&format!(
                "argument {} of {}() must be a string, found {}",
                at + 1,
                self.name,
                self.args[at].describe()
            ))),
        }
    }

    fn list(&self, at: usize) -> std::result::Result<&[Value], Value> {
        self.args[at].items().ok_or_else(|| {
            self.error(&format!(
                "argument {} of {}() must be a list, found {}",
                at + 1,
                self.name,
                self.args[at].describe()
            ))
        })
    }

    fn object(&self, at: usize) -> std::result::Result<&[Entry], Value> {
        self.args[at].entries().ok_or_else(|| {
            self.error(&format!(
                "argument {} of {}() must be a map or object, found {}",
                at + 1,
                self.name,
                self.args[at].describe()
            ))
        })
    }

    fn index(&self, at: usize) -> std::result::Result<i64, Value> {
        to_number(&self.args[at])
            .filter(|n| n.fract() == 0.0)
            .map(|n| n as i64)
            .ok_or_else(|| self.error(&format!("argument {} must be a whole number", at + 1)))
    }

    /// Functions that need every argument known.
    fn strict(&self) -> Result {
        let known = || self.unknown_arg();
        match self.name {
            "length" => {
                self.arity(1, 1)?;
                known()?;
                let n = match &self.args[0].kind {
                    ValueKind::List(items) => items.len(),
                    ValueKind::Object(entries) => entries.len(),
                    ValueKind::String(s) => s.chars().count(),
                    _ => return Err(self.error("length() needs a collection or a string")),
                };
                self.value(ValueKind::Number(n as f64))
            }
            "keys" | "values" => {
                self.arity(1, 1)?;
                known()?;
                let entries = sorted_entries(self.object(0)?);
                let items = entries
                    .into_iter()
                    .map(|e| {
                        if self.name == "keys" {
                            Value::new(ValueKind::String(e.key.clone()), e.key_span)
                        } else {
                            e.value.clone()
                        }
                    })
                    .collect();
                self.value(ValueKind::List(items))
            }
            "concat" => {
                known()?;
                let mut items = Vec::new();
                for at in 0..self.args.len() {
                    items.extend(self.list(at)?.iter().cloned());
                }
                self.value(ValueKind::List(items))
            }
            "flatten" => {
                self.arity(1, 1)?;
                known()?;
                let mut items = Vec::new();
                flatten_into(self.list(0)?, &mut items).map_err(|u| u.clone())?;
                self.value(ValueKind::List(items))
            }
            "jsondecode" => {
                self.arity(1, 1)?;
                known()?;
                let text = self.string(0)?;
                match crate::frontend::json::parse(self.span.file, &text) {
                    Ok(Some(value)) => Ok(respan_deep(value, self.span)),
                    _ => Err(self.error("the argument is not valid JSON")),
                }
            }
            "lower" | "upper" => {
                self.arity(1, 1)?;
                known()?;
                let s = self.string(0)?;
                self.value(ValueKind::String(if self.name == "lower" {
                    s.to_lowercase()
                } else {
                    s.to_uppercase()
                }))
            }
            "startswith" | "endswith" => {
                self.arity(2, 2)?;
                known()?;
                let (s, affix) = (self.string(0)?, self.string(1)?);
                self.value(ValueKind::Bool(if self.name == "startswith" {
                    s.starts_with(&affix)
                } else {
                    s.ends_with(&affix)
                }))
            }
            "replace" => {
                self.arity(3, 3)?;
                known()?;
                let (s, from, to) = (self.string(0)?, self.string(1)?, self.string(2)?);
                if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                    return Err(self.error("regular expressions in replace() are not evaluated"));
                }
                self.value(ValueKind::String(s.replace(&from, &to)))
            }
            "split" => {
                self.arity(2, 2)?;
                known()?;
                let (separator, s) = (self.string(0)?, self.string(1)?);
                let parts = if separator.is_empty() {
                    s.chars().map(String::from).collect::<Vec<_>>()
                } else {
                    s.split(separator.as_str()).map(String::from).collect()
                };
                let items = parts
                    .into_iter()
                    .map(|p| Value::new(ValueKind::String(p), self.span))
                    .collect();
                self.value(ValueKind::List(items))
            }
            "join" => {
                self.arity(2, usize::MAX)?;
                known()?;
                let separator = self.string(0)?;
                let mut parts = Vec::new();
                for at in 1..self.args.len() {
                    for item in self.list(at)? {
                        if item.as_unknown().is_some() {
                            return Err(item.clone());
                        }
                        parts.push(self.item_string(item)?);
                    }
                }
                self.value(ValueKind::String(parts.join(&separator)))
            }
            "format" => {
                self.arity(1, usize::MAX)?;
                known()?;
                let spec = self.string(0)?;
                self.format(&spec)
            }
            "element" => {
                self.arity(2, 2)?;
                known()?;
                let items = self.list(0)?;
                let index = self.index(1)?;
                if items.is_empty() || index < 0 {
                    return Err(self.error("element() of an empty list or a negative index"));
                }
                Ok(items[(index as usize) % items.len()].clone())
            }
            "zipmap" => {
                self.arity(2, 2)?;
                known()?;
                let (keys, values) = (self.list(0)?, self.list(1)?);
                if keys.len() != values.len() {
                    return Err(self.error("zipmap() needs lists of the same length"));
                }
                let mut entries = Vec::new();
                for (key, value) in keys.iter().zip(values) {
                    if key.as_unknown().is_some() {
                        return Err(key.clone());
                    }
                    entries.push(Entry {
                        key: self.item_string(key)?,
                        key_span: key.span,
                        value: value.clone(),
                    });
                }
                self.value(ValueKind::Object(entries))
            }
            _ => Err(Value::unknown(
                UnknownCause::Unsupported,
                format!(
                    "`{}`: aksguard does not evaluate {}()",
                    self.text, self.name
                ),
                self.span,
            )),
        }
    }

    fn item_string(&self, item: &Value) -> std::result::Result<String, Value> {
        match &item.kind {
            ValueKind::String(s) => Ok(s.clone()),
            ValueKind::Number(n) => Ok(format_number(*n)),
            ValueKind::Bool(b) => Ok(b.to_string()),
            _ => Err(self.error(&format!("expected a string, found {}", item.describe()))),
        }
    }

    /// `%s`, `%d`, `%v`, `%q`, `%%` and `%f`-style verbs; anything else is not evaluated.
    fn format(&self, spec: &str) -> Result {
        let mut out = String::new();
        let mut next = 1;
        let mut chars = spec.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let mut verb = String::new();
            for c in chars.by_ref() {
                verb.push(c);
                if c.is_ascii_alphabetic() || c == '%' {
                    break;
                }
            }
            if verb == "%" {
                out.push('%');
                continue;
            }
            let Some(arg) = self.args.get(next) else {
                return Err(self.error("too few arguments for the format"));
            };
            next += 1;
            match verb.as_str() {
                "s" | "v" => out.push_str(&self.item_string(arg)?),
                "d" => match to_number(arg) {
                    Some(n) => out.push_str(&format!("{}", n.trunc() as i64)),
                    None => return Err(self.error("%d needs a number")),
                },
                "q" => out.push_str(&format!("{:?}", self.item_string(arg)?)),
                "f" => match to_number(arg) {
                    Some(n) => out.push_str(&format!("{n:.6}")),
                    None => return Err(self.error("%f needs a number")),
                },
                other => return Err(self.error(&format!("format verb %{other} is not evaluated"))),
            }
        }
        self.value(ValueKind::String(out))
    }

    /// The first argument that is not null or an empty string; an unknown before it decides.
    fn coalesce(&self) -> Result {
        self.arity(1, usize::MAX)?;
        for arg in self.args {
            match &arg.kind {
                ValueKind::Unknown(_) => return Err(arg.clone()),
                ValueKind::Null => {}
                ValueKind::String(s) if s.is_empty() => {}
                _ => return Ok(arg.clone()),
            }
        }
        Err(self.error("no non-null, non-empty argument"))
    }

    fn contains(&self) -> Result {
        self.arity(2, 2)?;
        self.unknown_arg()?;
        let items = self.list(0)?;
        let mut undecided = None;
        for item in items {
            match same(item, &self.args[1]) {
                Some(true) => return self.value(ValueKind::Bool(true)),
                None => {
                    undecided = undecided.or(find_unknown(item).or(find_unknown(&self.args[1])))
                }
                Some(false) => {}
            }
        }
        match undecided {
            Some(unknown) => Err(unknown.clone()),
            None => self.value(ValueKind::Bool(false)),
        }
    }

    fn lookup(&self) -> Result {
        self.arity(2, 3)?;
        self.unknown_arg_at(&[0, 1])?;
        let key = self.string(1)?;
        match self.object(0)?.iter().find(|e| e.key == key) {
            Some(entry) => Ok(entry.value.clone()),
            None => match self.args.get(2) {
                Some(default) => Ok(default.clone()),
                None => Err(self.error(&format!("no key \"{key}\" and no default"))),
            },
        }
    }

    fn unknown_arg_at(&self, positions: &[usize]) -> std::result::Result<(), Value> {
        for at in positions {
            if self.args[*at].as_unknown().is_some() {
                return Err(self.args[*at].clone());
            }
        }
        Ok(())
    }

    /// Later maps override earlier keys; `null` arguments are skipped.
    fn merge(&self) -> Result {
        self.unknown_arg()?;
        let mut entries: Vec<Entry> = Vec::new();
        for at in 0..self.args.len() {
            if self.args[at].is_null() {
                continue;
            }
            for entry in self.object(at)? {
                let mut entry = entry.clone();
                entry.value.provenance = merge_provenance([&entry.value, &self.args[at]]);
                match entries.iter_mut().find(|e| e.key == entry.key) {
                    Some(existing) => *existing = entry,
                    None => entries.push(entry),
                }
            }
        }
        self.value(ValueKind::Object(entries))
    }

    fn one(&self) -> Result {
        self.arity(1, 1)?;
        self.unknown_arg()?;
        let items = self.list(0)?;
        match items {
            [] => self.value(ValueKind::Null),
            [only] => Ok(only.clone()),
            _ => Err(self.error("one() of a list with more than one element")),
        }
    }

    fn jsonencode(&self) -> Result {
        self.arity(1, 1)?;
        if let Some(unknown) = find_unknown(&self.args[0]) {
            return Err(unknown.clone());
        }
        let json = self.args[0]
            .to_json()
            .ok_or_else(|| self.error("unknown inside"))?;
        self.value(ValueKind::String(json.to_string()))
    }

    fn convert(&self) -> Result {
        self.arity(1, 1)?;
        self.unknown_arg()?;
        let arg = &self.args[0];
        if arg.is_null() {
            return Ok(arg.clone());
        }
        let converted = match (self.name, &arg.kind) {
            ("tostring", ValueKind::String(_) | ValueKind::Number(_) | ValueKind::Bool(_)) => {
                ValueKind::String(self.item_string(arg)?)
            }
            ("tobool", _) => match arg.as_bool() {
                Some(b) => ValueKind::Bool(b),
                None => {
                    return Err(self.error(&format!("cannot convert {} to bool", arg.describe())))
                }
            },
            ("tonumber", _) => match to_number(arg) {
                Some(n) => ValueKind::Number(n),
                None => {
                    return Err(self.error(&format!("cannot convert {} to number", arg.describe())))
                }
            },
            ("tomap", ValueKind::Object(entries)) => ValueKind::Object(entries.clone()),
            ("tolist", ValueKind::List(items)) => ValueKind::List(items.clone()),
            ("toset", ValueKind::List(items)) => {
                let mut unique: Vec<Value> = Vec::new();
                for item in items {
                    if !unique.iter().any(|u| same(u, item) == Some(true)) {
                        unique.push(item.clone());
                    }
                }
                // Terraform orders a set of strings lexically.
                if unique.iter().all(|u| u.as_str().is_some()) {
                    unique.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                }
                ValueKind::List(unique)
            }
            _ => {
                return Err(self.error(&format!(
                    "cannot convert {} with {}()",
                    arg.describe(),
                    self.name
                )))
            }
        };
        Ok(Value {
            kind: converted,
            span: self.span,
            provenance: arg.provenance.clone(),
        })
    }
}

fn flatten_into<'v>(
    items: &'v [Value],
    out: &mut Vec<Value>,
) -> std::result::Result<(), &'v Value> {
    for item in items {
        match &item.kind {
            ValueKind::List(inner) => flatten_into(inner, out)?,
            ValueKind::Unknown(_) => return Err(item),
            _ => out.push(item.clone()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn span() -> Span {
        Span::new(FileId(0), 0..0)
    }

    fn s(text: &str) -> Value {
        Value::new(ValueKind::String(text.to_string()), span())
    }

    fn n(number: f64) -> Value {
        Value::new(ValueKind::Number(number), span())
    }

    fn list(items: Vec<Value>) -> Value {
        Value::new(ValueKind::List(items), span())
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::new(
            ValueKind::Object(
                pairs
                    .iter()
                    .map(|(k, v)| Entry {
                        key: k.to_string(),
                        key_span: span(),
                        value: v.clone(),
                    })
                    .collect(),
            ),
            span(),
        )
    }

    fn unknown() -> Value {
        Value::unknown(UnknownCause::Input, "var.x has no default", span())
    }

    fn run(name: &str, args: Vec<Value>) -> Value {
        call(name, &args, span(), name)
    }

    fn is_unknown(value: &Value) -> bool {
        value.as_unknown().is_some()
    }

    #[test]
    fn merge_overrides_earlier_keys_and_skips_null() {
        let merged = run(
            "merge",
            vec![
                obj(&[("owner", s("a")), ("env", s("dev"))]),
                Value::new(ValueKind::Null, span()),
                obj(&[("owner", s("b"))]),
            ],
        );
        assert_eq!(merged.get("owner").unwrap().value.as_str(), Some("b"));
        assert_eq!(merged.get("env").unwrap().value.as_str(), Some("dev"));
        assert!(is_unknown(&run("merge", vec![obj(&[]), unknown()])));
        assert!(is_unknown(&run("merge", vec![s("not a map")])));
    }

    #[test]
    fn lookup_coalesce_contains() {
        let map = obj(&[("a", n(1.0))]);
        assert_eq!(
            run("lookup", vec![map.clone(), s("a")]).kind,
            ValueKind::Number(1.0)
        );
        assert_eq!(
            run("lookup", vec![map.clone(), s("b"), s("d")]).as_str(),
            Some("d")
        );
        assert!(is_unknown(&run("lookup", vec![map.clone(), s("b")])));
        assert!(is_unknown(&run("lookup", vec![map])));
        assert_eq!(
            run(
                "coalesce",
                vec![Value::new(ValueKind::Null, span()), s(""), s("x")]
            )
            .as_str(),
            Some("x")
        );
        assert!(is_unknown(&run("coalesce", vec![unknown(), s("x")])));
        assert_eq!(
            run("contains", vec![list(vec![s("a"), s("b")]), s("b")]).as_bool(),
            Some(true)
        );
        assert_eq!(
            run("contains", vec![list(vec![s("a")]), s("b")]).as_bool(),
            Some(false)
        );
        assert!(is_unknown(&run(
            "contains",
            vec![list(vec![unknown()]), s("b")]
        )));
        assert!(is_unknown(&run("contains", vec![s("a"), s("b")])));
    }

    #[test]
    fn conversions() {
        assert_eq!(run("tobool", vec![s("true")]).as_bool(), Some(true));
        assert!(is_unknown(&run("tobool", vec![s("yes")])));
        assert_eq!(run("tostring", vec![n(3.0)]).as_str(), Some("3"));
        assert_eq!(run("tonumber", vec![s("42")]).kind, ValueKind::Number(42.0));
        assert!(is_unknown(&run("tonumber", vec![s("x")])));
        let set = run("toset", vec![list(vec![s("b"), s("a"), s("b")])]);
        assert_eq!(set.items().unwrap().len(), 2);
        assert_eq!(set.items().unwrap()[0].as_str(), Some("a"));
        assert!(is_unknown(&run("tomap", vec![s("x")])));
        assert!(is_unknown(&run("tolist", vec![])));
    }

    #[test]
    fn collections() {
        assert_eq!(
            run("length", vec![list(vec![s("a"), s("b")])]).kind,
            ValueKind::Number(2.0)
        );
        assert!(is_unknown(&run("length", vec![n(1.0)])));
        let map = obj(&[("b", n(2.0)), ("a", n(1.0))]);
        assert_eq!(
            run("keys", vec![map.clone()]).items().unwrap()[0].as_str(),
            Some("a")
        );
        assert_eq!(
            run("values", vec![map]).items().unwrap()[0].kind,
            ValueKind::Number(1.0)
        );
        let flat = run(
            "flatten",
            vec![list(vec![
                list(vec![s("a")]),
                s("b"),
                list(vec![list(vec![s("c")])]),
            ])],
        );
        assert_eq!(flat.items().unwrap().len(), 3);
        assert_eq!(
            run("concat", vec![list(vec![s("a")]), list(vec![s("b")])])
                .items()
                .unwrap()
                .len(),
            2
        );
        assert!(is_unknown(&run("concat", vec![list(vec![]), s("x")])));
        assert_eq!(run("one", vec![list(vec![])]).kind, ValueKind::Null);
        assert!(is_unknown(&run("one", vec![list(vec![s("a"), s("b")])])));
        assert_eq!(
            run("element", vec![list(vec![s("a"), s("b")]), n(3.0)]).as_str(),
            Some("b")
        );
        assert!(is_unknown(&run("element", vec![list(vec![]), n(0.0)])));
        let zipped = run("zipmap", vec![list(vec![s("k")]), list(vec![s("v")])]);
        assert_eq!(zipped.get("k").unwrap().value.as_str(), Some("v"));
        assert!(is_unknown(&run(
            "zipmap",
            vec![list(vec![s("k")]), list(vec![])]
        )));
    }

    #[test]
    fn strings() {
        assert_eq!(run("lower", vec![s("AbC")]).as_str(), Some("abc"));
        assert_eq!(run("upper", vec![s("abc")]).as_str(), Some("ABC"));
        assert!(is_unknown(&run("upper", vec![s("a"), s("b")])));
        assert_eq!(
            run("format", vec![s("%s-%d%%"), s("aks"), n(7.0)]).as_str(),
            Some("aks-7%")
        );
        assert!(is_unknown(&run("format", vec![s("%s %s"), s("a")])));
        assert_eq!(
            run("replace", vec![s("a-b-c"), s("-"), s("_")]).as_str(),
            Some("a_b_c")
        );
        assert!(is_unknown(&run(
            "replace",
            vec![s("abc"), s("/b/"), s("x")]
        )));
        assert_eq!(
            run("split", vec![s(","), s("a,b")]).items().unwrap().len(),
            2
        );
        assert_eq!(
            run("join", vec![s("-"), list(vec![s("a"), s("b")])]).as_str(),
            Some("a-b")
        );
        assert_eq!(
            run("startswith", vec![s("Microsoft.X"), s("Microsoft")]).as_bool(),
            Some(true)
        );
        assert_eq!(
            run("endswith", vec![s("abc"), s("bc")]).as_bool(),
            Some(true)
        );
        assert!(is_unknown(&run("startswith", vec![s("a")])));
    }

    #[test]
    fn json_round_trip_and_unknowns() {
        let encoded = run("jsonencode", vec![obj(&[("a", list(vec![n(1.0)]))])]);
        assert_eq!(encoded.as_str(), Some("{\"a\":[1]}"));
        let decoded = run("jsondecode", vec![encoded]);
        assert_eq!(decoded.get("a").unwrap().value.items().unwrap().len(), 1);
        assert!(is_unknown(&run("jsondecode", vec![s("{not json")])));
        assert!(is_unknown(&run(
            "jsonencode",
            vec![obj(&[("a", unknown())])]
        )));
    }

    #[test]
    fn unknown_functions_and_arguments_stay_unknown() {
        let value = run("cidrsubnet", vec![s("10.0.0.0/8"), n(8.0), n(1.0)]);
        assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Unsupported);
        let value = run("lower", vec![unknown()]);
        assert_eq!(value.as_unknown().unwrap().cause, UnknownCause::Input);
    }
}
