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
mod lower;
pub mod params;
mod template;

use std::path::PathBuf;

use crate::finding::Finding;
use crate::frontend::{json, SyntaxError};
use crate::model::Model;
use crate::source::{FileId, SourceMap};
use crate::value::Value;

use expr::eval::{Context, DeployScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Template,
    Parameters,
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

/// Parse and recognise `text`. Values carry `FileId(0)` until [`Document::new`] points them at the file.
pub fn recognise(text: &str) -> Recognised {
    match json::parse(FileId(0), text) {
        Ok(Some(root)) => {
            let kind = root
                .get_ignore_case("$schema")
                .and_then(|s| s.value.as_str())
                .and_then(schema_kind);
            match kind {
                Some(kind) => Recognised::Document(kind, root),
                None => Recognised::NotArm,
            }
        }
        Ok(None) => Recognised::NotArm,
        Err(error) if names_arm_schema(text) => Recognised::Failed(error),
        Err(_) => Recognised::NotArm,
    }
}

fn schema_kind(schema: &str) -> Option<DocumentKind> {
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

/// The scope a template deploys to, from its `$schema`.
fn template_scope(template: &Value) -> DeployScope {
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
    /// Resource instances still allowed in this scan: nested `copy` loops multiply.
    pub budget: crate::budget::Budget,
}

/// Most resource `copy` iterations expanded in one scan.
pub const ARM_INSTANCE_BUDGET: usize = 2_000;

impl Default for ArmOutput {
    fn default() -> ArmOutput {
        ArmOutput {
            model: Model::default(),
            not_analysed: Vec::new(),
            budget: crate::budget::Budget::new(ARM_INSTANCE_BUDGET),
        }
    }
}

/// Evaluate every template with each of its parameter files (or its defaults) and lower what it
/// deploys. `param_files` are the `--param-file` paths: when given, they replace name pairing.
pub fn build_model(
    documents: &[Document],
    sources: &SourceMap,
    param_files: &[PathBuf],
) -> ArmOutput {
    let mut output = ArmOutput::default();
    let explicit = params::explicit(documents, sources, param_files);
    for template in documents
        .iter()
        .filter(|d| d.kind == DocumentKind::Template)
    {
        let parameter_files = if param_files.is_empty() {
            params::paired(template, documents, sources)
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
            let context = Context::new(
                &template.root,
                supplied,
                template_scope(&template.root),
                missing,
            );
            template::walk(&template.root, &context, sources, &mut output);
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let broken = "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", }}";
        assert!(matches!(recognise(broken), Recognised::Failed(_)));
    }
}
