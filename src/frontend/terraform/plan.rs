//! Plan input: `terraform show -json` output given with `--plan`, read as ground truth for the
//! values of the clusters, Defender pricings and policy assignments it plans, including what
//! remote modules and data sources decide.
//!
//! The plan has no source lines, so each planned cluster is matched by address with the cluster
//! the `.tf` files declare, and its settings keep their place in the `.tf` files (the attribute,
//! or the block that should hold it); the plan's value is a related location. A cluster only the
//! plan knows (inside a remote module that was not downloaded) is reported at its place in the
//! plan file, and the message says so.

use super::eval::{EvalAttribute, EvalBlock};
use crate::finding::Finding;
use crate::model::{
    Cluster, Model, PolicyAssignment, Pricing, PricingExtension, PricingExtensions, Setting,
};
use crate::source::Span;
use crate::value::{Related, UnknownCause, Value, ValueKind};

/// A planned resource: its address and its values after apply (unknown where the plan says
/// "known after apply").
struct Planned<'p> {
    address: &'p str,
    resource_type: &'p str,
    name: &'p str,
    /// The resource's `address` in the plan, where what only the plan knows is located.
    span: Span,
    values: Value,
}

/// Apply every plan to the model the `.tf` files gave, and drop the E003 notes about remote
/// modules whose resources a plan now describes.
pub fn apply(model: &mut Model, notes: &mut Vec<Finding>, plans: &[&Value]) {
    let mut planned = Vec::new();
    for plan in plans {
        planned.extend(planned_resources(plan));
    }
    for resource in &planned {
        if super::azurerm_governance::lowers(resource.resource_type) {
            let mut lowered = Model::default();
            super::azurerm_governance::lower_resource(
                resource.resource_type,
                resource.address,
                &eval_block(resource),
                &mut lowered,
            );
            for pricing in lowered.pricings {
                ground_pricing(model, pricing);
            }
            for assignment in lowered.assignments {
                ground_assignment(model, assignment);
            }
            continue;
        }
        if resource.resource_type != "azurerm_kubernetes_cluster" {
            continue;
        }
        let block = eval_block(resource);
        let Some(from_plan) = super::azurerm::lower_resource(
            resource.resource_type,
            resource.address.to_string(),
            &block,
        ) else {
            continue;
        };
        match model
            .clusters
            .iter_mut()
            .find(|c| c.address == resource.address)
        {
            Some(declared) => ground(declared, from_plan),
            None => {
                let mut only_planned = from_plan;
                only_planned.context.push(Related {
                    span: resource.span,
                    message: format!(
                        "`{}` is known only from the plan: its configuration is not among the scanned files",
                        resource.address
                    ),
                });
                model.clusters.push(only_planned);
            }
        }
    }
    // A remote module's resources are known once a plan lists them.
    notes.retain(|note| {
        let Some(module) = note.resource.as_deref() else {
            return true;
        };
        let prefix = format!("{module}.");
        let prefix_indexed = format!("{module}[");
        !planned
            .iter()
            .any(|r| r.address.starts_with(&prefix) || r.address.starts_with(&prefix_indexed))
    });
}

/// Take the plan's tier, plan and components for a declared pricing (at its `.tf` lines), or
/// add a pricing only the plan knows.
fn ground_pricing(model: &mut Model, planned: Pricing) {
    let Some(declared) = model
        .pricings
        .iter_mut()
        .find(|p| p.resource.address == planned.resource.address)
    else {
        model.pricings.push(planned);
        return;
    };
    declared.plan = grounded(&declared.plan, planned.plan, "the plan");
    declared.tier = grounded(&declared.tier, planned.tier, "the tier");
    let place = declared.resource.header;
    declared.extensions = match planned.extensions {
        PricingExtensions::Exhaustive(extensions) => PricingExtensions::Exhaustive(
            extensions
                .into_iter()
                .map(|e| PricingExtension {
                    span: place,
                    enabled: grounded(
                        &Setting::Absent { holder: place },
                        e.enabled,
                        "the component",
                    ),
                    name: e.name,
                })
                .collect(),
        ),
        other => other,
    };
}

/// Take the plan's definition, enforcement and identity for a declared policy assignment, or add
/// an assignment only the plan knows.
fn ground_assignment(model: &mut Model, planned: PolicyAssignment) {
    let Some(declared) = model
        .assignments
        .iter_mut()
        .find(|a| a.resource.address == planned.resource.address)
    else {
        model.assignments.push(planned);
        return;
    };
    declared.definition = grounded(&declared.definition, planned.definition, "the definition");
    declared.enforce = grounded(&declared.enforce, planned.enforce, "the enforcement");
    declared.identity = grounded(&declared.identity, planned.identity, "the identity");
    if declared.parameters_unknown.is_some() && planned.parameters_unknown.is_none() {
        declared.parameters_unknown = None;
        declared.parameters = planned.parameters;
    }
}

/// Take the plan's settings for a declared cluster, keeping each at its place in the `.tf` files
/// with the plan's value as a related location.
fn ground(declared: &mut Cluster, planned: Cluster) {
    declared.defender = grounded(&declared.defender, planned.defender, "the Defender profile");
    declared.azure_policy = grounded(
        &declared.azure_policy,
        planned.azure_policy,
        "the Azure Policy add-on",
    );
    declared.tags = grounded(&declared.tags, planned.tags, "the tags");
}

fn grounded<T>(declared: &Setting<T>, planned: Setting<T>, what: &str) -> Setting<T> {
    let place = declared.span();
    let because = |span: Span, how: &str| Related {
        span,
        message: format!("the plan decides {what}: {how}"),
    };
    match planned {
        Setting::Known {
            value,
            span,
            mut provenance,
        } => {
            provenance.insert(0, because(span, "this is its planned value"));
            Setting::Known {
                value,
                span: place,
                provenance,
            }
        }
        Setting::Unknown {
            unknown,
            span,
            mut provenance,
        } => {
            provenance.insert(0, because(span, "known after apply"));
            Setting::Unknown {
                unknown,
                span: place,
                provenance,
            }
        }
        Setting::Absent { .. } => Setting::Absent { holder: place },
    }
}

/// Every resource the plan will have after apply: `resource_changes` (with what is known only
/// after apply) where present, else `planned_values`. Deleted resources are left out.
fn planned_resources(plan: &Value) -> Vec<Planned<'_>> {
    let mut found = Vec::new();
    if let Some(changes) = plan.get("resource_changes").and_then(|c| c.value.items()) {
        for change in changes {
            let field = |key: &str| change.get(key).and_then(|v| v.value.as_str());
            let (Some(address), Some(resource_type), Some(name)) =
                (field("address"), field("type"), field("name"))
            else {
                continue;
            };
            if field("mode") == Some("data") {
                continue;
            }
            let Some(change_body) = change.get("change").map(|c| &c.value) else {
                continue;
            };
            let Some(after) = change_body.get("after").map(|a| &a.value) else {
                continue;
            };
            if after.is_null() {
                continue;
            }
            let after_unknown = change_body.get("after_unknown").map(|u| &u.value);
            found.push(Planned {
                address,
                resource_type,
                name,
                span: change.get("address").map_or(change.span, |a| a.value.span),
                values: with_unknowns(after, after_unknown, address),
            });
        }
        return found;
    }
    if let Some(root) = plan
        .get("planned_values")
        .and_then(|p| p.value.get("root_module"))
    {
        module_resources(&root.value, 0, &mut found);
    }
    found
}

fn module_resources<'p>(module: &'p Value, depth: usize, out: &mut Vec<Planned<'p>>) {
    if depth > 64 {
        return;
    }
    for resource in module
        .get("resources")
        .and_then(|r| r.value.items())
        .unwrap_or(&[])
    {
        let field = |key: &str| resource.get(key).and_then(|v| v.value.as_str());
        if let (Some(address), Some(resource_type), Some(name), Some(values)) = (
            field("address"),
            field("type"),
            field("name"),
            resource.get("values"),
        ) {
            if field("mode") != Some("data") {
                out.push(Planned {
                    address,
                    resource_type,
                    name,
                    span: resource
                        .get("address")
                        .map_or(resource.span, |a| a.value.span),
                    values: values.value.clone(),
                });
            }
        }
    }
    for child in module
        .get("child_modules")
        .and_then(|c| c.value.items())
        .unwrap_or(&[])
    {
        module_resources(child, depth + 1, out);
    }
}

/// `after` with every value `after_unknown` marks `true` replaced by an unknown.
fn with_unknowns(after: &Value, unknown: Option<&Value>, address: &str) -> Value {
    match unknown.map(|u| &u.kind) {
        Some(ValueKind::Bool(true)) => Value::unknown(
            UnknownCause::Computed,
            format!("the plan says a value of `{address}` is known only after apply"),
            after.span,
        ),
        Some(ValueKind::Object(marks)) => match &after.kind {
            ValueKind::Object(entries) => {
                let mut entries = entries.clone();
                for entry in &mut entries {
                    let mark = marks.iter().find(|m| m.key == entry.key).map(|m| &m.value);
                    entry.value = with_unknowns(&entry.value, mark, address);
                }
                // Attributes known only after apply are absent from `after`.
                for mark in marks {
                    if matches!(mark.value.kind, ValueKind::Bool(true))
                        && !entries.iter().any(|e| e.key == mark.key)
                    {
                        entries.push(crate::value::Entry {
                            key: mark.key.clone(),
                            key_span: mark.key_span,
                            value: with_unknowns(&mark.value, Some(&mark.value), address),
                        });
                    }
                }
                Value {
                    kind: ValueKind::Object(entries),
                    ..after.clone()
                }
            }
            _ => after.clone(),
        },
        Some(ValueKind::List(marks)) => match &after.kind {
            ValueKind::List(items) => Value {
                kind: ValueKind::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| with_unknowns(item, marks.get(i), address))
                        .collect(),
                ),
                ..after.clone()
            },
            _ => after.clone(),
        },
        _ => after.clone(),
    }
}

/// The planned values as a block: a list of objects is a nested block per element (the plan's
/// form for `microsoft_defender { ... }`), anything else an attribute.
fn eval_block(resource: &Planned) -> EvalBlock {
    block_of(
        "resource",
        vec![
            resource.resource_type.to_string(),
            resource.name.to_string(),
        ],
        resource.span,
        &resource.values,
    )
}

fn block_of(ident: &str, labels: Vec<String>, header: Span, body: &Value) -> EvalBlock {
    let mut attributes = Vec::new();
    let mut blocks = Vec::new();
    for entry in body.entries().unwrap_or(&[]) {
        let nested: Option<&[Value]> = entry
            .value
            .items()
            .filter(|items| !items.is_empty() && items.iter().all(|i| i.entries().is_some()));
        match nested {
            Some(items) => {
                for item in items {
                    blocks.push(block_of(&entry.key, Vec::new(), entry.key_span, item));
                }
            }
            None if is_empty_block_list(&entry.value) => {}
            None => attributes.push(EvalAttribute {
                name: entry.key.to_string(),
                span: entry.key_span,
                value: entry.value.clone(),
                encoded: None,
            }),
        }
    }
    EvalBlock {
        ident: ident.to_string(),
        labels,
        header,
        span: body.span,
        attributes,
        blocks,
        undecided_blocks: Vec::new(),
        empty_blocks: Vec::new(),
    }
}

/// `microsoft_defender: []`: the plan's way of saying the block is absent. (An empty list
/// attribute says nothing the rules read.)
fn is_empty_block_list(value: &Value) -> bool {
    value.items().is_some_and(<[Value]>::is_empty)
}
