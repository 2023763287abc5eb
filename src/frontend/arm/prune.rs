//! What a parsed template keeps. A template is held from parsing to the end of lowering, beside
//! every other file of the scan, so what no rule or evaluation reads is dropped as soon as it is
//! parsed: in Azure Verified Modules' compiled templates that is over two thirds of the tree.

use std::collections::HashSet;

use super::template;
use crate::value::{Value, ValueKind};

/// What evaluation reads of a parameter's declaration: its default and whether it may be null.
const PARAMETER_PARTS_READ: [&str; 2] = ["defaultValue", "nullable"];

/// Drop from a template, and from the inline templates of its nested deployments:
/// - type `definitions`;
/// - `outputs` (what a deployment returns is only reachable through `reference()`, which is
///   unknown before deployment);
/// - what parameter declarations say beyond [`PARAMETER_PARTS_READ`] (types, descriptions,
///   allowed values, bounds);
/// - the `metadata` of nested templates (the top level's stays: `_generator` tells a compiled
///   Bicep twin);
/// - what the walk does not read of resources whose types it lowers nothing from
///   ([`drop_unread_resource_parts`]);
/// - parameters and variables no expression left can name ([`drop_unreferenced_inputs`]).
pub fn drop_unread_template_parts(template: &mut Value) {
    drop_unread_parts(template, true);
}

fn drop_unread_parts(template: &mut Value, top_level: bool) {
    let ValueKind::Object(entries) = &mut template.kind else {
        return;
    };
    entries.retain(|e| {
        !(e.key.eq_ignore_ascii_case("definitions")
            || e.key.eq_ignore_ascii_case("outputs")
            || (!top_level && e.key.eq_ignore_ascii_case("metadata")))
    });
    for entry in entries.iter_mut() {
        let key = entry.key.as_str();
        if key.eq_ignore_ascii_case("parameters") {
            if let ValueKind::Object(declarations) = &mut entry.value.kind {
                for declaration in declarations {
                    if let ValueKind::Object(parts) = &mut declaration.value.kind {
                        parts.retain(|p| {
                            PARAMETER_PARTS_READ
                                .iter()
                                .any(|k| p.key.eq_ignore_ascii_case(k))
                        });
                    }
                }
            }
        } else if key.eq_ignore_ascii_case("resources") {
            drop_unread_resource_parts(&mut entry.value, None);
        }
    }
    drop_unreferenced_inputs(template);
}

/// Drop what the walk does not read of each resource in `resources` (an array, or an object keyed
/// by symbolic name), children included: everything but [`template::RESOURCE_PARTS_WALKED`]
/// ([`template::CHILDLESS_PARTS_WALKED`] without children) of a resource whose type is written
/// out and is none the walk lowers (in Azure Verified Modules'
/// compiled templates, nearly all the resource properties are of such types: role assignments,
/// locks, diagnostic settings). `parent_type` is the full type of the resource these are
/// children of, when it is written out: a child's type may be relative to it. A type computed by
/// an expression keeps the resource whole.
fn drop_unread_resource_parts(resources: &mut Value, parent_type: Option<&str>) {
    let resources: Vec<&mut Value> = match &mut resources.kind {
        ValueKind::List(items) => items.iter_mut().collect(),
        ValueKind::Object(named) => named.iter_mut().map(|e| &mut e.value).collect(),
        _ => Vec::new(),
    };
    for resource in resources {
        let full_type = literal_type(resource).and_then(|short| {
            if short.split('/').next().unwrap_or("").contains('.') {
                Some(short.to_string())
            } else {
                parent_type.map(|parent| format!("{parent}/{short}"))
            }
        });
        let read_whole = full_type
            .as_deref()
            .is_none_or(template::reads_whole_resource);
        if read_whole {
            drop_unread_nested_template(resource);
        }
        let ValueKind::Object(parts) = &mut resource.kind else {
            continue;
        };
        if !read_whole {
            let has_children = parts
                .iter()
                .any(|p| p.key.eq_ignore_ascii_case("resources"));
            let walked: &[&str] = if has_children {
                &template::RESOURCE_PARTS_WALKED
            } else {
                &template::CHILDLESS_PARTS_WALKED
            };
            parts.retain(|p| walked.iter().any(|k| p.key.eq_ignore_ascii_case(k)));
        }
        if let Some(children) = parts
            .iter_mut()
            .find(|p| p.key.eq_ignore_ascii_case("resources"))
        {
            drop_unread_resource_parts(&mut children.value, full_type.as_deref());
        }
    }
}

/// A resource's `type` when it is written out rather than computed (`[...]`; an escaped `[[`
/// is kept whole too: such a type names no resource aksguard reads).
fn literal_type(resource: &Value) -> Option<&str> {
    resource
        .get_ignore_case("type")
        .and_then(|t| t.value.as_str())
        .filter(|t| !t.starts_with('['))
}

/// Prune the inline template of a nested deployment (`properties.template`), if it has one. With
/// inner scope its parameters are its own, so what the deployment passes for a parameter the
/// template no longer declares is never read either (an argument for an undeclared parameter is
/// ignored by evaluation).
fn drop_unread_nested_template(resource: &mut Value) {
    let ValueKind::Object(parts) = &mut resource.kind else {
        return;
    };
    let Some(properties) = parts
        .iter_mut()
        .find(|p| p.key.eq_ignore_ascii_case("properties"))
    else {
        return;
    };
    let inner_scope = properties
        .value
        .get_ignore_case("expressionEvaluationOptions")
        .and_then(|o| o.value.get_ignore_case("scope"))
        .and_then(|s| s.value.as_str())
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
    let ValueKind::Object(properties) = &mut properties.value.kind else {
        return;
    };
    let Some(nested) = properties
        .iter_mut()
        .find(|p| p.key.eq_ignore_ascii_case("template"))
    else {
        return;
    };
    drop_unread_parts(&mut nested.value, false);
    if !inner_scope {
        return;
    }
    let declared: HashSet<String> = nested
        .value
        .get_ignore_case("parameters")
        .and_then(|p| p.value.entries())
        .unwrap_or(&[])
        .iter()
        .map(|e| e.key.as_str().to_ascii_lowercase())
        .collect();
    if let Some(passed) = properties
        .iter_mut()
        .find(|p| p.key.eq_ignore_ascii_case("parameters"))
    {
        if let ValueKind::Object(arguments) = &mut passed.value.kind {
            arguments.retain(|a| declared.contains(&a.key.as_str().to_ascii_lowercase()));
        }
    }
}

/// The parameters and variables that expressions name: `parameters('x')` and `variables('x')`,
/// names lowercased (ARM's are case-insensitive). A name computed by an expression
/// (`variables(concat('a', 'b'))`) could be any: that section is then kept whole.
#[derive(Default)]
struct References {
    parameters: HashSet<String>,
    variables: HashSet<String>,
    any_parameter: bool,
    any_variable: bool,
}

impl References {
    /// Add what the strings in `value` (at any depth) name. Every string is read, not only
    /// expressions (`[...]`): a name read from plain text only keeps more.
    fn add_from(&mut self, value: &Value) {
        match &value.kind {
            ValueKind::String(text) => self.add_from_text(text),
            ValueKind::List(items) => items.iter().for_each(|item| self.add_from(item)),
            ValueKind::Object(entries) => entries.iter().for_each(|e| self.add_from(&e.value)),
            _ => {}
        }
    }

    fn add_from_text(&mut self, text: &str) {
        for (open, _) in text.match_indices('(') {
            let before = text[..open].trim_end().as_bytes();
            let ends_with = |word: &str| {
                before.len() >= word.len()
                    && before[before.len() - word.len()..].eq_ignore_ascii_case(word.as_bytes())
            };
            let (names, any) = if ends_with("parameters") {
                (&mut self.parameters, &mut self.any_parameter)
            } else if ends_with("variables") {
                (&mut self.variables, &mut self.any_variable)
            } else {
                continue;
            };
            match literal_argument(&text[open + 1..]) {
                Some(name) => {
                    names.insert(name.to_ascii_lowercase());
                }
                None => *any = true,
            }
        }
    }
}

/// The name in `'name')` at the start of `rest` (spaces allowed around it), or `None` when the
/// argument is anything else.
fn literal_argument(rest: &str) -> Option<&str> {
    let rest = rest.trim_start().strip_prefix('\'')?;
    let close = rest.find('\'')?;
    let after = rest[close + 1..].trim_start();
    after.starts_with(')').then(|| &rest[..close])
}

/// Drop the parameters and variables of `template` that nothing left in it can name: neither its
/// resources (nested templates included, which may read the outer scope) nor another kept
/// parameter's default or variable. Most of what a compiled module declares is read only by the
/// resource properties [`drop_unread_resource_parts`] drops. Variable `copy` loops stay whole.
fn drop_unreferenced_inputs(template: &mut Value) {
    let ValueKind::Object(entries) = &mut template.kind else {
        return;
    };
    let is_input =
        |key: &str| key.eq_ignore_ascii_case("parameters") || key.eq_ignore_ascii_case("variables");
    let mut references = References::default();
    for entry in entries.iter().filter(|e| !is_input(&e.key)) {
        references.add_from(&entry.value);
    }
    let section = |name: &str| {
        entries
            .iter()
            .find(|e| e.key.eq_ignore_ascii_case(name))
            .and_then(|e| e.value.entries())
            .unwrap_or(&[])
    };
    let (parameters, variables) = (section("parameters"), section("variables"));
    for copy in variables
        .iter()
        .filter(|v| v.key.eq_ignore_ascii_case("copy"))
    {
        references.add_from(&copy.value);
    }
    // What kept inputs name is kept too, until nothing new is named.
    let mut read_parameters: HashSet<String> = HashSet::new();
    let mut read_variables: HashSet<String> = HashSet::new();
    loop {
        let new_parameters: Vec<String> = references
            .parameters
            .difference(&read_parameters)
            .cloned()
            .collect();
        let new_variables: Vec<String> = references
            .variables
            .difference(&read_variables)
            .cloned()
            .collect();
        if new_parameters.is_empty() && new_variables.is_empty() {
            break;
        }
        for (names, inputs, read) in [
            (new_parameters, parameters, &mut read_parameters),
            (new_variables, variables, &mut read_variables),
        ] {
            for name in names {
                for input in inputs.iter().filter(|i| i.key.eq_ignore_ascii_case(&name)) {
                    references.add_from(&input.value);
                }
                read.insert(name);
            }
        }
    }
    for entry in entries.iter_mut() {
        let (named, any) = if entry.key.eq_ignore_ascii_case("parameters") {
            (&references.parameters, references.any_parameter)
        } else if entry.key.eq_ignore_ascii_case("variables") {
            (&references.variables, references.any_variable)
        } else {
            continue;
        };
        if any {
            continue;
        }
        if let ValueKind::Object(inputs) = &mut entry.value.kind {
            inputs.retain(|i| {
                i.key.eq_ignore_ascii_case("copy")
                    || named.contains(&i.key.as_str().to_ascii_lowercase())
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn pruned(text: &str) -> Value {
        let mut root = crate::frontend::json::parse(FileId(0), text)
            .unwrap()
            .unwrap();
        drop_unread_template_parts(&mut root);
        root
    }

    fn keys(value: &Value, section: &str) -> Vec<String> {
        value
            .get(section)
            .and_then(|s| s.value.entries())
            .unwrap_or(&[])
            .iter()
            .map(|e| e.key.to_string())
            .collect()
    }

    #[test]
    fn reads_literal_names_and_gives_up_on_computed_ones() {
        let mut found = References::default();
        found.add_from_text(
            "[format('{0}', Parameters( 'Name' ), variables('a').b, parameters('x'))]",
        );
        assert_eq!(found.parameters.len(), 2);
        assert!(found.parameters.contains("name") && found.parameters.contains("x"));
        assert!(found.variables.contains("a") && !found.any_parameter && !found.any_variable);
        found.add_from_text("[variables(concat('a', 'b'))]");
        assert!(found.any_variable && !found.any_parameter);
        found.add_from_text("[parameters('it''s')]");
        assert!(found.any_parameter);
    }

    #[test]
    fn keeps_inputs_named_from_what_stays_and_what_they_name() {
        let root = pruned(
            r#"{
              "parameters": {"used": {"type": "string"}, "viaDefault": {"type": "string"},
                "unused": {"type": "string", "defaultValue": "[parameters('viaDefault')]"},
                "chained": {"type": "string", "defaultValue": "[parameters('viaDefault')]"}},
              "variables": {"name": "[variables('inner')]", "inner": "[parameters('chained')]",
                "onlyByStorage": "x", "onlyByOutput": "y",
                "copy": [{"name": "list", "count": "[parameters('used')]", "input": "z"}]},
              "resources": [
                {"type": "Microsoft.ContainerService/managedClusters", "name": "[variables('name')]",
                 "properties": {"dnsPrefix": "[parameters('used')]"}},
                {"type": "Microsoft.Storage/storageAccounts", "name": "s",
                 "properties": {"x": "[variables('onlyByStorage')]"}}],
              "outputs": {"o": {"type": "string", "value": "[variables('onlyByOutput')]"}}
            }"#,
        );
        assert_eq!(keys(&root, "parameters"), ["used", "viaDefault", "chained"]);
        assert_eq!(keys(&root, "variables"), ["name", "inner", "copy"]);
        // The storage account keeps what the walk reads of it: only its type, without children.
        let storage = &root.get("resources").unwrap().value.items().unwrap()[1];
        assert_eq!(storage.entries().unwrap().len(), 1);
        let cluster = &root.get("resources").unwrap().value.items().unwrap()[0];
        assert!(cluster.get("properties").is_some());
    }

    #[test]
    fn keeps_every_input_when_a_name_is_computed() {
        let root = pruned(
            r#"{"parameters": {"a": {}, "b": {}}, "variables": {"v": 1, "w": 2},
                "resources": [{"type": "[parameters(variables('v'))]", "name": "n"}]}"#,
        );
        assert_eq!(keys(&root, "parameters"), ["a", "b"]);
        assert_eq!(keys(&root, "variables"), ["v"]);
    }

    #[test]
    fn nested_templates_keep_what_either_scope_names() {
        let root = pruned(
            r#"{
              "parameters": {"outerUsed": {}, "passed": {}, "unused": {}},
              "resources": [
                {"type": "Microsoft.Resources/deployments", "name": "outer",
                 "properties": {"template": {"resources": [
                   {"type": "Microsoft.Security/pricings", "name": "Containers",
                    "properties": {"pricingTier": "[parameters('outerUsed')]"}}]}}},
                {"type": "Microsoft.Resources/deployments", "name": "inner",
                 "properties": {
                   "expressionEvaluationOptions": {"scope": "inner"},
                   "parameters": {"tier": {"value": "[parameters('passed')]"},
                                  "dropped": {"value": "[parameters('unused')]"}},
                   "template": {
                     "parameters": {"tier": {"type": "string"}, "dropped": {"type": "string"}},
                     "resources": [{"type": "Microsoft.Security/pricings", "name": "Containers",
                       "properties": {"pricingTier": "[parameters('tier')]"}}]}}}]
            }"#,
        );
        assert_eq!(keys(&root, "parameters"), ["outerUsed", "passed"]);
        let inner = &root.get("resources").unwrap().value.items().unwrap()[1];
        let properties = &inner.get("properties").unwrap().value;
        assert_eq!(keys(properties, "parameters"), ["tier"]);
        assert_eq!(
            keys(&properties.get("template").unwrap().value, "parameters"),
            ["tier"]
        );
    }

    #[test]
    fn children_are_judged_by_their_full_type() {
        let root = pruned(
            r#"{"resources": [
                 {"type": "Microsoft.Kubernetes/connectedClusters", "name": "arc",
                  "properties": {"a": 1}, "resources": [
                    {"type": "providers/extensions", "name": "arc/Microsoft.KubernetesConfiguration/d",
                     "properties": {"extensionType": "microsoft.azuredefender.kubernetes"}}]},
                 {"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "condition": true,
                  "properties": {"a": 1}, "tags": {}, "resources": [
                    {"type": "subnets", "name": "s", "properties": {"b": 2}}]}]}"#,
        );
        let resources = root.get("resources").unwrap().value.items().unwrap();
        let extension = &resources[0]
            .get("resources")
            .unwrap()
            .value
            .items()
            .unwrap()[0];
        assert!(extension.get("properties").is_some());
        // A parent keeps its name, which its children's are relative to.
        let network: Vec<&str> = resources[1]
            .entries()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(network, ["type", "name", "condition", "resources"]);
        let subnet = &resources[1]
            .get("resources")
            .unwrap()
            .value
            .items()
            .unwrap()[0];
        assert!(subnet.get("properties").is_none());
    }

    #[test]
    fn a_child_of_a_computed_type_is_kept_whole() {
        let root = pruned(
            r#"{"resources": [{"type": "[parameters('t')]", "name": "p", "properties": {"a": 1},
                 "resources": [{"type": "child", "name": "c", "properties": {"b": 2}}]}],
                "parameters": {"t": {}}}"#,
        );
        let parent = &root.get("resources").unwrap().value.items().unwrap()[0];
        assert!(parent.get("properties").is_some());
        let child = &parent.get("resources").unwrap().value.items().unwrap()[0];
        assert!(child.get("properties").is_some());
    }
}
