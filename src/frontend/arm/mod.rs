//! ARM deployment templates (what `bicep build` emits) and their parameter files.
//!
//! Files are recognised by `$schema`: `*deploymentTemplate.json` (resource group, subscription,
//! management group and tenant variants) and `deploymentParameters.json`. Any other JSON is not
//! ours and is skipped silently. JSON that does not parse is reported (E001) only when its text
//! names a deployment template or parameters schema, since a broken `package.json` is not IaC.
//!
//! Each template is evaluated once per parameter file (name-paired, or every `--param-file`),
//! or once with its defaults when it has none; the lib deduplicates identical results.

pub mod expr;
pub(crate) mod links;
mod lower;
mod options;
pub mod params;
pub mod prune;
mod template;

use std::collections::BTreeSet;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::discover::FileKind;
use crate::finding::Finding;
use crate::frontend::arm_shape::governance;
use crate::frontend::{json, FrontEnd, Lowered, ParseOutcome, SyntaxError};
use crate::model::Model;
use crate::source::{FileId, SourceMap};
use crate::value::{Value, ValueKind};

pub use options::{Options, OPTIONS};

use expr::eval::{Context, DeployScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Template,
    Parameters,
    /// A standalone policy definition or initiative (`{"properties": {"policyRule": ...}}` or
    /// `{"properties": {"policyDefinitions": [...]}}`), as Azure Landing Zones and Enterprise
    /// Policy as Code repositories keep them: read as a definition, never walked as a template.
    PolicyDefinition,
    /// A template `bicep build` compiled (`metadata._generator.name == "bicep"`) from the `.bicep`
    /// file beside it. Its results are the source's, reported on the `.bicep` by the Bicep front
    /// end, so its tree is not kept (in Bicep repositories that commit `main.json`, these are most
    /// of the bytes); it is parsed again from its text only when that `.bicep` is not read as a
    /// template in this scan (left out of the paths, or broken).
    CompiledFromBicep,
}

/// A parsed template or parameter file.
#[derive(Debug)]
pub struct Document {
    pub id: FileId,
    pub kind: DocumentKind,
    pub root: Value,
}

/// What a `*.json` file is to aksguard.
#[derive(Debug)]
pub enum Recognised {
    Document(DocumentKind, Value),
    /// Not a deployment template or parameter file: skipped silently.
    NotArm,
    Failed(SyntaxError),
}

pub const FRONT_END: FrontEnd = FrontEnd {
    name: "arm",
    claims: |file| file.kind == FileKind::Json,
    parse: |file, text| {
        if file.path.with_extension("bicep").is_file() && is_compiled_template(text) {
            return ParseOutcome::Parsed(Box::new(Document {
                id: FileId(0),
                kind: DocumentKind::CompiledFromBicep,
                root: Value::new(ValueKind::Null, crate::source::Span::default()),
            }));
        }
        match recognise(text) {
            Recognised::Document(kind, root) => ParseOutcome::Parsed(Box::new(Document {
                id: FileId(0),
                kind,
                root,
            })),
            Recognised::NotArm => ParseOutcome::Skipped,
            Recognised::Failed(error) => ParseOutcome::Failed(error),
        }
    },
    set_file: |syntax, id| {
        if let Some(document) = syntax.downcast_mut::<Document>() {
            document.id = id;
            document.root.set_file(id);
        }
    },
    referenced: links::referenced_files,
    directories: None,
    lower: |input| {
        // A template `bicep build` compiled from a `.bicep` beside it is reported once, on the
        // source, by the Bicep front end; when that source is not read, the template is.
        let bicep_templates =
            crate::frontend::bicep::template_paths(input.files_of("bicep"), input.sources);
        let (compiled, mut documents): (Vec<&Document>, Vec<&Document>) = input
            .files
            .iter()
            .filter_map(|file| file.syntax.downcast_ref::<Document>())
            .partition(|d| d.kind == DocumentKind::CompiledFromBicep);
        let source_unread: Vec<Document> = compiled
            .into_iter()
            .filter(|d| {
                !bicep_templates.contains(&input.sources.get(d.id).path.with_extension("bicep"))
            })
            .filter_map(|d| compiled_template_again(d.id, input.sources))
            .collect();
        documents.extend(&source_unread);
        documents.sort_by_key(|d| d.id);
        let linked_only: BTreeSet<FileId> = input
            .files
            .iter()
            .filter(|file| file.referenced)
            .map(|file| file.id)
            .collect();
        let output = build_model(
            &documents,
            &linked_only,
            input.sources,
            &input.options.front_ends.arm.param_files,
        );
        Lowered {
            model: output.model,
            notes: output.not_analysed,
        }
    },
};

/// Parse and recognise `text`. Values carry `FileId(0)` until [`Document::new`] points them at the file.
pub fn recognise(text: &str) -> Recognised {
    match json::parse_shaped(FileId(0), text, prune::Part::Root, prune::shape) {
        Ok(Some(root)) => {
            let kind = root
                .get_ignore_case("$schema")
                .and_then(|s| s.value.as_str())
                .and_then(schema_kind);
            match kind.or_else(|| standalone_policy(&root)) {
                Some(DocumentKind::Template) => {
                    let mut root = root;
                    prune::drop_unread_template_parts(&mut root);
                    Recognised::Document(DocumentKind::Template, root)
                }
                Some(kind) => Recognised::Document(kind, root),
                None => Recognised::NotArm,
            }
        }
        Ok(None) => Recognised::NotArm,
        Err(error) if names_arm_schema(text) => Recognised::Failed(error),
        Err(_) => Recognised::NotArm,
    }
}

/// Whether `text` is a deployment template `bicep build` wrote. Only the top level's `$schema`
/// and `metadata` are built; the rest is checked as JSON, with the same errors, but not built: a
/// compiled twin's tree is never kept, and in Bicep repositories that commit `main.json` these
/// templates are most of the bytes (building and pruning them took twice as long). A file that
/// does not parse is not one: [`recognise`] then reports it as any other.
fn is_compiled_template(text: &str) -> bool {
    let top_level_only = |top_level: bool, key: Option<&str>, _: &[crate::value::Entry]| {
        let kept =
            |k: &str| k.eq_ignore_ascii_case("$schema") || k.eq_ignore_ascii_case("metadata");
        match key {
            _ if !top_level => Some(false),
            Some(key) if kept(key) => Some(false),
            _ => None,
        }
    };
    let Ok(Some(root)) = json::parse_shaped(FileId(0), text, true, top_level_only) else {
        return false;
    };
    let kind = root
        .get_ignore_case("$schema")
        .and_then(|s| s.value.as_str())
        .and_then(schema_kind);
    kind == Some(DocumentKind::Template) && compiled_from_bicep(&root)
}

/// Whether `bicep build` wrote this template (`metadata._generator.name == "bicep"`).
fn compiled_from_bicep(root: &Value) -> bool {
    let generator = root
        .get_ignore_case("metadata")
        .and_then(|m| m.value.get_ignore_case("_generator"))
        .and_then(|g| g.value.get_ignore_case("name"))
        .map(|n| &n.value.kind);
    matches!(generator, Some(ValueKind::String(name)) if name.eq_ignore_ascii_case("bicep"))
}

/// A compiled template whose `.bicep` source is not read after all, parsed again from the text
/// read at the start (it parsed then, so it parses now).
fn compiled_template_again(id: FileId, sources: &SourceMap) -> Option<Document> {
    match recognise(&sources.get(id).text) {
        Recognised::Document(DocumentKind::Template, mut root) => {
            root.set_file(id);
            Some(Document {
                id,
                kind: DocumentKind::Template,
                root,
            })
        }
        _ => None,
    }
}

/// A standalone policy definition (`properties.policyRule` an object) or initiative
/// (`properties.policyDefinitions` an array): it has no deployment `$schema`.
fn standalone_policy(root: &Value) -> Option<DocumentKind> {
    let properties = policy_properties(root)?;
    let rule = properties
        .get_ignore_case("policyRule")
        .is_some_and(|r| r.value.entries().is_some());
    let members = properties
        .get_ignore_case("policyDefinitions")
        .is_some_and(|m| m.value.items().is_some());
    (rule || members).then_some(DocumentKind::PolicyDefinition)
}

/// A standalone file's definition properties: its `properties`, or the file itself when it is
/// only the properties (`{"mode", "parameters", "policyRule"}`, as `az policy definition
/// create --rules` files and some samples keep them).
fn policy_properties(root: &Value) -> Option<&Value> {
    if root
        .get_ignore_case("policyRule")
        .is_some_and(|r| r.value.entries().is_some())
    {
        return Some(root);
    }
    root.get_ignore_case("properties").map(|p| &p.value)
}

/// Lower a standalone policy definition or initiative file: its strings are the policy language
/// already (no template around them escapes `[[`), so nothing is evaluated here.
fn standalone_policy_model(document: &Document, sources: &SourceMap) -> Model {
    let wrapped;
    let root = if document.root.get_ignore_case("policyRule").is_some() {
        // Only the properties: lowered as the definition they are the properties of.
        wrapped = Value::new(
            ValueKind::Object(vec![crate::value::Entry {
                key: "properties".into(),
                key_span: document.root.span,
                value: document.root.clone(),
            }]),
            document.root.span,
        );
        &wrapped
    } else {
        &document.root
    };
    let properties = root.get_ignore_case("properties").map(|p| &p.value);
    let is_set = properties
        .and_then(|p| p.get_ignore_case("policyRule"))
        .is_none();
    let full_type = if is_set {
        "Microsoft.Authorization/policySetDefinitions"
    } else {
        "Microsoft.Authorization/policyDefinitions"
    };
    let path = &sources.get(document.id).path;
    let name = root
        .get_ignore_case("name")
        .and_then(|n| n.value.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    // Findings point at the rule (or the member list), which is what makes the file a policy.
    let header = properties
        .and_then(|p| {
            p.get_ignore_case("policyRule")
                .or_else(|| p.get_ignore_case("policyDefinitions"))
        })
        .map_or(root.span, |e| e.key_span);
    let resource = governance::ArmResource {
        resource: root,
        dialect: crate::model::Dialect::Arm,
        deployed_at: crate::model::AssignmentScope::Unknown,
        full_type,
        name: &name,
        header,
        context: Vec::new(),
    };
    let mut model = Model::default();
    governance::lower(&resource, &|v: &Value| v.clone(), &mut model);
    model
}

pub(super) fn schema_kind(schema: &str) -> Option<DocumentKind> {
    let schema = schema.to_ascii_lowercase();
    if schema.contains("deploymenttemplate.json") {
        Some(DocumentKind::Template)
    } else if schema.contains("deploymentparameters.json") {
        Some(DocumentKind::Parameters)
    } else {
        None
    }
}

fn names_arm_schema(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("deploymenttemplate.json") || text.contains("deploymentparameters.json")
}

/// Whether a resource type is relative to its parent's: it has no namespace (`subnets`,
/// `providers/extensions`, against `Microsoft.Network/virtualNetworks`).
pub(crate) fn relative_type(short_type: &str) -> bool {
    !short_type.split('/').next().unwrap_or("").contains('.')
}

/// The scope a template deploys to, from its `$schema`.
pub(crate) fn template_scope(template: &Value) -> DeployScope {
    let schema = template
        .get_ignore_case("$schema")
        .and_then(|s| s.value.as_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if schema.contains("subscriptiondeploymenttemplate") {
        DeployScope::Subscription { subscription: None }
    } else if schema.contains("managementgroupdeploymenttemplate") {
        DeployScope::ManagementGroup { group: None }
    } else if schema.contains("tenantdeploymenttemplate") {
        DeployScope::Tenant
    } else {
        DeployScope::ResourceGroup {
            subscription: None,
            group: None,
        }
    }
}

impl Document {
    pub fn new(id: FileId, kind: DocumentKind, mut root: Value) -> Document {
        root.set_file(id);
        Document { id, kind, root }
    }
}

/// What the ARM front end found: clusters for the rules, and linked deployments it could not
/// follow (E003 notes).
#[derive(Debug)]
pub struct ArmOutput {
    pub model: Model,
    pub not_analysed: Vec<Finding>,
    /// Resource instances still allowed in this template's evaluation (with each of its
    /// parameter files): nested `copy` loops multiply.
    pub budget: crate::budget::Budget,
    /// Templates this evaluation reached through links.
    pub linked: BTreeSet<FileId>,
}

/// Most resource `copy` iterations and nested deployments expanded through one template.
pub const ARM_INSTANCE_BUDGET: usize = 2_000;

impl Default for ArmOutput {
    fn default() -> ArmOutput {
        ArmOutput {
            model: Model::default(),
            not_analysed: Vec::new(),
            budget: crate::budget::Budget::new(ARM_INSTANCE_BUDGET),
            linked: BTreeSet::new(),
        }
    }
}

/// Evaluate every template with each of its parameter files (or its defaults) and lower what it
/// deploys. `param_files` are the `--param-file` paths: when given, they replace name pairing.
/// A template that another one links to is evaluated through that link, with the arguments it
/// passes, not again on its own with its defaults; `linked_only` were read only for links.
pub fn build_model(
    documents: &[&Document],
    linked_only: &BTreeSet<FileId>,
    sources: &SourceMap,
    param_files: &[PathBuf],
) -> ArmOutput {
    let library = links::Library::new(documents, sources);
    let explicit = params::explicit(documents, sources, param_files);
    let parameter_index = params::ParameterIndex::new(documents, sources);
    // Templates are independent: each is evaluated on its own (in parallel) with its own budget,
    // so what one decides never depends on how many others the scan holds.
    let per_root: Vec<(FileId, ArmOutput)> = documents
        .par_iter()
        // One job per template (as per file in `read_and_parse`).
        .with_max_len(1)
        .filter(|d| d.kind == DocumentKind::Template && !linked_only.contains(&d.id))
        .map(|template| {
            let mut output = ArmOutput::default();
            let parameter_files = if param_files.is_empty() {
                params::paired(template, &parameter_index, sources)
            } else {
                explicit.clone()
            };
            let inputs: Vec<Option<&Document>> = if parameter_files.is_empty() {
                vec![None]
            } else {
                parameter_files.into_iter().map(Some).collect()
            };
            for input in inputs {
                let (supplied, missing) = params::supplied(input, sources);
                let mut context = Context::new(
                    &template.root,
                    supplied,
                    template_scope(&template.root),
                    missing,
                );
                context.template_uri = Some(links::template_uri(&sources.get(template.id).path));
                template::walk(template, &context, &library, sources, &mut output);
            }
            (template.id, output)
        })
        .collect();
    // Templates no other root links to are the tops; what a top links to is reported through it.
    let reached = |root: FileId| {
        per_root
            .iter()
            .any(|(other, output)| *other != root && output.linked.contains(&root))
    };
    let tops: BTreeSet<FileId> = per_root
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !reached(*id))
        .collect();
    let through_tops: BTreeSet<FileId> = per_root
        .iter()
        .filter(|(id, _)| tops.contains(id))
        .flat_map(|(_, output)| output.linked.iter().copied())
        .collect();
    let mut all = ArmOutput::default();
    for document in documents
        .iter()
        .filter(|d| d.kind == DocumentKind::PolicyDefinition)
    {
        all.model
            .extend_unique(standalone_policy_model(document, sources));
    }
    let mut models = Vec::new();
    for (id, output) in per_root {
        if through_tops.contains(&id) && !tops.contains(&id) {
            continue;
        }
        models.push(output.model);
        for note in output.not_analysed {
            if !all.not_analysed.contains(&note) {
                all.not_analysed.push(note);
            }
        }
    }
    all.model.extend_unique_all(models);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compiled_template_is_told_from_its_top_level_alone() {
        let schema =
            "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
        let compiled = |rest: &str| format!(r#"{{"$schema": "{schema}", {rest}}}"#);
        // `metadata` may come after the resources; what is not built is still checked.
        assert!(is_compiled_template(&compiled(
            r#""resources": [{"type": "x", "name": [1, {"a": "b"}]}],
               "metadata": {"_generator": {"name": "Bicep", "version": "0.30"}}"#
        )));
        assert!(!is_compiled_template(&compiled(
            r#""metadata": {"_generator": {"name": "armttk"}}, "resources": []"#
        )));
        assert!(!is_compiled_template(&compiled(r#""resources": []"#)));
        // Nested templates' metadata says nothing about the file.
        assert!(!is_compiled_template(&compiled(
            r#""resources": [{"properties": {"template": {"metadata": {"_generator": {"name": "bicep"}}}}}]"#
        )));
        // A syntax error anywhere, even in what is not built: not one (`recognise` reports it).
        assert!(!is_compiled_template(&compiled(
            r#""metadata": {"_generator": {"name": "bicep"}}, "resources": [1 2]"#
        )));
        let parameters = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "metadata": {"_generator": {"name": "bicep"}}}"#;
        assert!(!is_compiled_template(parameters));
    }

    #[test]
    fn keeps_what_expressions_can_reach_and_drops_descriptions_and_types() {
        let template = r#"{
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "metadata": {"_generator": {"name": "bicep"}},
          "definitions": {"t": {"type": "string", "metadata": {"description": "a type"}}},
          "parameters": {"p": {"type": "string", "metadata": {"description": "long"},
            "allowedValues": ["a", "b"], "maxLength": 3, "defaultValue": "a"}},
          "variables": {"cfg": {"metadata": {"owner": "team"}}},
          "outputs": {"id": {"type": "string", "value": "[variables('cfg')]"}},
          "resources": {"inner": {"type": "Microsoft.Resources/deployments", "properties": {
            "parameters": {"x": {"value": "[parameters('p')]"}},
            "template": {"metadata": {"x": 1}, "definitions": {},
              "resources": [{"type": "Microsoft.Security/pricings", "name": "[variables('cfg')]"}],
              "outputs": {"o": {"type": "string", "value": "v", "metadata": {"d": 1}}}}}}}
        }"#;
        let Recognised::Document(DocumentKind::Template, root) = recognise(template) else {
            panic!("not a template");
        };
        assert!(root.get("definitions").is_none());
        assert!(
            root.get("metadata").is_some(),
            "the top level tells a Bicep twin"
        );
        let parameter = &root
            .get("parameters")
            .unwrap()
            .value
            .get("p")
            .unwrap()
            .value;
        let kept: Vec<&str> = parameter
            .entries()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(kept, ["defaultValue"]);
        // A variable's own `metadata` key is data an expression can read.
        let cfg = &root
            .get("variables")
            .unwrap()
            .value
            .get("cfg")
            .unwrap()
            .value;
        assert!(cfg.get("metadata").is_some());
        let nested = &root
            .get("resources")
            .unwrap()
            .value
            .get("inner")
            .unwrap()
            .value;
        let nested = &nested
            .get("properties")
            .unwrap()
            .value
            .get("template")
            .unwrap()
            .value;
        assert!(nested.get("metadata").is_none() && nested.get("definitions").is_none());
        assert!(nested.get("outputs").is_none() && root.get("outputs").is_none());
    }

    #[test]
    fn recognises_templates_and_parameter_files_by_schema() {
        let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"}"#;
        assert!(matches!(
            recognise(template),
            Recognised::Document(DocumentKind::Template, _)
        ));
        let sub = r#"{"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"}"#;
        assert!(matches!(
            recognise(sub),
            Recognised::Document(DocumentKind::Template, _)
        ));
        let params = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"}"#;
        assert!(matches!(
            recognise(params),
            Recognised::Document(DocumentKind::Parameters, _)
        ));
        assert!(matches!(
            recognise(r#"{"name": "package"}"#),
            Recognised::NotArm
        ));
        assert!(matches!(recognise("{ not json"), Recognised::NotArm));
        // Standalone policy definitions and initiatives (ALZ, EPAC) are their own kind, never
        // templates, even with an EPAC `$schema`.
        let definition = r#"{"$schema": "https://raw.githubusercontent.com/Azure/enterprise-azure-policy-as-code/main/Schemas/policy-definition-schema.json", "properties": {"policyRule": {"if": {}, "then": {"effect": "audit"}}}}"#;
        assert!(matches!(
            recognise(definition),
            Recognised::Document(DocumentKind::PolicyDefinition, _)
        ));
        let initiative = r#"{"properties": {"policyDefinitions": []}}"#;
        assert!(matches!(
            recognise(initiative),
            Recognised::Document(DocumentKind::PolicyDefinition, _)
        ));
        assert!(matches!(
            recognise(r#"{"properties": {"policyRule": "text"}}"#),
            Recognised::NotArm
        ));
        let broken = "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", }}";
        assert!(matches!(recognise(broken), Recognised::Failed(_)));
    }
}
