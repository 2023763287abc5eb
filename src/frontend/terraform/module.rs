//! A Terraform module as declared: the `*.tf` and `*.tf.json` files of one directory, split into
//! variables, locals, resources, module calls and providers, plus the tfvars files Terraform loads
//! automatically when the directory is a root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::eval::{BlockSyntax, Expr};
use super::syntax::{Attribute, Block, Body, TextRange};
pub use crate::frontend::repository::{normalize, outside_repository};
use crate::source::{FileId, Span};
use crate::value::Value;

pub struct VariableDecl<'a> {
    /// `variable "name"`.
    pub header: Span,
    pub default: Option<(Span, Expr<'a>)>,
}

pub struct ResourceDecl<'a> {
    pub resource_type: String,
    pub name: String,
    pub block: BlockSyntax<'a>,
    pub count: Option<Expr<'a>>,
    pub for_each: Option<Expr<'a>>,
}

pub struct ModuleCall<'a> {
    pub name: String,
    pub header: Span,
    /// The `source` string and the span of the attribute.
    pub source: Option<(String, Span)>,
    /// Input variables: name, span of the `name = value` attribute, value expression.
    pub arguments: Vec<(String, Span, Expr<'a>)>,
    pub count: Option<Expr<'a>>,
    pub for_each: Option<Expr<'a>>,
    /// The directory a local `source` resolves to, found on disk on first use: every instance
    /// of the call (and the search for roots) asks for it.
    resolved_dir: std::sync::OnceLock<PathBuf>,
}

impl ModuleCall<'_> {
    /// The directory of a local `source` (`./modules/aks`), resolved from the calling module's
    /// directory `caller` (the same for every call of one module).
    pub fn local_dir(&self, caller: &Path, source: &str) -> &Path {
        self.resolved_dir
            .get_or_init(|| resolve_source(caller, source))
    }
}

/// A tfvars file: `name = value` assignments (HCL) or a JSON object.
#[derive(Clone, Copy)]
pub enum TfvarsFile<'a> {
    Hcl(FileId, &'a Body),
    Json(FileId, &'a Value),
}

pub struct ModuleDir<'a> {
    pub dir: PathBuf,
    /// Some file of the module (for an evaluator's starting point).
    pub first_file: FileId,
    pub variables: BTreeMap<String, VariableDecl<'a>>,
    pub locals: BTreeMap<String, Expr<'a>>,
    pub resources: Vec<ResourceDecl<'a>>,
    pub calls: Vec<ModuleCall<'a>>,
    /// `output "name" { value = ... }`: what a caller reads as `module.<call>.<name>`.
    pub outputs: BTreeMap<String, Expr<'a>>,
    /// `data` blocks that look up policy definitions, by `<type>.<name>`: their `name` (a GUID) or
    /// `display_name` resolves `data.<type>.<name>.id` to a built-in definition's id.
    pub policy_data: BTreeMap<String, PolicyDataDecl<'a>>,
    /// `provider "azapi"` blocks (their `default_tags` apply to azapi resources).
    pub azapi_providers: Vec<BlockSyntax<'a>>,
    /// `terraform.tfvars(.json)` then `*.auto.tfvars(.json)` by name: Terraform's order.
    pub auto_tfvars: Vec<(String, TfvarsFile<'a>)>,
}

/// Meta-arguments of a `module` block, which are not input variables.
const MODULE_META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// A `data "azurerm_policy_definition"` (or set / built-in) block's lookup arguments.
#[derive(Clone, Copy)]
pub struct PolicyDataDecl<'a> {
    pub name: Option<Expr<'a>>,
    pub display_name: Option<Expr<'a>>,
    /// `policySetDefinitions` rather than `policyDefinitions`.
    pub is_set: bool,
}

/// The data sources whose `id` aksguard resolves from their lookup arguments.
pub const POLICY_DATA_TYPES: &[&str] = &[
    "azurerm_policy_definition",
    "azurerm_policy_definition_built_in",
    "azurerm_policy_set_definition",
];

impl<'a> ModuleDir<'a> {
    pub fn new(dir: PathBuf, first_file: FileId) -> ModuleDir<'a> {
        ModuleDir {
            dir,
            first_file,
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            policy_data: BTreeMap::new(),
            resources: Vec::new(),
            calls: Vec::new(),
            outputs: BTreeMap::new(),
            azapi_providers: Vec::new(),
            auto_tfvars: Vec::new(),
        }
    }

    /// A `*.tf` file's blocks; `text` is the file's, which the tree's names point into.
    pub fn add_hcl(&mut self, file: FileId, body: &'a Body, text: &str) {
        let span = |range: TextRange| Span::new(file, range.range());
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(|l| l.text.get(text)).collect();
            let header = span(block.header());
            let attribute = |name: &str| {
                block
                    .body
                    .attribute(name, text)
                    .map(|a| Expr::Hcl(file, &a.value))
            };
            match (block.ident.get(text), labels.as_slice()) {
                ("variable", [name]) => {
                    let default = block
                        .body
                        .attribute("default", text)
                        .map(|a| (span(a.span), Expr::Hcl(file, &a.value)));
                    self.variables
                        .insert(name.to_string(), VariableDecl { header, default });
                }
                ("locals", []) => {
                    for attribute in block.body.attributes() {
                        self.locals.insert(
                            attribute.key.get(text).to_string(),
                            Expr::Hcl(file, &attribute.value),
                        );
                    }
                }
                ("data", [data_type, name]) if POLICY_DATA_TYPES.contains(data_type) => {
                    self.policy_data.insert(
                        format!("{data_type}.{name}"),
                        PolicyDataDecl {
                            name: attribute("name"),
                            display_name: attribute("display_name"),
                            is_set: *data_type == "azurerm_policy_set_definition",
                        },
                    );
                }
                ("resource", [resource_type, name]) => {
                    self.resources.push(ResourceDecl {
                        resource_type: resource_type.to_string(),
                        name: name.to_string(),
                        block: BlockSyntax::Hcl(file, block),
                        count: attribute("count"),
                        for_each: attribute("for_each"),
                    });
                }
                ("module", [name]) => {
                    let mut call = ModuleCall {
                        name: name.to_string(),
                        header,
                        source: None,
                        arguments: Vec::new(),
                        count: None,
                        for_each: None,
                        resolved_dir: std::sync::OnceLock::new(),
                    };
                    call.source = module_source(block, text).and_then(|attribute| {
                        let source = attribute.value.as_str(text)?;
                        Some((source.to_string(), span(attribute.span)))
                    });
                    for attribute in block.body.attributes() {
                        let key = attribute.key.get(text);
                        let expr = Expr::Hcl(file, &attribute.value);
                        match key {
                            "source" => {}
                            "count" => call.count = Some(expr),
                            "for_each" => call.for_each = Some(expr),
                            _ if MODULE_META.contains(&key) => {}
                            _ => call
                                .arguments
                                .push((key.to_string(), span(attribute.span), expr)),
                        }
                    }
                    self.calls.push(call);
                }
                ("output", [name]) => {
                    if let Some(value) = block.body.attribute("value", text) {
                        self.outputs
                            .insert(name.to_string(), Expr::Hcl(file, &value.value));
                    }
                }
                ("provider", ["azapi"]) => self.azapi_providers.push(BlockSyntax::Hcl(file, block)),
                _ => {}
            }
        }
    }

    /// A `*.tf.json` document: the same top-level keys as HCL blocks, nested by label.
    pub fn add_json(&mut self, document: &'a Value) {
        for section in document.entries().unwrap_or(&[]) {
            let named = section.value.entries().unwrap_or(&[]);
            match section.key.as_str() {
                "variable" => {
                    for variable in named {
                        let default = variable
                            .value
                            .get("default")
                            .map(|d| (d.key_span, Expr::Json(&d.value)));
                        self.variables.insert(
                            variable.key.to_string(),
                            VariableDecl {
                                header: variable.key_span,
                                default,
                            },
                        );
                    }
                }
                "locals" => {
                    for local in named {
                        self.locals
                            .insert(local.key.to_string(), Expr::Json(&local.value));
                    }
                }
                "output" => {
                    for output in named {
                        if let Some(value) = output.value.get("value") {
                            self.outputs
                                .insert(output.key.to_string(), Expr::Json(&value.value));
                        }
                    }
                }
                "resource" => {
                    for by_type in named {
                        for resource in by_type.value.entries().unwrap_or(&[]) {
                            let attribute =
                                |name: &str| resource.value.get(name).map(|e| Expr::Json(&e.value));
                            self.resources.push(ResourceDecl {
                                resource_type: by_type.key.to_string(),
                                name: resource.key.to_string(),
                                block: BlockSyntax::Json {
                                    ident: "resource",
                                    labels: [&by_type.key, &resource.key],
                                    header: resource.key_span,
                                    body: &resource.value,
                                },
                                count: attribute("count"),
                                for_each: attribute("for_each"),
                            });
                        }
                    }
                }
                "module" => {
                    for module in named {
                        let mut call = ModuleCall {
                            name: module.key.to_string(),
                            header: module.key_span,
                            source: None,
                            arguments: Vec::new(),
                            count: None,
                            for_each: None,
                            resolved_dir: std::sync::OnceLock::new(),
                        };
                        for entry in module.value.entries().unwrap_or(&[]) {
                            let expr = Expr::Json(&entry.value);
                            match entry.key.as_str() {
                                "source" => {
                                    call.source = entry
                                        .value
                                        .as_str()
                                        .map(|s| (s.to_string(), entry.key_span))
                                }
                                "count" => call.count = Some(expr),
                                "for_each" => call.for_each = Some(expr),
                                key if MODULE_META.contains(&key) => {}
                                key => call.arguments.push((key.to_string(), entry.key_span, expr)),
                            }
                        }
                        self.calls.push(call);
                    }
                }
                "provider" => {
                    for provider in named.iter().filter(|p| p.key == "azapi") {
                        let configs: Vec<&Value> = match provider.value.items() {
                            Some(items) => items.iter().collect(),
                            None => vec![&provider.value],
                        };
                        for body in configs {
                            self.azapi_providers.push(BlockSyntax::Json {
                                ident: "provider",
                                labels: ["azapi", ""],
                                header: provider.key_span,
                                body,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Whether Terraform loads this tfvars file by itself in a root module directory.
pub fn is_auto_tfvars(file_name: &str) -> bool {
    matches!(file_name, "terraform.tfvars" | "terraform.tfvars.json")
        || file_name.ends_with(".auto.tfvars")
        || file_name.ends_with(".auto.tfvars.json")
}

/// Terraform's order for automatic tfvars files: `terraform.tfvars`, `terraform.tfvars.json`,
/// then `*.auto.tfvars(.json)` in lexical order of their names.
pub fn tfvars_order(name: &str) -> (u8, &str) {
    match name {
        "terraform.tfvars" => (0, name),
        "terraform.tfvars.json" => (1, name),
        _ => (2, name),
    }
}

/// Whether a module `source` is a local path (`./x`, `../x`); anything else is fetched by
/// `terraform init` (registry, git, http, …), which aksguard never does.
pub fn is_local_source(source: &str) -> bool {
    source == "."
        || source == ".."
        || source.starts_with("./")
        || source.starts_with("../")
        || source.starts_with(".\\")
        || source.starts_with("..\\")
}

/// A `module` block's `source` attribute: the last one written.
fn module_source<'b>(block: &'b Block, text: &str) -> Option<&'b Attribute> {
    block
        .body
        .attributes()
        .filter(|a| a.key.get(text) == "source")
        .last()
}

/// The `source` of each `module` block of a `*.tf` file that is a plain string, as
/// [`ModuleDir::add_hcl`] reads it, without indexing the rest of the file.
fn module_sources(body: &Body, text: &str) -> Vec<String> {
    body.blocks()
        .filter(|block| block.ident.get(text) == "module" && block.labels.len() == 1)
        .filter_map(|block| module_source(block, text)?.value.as_str(text))
        .map(str::to_string)
        .collect()
}

/// The `*.tf` and `*.tf.json` files of the local modules that `files` call, wherever they are on
/// disk within the caller's repository (as Terraform, tflint and Checkov read them); the shared
/// stage drops those already read.
pub fn local_module_files(
    files: &[crate::frontend::ParsedFile],
    sources: &[crate::source::SourceFile],
) -> Vec<crate::discover::Discovered> {
    use crate::discover::{classify, Discovered, FileKind};
    use rayon::prelude::*;
    // Each file's directory and the local module directories it calls, as written from the
    // caller (not canonical), so reports show the path a user typed; indexing a file is work
    // of its own, so files are read on every core.
    let calls: Vec<(&Path, Vec<PathBuf>)> = files
        .par_iter()
        .with_max_len(1)
        .filter_map(|file| {
            let syntax = file.syntax.downcast_ref::<super::Syntax>()?;
            let source = sources.get(file.id.0 as usize)?;
            let dir = source.path.parent().unwrap_or_else(|| Path::new("."));
            let sources: Vec<String> = match (file.kind, syntax) {
                (FileKind::Terraform, super::Syntax::Hcl(body)) => {
                    module_sources(body, &source.text)
                }
                (FileKind::TerraformJson, super::Syntax::Json(Some(document))) => {
                    let mut module = ModuleDir::new(dir.to_path_buf(), file.id);
                    module.add_json(document);
                    (module.calls.into_iter())
                        .filter_map(|call| call.source.map(|(source, _)| source))
                        .collect()
                }
                _ => return None,
            };
            let targets = (sources.iter())
                .filter(|source| is_local_source(source))
                .map(|source| normalize(&dir.join(source)))
                .collect();
            Some((dir, targets))
        })
        .collect();
    // Each directory's `.terraform/modules` (what `terraform init` downloaded, if it was run
    // there) and each target are looked up on disk once, not once per file that names them: a
    // module called from every root would otherwise cost a canonicalization per call. A target
    // is read when it is a directory inside the repository of any caller.
    let dirs: std::collections::BTreeSet<&Path> = calls.iter().map(|(dir, _)| *dir).collect();
    let mut callers: BTreeMap<PathBuf, std::collections::BTreeSet<&Path>> = BTreeMap::new();
    for (dir, targets) in &calls {
        for target in targets {
            callers.entry(target.clone()).or_default().insert(dir);
        }
    }
    let downloaded: Vec<PathBuf> = dirs
        .par_iter()
        .flat_map_iter(|dir| {
            init_modules(dir).into_iter().filter_map(move |downloaded| {
                let inside =
                    downloaded.dir.is_dir() && outside_repository(dir, &downloaded.dir).is_none();
                inside.then_some(downloaded.dir)
            })
        })
        .collect();
    let called: Vec<PathBuf> = callers
        .into_par_iter()
        .filter(|(target, callers)| {
            target.is_dir()
                && callers
                    .iter()
                    .any(|dir| outside_repository(dir, target).is_none())
        })
        .map(|(target, _)| target)
        .collect();
    let targets: std::collections::BTreeSet<PathBuf> =
        downloaded.into_iter().chain(called).collect();
    let mut found: Vec<Discovered> = targets
        .par_iter()
        .flat_map_iter(|target| {
            let entries = std::fs::read_dir(target).into_iter().flatten().flatten();
            entries.filter_map(|entry| {
                let path = entry.path();
                match classify(&path) {
                    Some(kind @ (FileKind::Terraform | FileKind::TerraformJson))
                        if path.is_file() =>
                    {
                        Some(Discovered { path, kind })
                    }
                    _ => None,
                }
            })
        })
        .collect();
    found.sort();
    found
}

/// A module `terraform init` downloaded, as `.terraform/modules/modules.json` records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitModule {
    /// The call path from the root: `network`, `aks.network`.
    pub key: String,
    pub source: String,
    /// Where the download is, resolved from the root directory.
    pub dir: PathBuf,
}

/// The modules `terraform init` downloaded for the root in `root` (none when it was not run).
pub fn init_modules(root: &Path) -> Vec<InitModule> {
    let Ok(text) = std::fs::read_to_string(root.join(".terraform/modules/modules.json")) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let field = |module: &serde_json::Value, name: &str| {
        module
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    json.get("Modules")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
        .filter_map(|module| {
            let key = field(module, "Key")?;
            let dir = field(module, "Dir")?;
            // The root itself is listed with an empty key.
            (!key.is_empty()).then(|| InitModule {
                key,
                source: field(module, "Source").unwrap_or_default(),
                dir: normalize(&root.join(dir)),
            })
        })
        .collect()
}

/// Whether `dir` is a copy `terraform init` made (`.terraform/modules/...`): such a module is
/// evaluated only through the calls it was downloaded for, never as a root.
pub fn is_downloaded(dir: &Path) -> bool {
    dir.components().any(|c| c.as_os_str() == ".terraform")
}

/// The directory a local `source` names, resolved from the calling module's directory.
pub fn resolve_source(caller: &Path, source: &str) -> PathBuf {
    let joined = caller.join(source);
    std::fs::canonicalize(&joined).unwrap_or_else(|_| normalize(&joined))
}
