//! Helm charts on disk: finding them, reading their files, computing `.Values` as Helm does
//! (chart defaults, then values files, then `--set`; subchart scopes and `global`;
//! dependency conditions and tags), rendering every template, and turning the rendered text
//! back into spanned documents whose spans point at the template text or the values key each
//! part came from.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::budget::Budget;
use crate::finding::{Finding, Level, Outcome};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::value::{Related, Unknown, UnknownCause, Value, ValueKind};

use super::template::data::{from_value, Struct};
use super::template::{exec, parse, Engine, Fail, Kind, Named, Origin, Place, Seg, Text, Val};

/// One chart as read from disk, its files numbered in the scan's source map.
#[derive(Debug)]
pub struct ChartSource {
    pub dir: PathBuf,
    /// Files by path relative to the chart directory (`/`-separated), sorted.
    pub files: Vec<(String, FileId)>,
    pub subcharts: Vec<ChartSource>,
    /// `charts/*.tgz` archives, which are not read.
    pub archives: Vec<String>,
}

/// Most files and bytes read from one chart (with its subcharts).
const MAX_CHART_FILES: usize = 5_000;
const MAX_CHART_BYTES: usize = 64 << 20;
/// Evaluation steps one chart's rendering may take.
pub const RENDER_BUDGET: usize = 2_000_000;
/// Deepest subchart nesting followed.
const MAX_SUBCHART_DEPTH: usize = 10;

/// Directories holding a `Chart.yaml` among the discovered files, outermost only (a subchart is
/// rendered as part of its parent).
pub fn chart_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "Chart.yaml"))
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    roots.sort();
    roots.dedup();
    // A root below another is a subchart: looked up by its ancestors, not against every root.
    let all: std::collections::HashSet<PathBuf> = roots.iter().cloned().collect();
    roots.retain(|root| !root.ancestors().skip(1).any(|dir| all.contains(dir)));
    roots
}

/// Read a chart's files into `sources` (in sorted order, so file ids are deterministic).
/// Subcharts are directories under `charts/` or `.tgz` archives there (as `helm dependency
/// build` leaves them), unpacked in memory within the same bounds.
pub fn load(dir: &Path, sources: &mut SourceMap) -> ChartSource {
    let mut budget = (MAX_CHART_FILES, MAX_CHART_BYTES);
    let mut files = Vec::new();
    read_tree(dir, &mut files, &mut budget);
    from_files(dir.to_path_buf(), files, sources, &mut budget, 0)
}

/// One file of a chart: its path relative to the chart, where reports show it, its bytes.
type ChartFile = (String, PathBuf, Vec<u8>);

/// Every file below `dir` (sorted, `.git` left out), within the bounds.
fn read_tree(dir: &Path, out: &mut Vec<ChartFile>, budget: &mut (usize, usize)) {
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, relative)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && name != ".git" {
                stack.push((entry.path(), rel));
            } else if kind.is_file() {
                let size = entry.metadata().map_or(0, |m| m.len() as usize);
                if budget.0 == 0 || size > budget.1 {
                    continue;
                }
                let Ok(bytes) = std::fs::read(entry.path()) else {
                    continue;
                };
                budget.0 -= 1;
                budget.1 -= bytes.len().min(budget.1);
                out.push((rel, entry.path(), bytes));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
}

/// The files of a `.tgz` chart archive, relative to the chart directory inside it.
fn unpack(bytes: &[u8], shown: &Path, budget: &mut (usize, usize)) -> Option<Vec<ChartFile>> {
    use std::io::Read;
    let decoder = flate2::read::GzDecoder::new(bytes);
    // A decompression bomb stops at the byte bound, not at the end of memory.
    let mut archive = tar::Archive::new(decoder.take(budget.1 as u64 + 1));
    let mut files = Vec::new();
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().ok()?.to_string_lossy().replace('\\', "/");
        // `<chart>/templates/x.yaml`: drop the top directory.
        let Some((_, rel)) = path.split_once('/') else {
            continue;
        };
        if rel.split('/').any(|part| part == "..") || budget.0 == 0 {
            continue;
        }
        let mut content = Vec::new();
        entry.read_to_end(&mut content).ok()?;
        if content.len() > budget.1 {
            return None;
        }
        budget.0 -= 1;
        budget.1 -= content.len();
        files.push((rel.to_string(), shown.join(&path), content));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Some(files)
}

fn from_files(
    dir: PathBuf,
    files: Vec<ChartFile>,
    sources: &mut SourceMap,
    budget: &mut (usize, usize),
    depth: usize,
) -> ChartSource {
    let mut chart = ChartSource {
        dir,
        files: Vec::new(),
        subcharts: Vec::new(),
        archives: Vec::new(),
    };
    let mut subdirs: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();
    for (rel, path, bytes) in files {
        if let Some(rest) = rel.strip_prefix("charts/") {
            match rest.split_once('/') {
                Some((sub, inner)) => subdirs.entry(sub.to_string()).or_default().push((
                    inner.to_string(),
                    path,
                    bytes,
                )),
                None if rest.ends_with(".tgz") || rest.ends_with(".tar.gz") => {
                    let unpacked = (depth < MAX_SUBCHART_DEPTH)
                        .then(|| unpack(&bytes, &path, budget))
                        .flatten()
                        .filter(|files| files.iter().any(|(r, _, _)| r == "Chart.yaml"));
                    match unpacked {
                        Some(files) => chart.subcharts.push(from_files(
                            path,
                            files,
                            sources,
                            budget,
                            depth + 1,
                        )),
                        None => chart.archives.push(rest.to_string()),
                    }
                }
                None => {}
            }
            continue;
        }
        // Binary files (images in a chart) cannot be templates or values; `.Files` sees text.
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        let id = sources.push(SourceFile::new(path, text));
        chart.files.push((rel, id));
    }
    for (name, files) in subdirs {
        if depth < MAX_SUBCHART_DEPTH && files.iter().any(|(r, _, _)| r == "Chart.yaml") {
            let sub_dir = chart.dir.join("charts").join(&name);
            chart
                .subcharts
                .push(from_files(sub_dir, files, sources, budget, depth + 1));
        }
    }
    chart
}

/// What a chart rendered to: documents with the places that explain them, and notes (E003) for
/// what could not be rendered.
#[derive(Debug, Default)]
pub struct Rendered {
    pub documents: Vec<Document>,
    pub notes: Vec<Finding>,
}

#[derive(Debug)]
pub struct Document {
    /// The template that rendered it (`chart/templates/cluster.yaml`).
    pub template: String,
    pub value: Value,
    /// Blocks an `if`/`with` left out of this document because of a values key: the span of
    /// the condition in the template, and the values key with a sentence saying so.
    pub skipped: Vec<(Span, Related)>,
}

/// The user's values: parsed values files in merge order, and `--set` assignments.
#[derive(Debug, Default, Clone)]
pub struct UserValues {
    pub files: Vec<Value>,
    pub set: Vec<String>,
}

type YamlParse = dyn Fn(&str) -> Result<Vec<Value>, (usize, String)> + Sync;

/// The chart's rendering text (for `aksguard render`): each template's output, or why not.
pub fn render_text(
    chart: &ChartSource,
    sources: &SourceMap,
    user: &UserValues,
    parse_yaml: &YamlParse,
) -> Vec<(String, Result<String, String>)> {
    let mut out = Vec::new();
    render_with(chart, sources, user, parse_yaml, &mut |name, result| {
        out.push((
            name.to_string(),
            result.map(|t| t.s.clone()).map_err(|f| f.message()),
        ));
    });
    out
}

/// Render `chart` and read its output back as documents.
pub fn render(
    chart: &ChartSource,
    sources: &SourceMap,
    user: &UserValues,
    parse_yaml: &YamlParse,
) -> Rendered {
    let mut rendered = Rendered::default();
    let mut notes = Vec::new();
    let chart_name = chart_name(chart, sources);
    let mut results = Vec::new();
    notes.extend(render_with(
        chart,
        sources,
        user,
        parse_yaml,
        &mut |name, result| {
            results.push((name.to_string(), result.cloned().map_err(Fail::clone)));
        },
    ));
    // One note per failing construct, listing the templates it leaves unrendered (a helper
    // that many templates include is said once).
    let mut failures: Vec<(Span, bool, String, Vec<String>)> = Vec::new();
    for (name, result) in results {
        let template_span = template_file_span(chart, sources, &name);
        match result {
            Err(Fail::Break) | Err(Fail::Continue) => {}
            Err(fail) => {
                let helm_fails = matches!(fail, Fail::Error { .. });
                let span = fail
                    .span()
                    .filter(|s| *s != Span::default())
                    .unwrap_or(template_span);
                let message = fail.message();
                match failures
                    .iter_mut()
                    .find(|(s, h, m, _)| *s == span && *h == helm_fails && *m == message)
                {
                    Some((_, _, _, templates)) => templates.push(name),
                    None => failures.push((span, helm_fails, message, vec![name])),
                }
            }
            Ok(_) if name.ends_with("/NOTES.txt") => {}
            Ok(text) => match parse_yaml(&text.s) {
                Err((offset, message)) => {
                    let at = crate::frontend::character_at(&text.s, offset);
                    let (span, _, _) = remap_span(&Segments::new(&text), at, true);
                    notes.push(note(
                        span,
                        format!("Helm fails on {name}: its rendering is not YAML ({message}); what it would declare is unknown"),
                        &chart_name,
                    ));
                }
                Ok(documents) => rendered
                    .documents
                    .extend(documents_of(&name, &text, documents, sources)),
            },
        }
    }
    for (span, helm_fails, message, templates) in failures {
        let (list, verb) = match templates.len() {
            1 => (templates[0].clone(), "is"),
            n => (format!("{n} templates ({})", templates.join(", ")), "are"),
        };
        let message = if helm_fails {
            format!("Helm fails to render {list}: {message}; what it would declare is unknown")
        } else {
            format!("{list} {verb} not rendered: {message}; what it would declare is unknown")
        };
        notes.push(note(span, message, &chart_name));
    }
    rendered.notes.extend(notes);
    rendered
}

/// The note for a chart whose rendering failed inside aksguard.
pub fn internal_error(chart: &ChartSource, sources: &SourceMap) -> Finding {
    let name = chart_name(chart, sources);
    let span = file_id(chart, "Chart.yaml").map_or(Span::default(), |id| Span::new(id, 0..0));
    note(
        span,
        format!("chart {name} is not rendered: aksguard's renderer failed on it (please report this); what it would declare is unknown"),
        &name,
    )
}

fn note(span: Span, message: String, chart: &str) -> Finding {
    Finding {
        rule: "E003",
        level: Level::Note,
        outcome: Outcome::Unknown,
        span,
        message,
        resource: Some(format!("chart {chart}")),
        related: Vec::new(),
        help: Some(
            "render the chart with `helm template` and scan the output (`helm template ... | aksguard scan -`), or make the values decide it statically".to_string(),
        ),
    }
}

pub fn file_id(chart: &ChartSource, rel: &str) -> Option<FileId> {
    chart
        .files
        .iter()
        .find(|(r, _)| r == rel)
        .map(|(_, id)| *id)
}

fn template_file_span(chart: &ChartSource, sources: &SourceMap, name: &str) -> Span {
    fn find(chart: &ChartSource, prefix: &str, name: &str) -> Option<Span> {
        for (rel, id) in &chart.files {
            if format!("{prefix}/{rel}") == name {
                return Some(Span::new(*id, 0..0));
            }
        }
        None
    }
    let mut stack = vec![(chart, chart_name(chart, sources))];
    while let Some((c, prefix)) = stack.pop() {
        if let Some(span) = find(c, &prefix, name) {
            return span;
        }
        for sub in &c.subcharts {
            stack.push((sub, format!("{prefix}/charts/{}", chart_name(sub, sources))));
        }
    }
    file_id(chart, "Chart.yaml").map_or(Span::default(), |id| Span::new(id, 0..0))
}

fn dir_name(dir: &Path) -> String {
    dir.file_name()
        .map_or_else(|| "chart".to_string(), |n| n.to_string_lossy().into_owned())
}

fn parse_file(
    chart: &ChartSource,
    sources: &SourceMap,
    rel: &str,
    parse_yaml: &YamlParse,
) -> Option<Value> {
    let id = file_id(chart, rel)?;
    let text = &sources.get(id).text;
    let mut documents = parse_yaml(text).ok()?;
    let mut first = documents.drain(..).next()?;
    yaml11_booleans(&mut first, text, 0);
    first.set_file(id);
    Some(first)
}

/// Helm reads values with go-yaml v2, where plain `yes`/`no`/`on`/`off` (and `y`/`n`) are
/// booleans (YAML 1.1); the shared parser follows YAML 1.2, where they are strings. A plain
/// scalar is recognised by its source text being exactly the word, without quotes.
pub fn yaml11_booleans(value: &mut Value, text: &str, depth: usize) {
    if depth > 200 {
        return;
    }
    match &mut value.kind {
        ValueKind::String(s) => {
            let written = text.get(value.span.range()).unwrap_or_default();
            if written == s.as_str() {
                let b = match written {
                    "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
                    "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
                    _ => None,
                };
                if let Some(b) = b {
                    value.kind = ValueKind::Bool(b);
                }
            }
        }
        ValueKind::List(items) => items
            .iter_mut()
            .for_each(|v| yaml11_booleans(v, text, depth + 1)),
        ValueKind::Object(entries) => entries
            .iter_mut()
            .for_each(|e| yaml11_booleans(&mut e.value, text, depth + 1)),
        _ => {}
    }
}

/// The chart's `name` from Chart.yaml (what Helm names its templates by), else its directory.
fn chart_name(chart: &ChartSource, sources: &SourceMap) -> String {
    let parse =
        |text: &str| crate::frontend::yaml::parse_stream(text).map_err(|e| (e.offset, e.message));
    parse_file(chart, sources, "Chart.yaml", &parse)
        .and_then(|metadata| {
            metadata
                .get("name")
                .and_then(|e| e.value.as_str().map(str::to_string))
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| dir_name(&chart.dir))
}

/// The E003 note for an enabled dependency the chart does not vendor.
fn missing_dependency(chart: &ChartSource, chart_name: &str, name: &str, span: Span) -> Finding {
    let packaged = chart
        .archives
        .iter()
        .any(|a| a.starts_with(&format!("{name}-")));
    let message = if packaged {
        format!("chart {chart_name}: dependency `{name}` is vendored only as a packaged archive under charts/ that aksguard cannot read (not a gzipped tar of a chart, or past the size bounds); what it would deploy is unknown")
    } else {
        format!("chart {chart_name}: dependency `{name}` is not vendored under charts/ (run `helm dependency build`); what it would deploy is unknown")
    };
    note(span, message, chart_name)
}

/// Render every template of `chart` and its enabled subcharts, calling `each` with each
/// manifest template's name and result, in name order.
fn render_with(
    chart: &ChartSource,
    sources: &SourceMap,
    user: &UserValues,
    parse_yaml: &YamlParse,
    each: &mut dyn FnMut(&str, Result<&Text, &Fail>),
) -> Vec<Finding> {
    let budget = Budget::new(RENDER_BUDGET);
    let mut user_values = Val::map(BTreeMap::new());
    for file in &user.files {
        user_values = merge_user(user_values, from_value(file));
    }
    for assignment in &user.set {
        if let Some(Kind::Map(map)) = Some(&user_values.kind) {
            set_path(map, assignment);
        }
    }
    let mut plan = Vec::new();
    collect(
        chart,
        sources,
        parse_yaml,
        user_values,
        None,
        &chart_name(chart, sources),
        0,
        &mut plan,
    );
    let notes: Vec<Finding> = plan.iter().flat_map(|p| p.notes.iter().cloned()).collect();
    // Subcharts' templates are parsed first, so the parent's defines win, as in Helm.
    plan.sort_by(|a, b| b.depth.cmp(&a.depth).then(a.prefix.cmp(&b.prefix)));
    let mut named: HashMap<String, Named> = HashMap::new();
    let mut parse_errors: Vec<(String, Fail)> = Vec::new();
    let mut manifests: Vec<(String, usize)> = Vec::new();
    for (index, item) in plan.iter().enumerate() {
        for (rel, id) in &item.chart.files {
            let Some(template) = rel.strip_prefix("templates/") else {
                continue;
            };
            let name = format!("{}/{rel}", item.prefix);
            match parse::parse(&sources.get(*id).text) {
                Ok(parsed) => {
                    for (define, nodes) in parsed.defines {
                        named.insert(
                            define,
                            Named {
                                nodes: Rc::new(nodes),
                                place: Place::File(*id),
                            },
                        );
                    }
                    named.insert(
                        name.clone(),
                        Named {
                            nodes: Rc::new(parsed.body),
                            place: Place::File(*id),
                        },
                    );
                }
                Err(error) => parse_errors.push((
                    name.clone(),
                    Fail::Error {
                        message: format!("template parse error: {}", error.message),
                        at: Span::new(*id, error.offset..error.offset),
                    },
                )),
            }
            let base = template.rsplit('/').next().unwrap_or(template);
            // NOTES.txt is rendered too (a failure there fails Helm), but it is no manifest.
            if !base.starts_with('_') {
                manifests.push((name, index));
            }
        }
    }
    // Helm parses every template before rendering any: one that does not parse fails the chart.
    if let Some((_, fail)) = parse_errors.first() {
        for (name, _) in &manifests {
            if let Some((_, own)) = parse_errors.iter().find(|(n, _)| n == name) {
                each(name, Err(own));
            } else {
                each(name, Err(fail));
            }
        }
        return notes;
    }
    manifests.sort();
    let yaml_values = |text: &str| parse_yaml(text).map_err(|(_, message)| message);
    let engine = Engine {
        named,
        budget: &budget,
        parse_yaml: &yaml_values,
    };
    for (name, index) in manifests {
        let item = &plan[index];
        let mut top = item.top.clone();
        top.insert(
            "Template".to_string(),
            Val::map(BTreeMap::from([
                ("Name".to_string(), Val::str(name.clone())),
                (
                    "BasePath".to_string(),
                    Val::str(format!("{}/templates", item.prefix)),
                ),
            ])),
        );
        let result = engine.execute(&name, Val::map(top));
        each(&name, result.as_ref());
    }
    notes
}

struct Planned<'c> {
    chart: &'c ChartSource,
    prefix: String,
    depth: usize,
    top: BTreeMap<String, Val>,
    /// Enabled dependencies that are not vendored.
    notes: Vec<Finding>,
}

#[allow(clippy::too_many_arguments)]
fn collect<'c>(
    chart: &'c ChartSource,
    sources: &SourceMap,
    parse_yaml: &YamlParse,
    user: Val,
    parent_globals: Option<Val>,
    prefix: &str,
    depth: usize,
    plan: &mut Vec<Planned<'c>>,
) -> Val {
    let metadata = parse_file(chart, sources, "Chart.yaml", parse_yaml);
    let defaults = parse_file(chart, sources, "values.yaml", parse_yaml)
        .filter(|v| v.entries().is_some())
        .map(|v| from_value(&v))
        .unwrap_or_else(|| Val::map(BTreeMap::new()));
    let values = coalesce(user, defaults);
    if let (Some(globals), Kind::Map(map)) = (parent_globals, &values.kind) {
        let own = map
            .borrow()
            .get("global")
            .cloned()
            .unwrap_or_else(|| Val::map(BTreeMap::new()));
        map.borrow_mut()
            .insert("global".to_string(), coalesce(globals, own));
    }
    let metadata_val = metadata.as_ref().map(chart_struct).unwrap_or_else(|| {
        chart_struct(&Value::new(ValueKind::Object(Vec::new()), Span::default()))
    });
    let files = chart
        .files
        .iter()
        .filter(|(rel, _)| {
            !rel.starts_with("templates/")
                && !matches!(
                    rel.as_str(),
                    "Chart.yaml"
                        | "values.yaml"
                        | "Chart.lock"
                        | "values.schema.json"
                        | "requirements.yaml"
                        | "requirements.lock"
                        | ".helmignore"
                )
        })
        .map(|(rel, id)| (rel.clone(), sources.get(*id).text.clone()))
        .collect();
    let mut top = BTreeMap::new();
    top.insert("Values".to_string(), values.clone());
    top.insert("Release".to_string(), release());
    top.insert("Chart".to_string(), metadata_val);
    top.insert("Capabilities".to_string(), capabilities());
    top.insert("Files".to_string(), Val::new(Kind::Files(Rc::new(files))));
    // Chart API v2 lists dependencies in Chart.yaml; v1 in requirements.yaml.
    let requirements = parse_file(chart, sources, "requirements.yaml", parse_yaml);
    let dependencies: Vec<Value> = metadata
        .as_ref()
        .and_then(|m| m.get("dependencies"))
        .or_else(|| requirements.as_ref().and_then(|r| r.get("dependencies")))
        .and_then(|e| e.value.items())
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let globals = match &values.kind {
        Kind::Map(map) => map.borrow().get("global").cloned(),
        _ => None,
    };
    let vendored: Vec<String> = chart
        .subcharts
        .iter()
        .map(|s| chart_name(s, sources))
        .collect();
    let own_name = chart_name(chart, sources);
    let notes: Vec<Finding> = dependencies
        .iter()
        .filter(|d| enabled(d, &values))
        .filter_map(|d| {
            let name = d.get("name")?.value.as_str()?;
            (!vendored.iter().any(|v| v == name))
                .then(|| missing_dependency(chart, &own_name, name, d.span))
        })
        .collect();
    let own_index = plan.len();
    let mut notes: Vec<Finding> = notes;
    for archive in &chart.archives {
        let listed = dependencies.iter().any(|d| {
            d.get("name")
                .and_then(|e| e.value.as_str())
                .is_some_and(|name| archive.starts_with(&format!("{name}-")))
        });
        if !listed {
            let span =
                file_id(chart, "Chart.yaml").map_or(Span::default(), |id| Span::new(id, 0..0));
            notes.push(note(
                span,
                format!("chart {own_name}: packaged subchart charts/{archive} cannot be read (not a gzipped tar of a chart, or past the size bounds); what it would deploy is unknown"),
                &own_name,
            ));
        }
    }
    for rel in ["values.yaml", "Chart.yaml"] {
        if let Some(id) = file_id(chart, rel) {
            let source = sources.get(id);
            if let Err((offset, message)) = parse_yaml(&source.text) {
                notes.push(crate::frontend::syntax_error(id, source, offset, message));
            }
        }
    }
    plan.push(Planned {
        chart,
        prefix: prefix.to_string(),
        depth,
        top,
        notes,
    });
    let mut subcharts = BTreeMap::new();
    for sub in &chart.subcharts {
        let sub_meta = parse_file(sub, sources, "Chart.yaml", parse_yaml);
        let sub_name = sub_meta
            .as_ref()
            .and_then(|m| m.get("name"))
            .and_then(|e| e.value.as_str().map(str::to_string))
            .unwrap_or_else(|| dir_name(&sub.dir));
        // A subchart listed under several aliases is rendered once per alias, named by it.
        let listed: Vec<&Value> = dependencies
            .iter()
            .filter(|d| d.get("name").and_then(|e| e.value.as_str()) == Some(sub_name.as_str()))
            .collect();
        let instances: Vec<(String, bool)> = if listed.is_empty() {
            vec![(sub_name.clone(), true)]
        } else {
            listed
                .iter()
                .map(|d| {
                    let alias = d
                        .get("alias")
                        .and_then(|e| e.value.as_str().map(str::to_string))
                        .unwrap_or_else(|| sub_name.clone());
                    (alias, enabled(d, &values))
                })
                .collect()
        };
        for (alias, on) in instances {
            if !on {
                continue;
            }
            let scoped = match &values.kind {
                Kind::Map(map) => map
                    .borrow()
                    .get(&alias)
                    .cloned()
                    .filter(|v| matches!(v.kind, Kind::Map(_))),
                _ => None,
            }
            .unwrap_or_else(|| Val::map(BTreeMap::new()))
            .deep_copy();
            let sub_index = plan.len();
            let sub_values = collect(
                sub,
                sources,
                parse_yaml,
                scoped,
                globals.clone(),
                &format!("{prefix}/charts/{alias}"),
                depth + 1,
                plan,
            );
            if alias != sub_name {
                if let Some(Kind::Map(chart_map)) =
                    plan[sub_index].top.get("Chart").map(|c| &c.kind)
                {
                    chart_map
                        .borrow_mut()
                        .insert("Name".to_string(), Val::str(alias.clone()));
                }
            }
            // As in Helm, the parent sees each subchart's coalesced values under its name, and
            // its whole top-level data under `.Subcharts`.
            if let Kind::Map(map) = &values.kind {
                map.borrow_mut().insert(alias.clone(), sub_values);
            }
            subcharts.insert(alias, Val::map(plan[sub_index].top.clone()));
        }
    }
    plan[own_index]
        .top
        .insert("Subcharts".to_string(), Val::map(subcharts));
    values
}

/// Whether a dependency is enabled: its first `condition` path that holds a bool decides; else
/// its `tags` (any true enables, all false disables); else it is enabled.
fn enabled(dependency: &Value, values: &Val) -> bool {
    let lookup = |path: &str| -> Option<Val> {
        let mut current = values.clone();
        for part in path.split('.') {
            let next = match &current.kind {
                Kind::Map(map) => map.borrow().get(part).cloned(),
                _ => None,
            };
            current = next?;
        }
        Some(current)
    };
    if let Some(condition) = dependency.get("condition").and_then(|e| e.value.as_str()) {
        for path in condition
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            if let Some(Val {
                kind: Kind::Bool(b),
                ..
            }) = lookup(path)
            {
                return b;
            }
        }
    }
    let tags: Vec<&str> = dependency
        .get("tags")
        .and_then(|e| e.value.items())
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if tags.is_empty() {
        return true;
    }
    let states: Vec<bool> = tags
        .iter()
        .filter_map(|tag| match lookup(&format!("tags.{tag}")) {
            Some(Val {
                kind: Kind::Bool(b),
                ..
            }) => Some(b),
            _ => None,
        })
        .collect();
    states.is_empty() || states.iter().any(|b| *b)
}

/// Helm's coalescing of the user's values over a chart's defaults: maps merge key by key, the
/// user's value wins, and a user `null` deletes the key.
pub fn coalesce(user: Val, defaults: Val) -> Val {
    coalesce_at(user, defaults, 0)
}

fn coalesce_at(user: Val, defaults: Val, depth: usize) -> Val {
    match (&user.kind, &defaults.kind) {
        (Kind::Map(u), Kind::Map(d)) if depth < 100 => {
            let mut merged: BTreeMap<String, Val> = d
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (key, value) in u.borrow().iter() {
                if value.is_nil() {
                    merged.remove(key);
                    continue;
                }
                let next = match merged.remove(key) {
                    Some(existing) => coalesce_at(value.clone(), existing, depth + 1),
                    None => value.clone(),
                };
                merged.insert(key.clone(), next);
            }
            Val::map(merged).at(user.at.or(defaults.at))
        }
        _ => user,
    }
}

/// Values files merged in order, later ones winning, nested maps merged (Helm's `mergeMaps`).
fn merge_user(base: Val, next: Val) -> Val {
    match (&base.kind, &next.kind) {
        (Kind::Map(b), Kind::Map(n)) => {
            let mut merged: BTreeMap<String, Val> = b
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (key, value) in n.borrow().iter() {
                let value = match merged.remove(key) {
                    Some(existing) => merge_user(existing, value.clone()),
                    None => value.clone(),
                };
                merged.insert(key.clone(), value);
            }
            Val::map(merged)
        }
        _ => next,
    }
}

/// Apply one `--set` argument (`a.b=c,d[0]=e,f={x,y}`) as Helm's `strvals` does: `\` escapes
/// `,` `.` `=` `[`; values `true`/`false`/`null` and integers are typed, the rest strings.
pub fn set_path(root: &super::template::data::Map, assignment: &str) {
    for pair in split_unescaped(assignment, ',', true) {
        let Some((key, value)) = split_once_unescaped(&pair, '=') else {
            // `a.b` alone sets nothing in Helm 3 (it is an error); ignored here.
            continue;
        };
        let value = if value.starts_with('{') && value.ends_with('}') {
            let inner = &value[1..value.len() - 1];
            Val::list(
                split_unescaped(inner, ',', false)
                    .iter()
                    .map(|s| typed(s))
                    .collect(),
            )
        } else {
            typed(&value)
        };
        let path = split_unescaped(&key, '.', false);
        set_in(root, &path, value, 0);
    }
}

fn typed(raw: &str) -> Val {
    let text = unescape(raw);
    match text.as_str() {
        "true" => Val::bool(true),
        "false" => Val::bool(false),
        "null" => Val::nil(),
        _ => match text.parse::<i64>() {
            Ok(n) if !(text.len() > 1 && text.starts_with('0')) => Val::int(n),
            _ => Val::str(text),
        },
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Split at unescaped `sep`, keeping escapes (and, for the pair level, commas inside `{}`).
fn split_unescaped(s: &str, sep: char, braces: bool) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            '{' if braces => {
                depth += 1;
                current.push(c);
            }
            '}' if braces => {
                depth -= 1;
                current.push(c);
            }
            c if c == sep && depth == 0 => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

fn split_once_unescaped(s: &str, sep: char) -> Option<(String, String)> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            return Some((s[..i].to_string(), s[i + 1..].to_string()));
        }
    }
    None
}

fn set_in(map: &super::template::data::Map, path: &[String], value: Val, depth: usize) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if depth > 100 {
        return;
    }
    // `name[2]`: a list index on this key.
    let (key, index) = match first.find('[') {
        Some(open) if first.ends_with(']') && !first[..open].ends_with('\\') => {
            let index = first[open + 1..first.len() - 1].parse::<usize>().ok();
            (unescape(&first[..open]), index)
        }
        _ => (unescape(first), None),
    };
    let mut entries = map.borrow_mut();
    match index {
        Some(index) if index <= 10_000 => {
            let mut list = match entries.get(&key).map(|v| &v.kind) {
                Some(Kind::List(items)) => items.as_ref().clone(),
                _ => Vec::new(),
            };
            while list.len() <= index {
                list.push(Val::nil());
            }
            if rest.is_empty() {
                list[index] = value;
            } else {
                let child = match &list[index].kind {
                    Kind::Map(child) => child.clone(),
                    _ => {
                        let fresh = Val::map(BTreeMap::new());
                        list[index] = fresh;
                        match &list[index].kind {
                            Kind::Map(child) => child.clone(),
                            _ => return,
                        }
                    }
                };
                set_in(&child, rest, value, depth + 1);
            }
            entries.insert(key, Val::list(list));
        }
        Some(_) => {}
        None if rest.is_empty() => {
            entries.insert(key, value);
        }
        None => {
            let existing = entries.get(&key).and_then(|v| match &v.kind {
                Kind::Map(child) => Some(child.clone()),
                _ => None,
            });
            let child = match existing {
                Some(child) => child,
                None => {
                    let fresh = Val::map(BTreeMap::new());
                    let Kind::Map(child) = &fresh.kind else {
                        return;
                    };
                    let child = child.clone();
                    entries.insert(key, fresh);
                    child
                }
            };
            drop(entries);
            set_in(&child, rest, value, depth + 1);
        }
    }
}

fn release() -> Val {
    Val::map(BTreeMap::from([
        ("Name".to_string(), Val::str("release-name")),
        ("Namespace".to_string(), Val::str("default")),
        ("Service".to_string(), Val::str("Helm")),
        ("IsInstall".to_string(), Val::bool(true)),
        ("IsUpgrade".to_string(), Val::bool(false)),
        ("Revision".to_string(), Val::int(1)),
    ]))
}

/// The Kubernetes version `helm template` assumes without `--kube-version` (Helm v4.2's default).
const KUBE_MINOR: u32 = 36;

/// `.Capabilities.APIVersions` of `helm template` without `--api-versions`, in Helm's order:
/// every group/version its client-go scheme knows plus apiextensions, without kinds. Custom
/// resources are never listed. (Read from Helm v4.2 through the oracle.)
const BUILTIN_APIS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

fn capabilities() -> Val {
    let version = format!("v1.{KUBE_MINOR}.0");
    let kube = Struct {
        type_name: "*common.KubeVersion",
        shown: Some(version.clone()),
        fields: BTreeMap::from([
            ("Version".to_string(), Val::str(version.clone())),
            ("GitVersion".to_string(), Val::str(version.clone())),
            ("Major".to_string(), Val::str("1")),
            ("Minor".to_string(), Val::str(KUBE_MINOR.to_string())),
        ]),
    };
    let apis = BUILTIN_APIS.iter().map(|s| s.to_string()).collect();
    let helm = Struct {
        type_name: "common.HelmVersion",
        shown: None,
        fields: BTreeMap::from([
            ("Version".to_string(), Val::str("v4.2")),
            ("GitCommit".to_string(), Val::str("")),
            ("GitTreeState".to_string(), Val::str("")),
            ("GoVersion".to_string(), Val::str("")),
        ]),
    };
    Val::new(Kind::Struct(Rc::new(Struct {
        type_name: "*common.Capabilities",
        shown: None,
        fields: BTreeMap::from([
            (
                "KubeVersion".to_string(),
                Val::new(Kind::Struct(Rc::new(kube))),
            ),
            (
                "APIVersions".to_string(),
                Val::new(Kind::ApiVersions(Rc::new(apis))),
            ),
            (
                "HelmVersion".to_string(),
                Val::new(Kind::Struct(Rc::new(helm))),
            ),
        ]),
    })))
}

/// `.Chart`: Chart.yaml's fields under Go's capitalised names; absent ones are zero values.
fn chart_struct(metadata: &Value) -> Val {
    const FIELDS: &[(&str, &str)] = &[
        ("Name", "name"),
        ("Home", "home"),
        ("Sources", "sources"),
        ("Version", "version"),
        ("Description", "description"),
        ("Keywords", "keywords"),
        ("Maintainers", "maintainers"),
        ("Icon", "icon"),
        ("APIVersion", "apiVersion"),
        ("Condition", "condition"),
        ("Tags", "tags"),
        ("AppVersion", "appVersion"),
        ("Deprecated", "deprecated"),
        ("Annotations", "annotations"),
        ("KubeVersion", "kubeVersion"),
        ("Dependencies", "dependencies"),
        ("Type", "type"),
    ];
    let mut fields = BTreeMap::new();
    for (go, yaml) in FIELDS {
        let value = match metadata.get(yaml) {
            Some(entry) => {
                let v = from_value(&entry.value);
                // Chart.yaml strings stay strings (a version `1.0` is "1.0").
                match (&v.kind, &entry.value.kind) {
                    (Kind::Float(_), _) => {
                        Val::str(crate::value::format_number(match entry.value.kind {
                            ValueKind::Number(n) => n,
                            _ => 0.0,
                        }))
                        .at(v.at)
                    }
                    _ => v,
                }
            }
            None => match *go {
                "Deprecated" => Val::bool(false),
                "Sources" | "Keywords" | "Maintainers" | "Dependencies" => Val::nil(),
                "Annotations" => Val::nil(),
                _ => Val::str(""),
            },
        };
        fields.insert(go.to_string(), value);
    }
    // Helm v4 passes the metadata as a map (a missing field is nil, not an error).
    Val::map(fields)
}

/// The documents of one template's output, with spans pointed back at their origins.
fn documents_of(
    template: &str,
    text: &Text,
    documents: Vec<Value>,
    sources: &SourceMap,
) -> Vec<Document> {
    let segments = Segments::new(text);
    let ends: Vec<usize> = documents.iter().map(|d| d.span.end as usize).collect();
    let mut out = Vec::new();
    for (i, mut document) in documents.into_iter().enumerate() {
        if document.is_null() {
            continue;
        }
        let start = if i == 0 { 0 } else { ends[i - 1] };
        let end = if i + 1 == ends.len() {
            text.s.len()
        } else {
            ends[i]
        };
        let skipped = skipped_blocks(&segments.segs, start..end, sources);
        remap(&mut document, &segments, 0);
        out.push(Document {
            template: template.to_string(),
            value: document,
            skipped,
        });
    }
    out
}

/// A rendering's segments sorted by where they start, with how far those up to each reach, so
/// the segments covering a range are found by binary search: a manifest has a value on every
/// line, and a template's output thousands of segments.
struct Segments {
    segs: Vec<Seg>,
    /// `reach[i]`: the largest end among `segs[..=i]` (so never decreasing).
    reach: Vec<usize>,
}

impl Segments {
    fn new(text: &Text) -> Segments {
        let mut segs = text.segs.clone();
        segs.sort_by_key(|s| (s.range.start, s.range.end));
        let reach = (segs.iter())
            .scan(0, |reach, s| {
                *reach = s.range.end.max(*reach);
                Some(*reach)
            })
            .collect();
        Segments { segs, reach }
    }

    /// The segments that start before `end`, from the first that ends after `start`: every
    /// segment overlapping `start..end` is among them.
    fn around(&self, start: usize, end: usize) -> &[Seg] {
        let from = self.reach.partition_point(|&reach| reach <= start);
        let to = self.segs.partition_point(|s| s.range.start < end);
        &self.segs[from.min(to)..to]
    }
}

fn skipped_blocks(
    segs: &[Seg],
    range: std::ops::Range<usize>,
    sources: &SourceMap,
) -> Vec<(Span, Related)> {
    let mut related = Vec::new();
    for seg in segs {
        if !seg.range.is_empty() || seg.range.start < range.start || seg.range.start > range.end {
            continue;
        }
        if let Origin::Value { value, action } = &seg.origin {
            let condition = sources
                .get(action.file)
                .text
                .get(action.range())
                .unwrap_or("the condition")
                .trim();
            let entry = Related {
                span: *value,
                message: format!(
                    "`{condition}` left a block of this manifest out because of this value"
                ),
            };
            let entry = (*action, entry);
            if !related.contains(&entry) {
                related.push(entry);
            }
        }
    }
    related
}

/// The origin of rendered range `range`: its span, the action that printed it (for a value
/// from the values), and the reason when the text stands for an unknown value.
fn remap_span(
    segments: &Segments,
    range: std::ops::Range<usize>,
    scalar: bool,
) -> (Span, Option<Related>, Option<Rc<str>>) {
    let end = range.end.max(range.start + 1);
    let covering: Vec<&Seg> = (segments.around(range.start, end).iter())
        .filter(|s| !s.range.is_empty() && s.range.start < end && s.range.end > range.start)
        .collect();
    // A container is where its first key is; a scalar is what was printed into it.
    let all = covering.clone();
    let covering: Vec<&Seg> = if scalar {
        covering
    } else {
        covering.into_iter().take(1).collect()
    };
    if let Some(seg) = covering
        .iter()
        .find(|s| matches!(s.origin, Origin::Unknown { .. }))
    {
        if let Origin::Unknown { reason, action } = &seg.origin {
            return (*action, None, Some(reason.clone()));
        }
    }
    // A value printed inside a scalar decides it: the finding points at the values key.
    if let Some(seg) = covering
        .iter()
        .find(|s| matches!(s.origin, Origin::Value { .. }))
    {
        if let Origin::Value { value, action } = &seg.origin {
            return (
                *value,
                Some(Related {
                    span: *action,
                    message: "rendered into the manifest by this template action".to_string(),
                }),
                None,
            );
        }
    }
    let Some(first) = covering.first() else {
        // Segments after those `around` gives start at or after `end`, so end after `start`.
        let to = segments.segs.partition_point(|s| s.range.start < end);
        let before = (segments.segs[..to].iter().rev()).find(|s| s.range.end <= range.start);
        return (
            before.map_or(Span::default(), |s| origin_span(&s.origin)),
            None,
            None,
        );
    };
    match &first.origin {
        Origin::Literal(span) if first.range.len() == span.range().len() => {
            let start =
                span.start + (range.start.max(first.range.start) - first.range.start) as u32;
            // The end is the last template text of the same file inside the range, so a block
            // spans the template lines it was rendered from.
            let last = all.iter().rev().find(|s| matches!(&s.origin, Origin::Literal(l) if l.file == span.file && s.range.len() == l.range().len() && l.start >= span.start));
            let end = match last {
                Some(seg) => {
                    let Origin::Literal(l) = &seg.origin else {
                        unreachable!()
                    };
                    l.start + (range.end.min(seg.range.end) - seg.range.start) as u32
                }
                None => span.end,
            };
            (
                Span {
                    file: span.file,
                    start,
                    end: end.max(start),
                },
                None,
                None,
            )
        }
        other => (origin_span(other), None, None),
    }
}

fn origin_span(origin: &Origin) -> Span {
    match origin {
        Origin::Literal(span) | Origin::Action(span) => *span,
        Origin::Value { action, .. } | Origin::Unknown { action, .. } => *action,
    }
}

fn remap(value: &mut Value, segments: &Segments, depth: usize) {
    let scalar = !matches!(value.kind, ValueKind::List(_) | ValueKind::Object(_));
    let (span, related, unknown) = remap_span(segments, value.span.range(), scalar);
    value.span = span;
    if let Some(related) = related {
        if !value.provenance.contains(&related) {
            value.provenance.push(related);
        }
    }
    if depth > 300 {
        return;
    }
    match &mut value.kind {
        ValueKind::List(items) => (items.iter_mut()).for_each(|v| remap(v, segments, depth + 1)),
        ValueKind::Object(entries) => {
            for entry in entries {
                entry.key_span = remap_span(segments, entry.key_span.range(), true).0;
                remap(&mut entry.value, segments, depth + 1);
            }
        }
        ValueKind::String(s) => {
            if let Some(reason) = unknown.filter(|_| s.contains(exec::UNKNOWN_PLACEHOLDER)) {
                value.kind = ValueKind::Unknown(Box::new(Unknown::new(
                    UnknownCause::Computed,
                    format!("the chart computes this value at install time: {reason}"),
                )));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Val {
        let parsed = crate::frontend::yaml::parse_stream(text).unwrap();
        from_value(&parsed[0])
    }

    fn show(v: &Val) -> String {
        super::super::template::gofmt::v(v)
    }

    #[test]
    fn segments_around_a_range_are_those_a_full_scan_finds() {
        // Overlapping, nested, empty and out-of-order segments, from a fixed pseudo-random walk.
        let mut seed = 7u64;
        let mut next = |bound: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % bound
        };
        for _ in 0..200 {
            let segs: Vec<Seg> = (0..next(30))
                .map(|_| {
                    let start = next(100);
                    Seg {
                        range: start..start + next(3) * next(20),
                        origin: Origin::Action(Span::default()),
                    }
                })
                .collect();
            let segments = Segments::new(&Text {
                s: String::new(),
                segs,
            });
            for _ in 0..50 {
                let (start, end) = (next(110), next(110));
                let overlaps = |s: &&Seg| s.range.start < end && s.range.end > start;
                let found: Vec<&Seg> = segments
                    .around(start, end)
                    .iter()
                    .filter(overlaps)
                    .collect();
                let all: Vec<&Seg> = segments.segs.iter().filter(overlaps).collect();
                assert_eq!(found, all, "{start}..{end}");
            }
        }
    }

    #[test]
    fn user_values_win_and_null_deletes() {
        let merged = coalesce(
            values("a: {b: 2, x: null}\nc: null\n"),
            values("a: {b: 1, d: 3}\nc: 4\ne: 5\n"),
        );
        assert_eq!(show(&merged), "map[a:map[b:2 d:3] e:5]");
    }

    #[test]
    fn plain_yes_no_on_off_in_values_are_booleans_as_in_helm() {
        let text = "a: off\nb: \"no\"\nc: yes\nd: [n, 'y']\n";
        let mut parsed = crate::frontend::yaml::parse_stream(text).unwrap().remove(0);
        yaml11_booleans(&mut parsed, text, 0);
        assert_eq!(
            show(&from_value(&parsed)),
            "map[a:false b:no c:true d:[false y]]"
        );
    }

    #[test]
    fn set_syntax_follows_strvals() {
        let root = Val::map(BTreeMap::new());
        let Kind::Map(map) = &root.kind else { panic!() };
        set_path(map, "a.b=1,c=true,d={x,y},e[1]=z,f=a\\,b,g\\.h=0123");
        assert_eq!(
            show(&root),
            "map[a:map[b:1] c:true d:[x y] e:[<nil> z] f:a,b g.h:0123]"
        );
    }
}
