//! YAML streams (Kubernetes manifests, Helm values) into spanned [`Value`]s.
//!
//! `saphyr-parser` is a pure-Rust YAML 1.2 event parser that keeps a position on every event and
//! keeps its own state on the heap (no recursion on nesting). It counts positions in characters,
//! so every marker goes through a char→byte table. It neither resolves aliases nor `<<` merge
//! keys nor bounds what aliases expand to: that is done here, with a depth limit and a budget on
//! the nodes that aliases produce, so an alias bomb is an error, never unbounded memory.
//!
//! Plain scalars resolve by the YAML 1.2 core schema (`null`/`~`, `true`/`false`, decimal, `0x`
//! and `0o` integers, floats, `.inf`/`.nan`); `yes`/`no`/`on`/`off` stay strings. Quoted and block
//! scalars are always strings.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YamlSpan, StrInput, Tag};

use crate::source::{FileId, Span};
use crate::value::{Entry, Value, ValueKind};

/// Where and why a YAML stream does not parse (or is too deep or expands too far).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Byte offset of the error.
    pub offset: usize,
    pub message: String,
}

/// Deepest nesting of sequences and mappings accepted (aliases included).
pub const MAX_DEPTH: usize = 200;
/// Most nodes that aliases may copy in one stream: beyond this a "billion laughs" file stops.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// Most nodes kept for anchors in one stream (nested anchors each keep a copy of their node).
pub const MAX_ANCHORED_NODES: usize = 1_000_000;

/// Most spacing repairs tried on one stream (see [`repair`]).
const MAX_REPAIRS: usize = 64;

/// One Value per document of a multi-document stream; spans carry FileId(0) (callers call
/// `Value::set_file`). An empty stream has no documents; an empty document is `null`.
pub fn parse_stream(text: &str) -> Result<Vec<Value>, YamlError> {
    let mut patched = std::borrow::Cow::Borrowed(text);
    let mut insertions = Insertions::default();
    for _ in 0..=MAX_REPAIRS {
        match parse_exact(&patched) {
            Ok(mut documents) => {
                if !insertions.0.is_empty() {
                    documents.iter_mut().for_each(|d| insertions.remap(d));
                }
                return Ok(documents);
            }
            Err(error) => {
                let Some(edits) = repair(&patched, &error) else {
                    return Err(YamlError {
                        offset: insertions.original(error.offset),
                        message: error.message,
                    });
                };
                let mut text = patched.into_owned();
                // Apply from the end so earlier offsets stay valid.
                for &(offset, spaces) in edits.iter().rev() {
                    text.insert_str(offset, &" ".repeat(spaces));
                }
                for &(offset, spaces) in &edits {
                    insertions.add(offset, spaces);
                }
                patched = std::borrow::Cow::Owned(text);
            }
        }
    }
    Err(YamlError {
        offset: 0,
        message: format!("YAML needs more than {MAX_REPAIRS} spacing repairs"),
    })
}

/// Spaces inserted into the text for a repair: (offset in the original text, count), sorted.
#[derive(Default)]
struct Insertions(Vec<(usize, usize)>);

impl Insertions {
    /// Record `spaces` inserted at `patched_offset` of the current (already patched) text.
    fn add(&mut self, patched_offset: usize, spaces: usize) {
        let original = self.original(patched_offset);
        let at = self.0.partition_point(|&(o, _)| o <= original);
        self.0.insert(at, (original, spaces));
    }

    /// The original offset of a patched one (an inserted space maps to the byte after it).
    fn original(&self, patched: usize) -> usize {
        let mut inserted_before = 0;
        for &(original, spaces) in &self.0 {
            let start = original + inserted_before;
            if patched < start {
                break;
            }
            if patched < start + spaces {
                return original;
            }
            inserted_before += spaces;
        }
        patched - inserted_before
    }

    fn span(&self, span: Span) -> Span {
        let start = self.original(span.start as usize);
        let end = self.original(span.end as usize).max(start);
        Span::new(span.file, start..end)
    }

    fn remap(&self, value: &mut Value) {
        value.span = self.span(value.span);
        match &mut value.kind {
            ValueKind::List(items) => items.iter_mut().for_each(|v| self.remap(v)),
            ValueKind::Object(entries) => entries.iter_mut().for_each(|e| {
                e.key_span = self.span(e.key_span);
                self.remap(&mut e.value)
            }),
            _ => {}
        }
    }
}

/// Spacing that libyaml (and so go-yaml, kubectl and Helm) accepts but the YAML 1.2 grammar,
/// and so saphyr, rejects: a comment glued to a quoted scalar (`""# note`), and continuation
/// lines of a multi-line quoted scalar indented no deeper than its key. Both repairs insert
/// spaces that change no value (a quoted scalar folds its continuation lines' indentation).
/// Returns the insertions (offset in `text`, spaces), ascending.
fn repair(text: &str, error: &YamlError) -> Option<Vec<(usize, usize)>> {
    let bytes = text.as_bytes();
    match error.message.as_str() {
        "comments must be separated from other tokens by whitespace"
            if bytes.get(error.offset) == Some(&b'#') =>
        {
            Some(vec![(error.offset, 1)])
        }
        "invalid indentation in quoted scalar" => {
            let quote = *bytes.get(error.offset)?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let line_start = text[..error.offset].rfind('\n').map_or(0, |i| i + 1);
            let indent = bytes[line_start..]
                .iter()
                .take_while(|b| **b == b' ')
                .count();
            let mut edits = Vec::new();
            let mut i = error.offset + 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' if quote == b'"' => i += 1,
                    b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
                    b if b == quote => break,
                    b'\n' => {
                        let spaces = bytes[i + 1..].iter().take_while(|b| **b == b' ').count();
                        let blank =
                            matches!(bytes.get(i + 1 + spaces), Some(b'\n') | Some(b'\r') | None);
                        if !blank && spaces <= indent {
                            edits.push((i + 1, indent + 1 - spaces));
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            (!edits.is_empty()).then_some(edits)
        }
        _ => None,
    }
}

fn parse_exact(text: &str) -> Result<Vec<Value>, YamlError> {
    let mut converter = Converter {
        parser: Parser::new_from_str(text),
        byte_of_char: byte_offsets(text),
        bytes: text.as_bytes(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        anchored_nodes: 0,
    };
    converter.stream()
}

/// Byte offset of every character index, plus one past the end.
fn byte_offsets(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(offset, _)| offset)
        .chain(std::iter::once(text.len()))
        .collect()
}

/// A converted node: its value, how many nodes it holds, and how deep it nests.
struct Node {
    value: Value,
    nodes: usize,
    height: usize,
}

struct Anchored {
    value: Value,
    nodes: usize,
    height: usize,
}

struct Converter<'a> {
    parser: Parser<'a, StrInput<'a>>,
    byte_of_char: Vec<usize>,
    /// The text's bytes, to tell a flow collection (`[`/`{`) from a block one and to trim
    /// scalar spans.
    bytes: &'a [u8],
    /// Completed anchored nodes of the current document.
    anchors: HashMap<usize, Anchored>,
    alias_nodes: usize,
    anchored_nodes: usize,
}

enum MappingItem {
    Explicit(Entry),
    /// Entries brought in by a `<<` merge key, in priority order.
    Merged(Vec<Entry>),
}

impl<'a> Converter<'a> {
    fn byte(&self, char_index: usize) -> usize {
        // The parser never reports past the end; clamp anyway rather than index out of bounds.
        let last = self.byte_of_char.len() - 1;
        self.byte_of_char[char_index.min(last)]
    }

    fn span(&self, span: YamlSpan) -> Span {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        Span::new(FileId(0), start..end)
    }

    fn scan_error(&self, error: ScanError) -> YamlError {
        YamlError {
            offset: self.byte(error.marker().index()),
            message: error.info().to_string(),
        }
    }

    fn next(&mut self) -> Result<(Event<'a>, YamlSpan), YamlError> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(error)) => Err(self.scan_error(error)),
            None => Err(YamlError {
                offset: self.byte_of_char.last().copied().unwrap_or(0),
                message: "unexpected end of YAML stream".to_string(),
            }),
        }
    }

    fn stream(&mut self) -> Result<Vec<Value>, YamlError> {
        let mut documents = Vec::new();
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => return Ok(documents),
                Event::DocumentStart(_) => {
                    // Anchors are scoped to their document.
                    self.anchors.clear();
                    let (event, span) = self.next()?;
                    let root = match event {
                        Event::DocumentEnd => Value::new(ValueKind::Null, self.span(span)),
                        event => {
                            let root = self.node(event, span, 1)?.value;
                            self.expect_document_end()?;
                            root
                        }
                    };
                    documents.push(root);
                }
                _ => {
                    return Err(YamlError {
                        offset: self.span(span).start as usize,
                        message: "unexpected YAML event outside a document".to_string(),
                    })
                }
            }
        }
    }

    fn expect_document_end(&mut self) -> Result<(), YamlError> {
        let (event, span) = self.next()?;
        match event {
            Event::DocumentEnd => Ok(()),
            _ => Err(YamlError {
                offset: self.span(span).start as usize,
                message: "expected the end of the YAML document".to_string(),
            }),
        }
    }

    fn too_deep(&self, span: YamlSpan) -> YamlError {
        YamlError {
            offset: self.span(span).start as usize,
            message: format!("YAML nests deeper than {MAX_DEPTH} levels"),
        }
    }

    /// Convert the node that starts with `event`, at nesting `depth` (the root is 1).
    fn node(&mut self, event: Event<'a>, span: YamlSpan, depth: usize) -> Result<Node, YamlError> {
        if depth > MAX_DEPTH {
            return Err(self.too_deep(span));
        }
        let node = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let kind = resolve_scalar(&text, style, tag.as_deref());
                let node = Node {
                    value: Value::new(kind, self.scalar_span(span, style)),
                    nodes: 1,
                    height: 0,
                };
                self.remember(anchor, &node, span)?;
                node
            }
            Event::Alias(anchor) => self.alias(anchor, span, depth)?,
            Event::SequenceStart(anchor, _) => {
                let node = self.sequence(span, depth)?;
                self.remember(anchor, &node, span)?;
                node
            }
            Event::MappingStart(anchor, _) => {
                let node = self.mapping(span, depth)?;
                self.remember(anchor, &node, span)?;
                node
            }
            _ => {
                return Err(YamlError {
                    offset: self.span(span).start as usize,
                    message: "expected a YAML node".to_string(),
                })
            }
        };
        Ok(node)
    }

    fn remember(&mut self, anchor: usize, node: &Node, span: YamlSpan) -> Result<(), YamlError> {
        // Anchor id 0 means "no anchor".
        if anchor != 0 {
            self.anchored_nodes = self.anchored_nodes.saturating_add(node.nodes);
            if self.anchored_nodes > MAX_ANCHORED_NODES {
                return Err(YamlError {
                    offset: self.span(span).start as usize,
                    message: format!("YAML anchors hold more than {MAX_ANCHORED_NODES} nodes"),
                });
            }
            self.anchors.insert(
                anchor,
                Anchored {
                    value: node.value.clone(),
                    nodes: node.nodes,
                    height: node.height,
                },
            );
        }
        Ok(())
    }

    fn alias(&mut self, anchor: usize, span: YamlSpan, depth: usize) -> Result<Node, YamlError> {
        let offset = self.span(span).start as usize;
        let Some(anchored) = self.anchors.get(&anchor) else {
            // The parser rejects unknown anchors; an anchor not yet complete is a node that
            // contains an alias to itself.
            return Err(YamlError {
                offset,
                message: "YAML alias refers to a node that contains it".to_string(),
            });
        };
        if depth + anchored.height > MAX_DEPTH {
            return Err(self.too_deep(span));
        }
        self.alias_nodes = self.alias_nodes.saturating_add(anchored.nodes);
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(YamlError {
                offset,
                message: format!("YAML aliases expand past {MAX_ALIAS_NODES} nodes"),
            });
        }
        // The copy keeps the anchored node's spans: a finding points where the value is written.
        Ok(Node {
            value: anchored.value.clone(),
            nodes: anchored.nodes,
            height: anchored.height,
        })
    }

    /// A scalar's span without what the parser lets trail it: the whitespace and comment after
    /// a quoted scalar, the blank lines after a block scalar.
    fn scalar_span(&self, span: YamlSpan, style: ScalarStyle) -> Span {
        let span = self.span(span);
        let (start, end) = (span.start as usize, span.end as usize);
        let end = match style {
            ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
                let quote = if style == ScalarStyle::DoubleQuoted {
                    b'"'
                } else {
                    b'\''
                };
                closing_quote(self.bytes, start, end, quote).map_or(end, |close| close + 1)
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let content = &self.bytes[start..end];
                let trailing = content
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
                end - trailing
            }
            ScalarStyle::Plain => end,
        };
        Span::new(FileId(0), start..end.max(start))
    }

    /// Where a collection starts: at its `[`/`{` in flow style, else at its first child (the
    /// start event of a block collection sits before its anchor and tag).
    fn collection_start(&self, span: YamlSpan) -> (usize, bool) {
        let span = self.span(span);
        let end = span.end as usize;
        let is_flow =
            end > span.start as usize && matches!(self.bytes.get(end - 1), Some(b'[') | Some(b'{'));
        if is_flow {
            (end - 1, true)
        } else {
            (end, false)
        }
    }

    fn sequence(&mut self, start: YamlSpan, depth: usize) -> Result<Node, YamlError> {
        let (mut begin, is_flow) = self.collection_start(start);
        let mut items = Vec::new();
        let mut nodes = 1usize;
        let mut height = 0usize;
        let end = loop {
            let (event, span) = self.next()?;
            if let Event::SequenceEnd = event {
                break self.span(span).end as usize;
            }
            let item = self.node(event, span, depth + 1)?;
            nodes = nodes.saturating_add(item.nodes);
            height = height.max(item.height + 1);
            items.push(item.value);
        };
        // The tree is kept until the model is built: no spare capacity.
        items.shrink_to_fit();
        let end = if is_flow {
            end
        } else {
            // A block sequence ends with its last item (its end event sits at the next token).
            if let Some(first) = items.first() {
                begin = begin.min(first.span.start as usize);
            }
            items
                .iter()
                .map(|v| v.span.end as usize)
                .max()
                .unwrap_or(begin)
        };
        Ok(Node {
            value: Value::new(
                ValueKind::List(items),
                Span::new(FileId(0), begin..end.max(begin)),
            ),
            nodes,
            height: height.max(1),
        })
    }

    fn mapping(&mut self, start: YamlSpan, depth: usize) -> Result<Node, YamlError> {
        let (begin, is_flow) = self.collection_start(start);
        let mut items = Vec::new();
        let mut nodes = 1usize;
        let mut height = 1usize;
        let mut first_start = None;
        let mut last_end = begin;
        let end = loop {
            let (event, span) = self.next()?;
            if let Event::MappingEnd = event {
                break self.span(span).end as usize;
            }
            let is_merge_key = matches!(
                &event,
                Event::Scalar(text, ScalarStyle::Plain, _, tag)
                    if text == "<<" && tag.as_deref().is_none_or(|t| t.is_yaml_core_schema() && t.suffix == "merge")
            );
            let key = self.node(event, span, depth + 1)?;
            let (event, span) = self.next()?;
            let value = self.node(event, span, depth + 1)?;
            nodes = nodes.saturating_add(key.nodes).saturating_add(value.nodes);
            height = height.max(value.height + 1).max(key.height + 1);
            first_start.get_or_insert(key.value.span.start as usize);
            last_end = last_end
                .max(key.value.span.end as usize)
                .max(value.value.span.end as usize);
            if is_merge_key {
                items.push(MappingItem::Merged(self.merged_entries(value.value)?));
            } else {
                items.push(MappingItem::Explicit(Entry {
                    key: key_text(&key.value).into(),
                    key_span: key.value.span,
                    value: value.value,
                }));
            }
        };
        let (begin, end) = if is_flow {
            (begin, end)
        } else {
            (first_start.unwrap_or(begin), last_end)
        };
        Ok(Node {
            value: Value::new(
                ValueKind::Object(build_entries(items)),
                Span::new(FileId(0), begin..end.max(begin)),
            ),
            nodes,
            height,
        })
    }

    /// The entries a `<<` value brings in: one mapping, or a list of mappings where earlier
    /// ones win.
    fn merged_entries(&self, value: Value) -> Result<Vec<Entry>, YamlError> {
        let offset = value.span.start as usize;
        let not_a_mapping = || YamlError {
            offset,
            message: "a `<<` merge key needs a mapping or a list of mappings".to_string(),
        };
        match value.kind {
            ValueKind::Object(entries) => Ok(entries),
            ValueKind::List(items) => {
                let mut merged: Vec<Entry> = Vec::new();
                for item in items {
                    let ValueKind::Object(entries) = item.kind else {
                        return Err(not_a_mapping());
                    };
                    for entry in entries {
                        if !merged.iter().any(|e| e.key == entry.key) {
                            merged.push(entry);
                        }
                    }
                }
                Ok(merged)
            }
            _ => Err(not_a_mapping()),
        }
    }
}

/// The offset of the quote closing the quoted scalar that opens at or after `start` (a tag may
/// stand before it), within `start..end`.
fn closing_quote(bytes: &[u8], start: usize, end: usize, quote: u8) -> Option<usize> {
    let end = end.min(bytes.len());
    let open = start + bytes.get(start..end)?.iter().position(|b| *b == quote)?;
    let mut i = open + 1;
    while i < end {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 1,
            b if b == quote && quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The mapping's entries: a repeated key keeps its last value (as Kubernetes and Helm decode
/// YAML); keys written in the mapping override merged ones, earlier merges override later.
fn build_entries(items: Vec<MappingItem>) -> Vec<Entry> {
    // Nearly every mapping has no merge key and no repeated key: it is kept as written, without
    // the key sets below (which copy every key twice).
    if items
        .iter()
        .all(|item| matches!(item, MappingItem::Explicit(_)))
    {
        let mut entries = Vec::with_capacity(items.len());
        entries.extend(items.into_iter().filter_map(|item| match item {
            MappingItem::Explicit(entry) => Some(entry),
            MappingItem::Merged(_) => None,
        }));
        if !has_repeated_key(&entries) {
            return entries;
        }
        return resolve_keys(entries.into_iter().map(MappingItem::Explicit).collect());
    }
    resolve_keys(items)
}

/// The entries of a mapping with merge keys or repeated keys: the last explicit entry of a key
/// wins, then the first merged one.
fn resolve_keys(items: Vec<MappingItem>) -> Vec<Entry> {
    let mut explicit_last: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        if let MappingItem::Explicit(entry) = item {
            explicit_last.insert(entry.key.to_string(), index);
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut entries = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match item {
            MappingItem::Explicit(entry) => {
                if explicit_last.get(entry.key.as_str()) == Some(&index) {
                    seen.insert(entry.key.to_string());
                    entries.push(entry);
                }
            }
            MappingItem::Merged(merged) => {
                for entry in merged {
                    if !explicit_last.contains_key(entry.key.as_str())
                        && seen.insert(entry.key.to_string())
                    {
                        entries.push(entry);
                    }
                }
            }
        }
    }
    entries.shrink_to_fit();
    entries
}

/// Whether two entries share a key: pairwise for the small mappings that are nearly all of them,
/// by a set for large ones.
fn has_repeated_key(entries: &[Entry]) -> bool {
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, entry)| entries[..i].iter().any(|e| e.key == entry.key));
    }
    let mut seen = HashSet::with_capacity(entries.len());
    !entries.iter().all(|entry| seen.insert(entry.key.as_str()))
}

/// A key as text: scalars as written (`1`, `true`, `null` keep their spelling, as they become
/// JSON object keys in Kubernetes), collections in a compact flow rendering.
fn key_text(key: &Value) -> String {
    match &key.kind {
        ValueKind::String(s) => s.clone(),
        ValueKind::Null => "null".to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Number(n) => crate::value::format_number(*n),
        ValueKind::List(items) => {
            let items: Vec<String> = items.iter().map(key_text).collect();
            format!("[{}]", items.join(", "))
        }
        ValueKind::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|e| format!("{}: {}", e.key, key_text(&e.value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        ValueKind::Unknown(unknown) => unknown.reason.clone(),
    }
}

fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> ValueKind {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        let resolved = resolve_plain(text);
        let fits = match tag.suffix.as_str() {
            "null" => matches!(resolved, ValueKind::Null),
            "bool" => matches!(resolved, ValueKind::Bool(_)),
            "int" | "float" => matches!(resolved, ValueKind::Number(_)),
            _ => false,
        };
        // `!!str`, `!!binary`, `!!timestamp`, and a value that does not fit its tag, stay text.
        return if fits {
            resolved
        } else {
            ValueKind::String(text.to_string())
        };
    }
    match (style, tag) {
        // The non-specific tag `!` forces a string; other local tags (`!Ref`) leave the
        // content as it would resolve untagged.
        (ScalarStyle::Plain, Some(tag)) if tag.handle == "!" && tag.suffix.is_empty() => {
            ValueKind::String(text.to_string())
        }
        (ScalarStyle::Plain, _) => resolve_plain(text),
        _ => ValueKind::String(text.to_string()),
    }
}

/// The YAML 1.2 core schema for a plain scalar.
fn resolve_plain(text: &str) -> ValueKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ValueKind::Null,
        "true" | "True" | "TRUE" => return ValueKind::Bool(true),
        "false" | "False" | "FALSE" => return ValueKind::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return ValueKind::Number(f64::NAN),
        _ => {}
    }
    let (sign, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (-1.0, &text[1..]),
        Some(b'+') => (1.0, &text[1..]),
        _ => (1.0, text),
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return ValueKind::Number(sign * f64::INFINITY);
    }
    // Only unsigned hexadecimal and octal integers are core-schema ints.
    if sign > 0.0 && !text.starts_with('+') {
        if let Some(digits) = text.strip_prefix("0x") {
            if let Some(n) = radix_number(digits, 16) {
                return ValueKind::Number(n);
            }
        }
        if let Some(digits) = text.strip_prefix("0o") {
            if let Some(n) = radix_number(digits, 8) {
                return ValueKind::Number(n);
            }
        }
    }
    if is_core_float(unsigned) {
        if let Ok(n) = unsigned.parse::<f64>() {
            return ValueKind::Number(sign * n);
        }
    }
    ValueKind::String(text.to_string())
}

fn radix_number(digits: &str, radix: u32) -> Option<f64> {
    if digits.is_empty() {
        return None;
    }
    let mut n = 0.0f64;
    for c in digits.chars() {
        n = n * f64::from(radix) + f64::from(c.to_digit(radix)?);
    }
    Some(n)
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`: the core schema's unsigned int or float.
fn is_core_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let integer = digits(&mut i);
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let fraction = digits(&mut i);
        if integer == 0 && fraction == 0 {
            return false;
        }
    } else if integer == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e') | Some(b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-') | Some(b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Value {
        let mut documents = parse_stream(text).unwrap();
        assert_eq!(documents.len(), 1);
        documents.remove(0)
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn key_and_value_spans_are_bytes_after_multibyte_text() {
        let text = "# café ☕ — 日本\nname: \"é\"\nspec:\n  enabled: false\n  list: [1, {ü: 2}]\n";
        let root = one(text);
        let name = root.get("name").unwrap();
        assert_eq!(slice(text, name.key_span), "name");
        assert_eq!(slice(text, name.value.span), "\"é\"");
        assert_eq!(name.value.as_str(), Some("é"));
        let spec = root.get("spec").unwrap();
        assert_eq!(slice(text, spec.key_span), "spec");
        assert_eq!(
            slice(text, spec.value.span),
            "enabled: false\n  list: [1, {ü: 2}]"
        );
        let enabled = spec.value.get("enabled").unwrap();
        assert_eq!(slice(text, enabled.key_span), "enabled");
        assert_eq!(slice(text, enabled.value.span), "false");
        assert_eq!(enabled.value.kind, ValueKind::Bool(false));
        let list = spec.value.get("list").unwrap();
        assert_eq!(slice(text, list.value.span), "[1, {ü: 2}]");
        let trailing = "a: \"x\"   # note\nb: 'it''s'  \nc: |\n  text\n\n\nd: [\"q\" , 'r' ]\ne: !!str \"t\" # c\n";
        let root = one(trailing);
        let span_of = |key: &str| slice(trailing, root.get(key).unwrap().value.span);
        assert_eq!(span_of("a"), "\"x\"");
        assert_eq!(span_of("b"), "'it''s'");
        assert_eq!(span_of("c"), "text");
        assert_eq!(span_of("e"), "!!str \"t\"");
        let items = root.get("d").unwrap().value.items().unwrap().to_vec();
        assert_eq!(slice(trailing, items[0].span), "\"q\"");
        assert_eq!(slice(trailing, items[1].span), "'r'");
        let inner = &list.value.items().unwrap()[1];
        assert_eq!(slice(text, inner.span), "{ü: 2}");
        let u = inner.get("ü").unwrap();
        assert_eq!(slice(text, u.key_span), "ü");
        assert_eq!(slice(text, u.value.span), "2");
    }

    #[test]
    fn block_sequences_span_their_items() {
        let text = "ä:\n  - name: x\n    enabled: true\n  - y\nz: 1\n";
        let root = one(text);
        let list = &root.get("ä").unwrap().value;
        assert_eq!(
            slice(text, list.span),
            "- name: x\n    enabled: true\n  - y"
        );
        assert_eq!(
            slice(text, list.items().unwrap()[0].span),
            "name: x\n    enabled: true"
        );
    }

    #[test]
    fn splits_multi_document_streams() {
        let text = "---\na: 1\n---\n---\nb: 2\n...\n";
        let documents = parse_stream(text).unwrap();
        assert_eq!(documents.len(), 3);
        assert!(documents[1].is_null());
        assert_eq!(slice(text, documents[2].get("b").unwrap().key_span), "b");
        assert!(parse_stream("").unwrap().is_empty());
        assert!(parse_stream("# only a comment\n").unwrap().is_empty());
    }

    #[test]
    fn resolves_core_schema_only_when_plain() {
        let text = "a: null\nb: ~\nc:\nd: True\ne: 0x1F\nf: 0o17\ng: -1.5e3\nh: .inf\ni: -.INF\n\
                    j: yes\nk: on\nl: \"true\"\nm: '12'\nn: !!str 5\no: !!int \"7\"\np: 1_000\n\
                    q: 0755\nr: +12\ns: .5\nt: 1.\nu: 1e\nv: 0x\nw: |\n  true\n";
        let root = one(text);
        let kind = |key: &str| root.get(key).unwrap().value.kind.clone();
        assert_eq!(kind("a"), ValueKind::Null);
        assert_eq!(kind("b"), ValueKind::Null);
        assert_eq!(kind("c"), ValueKind::Null);
        assert_eq!(kind("d"), ValueKind::Bool(true));
        assert_eq!(kind("e"), ValueKind::Number(31.0));
        assert_eq!(kind("f"), ValueKind::Number(15.0));
        assert_eq!(kind("g"), ValueKind::Number(-1500.0));
        assert_eq!(kind("h"), ValueKind::Number(f64::INFINITY));
        assert_eq!(kind("i"), ValueKind::Number(f64::NEG_INFINITY));
        assert_eq!(kind("j"), ValueKind::String("yes".into()));
        assert_eq!(kind("k"), ValueKind::String("on".into()));
        assert_eq!(kind("l"), ValueKind::String("true".into()));
        assert_eq!(kind("m"), ValueKind::String("12".into()));
        assert_eq!(kind("n"), ValueKind::String("5".into()));
        assert_eq!(kind("o"), ValueKind::Number(7.0));
        assert_eq!(kind("p"), ValueKind::String("1_000".into()));
        assert_eq!(kind("q"), ValueKind::Number(755.0));
        assert_eq!(kind("r"), ValueKind::Number(12.0));
        assert_eq!(kind("s"), ValueKind::Number(0.5));
        assert_eq!(kind("t"), ValueKind::Number(1.0));
        assert_eq!(kind("u"), ValueKind::String("1e".into()));
        assert_eq!(kind("v"), ValueKind::String("0x".into()));
        assert_eq!(kind("w"), ValueKind::String("true\n".into()));
        assert!(matches!(
            one(".NaN").kind,
            ValueKind::Number(n) if n.is_nan()
        ));
    }

    #[test]
    fn resolves_aliases_and_merge_keys() {
        let text =
            "base: &base\n  enabled: false\n  tier: free\nother: &other\n  tier: paid\n  zone: 1\n\
                    a:\n  <<: *base\n  tier: standard\nb:\n  <<: [*other, *base]\nc: *base\n";
        let root = one(text);
        let a = &root.get("a").unwrap().value;
        assert_eq!(a.get("tier").unwrap().value.as_str(), Some("standard"));
        let enabled = a.get("enabled").unwrap();
        assert_eq!(enabled.value.kind, ValueKind::Bool(false));
        // A merged value points where it is written.
        assert_eq!(slice(text, enabled.key_span), "enabled");
        assert_eq!(enabled.value.span.start, text.find("false").unwrap() as u32);
        let b = &root.get("b").unwrap().value;
        assert_eq!(b.get("tier").unwrap().value.as_str(), Some("paid"));
        assert_eq!(b.get("zone").unwrap().value.kind, ValueKind::Number(1.0));
        assert_eq!(b.get("enabled").unwrap().value.kind, ValueKind::Bool(false));
        assert_eq!(b.entries().unwrap().len(), 3);
        let c = &root.get("c").unwrap().value;
        assert_eq!(c.get("tier").unwrap().value.as_str(), Some("free"));
        // A quoted "<<" is an ordinary key.
        let quoted = one("\"<<\": 1\n");
        assert!(quoted.get("<<").is_some());
        assert!(parse_stream("a: &a 1\nb:\n  <<: *a\n").is_err());
    }

    #[test]
    fn repeated_keys_keep_the_last_value() {
        let text = "a: 1\nb: 2\na: 3\n";
        let root = one(text);
        let entries = root.entries().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(root.get("a").unwrap().value.kind, ValueKind::Number(3.0));
        // A large mapping is checked by a set rather than pairwise: the same answer.
        let mut large: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        large.push_str("k7: last\n");
        let root = one(&large);
        assert_eq!(root.entries().unwrap().len(), 40);
        assert_eq!(
            root.get("k7").unwrap().value.kind,
            ValueKind::String("last".into())
        );
        assert_eq!(
            root.entries().unwrap()[7].key,
            "k8",
            "k7 moves to its last place"
        );
    }

    #[test]
    fn keys_keep_their_spelling() {
        let root = one("1: a\ntrue: b\n? [x, y]\n: c\n");
        let keys: Vec<&str> = root
            .entries()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["1", "true", "[x, y]"]);
    }

    #[test]
    fn accepts_the_spacing_libyaml_accepts_and_keeps_original_spans() {
        let text = "a:\n  b: \"x\n  y\"# glued\n  c: 'p\n  q'\n  é: \"\"# again\n  d: ok\n";
        let root = one(text);
        let a = &root.get("a").unwrap().value;
        assert_eq!(a.get("b").unwrap().value.as_str(), Some("x y"));
        assert_eq!(a.get("c").unwrap().value.as_str(), Some("p q"));
        assert_eq!(slice(text, a.get("b").unwrap().value.span), "\"x\n  y\"");
        assert_eq!(slice(text, a.get("c").unwrap().value.span), "'p\n  q'");
        let e = a.get("é").unwrap();
        assert_eq!(slice(text, e.key_span), "é");
        assert_eq!(slice(text, e.value.span), "\"\"");
        let d = a.get("d").unwrap();
        assert_eq!(slice(text, d.key_span), "d");
        assert_eq!(slice(text, d.value.span), "ok");
        // Real errors still are errors, at their original offset.
        let broken = "a:\n  b: \"x\n  y\"# glued\n  c: [\n";
        let error = parse_stream(broken).unwrap_err();
        assert!(error.offset <= broken.len() && error.offset > broken.find('c').unwrap());
    }

    #[test]
    fn errors_carry_byte_offsets() {
        let text = "é: [\n";
        let error = parse_stream(text).unwrap_err();
        assert!(error.offset <= text.len());
        let text = "ü: ok\nb: *missing\n";
        let error = parse_stream(text).unwrap_err();
        assert_eq!(error.offset, text.find("*missing").unwrap());
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_errors() {
        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            let refs = vec![format!("*{previous}"); 9].join(",");
            bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let error = parse_stream(&bomb).unwrap_err();
        assert!(error.message.contains("aliases expand past"), "{error:?}");

        let deep = "[".repeat(100_000);
        let error = parse_stream(&deep).unwrap_err();
        assert!(error.message.contains("deeper") || !error.message.is_empty());

        let nested = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        let error = parse_stream(&nested).unwrap_err();
        assert!(error.message.contains("deeper than"), "{error:?}");

        // Aliases may not build depth past the limit either.
        let mut stacked = String::from("a0: &a0 [1]\n");
        for i in 1..200 {
            stacked.push_str(&format!("a{i}: &a{i} [[[*a{}]]]\n", i - 1));
        }
        let error = parse_stream(&stacked).unwrap_err();
        assert!(error.message.contains("deeper than"), "{error:?}");

        let mut block = String::new();
        for level in 0..(MAX_DEPTH + 5) {
            block.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
        }
        let error = parse_stream(&block).unwrap_err();
        assert!(error.message.contains("deeper than"), "{error:?}");

        // Nested anchors each keep a copy: that is bounded too.
        let leaves = vec!["x"; 60_000].join(",");
        let opens: String = (0..20).map(|i| format!("&n{i} [")).collect();
        let nested = format!("a: {opens}{leaves}{}\n", "]".repeat(20));
        let error = parse_stream(&nested).unwrap_err();
        assert!(
            error.message.contains("anchors hold more than"),
            "{error:?}"
        );

        let recursive = parse_stream("a: &a [*a]\n").unwrap_err();
        assert!(recursive.message.contains("contains it"), "{recursive:?}");
    }
}
