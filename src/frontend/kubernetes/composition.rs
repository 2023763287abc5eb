//! Crossplane Compositions: each composed resource's `base` is a managed resource, and the
//! Composition's patches copy fields of the composite resource (what a claim asks for) onto it
//! when it is composed. A setting that a patch writes is *unknown*, naming the patch; the rest
//! is what the base says. Both the classic `spec.resources` and the `function-patch-and-transform`
//! pipeline input are read; resources made by other functions cannot be known statically.

use super::{lower_object, Lowering, Object};
use crate::model::{PricingExtensions, Setting};
use crate::source::Span;
use crate::value::{Entry, Related, Unknown, UnknownCause, Value, ValueKind};

/// A patch that writes a field of a composed resource.
struct FieldPatch {
    /// `toFieldPath` split into field names (`spec.forProvider.tags[owner]` → spec, forProvider,
    /// tags, owner).
    segments: Vec<String>,
    to_field_path: String,
    span: Span,
}

pub fn lower(object: &Object, context: &[Related], lowering: &mut Lowering, depth: usize) {
    let Some(spec) = object.value.get("spec").map(|s| &s.value) else {
        return;
    };
    lower_resources(object, spec, context, lowering, depth);
    let pipeline = spec
        .get("pipeline")
        .and_then(|p| p.value.items())
        .unwrap_or(&[]);
    for step in pipeline {
        if let Some(input) = step.get("input") {
            let is_patch_and_transform = input
                .value
                .get("apiVersion")
                .and_then(|v| v.value.as_str())
                .is_some_and(|v| v.starts_with("pt.fn.crossplane.io/"));
            if is_patch_and_transform {
                lower_resources(object, &input.value, context, lowering, depth);
            }
        }
    }
}

/// The `resources` of a Composition spec or patch-and-transform input, with its `patchSets`.
fn lower_resources(
    object: &Object,
    holder: &Value,
    context: &[Related],
    lowering: &mut Lowering,
    depth: usize,
) {
    let patch_sets = holder
        .get("patchSets")
        .and_then(|p| p.value.items())
        .unwrap_or(&[]);
    let resources = holder
        .get("resources")
        .and_then(|r| r.value.items())
        .unwrap_or(&[]);
    for resource in resources {
        let Some(base) = resource.get("base") else {
            continue;
        };
        let name = resource
            .get("name")
            .and_then(|n| n.value.as_str())
            .unwrap_or("(unnamed)");
        let mut inner = context.to_vec();
        inner.push(Related {
            span: base.key_span,
            message: format!(
                "the base of resource '{name}' in Composition '{}': each composite resource composes one",
                object.name
            ),
        });
        let patches = field_patches(resource, patch_sets);
        let clusters = lowering.model.clusters.len();
        let pricings = lowering.model.pricings.len();
        let assignments = lowering.model.assignments.len();
        let base = named_base(&base.value, &format!("{}/{name}", object.name));
        lower_object(&base, &inner, lowering, depth + 1);
        let model = &mut lowering.model;
        for patch in &patches {
            let why = |setting_span: Span| {
                (
                    Unknown::new(
                        UnknownCause::Input,
                        format!(
                            "Composition '{}' patches `{}` of resource '{name}' from the composite resource",
                            object.name, patch.to_field_path
                        ),
                    ),
                    setting_span,
                    vec![Related {
                        span: patch.span,
                        message: "this Composition patch writes it".to_string(),
                    }],
                )
            };
            for cluster in &mut model.clusters[clusters..] {
                if patch.touches(&["microsoftDefender"]) {
                    unsettle(&mut cluster.defender, &why);
                }
                if patch.touches(&["azurePolicyEnabled"]) {
                    unsettle(&mut cluster.azure_policy, &why);
                }
                if patch.touches(&["tags"]) {
                    unsettle(&mut cluster.tags, &why);
                }
            }
            for pricing in &mut model.pricings[pricings..] {
                if patch.touches(&["resourceType"]) {
                    unsettle(&mut pricing.plan, &why);
                }
                if patch.touches(&["tier"]) {
                    unsettle(&mut pricing.tier, &why);
                }
                if patch.touches(&["extension"]) {
                    let (unknown, span, _) = why(pricing.resource.header);
                    pricing.extensions = PricingExtensions::Unknown { unknown, span };
                }
            }
            for assignment in &mut model.assignments[assignments..] {
                if patch.touches(&["policyDefinitionId"]) {
                    unsettle(&mut assignment.definition, &why);
                }
                if patch.touches(&["enforce"]) {
                    unsettle(&mut assignment.enforce, &why);
                }
                if patch.touches(&["identity"]) {
                    unsettle(&mut assignment.identity, &why);
                }
                if patch.touches(&["parameters"]) {
                    let (unknown, span, _) = why(assignment.resource.header);
                    assignment.parameters.clear();
                    assignment.parameters_unknown = Some((unknown, span));
                }
            }
        }
    }
}

/// The base with `metadata.name` set when it has none (Crossplane generates one): composed
/// resources are named `<composition>/<resource>` in messages.
fn named_base(base: &Value, name: &str) -> Value {
    let has_name = base
        .get("metadata")
        .and_then(|m| m.value.get("name"))
        .is_some();
    let mut base = base.clone();
    if has_name {
        return base;
    }
    let span = base.span;
    let name_entry = Entry {
        key: "name".into(),
        key_span: span,
        value: Value::new(ValueKind::String(name.to_string()), span),
    };
    if let ValueKind::Object(entries) = &mut base.kind {
        match entries.iter_mut().find(|e| e.key == "metadata") {
            Some(metadata) => {
                if let ValueKind::Object(fields) = &mut metadata.value.kind {
                    fields.push(name_entry);
                }
            }
            None => entries.push(Entry {
                key: "metadata".into(),
                key_span: span,
                value: Value::new(ValueKind::Object(vec![name_entry]), span),
            }),
        }
    }
    base
}

type Why<'a> = dyn Fn(Span) -> (Unknown, Span, Vec<Related>) + 'a;

/// Make `setting` unknown for the reason `why` gives at its span.
fn unsettle<T>(setting: &mut Setting<T>, why: &Why) {
    let (unknown, span, provenance) = why(setting.span());
    *setting = Setting::Unknown {
        unknown,
        span,
        provenance,
    };
}

impl FieldPatch {
    /// Whether the patch may write the field named by one of `keys` under `spec.forProvider`
    /// (or `initProvider`): it names it, or replaces a container above it.
    fn touches(&self, keys: &[&str]) -> bool {
        let names: Vec<&str> = self.segments.iter().map(String::as_str).collect();
        match names.as_slice() {
            [] | ["spec"] | ["spec", "forProvider" | "initProvider"] => true,
            ["spec", "forProvider" | "initProvider", field, ..] => keys.contains(field),
            _ => false,
        }
    }
}

/// The patches of one composed resource that write it, its `PatchSet` references expanded.
fn field_patches(resource: &Value, patch_sets: &[Value]) -> Vec<FieldPatch> {
    let mut found = Vec::new();
    for patch in resource
        .get("patches")
        .and_then(|p| p.value.items())
        .unwrap_or(&[])
    {
        let kind = patch
            .get("type")
            .and_then(|t| t.value.as_str())
            .unwrap_or("FromCompositeFieldPath");
        if kind == "PatchSet" {
            let wanted = patch.get("patchSetName").and_then(|n| n.value.as_str());
            for set in patch_sets {
                if set.get("name").and_then(|n| n.value.as_str()) == wanted {
                    for inner in set
                        .get("patches")
                        .and_then(|p| p.value.items())
                        .unwrap_or(&[])
                    {
                        found.extend(field_patch(inner));
                    }
                }
            }
        } else {
            found.extend(field_patch(patch));
        }
    }
    found
}

fn field_patch(patch: &Value) -> Option<FieldPatch> {
    let kind = patch
        .get("type")
        .and_then(|t| t.value.as_str())
        .unwrap_or("FromCompositeFieldPath");
    // These write the composite resource or the environment, not the composed resource.
    if matches!(
        kind,
        "ToCompositeFieldPath"
            | "CombineToComposite"
            | "ToEnvironmentFieldPath"
            | "CombineToEnvironment"
    ) {
        return None;
    }
    // Without `toFieldPath` a patch writes the field it reads.
    let path = patch
        .get("toFieldPath")
        .or_else(|| patch.get("fromFieldPath"))?;
    let text = path.value.as_str()?;
    let segments = text
        .split(['.', '[', ']'])
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect();
    Some(FieldPatch {
        segments,
        to_field_path: text.to_string(),
        span: path.value.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::yaml::parse_stream;

    #[test]
    fn field_paths_touch_the_fields_they_name_or_replace() {
        let patch = |path: &str| {
            let text = format!("toFieldPath: {path}\n");
            field_patch(&parse_stream(&text).unwrap()[0]).unwrap()
        };
        assert!(patch("spec.forProvider.azurePolicyEnabled").touches(&["azurePolicyEnabled"]));
        assert!(patch("spec.forProvider.tags[owner]").touches(&["tags"]));
        assert!(
            patch("spec.forProvider.microsoftDefender[0].logAnalyticsWorkspaceId")
                .touches(&["microsoftDefender"])
        );
        assert!(patch("spec.forProvider").touches(&["tags"]));
        assert!(!patch("spec.forProvider.location").touches(&["tags"]));
        assert!(!patch("metadata.labels").touches(&["tags"]));
        let to_composite =
            parse_stream("type: ToCompositeFieldPath\nfromFieldPath: status.id\n").unwrap();
        assert!(field_patch(&to_composite[0]).is_none());
    }
}
