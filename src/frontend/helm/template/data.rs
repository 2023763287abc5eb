//! The values templates compute with, as Go sees them: ints and floats apart (YAML numbers are
//! float64 in Helm, template literals ints), maps by reference (`set` mutates them in place)
//! and iterated in key order, and where each value came from (for provenance).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::rc::Rc;

use crate::source::Span;
use crate::value::{Value, ValueKind};

pub type Map = Rc<RefCell<BTreeMap<String, Val>>>;

#[derive(Debug, Clone)]
pub enum Kind {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<Text>),
    List(Rc<Vec<Val>>),
    Map(Map),
    /// A Go struct (`.Chart`, `.Capabilities`): a missing field is an error, not nil.
    Struct(Rc<Struct>),
    /// `.Files` or the result of `.Files.Glob`: file name → content.
    Files(Rc<BTreeMap<String, String>>),
    /// `.Capabilities.APIVersions`, which has the method `Has`.
    ApiVersions(Rc<Vec<String>>),
    /// Something only the cluster or the clock knows (`lookup`, `now`), with the reason.
    Unknown(Rc<str>),
}

thread_local! {
    /// Nodes that the recursive walks of one function call (printing, copying, comparing,
    /// merging values) may still visit: values that share maps (`dict "a" $d "b" $d` in a loop)
    /// would otherwise take exponential time.
    static WALK: std::cell::Cell<usize> = const { std::cell::Cell::new(WALK_LIMIT) };
}

/// Most nodes one function call walks through.
pub const WALK_LIMIT: usize = 1_000_000;

/// Start a fresh walk allowance (each function call, each printed action).
pub fn reset_walk() {
    WALK.with(|w| w.set(WALK_LIMIT));
}

/// Take one node of the walk allowance; false once it is spent.
pub fn walk_step() -> bool {
    WALK.with(|w| {
        let left = w.get();
        if left == 0 {
            false
        } else {
            w.set(left - 1);
            true
        }
    })
}

/// Values a template nests in a loop (`$d = dict "a" $d`) can be deeper than the stack: they
/// are dropped one level at a time from a heap stack instead of by recursion.
impl Drop for Kind {
    fn drop(&mut self) {
        let mut stack: Vec<Kind> = Vec::new();
        take_children(self, &mut stack);
        while let Some(mut kind) = stack.pop() {
            take_children(&mut kind, &mut stack);
        }
    }
}

/// Move the children this value alone owns onto `stack`.
fn take_children(kind: &mut Kind, stack: &mut Vec<Kind>) {
    match kind {
        Kind::List(items) => {
            if let Some(items) = Rc::get_mut(items) {
                stack.extend(items.drain(..).map(|v| v.kind));
            }
        }
        Kind::Map(map) => {
            if let Some(cell) = Rc::get_mut(map) {
                let entries = std::mem::take(cell.get_mut());
                stack.extend(entries.into_values().map(|v| v.kind));
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
pub struct Struct {
    /// The Go type, for `typeOf` and errors (`*chart.Metadata`).
    pub type_name: &'static str,
    /// What `%v` prints for it, when the Go type has a `String` method (a KubeVersion prints
    /// as `v1.36.0`).
    pub shown: Option<String>,
    pub fields: BTreeMap<String, Val>,
}

/// A value and the span of the source (a values file, Chart.yaml) it was read from.
#[derive(Debug, Clone)]
pub struct Val {
    pub kind: Kind,
    pub at: Option<Span>,
}

/// Rendered text with, for parts of it, where they came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text {
    pub s: String,
    pub segs: Vec<Seg>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Seg {
    pub range: Range<usize>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Literal template text, byte for byte from `span`.
    Literal(Span),
    /// A value read from `value` (a values key), printed by the action at `action`.
    Value { value: Span, action: Span },
    /// Computed by the action at `span` from no single value.
    Action(Span),
    /// A value nobody can know before install, printed by the action at `action`.
    Unknown { reason: Rc<str>, action: Span },
}

impl Text {
    pub fn plain(s: impl Into<String>) -> Text {
        Text {
            s: s.into(),
            segs: Vec::new(),
        }
    }

    /// Append `other`, shifting its segments.
    pub fn push_text(&mut self, other: &Text) {
        let base = self.s.len();
        self.s.push_str(&other.s);
        self.segs.extend(other.segs.iter().map(|seg| Seg {
            range: seg.range.start + base..seg.range.end + base,
            origin: seg.origin.clone(),
        }));
    }

    pub fn push_with(&mut self, s: &str, origin: Option<Origin>) {
        let start = self.s.len();
        self.s.push_str(s);
        if let Some(origin) = origin {
            if !s.is_empty() {
                self.segs.push(Seg {
                    range: start..self.s.len(),
                    origin,
                });
            }
        }
    }

    /// The text with every line after a newline prefixed by `pad` (and the first too when
    /// `first`): Sprig's `indent`. Segments follow their text, split at the inserted padding.
    pub fn indent_lines(&self, pad: &str, first: bool) -> Text {
        let mut out = Text::default();
        if first {
            out.s.push_str(pad);
        }
        let mut map = vec![0; self.s.len() + 1];
        for (i, c) in self.s.char_indices() {
            let here = out.s.len();
            for k in 0..c.len_utf8() {
                map[i + k] = here + k;
            }
            out.s.push(c);
            if c == '\n' {
                out.s.push_str(pad);
            }
        }
        map[self.s.len()] = out.s.len();
        for seg in &self.segs {
            let mut start = seg.range.start.min(self.s.len());
            let end = seg.range.end.min(self.s.len());
            while start < end {
                let piece_end = self.s[start..end].find('\n').map_or(end, |i| start + i + 1);
                let piece = self.slice_seg(seg, start..piece_end);
                out.segs.push(Seg {
                    range: map[start]..map[piece_end - 1] + 1,
                    origin: piece,
                });
                start = piece_end;
            }
        }
        out
    }

    /// The origin of the part `range` of segment `seg` (a literal narrows to its bytes).
    fn slice_seg(&self, seg: &Seg, range: Range<usize>) -> Origin {
        match &seg.origin {
            Origin::Literal(span) if seg.range.len() == span.range().len() => {
                let shift = (range.start - seg.range.start) as u32;
                Origin::Literal(Span {
                    file: span.file,
                    start: span.start + shift,
                    end: span.start + shift + range.len() as u32,
                })
            }
            other => other.clone(),
        }
    }

    /// The part `range` of the text, with the segments inside it.
    pub fn slice(&self, range: Range<usize>) -> Text {
        let s = self.s.get(range.clone()).unwrap_or_default().to_string();
        let segs = self
            .segs
            .iter()
            .filter_map(|seg| {
                let start = seg.range.start.max(range.start);
                let end = seg.range.end.min(range.end);
                (start < end).then(|| Seg {
                    range: start - range.start..end - range.start,
                    origin: self.slice_seg(seg, start..end),
                })
            })
            .collect();
        Text { s, segs }
    }
}

impl Val {
    pub fn new(kind: Kind) -> Val {
        Val { kind, at: None }
    }
    pub fn nil() -> Val {
        Val::new(Kind::Nil)
    }
    pub fn bool(b: bool) -> Val {
        Val::new(Kind::Bool(b))
    }
    pub fn int(n: i64) -> Val {
        Val::new(Kind::Int(n))
    }
    pub fn float(n: f64) -> Val {
        Val::new(Kind::Float(n))
    }
    pub fn str(s: impl Into<String>) -> Val {
        Val::new(Kind::Str(Rc::new(Text::plain(s))))
    }
    pub fn text(t: Text) -> Val {
        Val::new(Kind::Str(Rc::new(t)))
    }
    pub fn list(items: Vec<Val>) -> Val {
        Val::new(Kind::List(Rc::new(items)))
    }
    pub fn map(entries: BTreeMap<String, Val>) -> Val {
        Val::new(Kind::Map(Rc::new(RefCell::new(entries))))
    }
    pub fn unknown(reason: impl Into<String>) -> Val {
        let reason: String = reason.into();
        Val::new(Kind::Unknown(Rc::from(reason.as_str())))
    }
    pub fn at(mut self, at: Option<Span>) -> Val {
        self.at = at;
        self
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(t) => Some(&t.s),
            _ => None,
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self.kind, Kind::Nil)
    }

    pub fn unknown_reason(&self) -> Option<&str> {
        match &self.kind {
            Kind::Unknown(r) => Some(r),
            _ => None,
        }
    }

    /// Go's `truth`: false for nil, false, zero, and empty strings and collections.
    pub fn truthy(&self) -> bool {
        match &self.kind {
            Kind::Nil => false,
            Kind::Bool(b) => *b,
            Kind::Int(n) => *n != 0,
            Kind::Float(f) => *f != 0.0,
            Kind::Str(t) => !t.s.is_empty(),
            Kind::List(l) => !l.is_empty(),
            Kind::Map(m) => !m.borrow().is_empty(),
            Kind::Files(f) => !f.is_empty(),
            Kind::ApiVersions(v) => !v.is_empty(),
            Kind::Struct(_) | Kind::Unknown(_) => true,
        }
    }

    /// A deep copy: maps are shared by reference otherwise. Past a nesting depth (values a
    /// template nested in a loop) the rest is shared rather than copied.
    pub fn deep_copy(&self) -> Val {
        self.deep_copy_at(0)
    }

    fn deep_copy_at(&self, depth: usize) -> Val {
        if depth > 200 || !walk_step() {
            return self.clone();
        }
        let kind = match &self.kind {
            Kind::List(items) => Kind::List(Rc::new(
                items.iter().map(|v| v.deep_copy_at(depth + 1)).collect(),
            )),
            Kind::Map(m) => Kind::Map(Rc::new(RefCell::new(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy_at(depth + 1)))
                    .collect(),
            ))),
            other => other.clone(),
        };
        Val { kind, at: self.at }
    }

    /// Go's reflect kind name, as Sprig's `kindOf` says it.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Nil => "invalid",
            Kind::Bool(_) => "bool",
            Kind::Int(_) => "int",
            Kind::Float(_) => "float64",
            Kind::Str(_) => "string",
            Kind::List(_) | Kind::ApiVersions(_) => "slice",
            Kind::Map(_) | Kind::Files(_) => "map",
            Kind::Struct(_) => "ptr",
            Kind::Unknown(_) => "invalid",
        }
    }

    /// Go's type name, as Sprig's `typeOf` says it.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Nil => "<nil>",
            Kind::Bool(_) => "bool",
            Kind::Int(_) => "int",
            Kind::Float(_) => "float64",
            Kind::Str(_) => "string",
            Kind::List(_) => "[]interface {}",
            Kind::Map(_) => "map[string]interface {}",
            Kind::Files(_) => "engine.files",
            Kind::ApiVersions(_) => "chartutil.VersionSet",
            Kind::Struct(s) => s.type_name,
            Kind::Unknown(_) => "<unknown>",
        }
    }
}

/// A spanned value read from YAML as Helm reads it (numbers are float64; later duplicate keys
/// win), keeping the span of every value.
pub fn from_value(value: &Value) -> Val {
    let kind = match &value.kind {
        ValueKind::Null => Kind::Nil,
        ValueKind::Bool(b) => Kind::Bool(*b),
        ValueKind::Number(n) => Kind::Float(*n),
        ValueKind::String(s) => Kind::Str(Rc::new(Text::plain(s.clone()))),
        ValueKind::List(items) => Kind::List(Rc::new(items.iter().map(from_value).collect())),
        ValueKind::Object(entries) => {
            let mut map = BTreeMap::new();
            for entry in entries {
                map.insert(entry.key.to_string(), from_value(&entry.value));
            }
            Kind::Map(Rc::new(RefCell::new(map)))
        }
        ValueKind::Unknown(unknown) => Kind::Unknown(Rc::from(unknown.reason.as_str())),
    };
    Val {
        kind,
        at: Some(value.span),
    }
}
