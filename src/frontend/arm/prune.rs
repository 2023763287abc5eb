//! What a parsed template keeps. A template is held from parsing to the end of lowering, beside
//! every other file of the scan, so what no rule or evaluation reads is dropped as soon as it is
//! parsed: in Azure Verified Modules' compiled templates that is over two thirds of the tree.

use std::collections::HashSet;

use super::template;
use crate::value::{Entry, Value, ValueKind};

/// What evaluation reads of a parameter's declaration: its default and whether it may be null.
const PARAMETER_PARTS_READ: [&str; 2] = ["defaultValue", "nullable"];

/// What part of a deployment template a JSON object or list is, as [`shape`] tells them apart
/// while the template is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The document: a template once its `$schema` says so.
    Root,
    Template {
        top_level: bool,
    },
    /// `parameters`: declarations by name.
    Parameters,
    Parameter,
    /// `resources` (an array, or an object keyed by symbolic name), or a resource's children.
    Resources,
    Resource,
    /// The `properties` of a resource that may be a nested deployment.
    ResourceProperties,
    /// Anything else: built whole.
    Data,
}

/// What to build of a template as it is parsed ([`json::parse_shaped`]): what
/// [`drop_unread_template_parts`] would drop is not built at all, where the parser can tell (a
/// resource's type is known for the members after it, and in compiled templates it comes
/// first). The rest is left to that function, which runs on the tree after parsing.
///
/// [`json::parse_shaped`]: crate::frontend::json::parse_shaped
pub fn shape(part: Part, key: Option<&str>, earlier: &[Entry]) -> Option<Part> {
    let Some(key) = key else {
        return Some(match part {
            Part::Resources => Part::Resource,
            _ => Part::Data,
        });
    };
    let is = |name: &str| key.eq_ignore_ascii_case(name);
    match part {
        Part::Root if declares_template(earlier) => {
            shape(Part::Template { top_level: true }, Some(key), earlier)
        }
        Part::Template { top_level } => {
            if is("definitions") || is("outputs") || (!top_level && is("metadata")) {
                None
            } else if is("parameters") {
                Some(Part::Parameters)
            } else if is("resources") {
                Some(Part::Resources)
            } else {
                Some(Part::Data)
            }
        }
        Part::Parameters => Some(Part::Parameter),
        Part::Parameter => PARAMETER_PARTS_READ
            .iter()
            .any(|k| is(k))
            .then_some(Part::Data),
        Part::Resources => Some(Part::Resource),
        Part::Resource => {
            let lowered = |full_type: &str| template::reads_whole_resource(full_type);
            match earlier_full_type(earlier) {
                Some(full_type) if !lowered(full_type) => template::RESOURCE_PARTS_WALKED
                    .iter()
                    .any(|k| is(k))
                    .then(|| {
                        if is("resources") {
                            Part::Resources
                        } else {
                            Part::Data
                        }
                    }),
                _ if is("resources") => Some(Part::Resources),
                _ if is("properties") => Some(Part::ResourceProperties),
                _ => Some(Part::Data),
            }
        }
        Part::ResourceProperties if is("template") => Some(Part::Template { top_level: false }),
        Part::Root | Part::ResourceProperties | Part::Data => Some(Part::Data),
    }
}

/// Whether the members so far include a `$schema` naming a deployment template (the first, as
/// the front end reads it to tell a template from a parameter file).
fn declares_template(earlier: &[Entry]) -> bool {
    earlier
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case("$schema"))
        .and_then(|e| e.value.as_str())
        .is_some_and(|s| super::schema_kind(s) == Some(super::DocumentKind::Template))
}

/// The resource's `type` among the members so far, when it is written out in full (with its
/// namespace: a child's relative type needs its parent's, which the parser does not track).
fn earlier_full_type(earlier: &[Entry]) -> Option<&str> {
    earlier
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case("type"))
        .and_then(|t| t.value.as_str())
        .filter(|t| !t.starts_with('[') && !super::relative_type(t))
}

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

/// Prune `template` and answer what everything it keeps names (its nested templates included),
/// so that the template around it need not read those strings again.
fn drop_unread_parts(template: &mut Value, top_level: bool) -> References {
    let mut nested = References::default();
    let ValueKind::Object(entries) = &mut template.kind else {
        return nested;
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
            drop_unread_resource_parts(&mut entry.value, None, &mut nested);
        }
    }
    drop_unreferenced_inputs(template, nested)
}

/// Drop what the walk does not read of each resource in `resources` (an array, or an object keyed
/// by symbolic name), children included: everything but [`template::RESOURCE_PARTS_WALKED`]
/// ([`template::CHILDLESS_PARTS_WALKED`] without children) of a resource whose type is written
/// out and is none the walk lowers. In Azure Verified Modules' compiled templates nearly all the
/// resource properties are of such types (role assignments, locks, diagnostic settings).
/// `parent_type` is the full type of the resource these are children of, when it is written
/// out: a child's type may be relative to it. A type computed by an expression keeps the resource
/// whole. What the nested templates kept name is added to `nested`.
fn drop_unread_resource_parts(
    resources: &mut Value,
    parent_type: Option<&str>,
    nested: &mut References,
) {
    let resources: Vec<&mut Value> = match &mut resources.kind {
        ValueKind::List(items) => items.iter_mut().collect(),
        ValueKind::Object(named) => named.iter_mut().map(|e| &mut e.value).collect(),
        _ => Vec::new(),
    };
    for resource in resources {
        let full_type = literal_type(resource).and_then(|short| {
            if !super::relative_type(short) {
                Some(short.to_string())
            } else {
                parent_type.map(|parent| format!("{parent}/{short}"))
            }
        });
        let read_whole = full_type
            .as_deref()
            .is_none_or(template::reads_whole_resource);
        if read_whole {
            drop_unread_nested_template(resource, nested);
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
            drop_unread_resource_parts(&mut children.value, full_type.as_deref(), nested);
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
/// ignored by evaluation). A deployment that also links a template (which ARM refuses) passes
/// its arguments to that one: they are kept.
fn drop_unread_nested_template(resource: &mut Value, nested: &mut References) {
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
    let linked = properties
        .iter()
        .any(|p| p.key.eq_ignore_ascii_case("templateLink"));
    let Some(template) = properties
        .iter_mut()
        .find(|p| p.key.eq_ignore_ascii_case("template"))
    else {
        return;
    };
    nested.extend(drop_unread_parts(&mut template.value, false));
    if !inner_scope || linked {
        return;
    }
    let declared: HashSet<String> = template
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
    fn extend(&mut self, other: References) {
        self.parameters.extend(other.parameters);
        self.variables.extend(other.variables);
        self.any_parameter |= other.any_parameter;
        self.any_variable |= other.any_variable;
    }

    /// Add what the resources in `resources` name, except inside the inline templates of nested
    /// deployments (`properties.template`, when an object), whose names the caller has from
    /// [`drop_unread_parts`]. The first `properties` and `template` are those, as the walk reads
    /// them; any repeated key is read like data.
    fn add_from_resources(&mut self, resources: &Value) {
        let resources: Vec<&Value> = match &resources.kind {
            ValueKind::List(items) => items.iter().collect(),
            ValueKind::Object(named) => named.iter().map(|e| &e.value).collect(),
            _ => return self.add_from(resources),
        };
        for resource in resources {
            let Some(parts) = resource.entries() else {
                self.add_from(resource);
                continue;
            };
            let properties = parts
                .iter()
                .position(|p| p.key.eq_ignore_ascii_case("properties"));
            let children = parts
                .iter()
                .position(|p| p.key.eq_ignore_ascii_case("resources"));
            for (at, part) in parts.iter().enumerate() {
                if Some(at) == children {
                    self.add_from_resources(&part.value);
                } else if Some(at) == properties && part.value.entries().is_some() {
                    self.add_from_properties(&part.value);
                } else {
                    self.add_from(&part.value);
                }
            }
        }
    }

    fn add_from_properties(&mut self, properties: &Value) {
        let entries = properties.entries().unwrap_or(&[]);
        let template = entries
            .iter()
            .position(|p| p.key.eq_ignore_ascii_case("template"));
        for (at, entry) in entries.iter().enumerate() {
            let summarized = Some(at) == template && entry.value.entries().is_some();
            if !summarized {
                self.add_from(&entry.value);
            }
        }
    }

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
/// `nested` is what the nested templates name; the answer is what everything kept names.
fn drop_unreferenced_inputs(template: &mut Value, nested: References) -> References {
    let mut references = nested;
    let ValueKind::Object(entries) = &mut template.kind else {
        return references;
    };
    let is_input =
        |key: &str| key.eq_ignore_ascii_case("parameters") || key.eq_ignore_ascii_case("variables");
    // The first `resources` is what the walk reads (and what nested templates were found in).
    let resources = entries
        .iter()
        .position(|e| e.key.eq_ignore_ascii_case("resources"));
    for (at, entry) in entries.iter().enumerate() {
        if Some(at) == resources {
            references.add_from_resources(&entry.value);
        } else if !is_input(&entry.key) {
            references.add_from(&entry.value);
        }
    }
    // Which inputs are read: those named, and what a read one names, until nothing new is
    // named. A computed name (`variables(concat(...))`) reads every input of its kind.
    let mut kinds = [
        Inputs::new(entries, "parameters"),
        Inputs::new(entries, "variables"),
    ];
    for kind in &kinds {
        kind.add_unprunable(entries, &mut references);
    }
    loop {
        let mut grew = false;
        for kind in &mut kinds {
            grew |= kind.read_named(entries, &mut references);
        }
        if !grew {
            break;
        }
    }
    for kind in &kinds {
        kind.keep_read(entries);
    }
    references
}

/// One kind of input (`parameters` or `variables`) of a template being pruned.
struct Inputs {
    /// `parameters` or `variables`: the section's key.
    kind: &'static str,
    /// Where its section is among the template's members, when there is exactly one.
    section: Option<usize>,
    /// Each input's name, lowercased, and whether it is read.
    names: Vec<String>,
    read: Vec<bool>,
}

impl Inputs {
    fn new(entries: &[Entry], kind: &'static str) -> Inputs {
        let mut at = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.key.eq_ignore_ascii_case(kind))
            .map(|(at, _)| at);
        let section = match (at.next(), at.next()) {
            (Some(first), None) => Some(first),
            // Repeated sections (which ARM rejects) are read whole and kept.
            _ => None,
        };
        let inputs = section
            .and_then(|at| entries[at].value.entries())
            .unwrap_or(&[]);
        let names: Vec<String> = inputs
            .iter()
            .map(|i| i.key.as_str().to_ascii_lowercase())
            .collect();
        // A variable `copy` loop defines the variables it names: always read.
        let read = names
            .iter()
            .map(|n| kind == "variables" && n == "copy")
            .collect();
        Inputs {
            kind,
            section,
            names,
            read,
        }
    }

    fn inputs<'e>(&self, entries: &'e [Entry]) -> &'e [Entry] {
        self.section
            .and_then(|at| entries[at].value.entries())
            .unwrap_or(&[])
    }

    /// Add what the inputs always kept name: `copy` loops, and every section of this kind that
    /// is not pruned (repeated, or not an object).
    fn add_unprunable(&self, entries: &[Entry], references: &mut References) {
        for (at, entry) in entries.iter().enumerate() {
            if !entry.key.eq_ignore_ascii_case(self.kind) {
                continue;
            }
            if Some(at) != self.section || entry.value.entries().is_none() {
                references.add_from(&entry.value);
            }
        }
        for (input, read) in self.inputs(entries).iter().zip(&self.read) {
            if *read {
                references.add_from(&input.value);
            }
        }
    }

    /// Mark the inputs `references` names as read and add what they name; whether any was new.
    fn read_named(&mut self, entries: &[Entry], references: &mut References) -> bool {
        let mut grew = false;
        for (at, input) in self.inputs(entries).iter().enumerate() {
            let (named, any) = if self.kind == "parameters" {
                (&references.parameters, references.any_parameter)
            } else {
                (&references.variables, references.any_variable)
            };
            if !self.read[at] && (any || named.contains(&self.names[at])) {
                self.read[at] = true;
                grew = true;
                references.add_from(&input.value);
            }
        }
        grew
    }

    fn keep_read(&self, entries: &mut [Entry]) {
        let Some(at) = self.section else {
            return;
        };
        if let ValueKind::Object(inputs) = &mut entries[at].value.kind {
            let mut read = self.read.iter();
            inputs.retain(|_| read.next().copied().unwrap_or(true));
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

    /// The `resources` array of a template or resource.
    fn resources(value: &Value) -> &[Value] {
        value.get("resources").unwrap().value.items().unwrap()
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
        let storage = &resources(&root)[1];
        assert_eq!(storage.entries().unwrap().len(), 1);
        let cluster = &resources(&root)[0];
        assert!(cluster.get("properties").is_some());
    }

    /// Every template under `testdata/`, shaped as it is parsed and then pruned, is the tree
    /// that pruning the whole parse gives.
    #[test]
    fn shaping_the_parse_builds_what_pruning_keeps() {
        fn templates(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    templates(&path, found);
                } else if path.extension().is_some_and(|e| e == "json") {
                    found.push(path);
                }
            }
        }
        let mut paths = Vec::new();
        templates(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"),
            &mut paths,
        );
        let mut compared = 0;
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let Ok(Some(mut whole)) = crate::frontend::json::parse(FileId(0), text) else {
                continue;
            };
            if !declares_template(whole.entries().unwrap_or(&[])) {
                continue;
            }
            drop_unread_template_parts(&mut whole);
            let mut shaped =
                crate::frontend::json::parse_shaped(FileId(0), text, Part::Root, shape)
                    .unwrap()
                    .unwrap();
            drop_unread_template_parts(&mut shaped);
            assert_eq!(shaped, whole, "{}", path.display());
            compared += 1;
        }
        assert!(compared > 50, "only {compared} templates under testdata/");
    }

    #[test]
    fn inputs_kept_for_a_computed_name_keep_what_they_name() {
        let root = pruned(
            r#"{"parameters": {"a": {}, "b": {}, "c": {}},
                "variables": {"v": "[parameters('a')]", "w": "[parameters('b')]"},
                "resources": [{"type": "[variables(concat('v', ''))]", "name": "n"}]}"#,
        );
        assert_eq!(keys(&root, "variables"), ["v", "w"]);
        assert_eq!(keys(&root, "parameters"), ["a", "b"]);
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
        let inner = &resources(&root)[1];
        let properties = &inner.get("properties").unwrap().value;
        assert_eq!(keys(properties, "parameters"), ["tier"]);
        assert_eq!(
            keys(&properties.get("template").unwrap().value, "parameters"),
            ["tier"]
        );
    }

    #[test]
    fn arguments_for_a_linked_template_stay() {
        let root = pruned(
            r#"{"resources": [{"type": "Microsoft.Resources/deployments", "name": "d",
                "properties": {"expressionEvaluationOptions": {"scope": "inner"},
                  "templateLink": {"relativePath": "linked.json"},
                  "parameters": {"tier": {"value": "Standard"}},
                  "template": {"parameters": {}}}}]}"#,
        );
        let deployment = &resources(&root)[0];
        let properties = &deployment.get("properties").unwrap().value;
        assert_eq!(keys(properties, "parameters"), ["tier"]);
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
        let top = resources(&root);
        let extension = &resources(&top[0])[0];
        assert!(extension.get("properties").is_some());
        // A parent keeps its name, which its children's are relative to.
        let network: Vec<&str> = top[1]
            .entries()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(network, ["type", "name", "condition", "resources"]);
        let subnet = &resources(&top[1])[0];
        assert!(subnet.get("properties").is_none());
    }

    #[test]
    fn a_child_of_a_computed_type_is_kept_whole() {
        let root = pruned(
            r#"{"resources": [{"type": "[parameters('t')]", "name": "p", "properties": {"a": 1},
                 "resources": [{"type": "child", "name": "c", "properties": {"b": 2}}]}],
                "parameters": {"t": {}}}"#,
        );
        let parent = &resources(&root)[0];
        assert!(parent.get("properties").is_some());
        let child = &resources(parent)[0];
        assert!(child.get("properties").is_some());
    }
}
