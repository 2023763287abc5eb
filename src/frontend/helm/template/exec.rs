//! Go `text/template` executor with Helm's options (`missingkey=zero`, `<no value>` printed as
//! nothing), writing [`Text`] with the origin of every part.
//!
//! Failures are of two kinds: what Helm itself would fail on ([`Fail::Error`]) and what cannot
//! be decided statically or is not supported ([`Fail::Unknown`]); both leave the template's
//! output unknown, with a message naming the construct.

use std::collections::HashMap;
use std::rc::Rc;

use crate::budget::Budget;
use crate::source::{FileId, Span};
use crate::value::Value;

use super::data::{Kind, Origin, Seg, Text, Val};
use super::funcs;
use super::parse::{Arg, Branch, Command, Node, Operand, Pipe};

/// Where a template's ranges point: a file, or (for `tpl` strings) one fixed span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place {
    File(FileId),
    Fixed(Span),
}

impl Place {
    pub fn span(self, range: &std::ops::Range<usize>) -> Span {
        match self {
            Place::File(file) => Span::new(file, range.clone()),
            Place::Fixed(span) => span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Named {
    pub nodes: Rc<Vec<Node>>,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Fail {
    /// Helm itself fails to render, with (roughly) its message.
    Error {
        message: String,
        at: Span,
    },
    /// Rendering depends on what cannot be known statically, is not supported, or ran past a
    /// bound.
    Unknown {
        message: String,
        at: Span,
    },
    Break,
    Continue,
}

impl Fail {
    pub fn message(&self) -> String {
        match self {
            Fail::Error { message, .. } | Fail::Unknown { message, .. } => message.clone(),
            Fail::Break | Fail::Continue => "break or continue outside range".into(),
        }
    }
    pub fn span(&self) -> Option<Span> {
        match self {
            Fail::Error { at, .. } | Fail::Unknown { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// What rendering needs besides the templates: the budget every step draws on and the YAML
/// parser `fromYaml` uses.
pub struct Engine<'a> {
    pub named: HashMap<String, Named>,
    pub budget: &'a Budget,
    pub parse_yaml: &'a dyn Fn(&str) -> Result<Vec<Value>, String>,
}

/// Deepest nesting of template calls and control structures while executing (stack safety;
/// Helm's own `include` bound is 1000 calls of one name).
pub const MAX_EXEC_DEPTH: usize = 64;
/// Most bytes one template may output.
pub const MAX_OUTPUT: usize = 8 << 20;
/// Text printed where a value only the cluster or the clock knows stands; its segment says why.
pub const UNKNOWN_PLACEHOLDER: &str = "aksguard-unknown-value";

impl<'a> Engine<'a> {
    /// Execute the template `name` with `dot` as data.
    pub fn execute(&self, name: &str, dot: Val) -> Result<Text, Fail> {
        let named = self.named.get(name).cloned().ok_or_else(|| Fail::Error {
            message: format!("no template {name:?}"),
            at: Span::default(),
        })?;
        let mut state = State {
            engine: self,
            vars: vec![(String::new(), dot.clone())],
            place: named.place,
            depth: 0,
            out: Text::default(),
            extra: HashMap::new(),
        };
        state.list(&named.nodes, &dot)?;
        Ok(state.out)
    }
}

struct State<'e, 'a> {
    engine: &'e Engine<'a>,
    vars: Vec<(String, Val)>,
    place: Place,
    depth: usize,
    out: Text,
    /// Templates `tpl` strings defined.
    extra: HashMap<String, Named>,
}

impl State<'_, '_> {
    fn span(&self, range: &std::ops::Range<usize>) -> Span {
        self.place.span(range)
    }

    fn error(&self, range: &std::ops::Range<usize>, message: impl Into<String>) -> Fail {
        Fail::Error {
            message: message.into(),
            at: self.span(range),
        }
    }

    fn unknown(&self, range: &std::ops::Range<usize>, message: impl Into<String>) -> Fail {
        Fail::Unknown {
            message: message.into(),
            at: self.span(range),
        }
    }

    fn step(&self, range: &std::ops::Range<usize>) -> Result<(), Fail> {
        if self.engine.budget.take(1) {
            Ok(())
        } else {
            Err(self.unknown(
                range,
                format!(
                    "rendering stopped at the evaluation bound ({} steps)",
                    self.engine.budget.limit()
                ),
            ))
        }
    }

    fn enter(&mut self, range: &std::ops::Range<usize>) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > MAX_EXEC_DEPTH {
            return Err(self.unknown(
                range,
                format!("templates call or nest each other deeper than {MAX_EXEC_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn list(&mut self, nodes: &[Node], dot: &Val) -> Result<(), Fail> {
        for node in nodes {
            self.node(node, dot)?;
            if self.out.s.len() > MAX_OUTPUT {
                return Err(self.unknown(
                    &(0..0),
                    format!("rendered output is larger than the bound of {MAX_OUTPUT} bytes"),
                ));
            }
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, dot: &Val) -> Result<(), Fail> {
        match node {
            Node::Text { text, range } => {
                let span = self.span(range);
                let origin = match self.place {
                    Place::File(_) => Origin::Literal(span),
                    Place::Fixed(_) => Origin::Action(span),
                };
                self.out.push_with(text, Some(origin));
                Ok(())
            }
            Node::Action { pipe, range } => {
                self.step(range)?;
                let value = self.pipe(pipe, dot)?;
                if pipe.vars.is_empty() {
                    let action = self.span(range);
                    print(&mut self.out, &value, action);
                }
                Ok(())
            }
            Node::If(branch) | Node::With(branch) => {
                self.step(&branch.range)?;
                let is_with = matches!(node, Node::With(_));
                self.enter(&branch.range)?;
                let mark = self.vars.len();
                let value = self.pipe(&branch.pipe, dot)?;
                if let Some(reason) = value.unknown_reason() {
                    return Err(self.unknown(&branch.pipe.range, reason.to_string()));
                }
                if let Some(reason) = only_unknown_text(&value) {
                    return Err(self.unknown(&branch.pipe.range, reason));
                }
                let result = if value.truthy() {
                    if is_with {
                        self.list(&branch.body, &value)
                    } else {
                        self.list(&branch.body, dot)
                    }
                } else {
                    self.mark_skipped(&value, branch);
                    self.list(&branch.otherwise, dot)
                };
                self.vars.truncate(mark);
                self.depth -= 1;
                result
            }
            Node::Range(branch) => self.range(branch, dot),
            Node::Template { name, pipe, range } => {
                self.step(range)?;
                let data = match pipe {
                    Some(pipe) => self.pipe(pipe, dot)?,
                    None => Val::nil(),
                };
                let out = self.call_template(name, data, range)?;
                self.out.push_text(&out);
                Ok(())
            }
            Node::Break { .. } => Err(Fail::Break),
            Node::Continue { .. } => Err(Fail::Continue),
        }
    }

    /// A block an `if`/`with` left out because of a value read from the chart's values: a
    /// zero-length mark, so the absent setting can name that value.
    fn mark_skipped(&mut self, value: &Val, branch: &Branch) {
        if let Some(at) = value.at {
            let position = self.out.s.len();
            self.out.segs.push(Seg {
                range: position..position,
                origin: Origin::Value {
                    value: at,
                    action: self.span(&branch.pipe.range),
                },
            });
        }
    }

    fn range(&mut self, branch: &Branch, dot: &Val) -> Result<(), Fail> {
        self.step(&branch.range)?;
        self.enter(&branch.range)?;
        let mark = self.vars.len();
        let value = self.commands(&branch.pipe, dot)?;
        let items: Vec<(Val, Val)> = match &value.kind {
            Kind::Unknown(reason) => {
                return Err(self.unknown(&branch.pipe.range, reason.to_string()))
            }
            Kind::Nil => Vec::new(),
            Kind::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Val::int(i as i64), v.clone()))
                .collect(),
            Kind::ApiVersions(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Val::int(i as i64), Val::str(v.clone())))
                .collect(),
            Kind::Map(map) => map
                .borrow()
                .iter()
                .map(|(k, v)| (Val::str(k.clone()), v.clone()))
                .collect(),
            Kind::Files(files) => files
                .iter()
                .map(|(k, v)| (Val::str(k.clone()), Val::str(v.clone())))
                .collect(),
            Kind::Int(n) => {
                if *n as u64 > self.engine.budget.remaining() as u64 {
                    return Err(self.unknown(
                        &branch.pipe.range,
                        format!(
                            "range over {n} passes the evaluation bound ({} steps)",
                            self.engine.budget.limit()
                        ),
                    ));
                }
                (0..(*n).max(0))
                    .map(|i| (Val::int(i), Val::int(i)))
                    .collect()
            }
            _ => {
                return Err(self.error(
                    &branch.pipe.range,
                    format!("range can't iterate over {}", super::gofmt::v(&value)),
                ))
            }
        };
        let mut result = Ok(());
        if items.is_empty() {
            if branch.otherwise.is_empty() {
                self.mark_skipped(&value, branch);
            }
            result = self.list(&branch.otherwise, dot);
        }
        for (key, item) in items {
            if let Err(fail) = self.step(&branch.range) {
                result = Err(fail);
                break;
            }
            self.vars.truncate(mark);
            match branch.pipe.vars.as_slice() {
                [] => {}
                [one] => self.vars.push((one.clone(), item.clone())),
                [k, v, ..] => {
                    self.vars.push((k.clone(), key));
                    self.vars.push((v.clone(), item.clone()));
                }
            }
            match self.list(&branch.body, &item) {
                Ok(()) | Err(Fail::Continue) => {}
                Err(Fail::Break) => break,
                Err(other) => {
                    result = Err(other);
                    break;
                }
            }
        }
        self.vars.truncate(mark);
        self.depth -= 1;
        result
    }

    fn call_template(
        &mut self,
        name: &str,
        data: Val,
        range: &std::ops::Range<usize>,
    ) -> Result<Text, Fail> {
        let named = self
            .extra
            .get(name)
            .or_else(|| self.engine.named.get(name))
            .cloned()
            .ok_or_else(|| {
                self.error(
                    range,
                    format!("no template {name:?} associated with template"),
                )
            })?;
        self.enter(range)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![(String::new(), data.clone())]);
        let saved_out = std::mem::take(&mut self.out);
        let saved_place = std::mem::replace(&mut self.place, named.place);
        let result = self.list(&named.nodes, &data);
        self.place = saved_place;
        let out = std::mem::replace(&mut self.out, saved_out);
        self.vars = saved_vars;
        self.depth -= 1;
        match result {
            Ok(()) => Ok(out),
            Err(Fail::Break | Fail::Continue) => {
                Err(self.error(range, "break or continue outside range"))
            }
            Err(other) => Err(other),
        }
    }

    /// A pipeline's value, declaring or assigning its variables.
    fn pipe(&mut self, pipe: &Pipe, dot: &Val) -> Result<Val, Fail> {
        let value = self.commands(pipe, dot)?;
        if let Some(name) = pipe.vars.first() {
            if pipe.assign {
                match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = value.clone(),
                    None => {
                        return Err(self.error(&pipe.range, format!("undefined variable: ${name}")))
                    }
                }
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn commands(&mut self, pipe: &Pipe, dot: &Val) -> Result<Val, Fail> {
        let mut value: Option<Val> = None;
        for command in &pipe.commands {
            value = Some(self.command(command, dot, value)?);
        }
        Ok(value.unwrap_or_else(Val::nil))
    }

    fn command(&mut self, command: &Command, dot: &Val, last: Option<Val>) -> Result<Val, Fail> {
        let first = &command.args[0];
        let rest = &command.args[1..];
        let no_args = |state: &Self| -> Result<(), Fail> {
            if rest.is_empty() && last.is_none() {
                Ok(())
            } else {
                Err(state.error(&first.range, "can't give argument to non-function"))
            }
        };
        match &first.operand {
            Operand::Ident(name) => self.call(name, rest, last, dot, &command.range),
            Operand::Field(fields) if fields.is_empty() => {
                no_args(self)?;
                Ok(dot.clone())
            }
            Operand::Field(fields) => {
                let args = self.method_args(rest, last, dot)?;
                self.chain(dot.clone(), fields, args, &first.range)
            }
            Operand::Var(name, fields) => {
                let value = self.variable(name, &first.range)?;
                if fields.is_empty() {
                    no_args(self)?;
                    return Ok(value);
                }
                let args = self.method_args(rest, last, dot)?;
                self.chain(value, fields, args, &first.range)
            }
            Operand::Pipe(pipe, fields) => {
                let value = self.commands(pipe, dot)?;
                if fields.is_empty() {
                    no_args(self)?;
                    return Ok(value);
                }
                let args = self.method_args(rest, last, dot)?;
                self.chain(value, fields, args, &first.range)
            }
            Operand::Nil => Err(self.error(&first.range, "nil is not a command")),
            _ => {
                no_args(self)?;
                self.arg(first, dot)
            }
        }
    }

    fn method_args(
        &mut self,
        rest: &[Arg],
        last: Option<Val>,
        dot: &Val,
    ) -> Result<Option<Vec<Val>>, Fail> {
        if rest.is_empty() && last.is_none() {
            return Ok(None);
        }
        let mut args = Vec::new();
        for arg in rest {
            args.push(self.arg(arg, dot)?);
        }
        args.extend(last);
        Ok(Some(args))
    }

    fn variable(&self, name: &str, range: &std::ops::Range<usize>) -> Result<Val, Fail> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.error(range, format!("undefined variable: ${name}")))
    }

    fn arg(&mut self, arg: &Arg, dot: &Val) -> Result<Val, Fail> {
        match &arg.operand {
            Operand::Field(fields) if fields.is_empty() => Ok(dot.clone()),
            Operand::Field(fields) => self.chain(dot.clone(), fields, None, &arg.range),
            Operand::Var(name, fields) => {
                let value = self.variable(name, &arg.range)?;
                self.chain(value, fields, None, &arg.range)
            }
            Operand::Pipe(pipe, fields) => {
                let value = self.commands(pipe, dot)?;
                self.chain(value, fields, None, &arg.range)
            }
            Operand::Ident(name) => self.call(name, &[], None, dot, &arg.range),
            Operand::Str(s) => Ok(Val::str(s.clone())),
            Operand::Int(n) => Ok(Val::int(*n)),
            Operand::Float(f) => Ok(Val::float(*f)),
            Operand::Bool(b) => Ok(Val::bool(*b)),
            Operand::Nil => Ok(Val::nil()),
        }
    }

    /// `.a.b.c` on `receiver`; `args` go to the last name (a method such as `.Files.Get`).
    fn chain(
        &mut self,
        mut receiver: Val,
        fields: &[String],
        args: Option<Vec<Val>>,
        range: &std::ops::Range<usize>,
    ) -> Result<Val, Fail> {
        // A pipeline or variable that is nil has no fields, and Go yields nil for them without
        // an error (`(.Values.a).b` is how charts guard a missing map); only a nil met inside
        // a field chain is an error.
        if receiver.is_nil() && !fields.is_empty() {
            if args.is_some() {
                return Err(self.error(
                    range,
                    format!("nil has no method {}", fields[fields.len() - 1]),
                ));
            }
            return Ok(Val::nil());
        }
        let mut args = args;
        for (i, name) in fields.iter().enumerate() {
            let last = i + 1 == fields.len();
            let these = if last { args.take() } else { None };
            receiver = self.field(receiver, name, these, range)?;
        }
        Ok(receiver)
    }

    fn field(
        &mut self,
        receiver: Val,
        name: &str,
        args: Option<Vec<Val>>,
        range: &std::ops::Range<usize>,
    ) -> Result<Val, Fail> {
        let not_method =
            |state: &Self| state.error(range, format!("{name} is not a method but has arguments"));
        match &receiver.kind {
            Kind::Unknown(_) => Ok(receiver.clone()),
            Kind::Map(map) => {
                if args.is_some() {
                    return Err(not_method(self));
                }
                Ok(map.borrow().get(name).cloned().unwrap_or_else(Val::nil))
            }
            Kind::Struct(s) => match s.fields.get(name) {
                Some(value) if args.is_none() => Ok(value.clone()),
                Some(_) => Err(not_method(self)),
                None => Err(self.error(
                    range,
                    format!("can't evaluate field {name} in type {}", s.type_name),
                )),
            },
            Kind::Files(files) => {
                let args = args.unwrap_or_default();
                let string_arg = |state: &Self| -> Result<String, Fail> {
                    match args.first().map(|a| &a.kind) {
                        Some(Kind::Str(t)) if args.len() == 1 => Ok(t.s.clone()),
                        _ => Err(state.error(range, format!("wrong arguments for .Files.{name}"))),
                    }
                };
                match name {
                    "Get" | "GetBytes" => {
                        let path = string_arg(self)?;
                        Ok(Val::str(files.get(&path).cloned().unwrap_or_default()))
                    }
                    "Lines" => {
                        let path = string_arg(self)?;
                        let content = files.get(&path).cloned().unwrap_or_default();
                        let lines: Vec<Val> = if content.is_empty() {
                            Vec::new()
                        } else {
                            content
                                .split('\n')
                                .map(|l| Val::str(l.to_string()))
                                .collect()
                        };
                        Ok(Val::list(lines))
                    }
                    "Glob" => {
                        let pattern = string_arg(self)?;
                        let glob = globset::GlobBuilder::new(&pattern)
                            .literal_separator(true)
                            .build()
                            .map_err(|e| {
                                self.error(range, format!("bad pattern {pattern:?}: {e}"))
                            })?
                            .compile_matcher();
                        let matched = files
                            .iter()
                            .filter(|(path, _)| glob.is_match(path.as_str()))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        Ok(Val::new(Kind::Files(Rc::new(matched))))
                    }
                    "AsConfig" | "AsSecrets" => {
                        let mut map = std::collections::BTreeMap::new();
                        for (path, content) in files.iter() {
                            let base = path.rsplit('/').next().unwrap_or(path).to_string();
                            let value = if name == "AsSecrets" {
                                crate::encoding::base64_encode(content.as_bytes())
                            } else {
                                content.clone()
                            };
                            map.insert(base, Val::str(value));
                        }
                        super::data::reset_walk();
                        Ok(Val::text(funcs::to_yaml(&Val::map(map))))
                    }
                    _ => {
                        Err(self.error(range, format!("can't evaluate field {name} in type files")))
                    }
                }
            }
            Kind::ApiVersions(versions) if name == "Has" => match args.as_deref() {
                Some([v]) => Ok(Val::bool(
                    v.as_str().is_some_and(|s| versions.iter().any(|x| x == s)),
                )),
                _ => Err(self.error(range, "wrong number of args for Has")),
            },
            Kind::Nil => Err(self.error(
                range,
                format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            _ => Err(self.error(
                range,
                format!(
                    "can't evaluate field {name} in type {}",
                    receiver.type_name()
                ),
            )),
        }
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Arg],
        last: Option<Val>,
        dot: &Val,
        range: &std::ops::Range<usize>,
    ) -> Result<Val, Fail> {
        self.step(range)?;
        // `and` and `or` stop at the first argument that decides them (Go 1.18).
        if name == "and" || name == "or" {
            let want = name == "or";
            let count = args.len() + usize::from(last.is_some());
            if count == 0 {
                return Err(self.error(
                    range,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            let mut value = Val::nil();
            for arg in args {
                value = self.arg(arg, dot)?;
                if value.unknown_reason().is_some() || value.truthy() == want {
                    return Ok(value);
                }
            }
            if let Some(last) = last {
                value = last;
            }
            return Ok(value);
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        for arg in args {
            values.push(self.arg(arg, dot)?);
        }
        values.extend(last);
        // Functions work in proportion to the text they read (`tpl` parses it, `fromYaml`
        // parses it, `regexReplaceAll` scans it): that draws on the budget too.
        let reading: usize = values
            .iter()
            .filter_map(|v| v.as_str().map(|s| s.len() / 64))
            .sum();
        if reading > 0 && !self.engine.budget.take(reading) {
            return Err(self.unknown(
                range,
                format!(
                    "rendering stopped at the evaluation bound ({} steps)",
                    self.engine.budget.limit()
                ),
            ));
        }
        match name {
            "include" => {
                let [template, data] = values.as_slice() else {
                    return Err(self.error(range, "wrong number of args for include: want 2"));
                };
                let Some(template) = template.as_str() else {
                    return Err(self.error(range, "include: the template name is not a string"));
                };
                let text = self.call_template(template, data.clone(), range)?;
                Ok(Val::text(text))
            }
            "tpl" => {
                let [source, data] = values.as_slice() else {
                    return Err(self.error(range, "wrong number of args for tpl: want 2"));
                };
                if let Some(reason) = source.unknown_reason() {
                    return Ok(Val::unknown(reason.to_string()));
                }
                let Some(text) = source.as_str() else {
                    return Err(self.error(range, "tpl: the template is not a string"));
                };
                let place = Place::Fixed(source.at.unwrap_or_else(|| self.span(range)));
                let parsed = super::parse::parse(text)
                    .map_err(|e| self.error(range, format!("tpl: parse error: {}", e.message)))?;
                for (name, nodes) in parsed.defines {
                    self.extra.insert(
                        name,
                        Named {
                            nodes: Rc::new(nodes),
                            place,
                        },
                    );
                }
                self.enter(range)?;
                let saved_vars =
                    std::mem::replace(&mut self.vars, vec![(String::new(), data.clone())]);
                let saved_out = std::mem::take(&mut self.out);
                let saved_place = std::mem::replace(&mut self.place, place);
                let result = self.list(&parsed.body, data);
                self.place = saved_place;
                let out = std::mem::replace(&mut self.out, saved_out);
                self.vars = saved_vars;
                self.depth -= 1;
                result?;
                Ok(Val::text(out))
            }
            "required" => {
                let [message, value] = values.as_slice() else {
                    return Err(self.error(range, "wrong number of args for required: want 2"));
                };
                let missing = value.is_nil() || value.as_str().is_some_and(str::is_empty);
                if missing {
                    let named = args.get(1).map(describe_arg).unwrap_or_default();
                    return Err(self.unknown(
                        range,
                        format!(
                            "`required` stops the render until {named} is set: {}",
                            super::gofmt::v(message)
                        ),
                    ));
                }
                Ok(value.clone())
            }
            "fail" => {
                let message = values.first().map(super::gofmt::v).unwrap_or_default();
                Err(self.unknown(range, format!("the chart calls `fail`: {message}")))
            }
            _ => match funcs::call(name, &values, self.engine.parse_yaml) {
                Ok(mut value) => {
                    // Lists and text are copied by the functions that build them (`append` in
                    // a loop is quadratic): their size draws on the budget.
                    let weight = match &value.kind {
                        Kind::List(items) => items.len(),
                        Kind::Str(text) => text.s.len() / 64,
                        _ => 0,
                    };
                    if weight > 0 && !self.engine.budget.take(weight) {
                        return Err(self.unknown(
                            range,
                            format!(
                                "rendering stopped at the evaluation bound ({} steps)",
                                self.engine.budget.limit()
                            ),
                        ));
                    }
                    // A test on a values key keeps its position, so a block it leaves out can
                    // name the key.
                    if matches!(value.kind, Kind::Bool(_)) && value.at.is_none() {
                        value.at = values.iter().find_map(|v| v.at);
                    }
                    // A value only quoted or recased is still that value (an empty tag
                    // printed with `quote` points at its values line).
                    if value.at.is_none() && keeps_origin(name) {
                        value.at = values.last().and_then(|v| v.at);
                    }
                    Ok(value)
                }
                Err(funcs::FuncError::Error(message)) => {
                    Err(self.error(range, format!("error calling {name}: {message}")))
                }
                Err(funcs::FuncError::Unsupported) => Err(self.unknown(
                    range,
                    format!("function `{name}` is not supported by aksguard's renderer"),
                )),
            },
        }
    }
}

/// For text whose only characters (besides white space) stand for unknown values, the reason:
/// whether it is empty, and so whether an `if` takes it, is unknown too.
fn only_unknown_text(value: &Val) -> Option<String> {
    let Kind::Str(text) = &value.kind else {
        return None;
    };
    let mut reason = None;
    let mut known = vec![true; text.s.len()];
    for seg in &text.segs {
        if let Origin::Unknown { reason: why, .. } = &seg.origin {
            reason.get_or_insert_with(|| why.to_string());
            for slot in known
                .iter_mut()
                .take(seg.range.end.min(text.s.len()))
                .skip(seg.range.start)
            {
                *slot = false;
            }
        }
    }
    let reason = reason?;
    let known_text = text
        .s
        .char_indices()
        .any(|(i, c)| known[i] && !c.is_whitespace());
    (!known_text).then_some(reason)
}

/// Functions whose result is their (last) argument as text, so it keeps its origin.
fn keeps_origin(name: &str) -> bool {
    matches!(
        name,
        "quote"
            | "squote"
            | "toString"
            | "trim"
            | "lower"
            | "upper"
            | "title"
            | "trunc"
            | "trimPrefix"
            | "trimSuffix"
            | "int"
            | "int64"
            | "float64"
            | "toStrings"
    )
}

/// How an argument reads, for messages (`.Values.defender.enabled`).
fn describe_arg(arg: &Arg) -> String {
    match &arg.operand {
        Operand::Field(fields) => format!(".{}", fields.join(".")),
        Operand::Var(name, fields) if fields.is_empty() => format!("${name}"),
        Operand::Var(name, fields) => format!("${name}.{}", fields.join(".")),
        _ => "the value".to_string(),
    }
}

/// Print `value` the way an action does, recording where each part came from.
pub fn print(out: &mut Text, value: &Val, action: Span) {
    super::data::reset_walk();
    let origin = |value: &Val| match value.at {
        Some(at) => Origin::Value { value: at, action },
        None => Origin::Action(action),
    };
    match &value.kind {
        // Helm prints `<no value>` and then removes it.
        Kind::Nil => {}
        Kind::Str(text) if !text.segs.is_empty() => {
            let start = out.s.len();
            let first_seg = out.segs.len();
            out.push_text(text);
            // Functions that build text from values (`toYaml`, `indent`) leave the action
            // that prints it to be filled in here.
            for seg in &mut out.segs[first_seg..] {
                match &mut seg.origin {
                    Origin::Value { action: slot, .. } | Origin::Unknown { action: slot, .. }
                        if *slot == Span::default() =>
                    {
                        *slot = action
                    }
                    _ => {}
                }
            }
            fill_gaps(out, start, Origin::Action(action));
        }
        Kind::Str(text) => out.push_with(&text.s, Some(origin(value))),
        Kind::Unknown(reason) => out.push_with(
            UNKNOWN_PLACEHOLDER,
            Some(Origin::Unknown {
                reason: reason.clone(),
                action,
            }),
        ),
        _ => out.push_with(&super::gofmt::v(value), Some(origin(value))),
    }
}

/// Give the parts of `out` from `start` that no segment covers the origin `origin`.
fn fill_gaps(out: &mut Text, start: usize, origin: Origin) {
    let mut covered: Vec<(usize, usize)> = out
        .segs
        .iter()
        .filter(|s| s.range.start >= start && !s.range.is_empty())
        .map(|s| (s.range.start, s.range.end))
        .collect();
    covered.sort();
    let mut position = start;
    let mut gaps = Vec::new();
    for (a, b) in covered {
        if a > position {
            gaps.push(position..a);
        }
        position = position.max(b);
    }
    if position < out.s.len() {
        gaps.push(position..out.s.len());
    }
    for gap in gaps {
        out.segs.push(Seg {
            range: gap,
            origin: origin.clone(),
        });
    }
    out.segs.sort_by_key(|s| (s.range.start, s.range.end));
}
