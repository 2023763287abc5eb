//! What a custom policy definition does for container protection, read from its rule.
//!
//! A custom definition counts like the built-in it matches by what it deploys: its effect
//! (literally, or through an effect parameter as the assignment or the default sets it) and the
//! resources its DeployIfNotExists deployment template deploys, evaluated with the ARM evaluator.
//! Inside the deployment, values fed from the policy (`[field(...)]`, policy parameters) are known
//! where the assignment or the defaults say so and unknown otherwise, naming them.

use crate::frontend::arm::expr::eval::{Context, DeployScope, Evaluator, MissingInput, Supplied};
use crate::frontend::arm::{relative_type, template_scope};
use crate::frontend::arm_shape::{self, ManagedClusterSource};
use crate::model::{
    AssignmentParameter, DefenderProfile, Dialect, PolicyAddon, PolicyDefinition, Setting,
};
use crate::policy::KnownPolicy;
use crate::source::Span;
use crate::value::{Entry, Unknown, Value, ValueKind};

/// Child resources deeper than this inside a deployment template are not read.
const MAX_DEPTH: usize = 8;

/// The effect a definition has for one assignment.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    DeployIfNotExists,
    AuditIfNotExists,
    /// `Disabled`: the span that decides it and a sentence saying how.
    Disabled {
        span: Span,
        reason: String,
    },
    /// Any other effect (`deny`, `audit`, `modify`, ...): nothing aksguard counts.
    Other,
    Unknown(Unknown, Span),
}

/// One protection the definition's deployment provisions (or, audit-only, checks).
#[derive(Debug, Clone, PartialEq)]
pub struct Deployed {
    /// The built-in DeployIfNotExists it does the job of (or [`KnownPolicy::Deprecated`] for a
    /// retired plan).
    pub policy: KnownPolicy,
    /// The deployed resource's `type` in the rule: where covered findings point.
    pub span: Span,
    /// Set when whether it provisions depends on a value aksguard cannot know.
    pub unknown: Option<(Unknown, Span)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub effect: Effect,
    pub deploys: Vec<Deployed>,
}

/// Read `definition` as assigned with `assigned` parameters by `assigner` (how messages name
/// the assignment). `None` when the rule is not known or has no `then.effect`.
pub fn read(
    definition: &PolicyDefinition,
    assigned: &[AssignmentParameter],
    assigner: &str,
) -> Option<Reading> {
    let Setting::Known { value: rule, .. } = &definition.rule else {
        return None;
    };
    let then = &rule.get_ignore_case("then")?.value;
    let declarations = definition
        .parameters
        .clone()
        .unwrap_or_else(|| Value::new(ValueKind::Object(Vec::new()), rule.span));
    let context = policy_context(declarations, assigned, assigner, rule.span);
    let policy = Evaluator::new(&context);
    let effect = effect(&then.get_ignore_case("effect")?.value, &policy, assigned);
    let details = then.get_ignore_case("details").map(|d| &d.value);
    let deploys = match details.and_then(|d| d.get_ignore_case("deployment")) {
        Some(deployment) => deployment_deploys(&deployment.value, &policy),
        None => details.map(audited).unwrap_or_default(),
    };
    Some(Reading { effect, deploys })
}

/// The parameters an initiative passes to a member (`{"effect": {"value":
/// "[parameters('effect')]"}}`), evaluated against the initiative's declarations and the values
/// its assignment (named `assigner`) sets.
pub fn member_parameters(
    passed: &Value,
    declarations: Option<&Value>,
    assigned: &[AssignmentParameter],
    assigner: &str,
) -> Vec<AssignmentParameter> {
    let declarations = declarations
        .cloned()
        .unwrap_or_else(|| Value::new(ValueKind::Object(Vec::new()), passed.span));
    let context = policy_context(declarations, assigned, assigner, passed.span);
    let evaluated = Evaluator::new(&context).value(passed);
    evaluated
        .entries()
        .map(crate::frontend::arm_shape::governance::assignment_parameters)
        .unwrap_or_default()
}

/// What `[parameters('x')]` sees inside a policy: the `declarations` (with their defaults), and
/// the values the assignment (named `assigner`) sets.
fn policy_context(
    declarations: Value,
    assigned: &[AssignmentParameter],
    assigner: &str,
    span: Span,
) -> Context {
    let root = Value::new(
        ValueKind::Object(vec![Entry {
            key: "parameters".into(),
            key_span: span,
            value: declarations,
        }]),
        span,
    );
    let supplied = assigned
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                Supplied {
                    value: p.value.clone(),
                },
            )
        })
        .collect();
    Context::new(
        &root,
        supplied,
        DeployScope::Subscription { subscription: None },
        MissingInput::AssignmentDoesNotSet(format!("`{assigner}`")),
    )
}

fn effect(written: &Value, policy: &Evaluator, assigned: &[AssignmentParameter]) -> Effect {
    let value = policy.value(written);
    let text = written.as_str().unwrap_or("");
    // The span that decides it: the assignment's value when it sets the effect parameter, the
    // parameter's default when that decides, else the effect as written.
    let lower = text.to_ascii_lowercase();
    let deciding = assigned
        .iter()
        .find(|p| lower.contains(&format!("parameters('{}')", p.name.to_ascii_lowercase())))
        .map(|p| p.value.span)
        .or_else(|| value.provenance.first().map(|r| r.span))
        .unwrap_or(value.span);
    match &value.kind {
        ValueKind::String(effect) => match effect.to_ascii_lowercase().as_str() {
            "deployifnotexists" => Effect::DeployIfNotExists,
            "auditifnotexists" => Effect::AuditIfNotExists,
            "disabled" if text.starts_with('[') => Effect::Disabled {
                span: deciding,
                reason: format!("its effect `{text}` is `Disabled`"),
            },
            "disabled" => Effect::Disabled {
                span: deciding,
                reason: "its effect is `Disabled`".to_string(),
            },
            _ => Effect::Other,
        },
        ValueKind::Unknown(unknown) => Effect::Unknown((**unknown).clone(), deciding),
        _ => Effect::Other,
    }
}

/// What `details.deployment` deploys: its `properties.template`, evaluated with the
/// `properties.parameters` the policy passes.
fn deployment_deploys(deployment: &Value, policy: &Evaluator) -> Vec<Deployed> {
    let Some(properties) = deployment.get_ignore_case("properties").map(|p| &p.value) else {
        return Vec::new();
    };
    let Some(template) = properties.get_ignore_case("template").map(|t| &t.value) else {
        return Vec::new();
    };
    let supplied = passed_parameters(properties, policy);
    let context = Context::new(
        template,
        supplied,
        template_scope(template),
        MissingInput::CallerDoesNotPass("the policy's deployment".to_string()),
    );
    let evaluator = Evaluator::new(&context);
    let mut deploys = Vec::new();
    resources(template, &evaluator, None, 0, &mut deploys);
    deploys
}

/// A deployment's `properties.parameters` (`{"name": {"value": ...}}`), evaluated where the
/// deployment is written.
fn passed_parameters(properties: &Value, evaluator: &Evaluator) -> Vec<(String, Supplied)> {
    let passed = properties
        .get_ignore_case("parameters")
        .map(|p| evaluator.value(&p.value));
    passed
        .as_ref()
        .and_then(Value::entries)
        .unwrap_or(&[])
        .iter()
        .map(|entry| {
            let value = entry
                .value
                .get_ignore_case("value")
                .map_or_else(|| entry.value.clone(), |v| v.value.clone());
            (entry.key.to_string(), Supplied { value })
        })
        .collect()
}

fn resources(
    holder: &Value,
    evaluator: &Evaluator,
    parent: Option<&str>,
    depth: usize,
    deploys: &mut Vec<Deployed>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let items: Vec<&Value> = match holder.get_ignore_case("resources").map(|r| &r.value.kind) {
        Some(ValueKind::List(items)) => items.iter().collect(),
        Some(ValueKind::Object(entries)) => entries.iter().map(|e| &e.value).collect(),
        _ => return,
    };
    for resource in items {
        let existing = resource
            .get_ignore_case("existing")
            .map(|e| evaluator.value(&e.value));
        if existing.and_then(|e| e.as_bool()) == Some(true) {
            continue;
        }
        let condition = resource
            .get_ignore_case("condition")
            .map(|c| evaluator.value(&c.value));
        let undecided = match &condition {
            Some(c) if c.as_bool() == Some(false) => continue,
            Some(c) => c.as_unknown().map(|u| (u.clone(), c.span)),
            None => None,
        };
        let Some(type_entry) = resource.get_ignore_case("type") else {
            continue;
        };
        let Some(short_type) = evaluator
            .value(&type_entry.value)
            .as_str()
            .map(str::to_string)
        else {
            continue;
        };
        let full_type = match parent {
            Some(parent) if relative_type(&short_type) => {
                format!("{parent}/{short_type}")
            }
            _ => short_type,
        };
        let at = type_entry.value.span;
        let mut found = Vec::new();
        match full_type.to_ascii_lowercase().as_str() {
            "microsoft.security/pricings" => pricing(resource, evaluator, at, &mut found),
            "microsoft.containerservice/managedclusters" => {
                managed_cluster(resource, evaluator, at, &mut found)
            }
            // An inline nested deployment: its template, evaluated with what it passes (inner
            // scope, as Bicep modules are) or in this template's scope (outer).
            "microsoft.resources/deployments" => {
                nested(resource, evaluator, depth, &mut found);
            }
            "microsoft.kubernetesconfiguration/extensions" => {
                let extension_type = resource
                    .get_ignore_case("properties")
                    .and_then(|p| p.value.get_ignore_case("extensionType"))
                    .map(|t| evaluator.value(&t.value));
                let kind = extension_type
                    .as_ref()
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase);
                match kind.as_deref() {
                    Some("microsoft.azuredefender.kubernetes") => {
                        found.push(deployed(KnownPolicy::ArcDefenderDine, at, None))
                    }
                    Some("microsoft.policyinsights") => {
                        found.push(deployed(KnownPolicy::ArcPolicyDine, at, None))
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        for mut item in found {
            // A deployment that deploys only under an undecided condition may deploy nothing.
            if item.unknown.is_none() {
                item.unknown = undecided.clone();
            }
            deploys.push(item);
        }
        resources(resource, evaluator, Some(&full_type), depth + 1, deploys);
    }
}

fn nested(resource: &Value, evaluator: &Evaluator, depth: usize, found: &mut Vec<Deployed>) {
    let Some(properties) = resource.get_ignore_case("properties").map(|p| &p.value) else {
        return;
    };
    let Some(template) = properties.get_ignore_case("template").map(|t| &t.value) else {
        return;
    };
    let inner = properties
        .get_ignore_case("expressionEvaluationOptions")
        .and_then(|o| o.value.get_ignore_case("scope"))
        .and_then(|s| s.value.as_str())
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
    if !inner {
        return resources(template, evaluator, None, depth + 1, found);
    }
    let supplied = passed_parameters(properties, evaluator);
    let context = Context::new(
        template,
        supplied,
        template_scope(template),
        MissingInput::CallerDoesNotPass("the nested deployment".to_string()),
    );
    resources(template, &Evaluator::new(&context), None, depth + 1, found);
}

fn deployed(policy: KnownPolicy, span: Span, unknown: Option<(Unknown, Span)>) -> Deployed {
    Deployed {
        policy,
        span,
        unknown,
    }
}

/// A `Microsoft.Security/pricings`: `Containers` at Standard is the plan DINE; the retired
/// `KubernetesService` / `ContainerRegistry` plans are deprecated protection.
fn pricing(resource: &Value, evaluator: &Evaluator, at: Span, found: &mut Vec<Deployed>) {
    let name = resource
        .get_ignore_case("name")
        .map(|n| evaluator.value(&n.value));
    let tier = resource
        .get_ignore_case("properties")
        .and_then(|p| p.value.get_ignore_case("pricingTier"))
        .map(|t| evaluator.value(&t.value));
    let tier_unknown = tier
        .as_ref()
        .and_then(|t| t.as_unknown().map(|u| (u.clone(), t.span)));
    let standard = tier
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Standard"));
    if !standard && tier_unknown.is_none() {
        return;
    }
    match name.as_ref().map(|n| (&n.kind, n.span)) {
        Some((ValueKind::String(name), _)) => {
            let plan = name.rsplit('/').next().unwrap_or("");
            if plan.eq_ignore_ascii_case("Containers") {
                found.push(deployed(KnownPolicy::ContainersPlanDine, at, tier_unknown));
            } else if plan.eq_ignore_ascii_case("KubernetesService")
                || plan.eq_ignore_ascii_case("ContainerRegistry")
            {
                found.push(deployed(KnownPolicy::Deprecated, at, tier_unknown));
            }
        }
        Some((ValueKind::Unknown(unknown), span)) => found.push(deployed(
            KnownPolicy::ContainersPlanDine,
            at,
            Some((
                Unknown::new(
                    unknown.cause,
                    format!("which plan it deploys is unknown: {}", unknown.reason),
                ),
                span,
            )),
        )),
        _ => {}
    }
}

/// A managed cluster: its Defender profile and Azure Policy add-on, read as for any cluster.
fn managed_cluster(resource: &Value, evaluator: &Evaluator, at: Span, found: &mut Vec<Deployed>) {
    let properties = resource
        .get_ignore_case("properties")
        .map(|p| evaluator.value(&p.value));
    let cluster = arm_shape::managed_cluster(ManagedClusterSource {
        address: String::new(),
        dialect: Dialect::Arm,
        header: at,
        properties: properties.as_ref(),
        tags: None,
    });
    match &cluster.defender {
        Setting::Known {
            value: DefenderProfile::Enabled,
            ..
        } => found.push(deployed(KnownPolicy::DefenderProfileDine, at, None)),
        Setting::Unknown { unknown, span, .. } => found.push(deployed(
            KnownPolicy::DefenderProfileDine,
            at,
            Some((unknown.clone(), *span)),
        )),
        _ => {}
    }
    match &cluster.azure_policy {
        Setting::Known {
            value: PolicyAddon::Enabled,
            ..
        } => found.push(deployed(KnownPolicy::PolicyAddonDine, at, None)),
        Setting::Unknown { unknown, span, .. } => found.push(deployed(
            KnownPolicy::PolicyAddonDine,
            at,
            Some((unknown.clone(), *span)),
        )),
        _ => {}
    }
}

/// An AuditIfNotExists without a deployment: what its `details` (the related resource's type,
/// name and existence condition) check, as the DeployIfNotExists it is the audit of.
fn audited(details: &Value) -> Vec<Deployed> {
    let Some(type_entry) = details.get_ignore_case("type") else {
        return Vec::new();
    };
    let kind = type_entry.value.as_str().unwrap_or("").to_ascii_lowercase();
    let name = details
        .get_ignore_case("name")
        .and_then(|n| n.value.as_str())
        .unwrap_or("");
    let condition = details
        .get_ignore_case("existenceCondition")
        .and_then(|c| c.value.to_json())
        .map(|c| c.to_string().to_ascii_lowercase())
        .unwrap_or_default();
    let at = type_entry.value.span;
    let policy = match kind.as_str() {
        "microsoft.security/pricings" if name.eq_ignore_ascii_case("Containers") => {
            Some(KnownPolicy::ContainersPlanDine)
        }
        "microsoft.containerservice/managedclusters"
            if condition.contains("securityprofile.defender") =>
        {
            Some(KnownPolicy::DefenderProfileDine)
        }
        "microsoft.containerservice/managedclusters"
            if condition.contains("addonprofiles.azurepolicy") =>
        {
            Some(KnownPolicy::PolicyAddonDine)
        }
        "microsoft.kubernetesconfiguration/extensions"
            if condition.contains("microsoft.azuredefender.kubernetes") =>
        {
            Some(KnownPolicy::ArcDefenderDine)
        }
        "microsoft.kubernetesconfiguration/extensions"
            if condition.contains("microsoft.policyinsights") =>
        {
            Some(KnownPolicy::ArcPolicyDine)
        }
        _ => None,
    };
    policy
        .map(|policy| deployed(policy, at, None))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resource;
    use crate::source::FileId;

    const RULE: &str = r#"{
      "if": {"field": "type", "equals": "Microsoft.Resources/subscriptions"},
      "then": {
        "effect": "[parameters('effect')]",
        "details": {
          "type": "Microsoft.Security/pricings",
          "name": "Containers",
          "deployment": {"properties": {
            "parameters": {"tier": {"value": "[parameters('tier')]"}, "cluster": {"value": "[field('name')]"}},
            "template": {
              "parameters": {"tier": {"type": "string"}, "cluster": {"type": "string"}},
              "resources": [
                {"type": "Microsoft.Security/pricings", "name": "Containers",
                 "properties": {"pricingTier": "[parameters('tier')]"}},
                {"type": "Microsoft.ContainerService/managedClusters", "name": "[parameters('cluster')]",
                 "properties": {"securityProfile": {"defender": {"securityMonitoring": {"enabled": true}}}}}
              ]
            }
          }}
        }
      }
    }"#;

    fn json(text: &str) -> Value {
        crate::frontend::json::parse(FileId(0), text)
            .unwrap()
            .unwrap()
    }

    fn definition(parameters: &str) -> PolicyDefinition {
        let rule = json(RULE);
        PolicyDefinition {
            resource: Resource {
                address: "def".to_string(),
                dialect: Dialect::Arm,
                header: rule.span,
            },
            name: Some("def".to_string()),
            symbolic_name: None,
            parameters: Some(json(parameters)),
            rule: Setting::known(rule, Span::default()),
        }
    }

    fn assigned(name: &str, value: &str) -> AssignmentParameter {
        AssignmentParameter {
            name: name.to_string(),
            name_span: Span::default(),
            value: Value::new(ValueKind::String(value.to_string()), Span::default()),
        }
    }

    #[test]
    fn effect_and_deployed_values_follow_the_assignment_then_the_defaults() {
        let def = definition(
            r#"{"effect": {"type": "String", "defaultValue": "DeployIfNotExists"},
                "tier": {"type": "String", "defaultValue": "Standard"}}"#,
        );
        let reading = read(&def, &[], "a").unwrap();
        assert_eq!(reading.effect, Effect::DeployIfNotExists);
        let policies: Vec<_> = reading.deploys.iter().map(|d| d.policy).collect();
        assert_eq!(
            policies,
            [
                KnownPolicy::ContainersPlanDine,
                KnownPolicy::DefenderProfileDine
            ]
        );
        assert!(reading.deploys.iter().all(|d| d.unknown.is_none()));
        // The assignment's values win: audit-only, and the Free tier provisions no plan.
        let reading = read(
            &def,
            &[
                assigned("Effect", "AuditIfNotExists"),
                assigned("tier", "Free"),
            ],
            "a",
        )
        .unwrap();
        assert_eq!(reading.effect, Effect::AuditIfNotExists);
        let policies: Vec<_> = reading.deploys.iter().map(|d| d.policy).collect();
        assert_eq!(policies, [KnownPolicy::DefenderProfileDine]);
        let reading = read(&def, &[assigned("effect", "Disabled")], "a").unwrap();
        assert!(matches!(reading.effect, Effect::Disabled { .. }));
    }

    #[test]
    fn unset_policy_parameters_are_unknown_and_named() {
        let def = definition(r#"{"effect": {"type": "String"}, "tier": {"type": "String"}}"#);
        let reading = read(&def, &[], "assignment 'x'").unwrap();
        let Effect::Unknown(unknown, _) = &reading.effect else {
            panic!("effect should be unknown: {:?}", reading.effect);
        };
        assert_eq!(
            unknown.reason,
            "parameters('effect') has no default and `assignment 'x'` does not set it"
        );
        let plan = &reading.deploys[0];
        assert_eq!(plan.policy, KnownPolicy::ContainersPlanDine);
        let (unknown, _) = plan.unknown.as_ref().unwrap();
        assert!(
            unknown.reason.contains("parameters('tier')"),
            "{}",
            unknown.reason
        );
    }

    #[test]
    fn inline_nested_deployments_are_read_with_what_they_pass() {
        let rule = json(
            r#"{"then": {"effect": "deployIfNotExists", "details": {"deployment": {"properties": {
              "parameters": {"tier": {"value": "[parameters('tier')]"}},
              "template": {
                "parameters": {"tier": {"type": "string"}},
                "resources": [{"type": "Microsoft.Resources/deployments", "name": "inner",
                  "properties": {"expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"plan": {"value": "[parameters('tier')]"}},
                    "template": {"parameters": {"plan": {"type": "string"}},
                      "resources": [{"type": "Microsoft.Security/pricings", "name": "Containers",
                        "properties": {"pricingTier": "[parameters('plan')]"}}]}}}]
              }}}}}}"#,
        );
        let mut def = definition(r#"{"tier": {"type": "String", "defaultValue": "Standard"}}"#);
        def.rule = Setting::known(rule, Span::default());
        let reading = read(&def, &[], "a").unwrap();
        assert_eq!(reading.deploys.len(), 1);
        assert_eq!(reading.deploys[0].policy, KnownPolicy::ContainersPlanDine);
        assert!(reading.deploys[0].unknown.is_none());
        let reading = read(&def, &[assigned("tier", "Free")], "a").unwrap();
        assert!(reading.deploys.is_empty());
    }

    #[test]
    fn an_unreadable_or_effectless_rule_is_nothing() {
        let mut def = definition("{}");
        def.rule = Setting::Absent {
            holder: Span::default(),
        };
        assert!(read(&def, &[], "a").is_none());
        def.rule = Setting::known(json(r#"{"then": {}}"#), Span::default());
        assert!(read(&def, &[], "a").is_none());
    }
}
