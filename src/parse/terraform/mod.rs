//! Terraform: HCL syntax (hcl-edit, which keeps a span on everything), module assembly,
//! evaluation and lowering of azurerm resources into the model.

mod azurerm;
mod azurerm_posture;
pub mod eval;

use std::collections::BTreeMap;
use std::path::Path;

use hcl_edit::structure::Body;

use crate::model::Model;
use crate::parse::{ParsedFile, SyntaxError};
use crate::source::{FileId, SourceMap};

pub fn parse(text: &str) -> Result<Body, SyntaxError> {
    hcl_edit::parser::parse_body(text).map_err(|error| SyntaxError {
        offset: error.location().offset(),
        message: error.message().to_string(),
    })
}

/// One Terraform module: the `.tf` files of one directory.
pub struct Module<'a> {
    pub files: Vec<(FileId, &'a Body)>,
}

/// Group the parsed Terraform files by directory (a directory is a module) and lower each.
pub fn build_model(files: &[ParsedFile], sources: &SourceMap) -> Model {
    let mut modules: BTreeMap<&Path, Module> = BTreeMap::new();
    for file in files {
        let crate::parse::Syntax::Terraform(body) = &file.syntax;
        let dir = sources
            .get(file.id)
            .path
            .parent()
            .unwrap_or_else(|| Path::new(""));
        modules
            .entry(dir)
            .or_insert_with(|| Module { files: Vec::new() })
            .files
            .push((file.id, body));
    }
    let mut model = Model::default();
    for module in modules.values() {
        model.extend(lower_module(module, sources));
    }
    model
}

fn lower_module(module: &Module, sources: &SourceMap) -> Model {
    let mut model = Model::default();
    for (file, body) in &module.files {
        let evaluator = eval::Evaluator::new(*file, &sources.get(*file).text);
        for block in body.blocks() {
            if block.ident.as_str() != "resource" || block.labels.len() != 2 {
                continue;
            }
            let resource_type = block.labels[0].as_str();
            let name = block.labels[1].as_str();
            let address = format!("{resource_type}.{name}");
            let instance = evaluator.block(block);
            if azurerm_posture::lower_resource(resource_type, &address, &instance, &mut model) {
                continue;
            }
            if let Some(cluster) = azurerm::lower_resource(resource_type, address, &instance) {
                model.clusters.push(cluster);
            }
        }
    }
    model
}
