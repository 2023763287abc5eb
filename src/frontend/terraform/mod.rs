//! Terraform: HCL syntax (parsed by hcl-edit, kept as the compact [`syntax`] tree) and JSON
//! syntax, module assembly, evaluation and lowering of azurerm and azapi resources into the model.
//!
//! A directory is a module. A module that another scanned module calls through a local `source`
//! is evaluated through each call, with the caller's arguments; every other module is a root,
//! evaluated with its tfvars files and the command line's `--var-file`/`--var`.

mod azapi;
mod azurerm;
mod azurerm_governance;
pub mod eval;
mod functions;
mod instance;
mod lenient;
mod module;
mod options;
mod plan;
pub mod syntax;
mod values;
mod variables;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::{Discovered, FileKind};
use crate::finding::Finding;
use crate::frontend::{json, FrontEnd, Lowered, ParseOutcome, ParsedFile, SyntaxError};
use crate::model::Model;
use crate::source::{FileId, SourceMap};
use crate::value::Value;

pub use options::{Options, OPTIONS};
pub use variables::CliVar;

use instance::{Evaluated, Instantiator, Placement};
use module::{is_auto_tfvars, is_local_source, tfvars_order, ModuleDir, TfvarsFile};

pub const FRONT_END: FrontEnd = FrontEnd {
    name: "terraform",
    claims: |file| {
        matches!(
            file.kind,
            FileKind::Terraform
                | FileKind::TerraformJson
                | FileKind::TfVars
                | FileKind::TfVarsJson
                | FileKind::TerraformPlan
        )
    },
    parse: parse_file,
    set_file: |syntax, id| {
        if let Some(Syntax::Json(Some(value)) | Syntax::Plan(value)) =
            syntax.downcast_mut::<Syntax>()
        {
            value.set_file(id);
        }
    },
    referenced: module::local_module_files,
    directories: None,
    lower: |input| {
        let (model, notes) = build_model(
            input.files,
            input.sources,
            &input.options.front_ends.terraform,
        );
        Lowered { model, notes }
    },
};

/// A parsed `*.tf`/`*.tfvars` (HCL) or `*.tf.json`/`*.tfvars.json` file (`None` when empty), or
/// a `--plan` file.
pub enum Syntax {
    Hcl(syntax::Body),
    Json(Option<Value>),
    Plan(Value),
}

fn parse_file(file: &Discovered, text: &str) -> ParseOutcome {
    let parsed = match file.kind {
        FileKind::TerraformJson | FileKind::TfVarsJson => {
            json::parse(FileId(0), text).map(Syntax::Json)
        }
        FileKind::TerraformPlan => match json::parse(FileId(0), text) {
            Ok(Some(plan)) if plan.get("format_version").is_some() => Ok(Syntax::Plan(plan)),
            Ok(_) => Err(SyntaxError {
                offset: 0,
                message: "not a Terraform plan: `terraform show -json tf.plan` writes an object with `format_version`".to_string(),
            }),
            Err(error) => Err(error),
        },
        _ => parse(text).map(Syntax::Hcl),
    };
    match parsed {
        Ok(syntax) => ParseOutcome::Parsed(Box::new(syntax)),
        Err(error) => ParseOutcome::Failed(error),
    }
}

/// Parse HCL as Terraform does: hcl-edit, with what Terraform accepts and hcl-edit rejects
/// rewritten in place (see [`lenient`]). hcl-edit's tree is dropped as soon as it is converted
/// into the compact one the front end keeps (see [`syntax`]).
pub fn parse(text: &str) -> Result<syntax::Body, SyntaxError> {
    lenient::parse(text).map(|body| syntax::body(&body, text))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| module::normalize(path))
}

/// Assemble the parsed Terraform files into modules, evaluate each root (and, through it, the
/// local modules it calls) and lower the clusters found into the model. Also returns the notes
/// about module calls that could not be followed.
pub fn build_model(
    files: &[ParsedFile],
    sources: &SourceMap,
    inputs: &Options,
) -> (Model, Vec<Finding>) {
    let cli_vars = inputs.cli_vars();
    let var_file_paths: Vec<PathBuf> = inputs.var_files.iter().map(|p| canonical(p)).collect();
    let mut modules: BTreeMap<PathBuf, ModuleDir> = BTreeMap::new();
    let mut auto_tfvars: BTreeMap<PathBuf, Vec<(String, TfvarsFile)>> = BTreeMap::new();
    let mut var_files: Vec<(usize, TfvarsFile)> = Vec::new();
    // Each directory is canonicalized once, not once per file in it.
    let mut canonical_dirs: std::collections::HashMap<&Path, PathBuf> = Default::default();
    for file in files {
        let path = &sources.get(file.id).path;
        let parent = path.parent().unwrap_or_else(|| Path::new("."));
        let dir = canonical_dirs
            .entry(parent)
            .or_insert_with(|| canonical(parent))
            .clone();
        let module = |modules: &mut BTreeMap<PathBuf, ModuleDir<'_>>| {
            modules
                .entry(dir.clone())
                .or_insert_with(|| ModuleDir::new(dir.clone(), file.id));
        };
        let Some(syntax) = file.syntax.downcast_ref::<Syntax>() else {
            continue;
        };
        let tfvars = match (file.kind, syntax) {
            (FileKind::Terraform, Syntax::Hcl(body)) => {
                module(&mut modules);
                if let Some(m) = modules.get_mut(&dir) {
                    m.add_hcl(file.id, body, &sources.get(file.id).text);
                }
                continue;
            }
            (FileKind::TerraformJson, Syntax::Json(Some(document))) => {
                module(&mut modules);
                if let Some(m) = modules.get_mut(&dir) {
                    m.add_json(document);
                }
                continue;
            }
            (FileKind::TfVars, Syntax::Hcl(body)) => TfvarsFile::Hcl(file.id, body),
            (FileKind::TfVarsJson, Syntax::Json(Some(document))) => {
                TfvarsFile::Json(file.id, document)
            }
            _ => continue,
        };
        if !var_file_paths.is_empty() {
            let canonical_path = canonical(path);
            if let Some(at) = var_file_paths.iter().position(|p| *p == canonical_path) {
                var_files.push((at, tfvars));
            }
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if is_auto_tfvars(&name) {
            auto_tfvars.entry(dir).or_default().push((name, tfvars));
        }
    }
    for (dir, mut files) in auto_tfvars {
        if let Some(module) = modules.get_mut(&dir) {
            files.sort_by(|(a, _), (b, _)| tfvars_order(a).cmp(&tfvars_order(b)));
            module.auto_tfvars = files;
        }
    }
    var_files.sort_by_key(|(at, _)| *at);
    let var_files: Vec<TfvarsFile> = var_files.into_iter().map(|(_, f)| f).collect();

    let roots = roots(&modules);
    let shared = shared_top_level_names(&roots, &modules);
    // Roots are independent: each is evaluated on its own (in parallel) with its own budget, so
    // what one root decides never depends on how many others the scan holds; the results join
    // in root order.
    let per_root: Vec<Evaluated> = roots
        .par_iter()
        // One job per root (as per file in `read_and_parse`).
        .with_max_len(1)
        .map(|root| {
            let instantiator = Instantiator {
                sources,
                modules: &modules,
                budget: crate::budget::Budget::new(instance::MODULE_INSTANCE_BUDGET),
                output_budget: crate::budget::Budget::new(instance::MODULE_INSTANCE_BUDGET),
                init_modules: Default::default(),
            };
            let module = &modules[root];
            let variables = variables::root_variables(module, sources, &var_files, &cli_vars);
            // Roots that declare the same top-level names (seven examples each calling
            // `module.aks`) would give the same addresses: each then names its root, so results
            // never merge.
            let prefix = if root_names(module).any(|name| shared.contains(&name)) {
                let file = &sources.get(module.first_file).display;
                let dir = file.rsplit_once('/').map_or(".", |(dir, _)| dir);
                format!("{dir}: ")
            } else {
                String::new()
            };
            let placement = Placement {
                prefix,
                context: Vec::new(),
                depth: 0,
                chain: vec![root.clone()],
                azapi_default_tags: None,
                module_key: Vec::new(),
            };
            let mut evaluated = Evaluated::default();
            instantiator.module(module, variables, &placement, &mut evaluated);
            evaluated
        })
        .collect();
    let mut evaluated = Evaluated::default();
    for part in per_root {
        evaluated.model.extend(part.model);
        evaluated.notes.extend(part.notes);
    }
    let plans: Vec<&Value> = files
        .iter()
        .filter_map(|file| match file.syntax.downcast_ref::<Syntax>() {
            Some(Syntax::Plan(plan)) => Some(plan),
            _ => None,
        })
        .collect();
    if !plans.is_empty() {
        plan::apply(&mut evaluated.model, &mut evaluated.notes, &plans);
    }
    (evaluated.model, evaluated.notes)
}

/// The top-level names a root module declares: `type.name` of its resources, `module.name` of
/// its calls (the first segment of every address it produces).
fn root_names<'m>(module: &'m ModuleDir) -> impl Iterator<Item = String> + 'm {
    module
        .resources
        .iter()
        .map(|r| format!("{}.{}", r.resource_type, r.name))
        .chain(module.calls.iter().map(|c| format!("module.{}", c.name)))
}

/// The top-level names declared by more than one root.
fn shared_top_level_names(
    roots: &[PathBuf],
    modules: &BTreeMap<PathBuf, ModuleDir>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut shared = BTreeSet::new();
    for root in roots {
        let names: BTreeSet<String> = root_names(&modules[root]).collect();
        for name in names {
            if !seen.insert(name.clone()) {
                shared.insert(name);
            }
        }
    }
    shared
}

/// The modules evaluated as roots: those no other scanned module calls, plus any left unreached
/// (modules that only call each other), so every module is evaluated at least once.
fn roots(modules: &BTreeMap<PathBuf, ModuleDir>) -> Vec<PathBuf> {
    let mut calls: BTreeMap<&PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut called = BTreeSet::new();
    for (dir, module) in modules {
        for call in &module.calls {
            let Some((source, _)) = &call.source else {
                continue;
            };
            if !is_local_source(source) {
                continue;
            }
            let target = call.local_dir(dir, source);
            if target != dir.as_path() && modules.contains_key(target) {
                called.insert(target.to_path_buf());
                calls.entry(dir).or_default().push(target.to_path_buf());
            }
        }
    }
    let mut roots: Vec<PathBuf> = modules
        .keys()
        .filter(|dir| !called.contains(*dir) && !module::is_downloaded(dir))
        .cloned()
        .collect();
    let mut reached: BTreeSet<PathBuf> = BTreeSet::new();
    let mut stack = roots.clone();
    while let Some(dir) = stack.pop() {
        if reached.insert(dir.clone()) {
            stack.extend(calls.get(&dir).into_iter().flatten().cloned());
        }
    }
    roots.extend(
        modules
            .keys()
            .filter(|d| !reached.contains(*d) && !module::is_downloaded(d))
            .cloned(),
    );
    roots
}
