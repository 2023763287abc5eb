//! Which policy assignments in the scan can act, and what they cover.
//!
//! An assignment is **active** when its enforcement is default, no effect parameter is
//! `Disabled`, it has a managed identity, and it applies at subscription or management-group
//! scope without exclusions (aksguard cannot tell which clusters `not_scopes` would exclude, so an
//! assignment with exclusions is not counted as covering).

use crate::custom_policy::{self, Effect};
use crate::model::{
    AssignmentScope, Cluster, ClusterKind, ClusterPatch, Model, PolicyAssignment, PolicyDefinition,
    PolicySet, Resource, Setting,
};
use crate::policy::{self, KnownPolicy};
use crate::source::{FileId, Span};
use crate::value::{Related, Unknown, ValueKind};

/// One policy an assignment assigns: a built-in (directly or as an initiative's member), or a
/// custom definition in the scan counted as the built-in whose job it does.
pub struct Assigned<'m> {
    pub policy: KnownPolicy,
    pub custom: Option<CustomSource<'m>>,
}

/// Where a custom definition provisions what it counts as, and why it may not act.
pub struct CustomSource<'m> {
    pub definition: &'m PolicyDefinition,
    /// The deployed resource's `type` in the definition's rule.
    pub deployed: Span,
    /// Set when the definition cannot act for this assignment (effect `Disabled`) or whether it
    /// can depends on an input (an undecided effect or deployed setting).
    pub inert: Option<Inertness>,
}

/// Everything an assignment assigns that aksguard knows, built-in or custom.
pub fn assigned<'m>(model: &'m Model, assignment: &PolicyAssignment) -> Vec<Assigned<'m>> {
    // The id as evaluated; or, when only the deployment knows its scope, the provider path the
    // id ends with; or a Terraform reference (`azurerm_policy_set_definition.x`).
    let reference = match &assignment.definition {
        Setting::Known { value, .. } => value.as_str(),
        Setting::Unknown { unknown, .. } => match unknown.reference.as_deref() {
            Some(reference) => reference,
            None => return Vec::new(),
        },
        Setting::Absent { .. } => return Vec::new(),
    };
    let file = assignment.definition.span().file;
    if let Some(known) = policy::classify(reference) {
        return vec![Assigned {
            policy: known,
            custom: None,
        }];
    }
    if let Some(definition) = same_file_first(&model.policy_definitions, file, |d| &d.resource)
        .find(|d| names_definition(reference, file, d))
    {
        return custom_assigned(
            definition,
            &assignment.parameters,
            &assignment.resource.address,
        );
    }
    let Some(set) = same_file_first(&model.policy_sets, file, |set| &set.resource)
        .find(|set| names_set(reference, file, set))
    else {
        return Vec::new();
    };
    let set_file = set.resource.header.file;
    let mut members = Vec::new();
    for member in &set.members {
        if let Some(known) = policy::classify(member) {
            members.push(Assigned {
                policy: known,
                custom: None,
            });
        } else if let Some(definition) =
            same_file_first(&model.policy_definitions, set_file, |d| &d.resource)
                .find(|d| names_definition(member, set_file, d))
        {
            // The initiative passes its members' parameters from its own, which the assignment
            // sets; what a member is not passed takes its default.
            let passed = set
                .member_parameters
                .iter()
                .find(|(id, _)| id == member)
                .map(|(_, passed)| {
                    custom_policy::member_parameters(
                        passed,
                        set.parameters.as_ref(),
                        &assignment.parameters,
                        &assignment.resource.address,
                    )
                })
                .unwrap_or_default();
            members.extend(custom_assigned(
                definition,
                &passed,
                &assignment.resource.address,
            ));
        }
    }
    members
}

/// `items`, those declared in `file` first: a name declared beside its reference is the one it
/// means when other files declare the same name.
fn same_file_first<T>(
    items: &[T],
    file: FileId,
    resource: fn(&T) -> &Resource,
) -> impl Iterator<Item = &T> {
    let here = items
        .iter()
        .filter(move |i| resource(i).header.file == file);
    let elsewhere = items
        .iter()
        .filter(move |i| resource(i).header.file != file);
    here.chain(elsewhere)
}

/// Whether `reference` (an id, a Terraform reference, or an id with a symbolic last segment,
/// `/[derivation]`, written in file `file`) names the custom definition `definition`.
fn names_definition(reference: &str, file: FileId, definition: &PolicyDefinition) -> bool {
    names(
        reference,
        file,
        "policydefinitions",
        &definition.resource,
        definition.name.as_deref(),
        definition.symbolic_name.as_deref(),
    )
}

fn names_set(reference: &str, file: FileId, set: &PolicySet) -> bool {
    names(
        reference,
        file,
        "policysetdefinitions",
        &set.resource,
        set.name.as_deref(),
        set.symbolic_name.as_deref(),
    )
}

fn names(
    reference: &str,
    file: FileId,
    kind: &str,
    resource: &Resource,
    name: Option<&str>,
    symbolic_name: Option<&str>,
) -> bool {
    if resource.address.ends_with(reference) {
        return true;
    }
    if !reference.contains('/') {
        return false;
    }
    // Cheap comparisons first: scans hold hundreds of definitions and assignments.
    let named = match symbolic_name {
        // Only the deployment knows the name; the same derivation in the same template is the
        // same value.
        Some(derivation) => {
            resource.header.file == file
                && reference
                    .strip_suffix(']')
                    .and_then(|r| r.strip_suffix(derivation))
                    .is_some_and(|r| r.ends_with("/["))
        }
        None => {
            let last = reference
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            name.is_some_and(|n| n.eq_ignore_ascii_case(last))
        }
    };
    // Definitions and initiatives are different resource types: a definition's id never names
    // an initiative of the same name.
    let other = if kind == "policydefinitions" {
        "/policysetdefinitions/"
    } else {
        "/policydefinitions/"
    };
    named && !reference.to_ascii_lowercase().contains(other)
}

/// What a custom definition assigned with `parameters` counts as.
fn custom_assigned<'m>(
    definition: &'m PolicyDefinition,
    parameters: &[crate::model::AssignmentParameter],
    assigner: &str,
) -> Vec<Assigned<'m>> {
    let Some(reading) = custom_policy::read(definition, parameters, assigner) else {
        return Vec::new();
    };
    reading
        .deploys
        .into_iter()
        .filter_map(|deployed| {
            let policy = match &reading.effect {
                Effect::AuditIfNotExists => {
                    KnownPolicy::Audit(deployed.policy.audit_counterpart()?)
                }
                Effect::Other => return None,
                _ => deployed.policy,
            };
            let inert = match &reading.effect {
                Effect::Disabled { span, reason } => Some(Inertness::Inert(reason.clone(), *span)),
                Effect::Unknown(unknown, span) => Some(Inertness::Unknown(unknown.clone(), *span)),
                _ => deployed
                    .unknown
                    .map(|(unknown, span)| Inertness::Unknown(unknown, span)),
            };
            Some(Assigned {
                policy,
                custom: Some(CustomSource {
                    definition,
                    deployed: deployed.span,
                    inert,
                }),
            })
        })
        .collect()
}

/// The known policies an assignment assigns: the built-in definition or initiative it names, the
/// known members of a custom initiative defined in the scan, or what custom definitions in the
/// scan count as.
pub fn known_policies(model: &Model, assignment: &PolicyAssignment) -> Vec<KnownPolicy> {
    let mut policies: Vec<KnownPolicy> = assigned(model, assignment)
        .into_iter()
        .map(|a| a.policy)
        .collect();
    policies.sort();
    policies.dedup();
    policies
}

/// How messages name what an assignment assigns as `policy`: the built-in's name, or the custom
/// definition that does its job.
pub fn describe(model: &Model, assignment: &PolicyAssignment, policy: KnownPolicy) -> String {
    let custom = assigned(model, assignment)
        .into_iter()
        .filter(|a| a.policy == policy)
        .find_map(|a| a.custom);
    match custom {
        Some(custom) => format!(
            "the custom definition `{}` (which deploys what `{}` does)",
            custom.definition.resource.address,
            policy.describe()
        ),
        None => policy.describe().to_string(),
    }
}

/// The first provisioning policy among what an assignment assigns.
pub fn provisioning_policy(model: &Model, assignment: &PolicyAssignment) -> Option<KnownPolicy> {
    known_policies(model, assignment)
        .into_iter()
        .find(|p| p.provisions())
}

/// Why an assignment of a provisioning policy cannot act.
#[derive(Debug, Clone)]
pub enum Inertness {
    /// It cannot act: the reason, and the span that decides it.
    Inert(String, Span),
    /// Whether it can act depends on an input.
    Unknown(Unknown, Span),
}

/// `None` when the assignment can act.
pub fn inertness(
    model: &Model,
    assignment: &PolicyAssignment,
    known: KnownPolicy,
) -> Option<Inertness> {
    match &assignment.enforce {
        Setting::Known {
            value: false, span, ..
        } => {
            return Some(Inertness::Inert(
                "its enforcement is off (`enforce = false` / `enforcementMode: DoNotEnforce`), so DeployIfNotExists never deploys".to_string(),
                *span,
            ))
        }
        Setting::Unknown { unknown, span, .. } => {
            return Some(Inertness::Unknown(unknown.clone(), *span))
        }
        _ => {}
    }
    if let Some((unknown, span)) = &assignment.parameters_unknown {
        return Some(Inertness::Unknown(unknown.clone(), *span));
    }
    for parameter in &assignment.parameters {
        let name = parameter.name.to_ascii_lowercase();
        let is_switch = name.contains("effect") || name == "enableascforcontainers";
        if !is_switch {
            continue;
        }
        match &parameter.value.kind {
            ValueKind::String(effect) if effect.eq_ignore_ascii_case("disabled") => {
                return Some(Inertness::Inert(
                    format!("its `{}` parameter is `Disabled`", parameter.name),
                    parameter.value.span,
                ))
            }
            ValueKind::Unknown(unknown) => {
                return Some(Inertness::Unknown(
                    (**unknown).clone(),
                    parameter.value.span,
                ))
            }
            _ => {}
        }
    }
    if known == KnownPolicy::AlzMdfcConfig
        && !assignment
            .parameters
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case("enableAscForContainers"))
    {
        return Some(Inertness::Inert(
            "it does not set `enableAscForContainers`, whose shipped default is `Disabled`"
                .to_string(),
            assignment.resource.header,
        ));
    }
    // A custom definition acts when one of those doing this job does.
    let custom: Vec<Assigned> = assigned(model, assignment)
        .into_iter()
        .filter(|a| a.policy == known)
        .collect();
    if !custom.is_empty()
        && custom
            .iter()
            .all(|a| a.custom.as_ref().is_some_and(|c| c.inert.is_some()))
    {
        return custom
            .into_iter()
            .find_map(|a| a.custom.and_then(|c| c.inert));
    }
    match &assignment.identity {
        Setting::Known { value: true, .. } => None,
        Setting::Unknown { unknown, span, .. } => Some(Inertness::Unknown(unknown.clone(), *span)),
        setting => Some(Inertness::Inert(
            "it has no managed identity, which DeployIfNotExists remediation requires".to_string(),
            setting.span(),
        )),
    }
}

/// An active assignment that provisions or modifies what a rule checks.
pub struct Cover<'a> {
    pub assignment: &'a PolicyAssignment,
    pub policy: KnownPolicy,
    /// For a custom definition: the resource its deployment deploys, and the definition.
    pub deployed: Option<(Span, &'a PolicyDefinition)>,
}

impl Cover<'_> {
    /// The related location a covered finding carries: the assignment, or for a custom
    /// definition the resource its deployment deploys.
    pub fn related(&self) -> Related {
        let scope = match self.assignment.scope {
            AssignmentScope::ManagementGroup => "management-group",
            _ => "subscription",
        };
        match self.deployed {
            Some((span, definition)) => Related {
                span,
                message: format!(
                    "`{}` assigns the custom definition `{}` at {scope} scope, whose DeployIfNotExists deploys this (what `{}` does); taken to cover the clusters in this scan",
                    self.assignment.resource.address,
                    definition.resource.address,
                    self.policy.describe()
                ),
            },
            None => Related {
                span: self.assignment.resource.header,
                message: format!(
                    "`{}` assigns {} at {scope} scope; taken to cover the clusters in this scan",
                    self.assignment.resource.address,
                    self.policy.describe()
                ),
            },
        }
    }
}

/// Every active assignment that covers clusters, in model order.
pub fn active_covers(model: &Model) -> Vec<Cover<'_>> {
    let mut covers = Vec::new();
    for assignment in &model.assignments {
        let scoped = matches!(
            assignment.scope,
            AssignmentScope::Subscription | AssignmentScope::ManagementGroup
        );
        if !scoped || !assignment.not_scopes.is_empty() {
            continue;
        }
        let assigned = assigned(model, assignment);
        for policy in known_policies(model, assignment) {
            if inertness(model, assignment, policy).is_some() {
                continue;
            }
            // What does the job: a built-in first, else the first custom definition that can act.
            let source = assigned
                .iter()
                .filter(|a| a.policy == policy)
                .find(|a| a.custom.as_ref().is_none_or(|c| c.inert.is_none()));
            let deployed = source
                .and_then(|a| a.custom.as_ref())
                .map(|c| (c.deployed, c.definition));
            covers.push(Cover {
                assignment,
                policy,
                deployed,
            });
        }
    }
    covers
}

/// The first active assignment of a policy satisfying `wanted`.
pub fn cover_for<'a>(
    covers: &'a [Cover<'a>],
    wanted: impl Fn(KnownPolicy) -> bool,
) -> Option<&'a Cover<'a>> {
    covers.iter().find(|cover| wanted(cover.policy))
}

/// Whether `target` (a Terraform address, possibly with `.id`, or an ARM id or name) names
/// `cluster`.
pub fn names_cluster(target: &str, cluster: &Cluster) -> bool {
    let target = target.trim().trim_end_matches('/');
    // A Terraform reference names the resource as written in its module (`type.name`); the
    // cluster's address may carry a module prefix (`module.edge.`) and an instance key.
    let reference = target.strip_suffix(".id").unwrap_or(target);
    let address = cluster
        .address
        .split_once('[')
        .map_or(cluster.address.as_str(), |(base, _)| base);
    if address == reference || address.ends_with(&format!(".{reference}")) {
        return true;
    }
    let Some(name) = &cluster.name else {
        return false;
    };
    let lower = target.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    let kind = match cluster.kind {
        ClusterKind::Managed => "microsoft.containerservice/managedclusters",
        ClusterKind::ArcConnected => "microsoft.kubernetes/connectedclusters",
    };
    lower == name || lower.ends_with(&format!("{kind}/{name}"))
}

/// An `azapi_update_resource` in the scan that patches `cluster` with what `enables` picks.
pub fn patch_for<'a>(
    model: &'a Model,
    cluster: &Cluster,
    enables: fn(&ClusterPatch) -> bool,
) -> Option<&'a ClusterPatch> {
    model
        .patches
        .iter()
        .filter(|p| enables(p))
        .find(|patch| match &patch.target {
            Setting::Known { value, .. } => names_cluster(value, cluster),
            Setting::Unknown { unknown, .. } => unknown
                .reference
                .as_deref()
                .is_some_and(|r| names_cluster(r, cluster)),
            Setting::Absent { .. } => false,
        })
}
