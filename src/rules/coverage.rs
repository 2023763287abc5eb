//! Which policy assignments in the scan can act, and what they cover.
//!
//! An assignment is **active** when its enforcement is default, no effect parameter is
//! `Disabled`, it has a managed identity, and it applies at subscription or management-group
//! scope without exclusions (aksguard cannot tell which clusters `not_scopes` would exclude, so an
//! assignment with exclusions is not counted as covering).

use crate::model::{
    AssignmentScope, Cluster, ClusterKind, ClusterPatch, Model, PolicyAssignment, Setting,
};
use crate::policy::{self, KnownPolicy};
use crate::source::Span;
use crate::value::{Related, Unknown, ValueKind};

/// The known policies an assignment assigns: the built-in definition or initiative it names, or
/// the known members of a custom initiative defined in the scan.
pub fn known_policies(model: &Model, assignment: &PolicyAssignment) -> Vec<KnownPolicy> {
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
    if let Some(known) = policy::classify(reference) {
        return vec![known];
    }
    let name = reference
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let set = model.policy_sets.iter().find(|set| {
        set.resource.address.ends_with(reference)
            || (reference.contains('/')
                && set
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name)))
    });
    let mut policies: Vec<KnownPolicy> = set
        .map(|set| {
            set.members
                .iter()
                .filter_map(|m| policy::classify(m))
                .collect()
        })
        .unwrap_or_default();
    policies.sort();
    policies.dedup();
    policies
}

/// The first provisioning policy among what an assignment assigns.
pub fn provisioning_policy(model: &Model, assignment: &PolicyAssignment) -> Option<KnownPolicy> {
    known_policies(model, assignment)
        .into_iter()
        .find(|p| p.provisions())
}

/// Why an assignment of a provisioning policy cannot act.
pub enum Inertness {
    /// It cannot act: the reason, and the span that decides it.
    Inert(String, Span),
    /// Whether it can act depends on an input.
    Unknown(Unknown, Span),
}

/// `None` when the assignment can act.
pub fn inertness(assignment: &PolicyAssignment, known: KnownPolicy) -> Option<Inertness> {
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
                return Some(Inertness::Unknown(unknown.clone(), parameter.value.span))
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
}

impl Cover<'_> {
    /// The related location a covered finding carries.
    pub fn related(&self) -> Related {
        let scope = match self.assignment.scope {
            AssignmentScope::ManagementGroup => "management-group",
            _ => "subscription",
        };
        Related {
            span: self.assignment.resource.header,
            message: format!(
                "`{}` assigns {} at {scope} scope; taken to cover the clusters in this scan",
                self.assignment.resource.address,
                self.policy.describe()
            ),
        }
    }
}

/// Every active assignment that covers clusters, in model order.
pub fn active_covers(model: &Model) -> Vec<Cover<'_>> {
    model
        .assignments
        .iter()
        .flat_map(|assignment| {
            let scoped = matches!(
                assignment.scope,
                AssignmentScope::Subscription | AssignmentScope::ManagementGroup
            );
            known_policies(model, assignment)
                .into_iter()
                .filter(move |policy| {
                    scoped
                        && assignment.not_scopes.is_empty()
                        && inertness(assignment, *policy).is_none()
                })
                .map(move |policy| Cover { assignment, policy })
        })
        .collect()
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
