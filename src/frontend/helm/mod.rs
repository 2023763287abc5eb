//! Helm charts: a directory with `Chart.yaml` is rendered as `helm template` renders it (with
//! the chart's values, then the user's values files, then `--set`), and the rendered manifests
//! are read as Kubernetes objects whose spans point back at the template text or the values
//! key each part came from. Its templates are never read as plain YAML: Helm is the front end
//! that reads directories ([`crate::frontend::Directories`]), each chart one parsed entry.

pub mod chart;
mod options;
pub mod template;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::{Discovered, FileKind};
use crate::finding::Finding;
use crate::frontend::{Directories, FrontEnd, Lowered, ParseOutcome, ParsedFile, ReadDirectories};
use crate::source::{SourceFile, SourceMap};
use crate::value::Value;

pub use chart::{ChartSource, Document, UserValues};
pub use options::{Options, OPTIONS};

pub const FRONT_END: FrontEnd = FrontEnd {
    name: "helm",
    // A chart is read as a whole (its templates are not YAML), never one file at a time.
    claims: |_| false,
    parse: |_, _| ParseOutcome::Skipped,
    set_file: |_, _| {},
    referenced: |_, _| Vec::new(),
    directories: Some(Directories {
        take: take_charts,
        read: |roots, options| {
            let helm = &options.front_ends.helm;
            read_charts(roots, &helm.values_files, &helm.set)
        },
        shift_files: |syntax, offset| {
            if let Some(rendered) = syntax.downcast_mut::<chart::Rendered>() {
                shift_rendered(rendered, offset);
            }
        },
    }),
    lower: |input| {
        let charts: Vec<&chart::Rendered> = input
            .files
            .iter()
            .filter_map(|file| file.syntax.downcast_ref::<chart::Rendered>())
            .collect();
        Lowered {
            model: lower(charts.iter().flat_map(|chart| &chart.documents)),
            // Templates that could not be rendered, dependencies not vendored (E003).
            notes: charts
                .iter()
                .flat_map(|chart| chart.notes.clone())
                .collect(),
        }
    },
};

/// Remove the files of every chart from `files` (they are rendered, not scanned as manifests)
/// and return the chart directories.
fn take_charts(files: &mut Vec<Discovered>) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    // A file inside a chart whose Chart.yaml is not among the scanned paths (`aksguard scan
    // chart/templates/`) still belongs to that chart: the outermost one above it. Files share
    // directories, so each directory is asked about its Chart.yaml once.
    let mut holds_chart: HashMap<PathBuf, bool> = HashMap::new();
    for file in files.iter() {
        if file.kind != crate::discover::FileKind::Yaml {
            continue;
        }
        let outermost = file
            .path
            .ancestors()
            .skip(1)
            .map(|dir| {
                if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                }
            })
            .filter(|dir| {
                *holds_chart
                    .entry(dir.to_path_buf())
                    .or_insert_with(|| dir.join("Chart.yaml").is_file())
            })
            .last();
        if let Some(dir) = outermost {
            paths.push(dir.join("Chart.yaml"));
        }
    }
    let roots = chart::chart_roots(&paths);
    if !roots.is_empty() {
        let chart_dirs: HashSet<&Path> = roots.iter().map(PathBuf::as_path).collect();
        files.retain(|f| !f.path.ancestors().any(|dir| chart_dirs.contains(dir)));
    }
    roots
}

/// Stack for one chart's rendering: templates nest and include each other, and debug builds
/// use large frames.
const RENDER_STACK: usize = 64 << 20;

fn parse_yaml(text: &str) -> Result<Vec<Value>, (usize, String)> {
    crate::frontend::yaml::parse_stream(text).map_err(|e| (e.offset, e.message))
}

/// Read the values files, then load and render every chart (in parallel, one chart per task),
/// into a source map of its own, so that this runs beside the parsing of every other file: one
/// parsed entry per chart (what it rendered to, at its `Chart.yaml`), and E001 for values files
/// that do not parse.
fn read_charts(roots: &[PathBuf], values_files: &[PathBuf], set: &[String]) -> ReadDirectories {
    let mut read = ReadDirectories {
        sources: SourceMap::new(Vec::new()),
        files: Vec::new(),
        errors: Vec::new(),
    };
    if roots.is_empty() {
        return read;
    }
    let user = read_values(values_files, &mut read.sources, &mut read.errors);
    let charts: Vec<ChartSource> = roots
        .iter()
        .map(|root| chart::load(root, &mut read.sources))
        .collect();
    let user = UserValues {
        files: user,
        set: set.to_vec(),
    };
    let shared: &SourceMap = &read.sources;
    let rendered: Vec<chart::Rendered> = charts
        .par_iter()
        // One job per chart (as per file in `read_and_parse`).
        .with_max_len(1)
        .map(|chart| render_on_big_stack(chart, shared, &user))
        .collect();
    read.files = charts
        .iter()
        .zip(rendered)
        .map(|(chart, rendered)| ParsedFile {
            id: chart::file_id(chart, "Chart.yaml").unwrap_or_default(),
            kind: FileKind::Yaml,
            syntax: Box::new(rendered),
            referenced: false,
        })
        .collect();
    read
}

/// Point a chart's rendering at its files' ids once they join the scan's sources after
/// `offset` others.
fn shift_rendered(rendered: &mut chart::Rendered, offset: u32) {
    let shift = |span: &mut crate::source::Span| span.file.0 += offset;
    for document in &mut rendered.documents {
        shift_value(&mut document.value, offset, 0);
        for (condition, related) in &mut document.skipped {
            shift(condition);
            shift(&mut related.span);
        }
    }
    for finding in &mut rendered.notes {
        shift(&mut finding.span);
        finding.related.iter_mut().for_each(|r| shift(&mut r.span));
    }
}

fn shift_value(value: &mut Value, offset: u32, depth: usize) {
    value.span.file.0 += offset;
    value
        .provenance
        .iter_mut()
        .for_each(|r| r.span.file.0 += offset);
    if depth > 300 {
        return;
    }
    match &mut value.kind {
        crate::value::ValueKind::List(items) => items
            .iter_mut()
            .for_each(|v| shift_value(v, offset, depth + 1)),
        crate::value::ValueKind::Object(entries) => entries.iter_mut().for_each(|e| {
            e.key_span.file.0 += offset;
            shift_value(&mut e.value, offset, depth + 1)
        }),
        _ => {}
    }
}

fn render_on_big_stack(
    chart: &ChartSource,
    sources: &SourceMap,
    user: &UserValues,
) -> chart::Rendered {
    let rendered = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(RENDER_STACK)
            .spawn_scoped(scope, || chart::render(chart, sources, user, &parse_yaml))
            .ok()
            .and_then(|handle| handle.join().ok())
    });
    // A renderer bug must not pass silently: the chart is then reported unknown.
    rendered.unwrap_or_else(|| chart::Rendered {
        documents: Vec::new(),
        notes: vec![chart::internal_error(chart, sources)],
    })
}

fn read_values(
    paths: &[PathBuf],
    sources: &mut SourceMap,
    errors: &mut Vec<Finding>,
) -> Vec<Value> {
    let mut values = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let id = sources.push(SourceFile::new(path.clone(), text));
        match parse_yaml(&sources.get(id).text) {
            Ok(documents) => {
                if let Some(mut first) = documents.into_iter().next() {
                    chart::yaml11_booleans(&mut first, &sources.get(id).text, 0);
                    first.set_file(id);
                    values.push(first);
                }
            }
            Err((offset, message)) => {
                let source = sources.get(id);
                errors.push(crate::frontend::syntax_error(id, source, offset, message));
            }
        }
    }
    values
}

/// `aksguard render CHART`: each template's rendered text, or why it was not rendered.
pub fn render_for_display(
    dir: &Path,
    values_files: &[PathBuf],
    set: &[String],
) -> Vec<(String, Result<String, String>)> {
    let mut sources = SourceMap::new(Vec::new());
    let mut errors = Vec::new();
    let user = read_values(values_files, &mut sources, &mut errors);
    let chart = chart::load(dir, &mut sources);
    let user = UserValues {
        files: user,
        set: set.to_vec(),
    };
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(RENDER_STACK)
            .spawn_scoped(scope, || {
                chart::render_text(&chart, &sources, &user, &parse_yaml)
            })
            .ok()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    })
}

/// Lower the rendered documents as Kubernetes objects. A block an `{{ if }}` left out explains
/// a missing setting when the condition stands inside the block that should hold the setting.
fn lower<'d>(documents: impl Iterator<Item = &'d Document>) -> crate::model::Model {
    let mut model = crate::model::Model::default();
    for document in documents {
        let lowered = crate::frontend::kubernetes::lower_documents(
            std::slice::from_ref(&document.value),
            &[],
        );
        for cluster in &lowered.clusters {
            let holders = [
                absent_holder(&cluster.defender),
                absent_holder(&cluster.azure_policy),
                absent_holder(&cluster.tags),
            ];
            for holder in holders.into_iter().flatten() {
                for (condition, related) in &document.skipped {
                    let inside = condition.file == holder.file
                        && holder.start <= condition.start
                        && condition.end <= holder.end;
                    let reason = crate::model::AbsentReason {
                        holder,
                        related: related.clone(),
                    };
                    if inside && !model.absent_reasons.contains(&reason) {
                        model.absent_reasons.push(reason);
                    }
                }
            }
        }
        model.extend(lowered);
    }
    model
}

fn absent_holder<T>(setting: &crate::model::Setting<T>) -> Option<crate::source::Span> {
    match setting {
        crate::model::Setting::Absent { holder } => Some(*holder),
        _ => None,
    }
}
