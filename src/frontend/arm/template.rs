//! Walking what a template deploys: resources as an array or keyed by symbolic name, child
//! resources, `existing` references, `condition`, `copy` loops and nested deployments.

use super::expr::eval::{
    Context, CopyIndex, DeployScope, Evaluator, MissingInput, Supplied, MAX_COPY,
};
use super::links::{self, Library};
use super::params;
use super::{lower, template_scope, ArmOutput, Document, DocumentKind};
use crate::finding::{Finding, Outcome};
use crate::frontend::arm_shape::governance;
use crate::model::AssignmentScope;
use crate::rules::tool::NOT_ANALYSED;
use crate::source::{FileId, SourceMap};
use crate::value::{Related, UnknownCause, Value, ValueKind};

/// Nested deployments deeper than this are not followed (ARM itself stops far earlier in
/// practice; this only bounds hostile input).
pub const MAX_NESTING: usize = 16;

const DEPLOYMENTS: &str = "Microsoft.Resources/deployments";

/// Whether the walk reads more of a resource of this full type than [`RESOURCE_PARTS_WALKED`]:
/// clusters, nested deployments and the posture resources [`governance::lower`] reads.
pub(super) fn reads_whole_resource(full_type: &str) -> bool {
    full_type.eq_ignore_ascii_case(lower::MANAGED_CLUSTERS)
        || full_type.eq_ignore_ascii_case(DEPLOYMENTS)
        || governance::lowers(full_type)
}

/// What the walk reads of any other resource (a storage account, a virtual network): whether and
/// how often it is deployed, its type and name (which its children's are relative to), and its
/// children.
pub(super) const RESOURCE_PARTS_WALKED: [&str; 6] =
    ["type", "name", "condition", "copy", "existing", "resources"];

/// What the walk reads of such a resource with no children: only what decides how many
/// instances count against the template's instance budget (its `copy` loop, unless it is an
/// `existing` reference). Its name and condition decide nothing.
pub(super) const CHILDLESS_PARTS_WALKED: [&str; 3] = ["type", "copy", "existing"];

/// One place in the walk: how to evaluate, and what explains the instances found here.
#[derive(Clone)]
struct Frame<'c> {
    evaluator: Evaluator<'c>,
    /// Nested-deployment call sites and undecided conditions above this point.
    context: Vec<Related>,
    depth: usize,
    /// The scan's templates, for following links.
    library: &'c Library<'c>,
    /// The template file being walked (links resolve against it), and the linked templates on
    /// the way here (a link back to one of them is a cycle).
    file: FileId,
    chain: Vec<FileId>,
}

pub fn walk(
    template: &Document,
    context: &Context,
    library: &Library,
    sources: &SourceMap,
    output: &mut ArmOutput,
) {
    let frame = Frame {
        evaluator: Evaluator::new(context),
        context: Vec::new(),
        depth: 0,
        library,
        file: template.id,
        chain: vec![template.id],
    };
    resources(&template.root, &frame, sources, output);
}

/// A template's `resources`: an array, or (languageVersion 2.0) an object keyed by symbolic name.
fn resources(template: &Value, frame: &Frame, sources: &SourceMap, output: &mut ArmOutput) {
    let Some(resources) = template.get_ignore_case("resources") else {
        return;
    };
    match &resources.value.kind {
        ValueKind::List(items) => {
            for resource in items {
                resource_copies(resource, None, frame, sources, output);
            }
        }
        ValueKind::Object(entries) => {
            for entry in entries {
                resource_copies(&entry.value, None, frame, sources, output);
            }
        }
        _ => {}
    }
}

/// The type and name of the parent of a child resource.
struct Parent {
    resource_type: String,
    name: String,
}

/// One resource declaration, expanded by its `copy` loop.
fn resource_copies(
    resource: &Value,
    parent: Option<&Parent>,
    frame: &Frame,
    sources: &SourceMap,
    output: &mut ArmOutput,
) {
    if resource.entries().is_none() {
        return;
    }
    // `existing` resources are references to something deployed elsewhere.
    let existing = resource
        .get_ignore_case("existing")
        .map(|e| frame.evaluator.value(&e.value));
    if existing.and_then(|e| e.as_bool()) == Some(true) {
        return;
    }
    let Some(copy) = resource
        .get_ignore_case("copy")
        .filter(|c| c.value.entries().is_some())
    else {
        return instance(resource, parent, frame, sources, output);
    };
    let loop_name = copy
        .value
        .get_ignore_case("name")
        .and_then(|n| n.value.as_str())
        .map(str::to_string);
    let count = copy
        .value
        .get_ignore_case("count")
        .map(|c| frame.evaluator.value(&c.value));
    let index = |i: i64| CopyIndex {
        name: loop_name.clone(),
        resource_loop: true,
        index: Value::new(ValueKind::Number(i as f64), copy.value.span),
    };
    let decided = match count.as_ref().map(|c| &c.kind) {
        Some(ValueKind::Number(n)) if (0.0..=MAX_COPY as f64).contains(n) => Some(*n),
        _ => None,
    };
    // Past the budget the loop is not expanded: one instance stands for all.
    match decided.filter(|n| output.budget.take(*n as usize)) {
        Some(n) => {
            for i in 0..n as i64 {
                let mut inner = frame.clone();
                inner.evaluator = frame.evaluator.with_copy(index(i));
                instance(resource, parent, &inner, sources, output);
            }
        }
        None => {
            // Unknown, invalid or over-budget count: one instance stands for all, with an unknown
            // index.
            let reason = match (decided, count.as_ref().and_then(|c| c.as_unknown())) {
                (Some(n), _) => format!(
                    "copy count {n} is past the limit of {} resource instances per template evaluation",
                    output.budget.limit()
                ),
                (None, Some(unknown)) => unknown.reason.clone(),
                (None, None) => format!(
                    "copy count is {}",
                    count
                        .as_ref()
                        .map_or("missing".to_string(), |c| c.describe())
                ),
            };
            let mut inner = frame.clone();
            inner.evaluator = frame.evaluator.with_copy(CopyIndex {
                index: Value::unknown(
                    UnknownCause::Input,
                    format!("copy index of an undecided loop: {reason}"),
                    copy.value.span,
                ),
                ..index(0)
            });
            inner.context.push(Related {
                span: copy.value.span,
                message: format!("deployed an undecided number of times: {reason}"),
            });
            instance(resource, parent, &inner, sources, output);
        }
    }
}

fn instance(
    resource: &Value,
    parent: Option<&Parent>,
    frame: &Frame,
    sources: &SourceMap,
    output: &mut ArmOutput,
) {
    let evaluator = &frame.evaluator;
    let mut frame = frame.clone();
    if let Some(condition) = resource.get_ignore_case("condition") {
        let decided = evaluator.value(&condition.value);
        match decided.as_bool() {
            Some(false) => return,
            Some(true) => {}
            None => {
                let reason = decided.as_unknown().map_or_else(
                    || format!("it is {}", decided.describe()),
                    |u| u.reason.clone(),
                );
                let text = sources
                    .get(condition.value.span.file)
                    .snippet(condition.value.span);
                frame.context.push(Related {
                    span: condition.value.span,
                    message: format!("deployed only if the condition {text} holds, which aksguard cannot decide: {reason}"),
                });
            }
        }
    }
    let Some(type_entry) = resource.get_ignore_case("type") else {
        return;
    };
    let resource_type = evaluator.value(&type_entry.value);
    let Some(short_type) = resource_type.as_str() else {
        return;
    };
    let name_value = resource
        .get_ignore_case("name")
        .map(|n| evaluator.value(&n.value));
    let raw_name = resource
        .get_ignore_case("name")
        .map(|n| {
            sources
                .get(n.value.span.file)
                .snippet(n.value.span)
                .trim_matches('"')
                .to_string()
        })
        .unwrap_or_default();
    let short_name = name_value
        .as_ref()
        .and_then(|n| n.as_str().map(str::to_string))
        .unwrap_or(raw_name);
    // A child's type is relative to its parent when it has no namespace (`subnets`,
    // `providers/extensions`); its name is relative too unless it has more segments than its type
    // (`vnet/subnet1` is already full, `Microsoft.KubernetesConfiguration/ext` for
    // `providers/extensions` is not).
    let (full_type, name) = match parent {
        Some(parent) if super::relative_type(short_type) => (
            format!("{}/{short_type}", parent.resource_type),
            if short_name.split('/').count() > short_type.split('/').count() {
                short_name
            } else {
                format!("{}/{short_name}", parent.name)
            },
        ),
        _ => (short_type.to_string(), short_name),
    };

    if full_type.eq_ignore_ascii_case(lower::MANAGED_CLUSTERS) {
        let cluster = lower::managed_cluster(
            resource,
            evaluator,
            type_entry.value.span,
            &name,
            frame.context.clone(),
        );
        // Evaluations with several parameter files often agree: count such a cluster once.
        if !output.model.clusters.contains(&cluster) {
            output.model.clusters.push(cluster);
        }
    } else if full_type.eq_ignore_ascii_case(DEPLOYMENTS) {
        nested_deployment(resource, &name, &frame, sources, output);
    } else {
        let arm_resource = governance::ArmResource {
            resource,
            dialect: crate::model::Dialect::Arm,
            deployed_at: match &evaluator.context.scope {
                DeployScope::ManagementGroup { .. } => AssignmentScope::ManagementGroup,
                DeployScope::Subscription { .. } => AssignmentScope::Subscription,
                DeployScope::ResourceGroup { .. } => AssignmentScope::ResourceGroup,
                DeployScope::Tenant => AssignmentScope::Unknown,
            },
            full_type: &full_type,
            name: &name,
            header: type_entry.value.span,
            context: frame.context.clone(),
        };
        let mut lowered = crate::model::Model::default();
        governance::lower(&arm_resource, &|v| evaluator.value(v), &mut lowered);
        // Evaluations with several parameter files often agree: keep one of each.
        output.model.extend_unique(lowered);
    }

    if let Some(children) = resource
        .get_ignore_case("resources")
        .and_then(|r| r.value.items())
    {
        let parent = Parent {
            resource_type: full_type,
            name,
        };
        for child in children {
            resource_copies(child, Some(&parent), &frame, sources, output);
        }
    }
}

/// A `Microsoft.Resources/deployments` resource: an inline template is evaluated in its own
/// context (Bicep modules use `expressionEvaluationOptions.scope = "inner"`, with parameters
/// evaluated here and passed by value); a linked template is reported as not analysed.
fn nested_deployment(
    resource: &Value,
    name: &str,
    frame: &Frame,
    sources: &SourceMap,
    output: &mut ArmOutput,
) {
    let Some(properties) = resource.get_ignore_case("properties").map(|p| &p.value) else {
        return;
    };
    let address = format!("{DEPLOYMENTS} '{name}'");
    let header = resource
        .get_ignore_case("type")
        .map_or(resource.span, |t| t.value.span);
    // A linked template is walked like an inline one with inner scope, in its own file.
    let linked = match properties.get_ignore_case("templateLink") {
        Some(link) => match linked_template(&link.value, frame, sources) {
            Ok(document) => Some((document, link.key_span)),
            Err(reason) => {
                output.not_analysed.push(not_analysed(
                    link.key_span,
                    &address,
                    format!("`{address}` deploys a linked template (templateLink){reason}: the resources it deploys are not checked"),
                    frame,
                    LINKED_HELP,
                ));
                return;
            }
        },
        None => None,
    };
    let template = match linked {
        Some((document, _)) => &document.root,
        None => match properties
            .get_ignore_case("template")
            .map(|t| &t.value)
            .filter(|t| t.entries().is_some())
        {
            Some(template) => template,
            None => return,
        },
    };
    if frame.depth >= MAX_NESTING {
        output.not_analysed.push(not_analysed(
            header,
            &address,
            format!("`{address}` is nested more than {MAX_NESTING} deployments deep; aksguard does not follow it"),
            frame,
            LINKED_HELP,
        ));
        return;
    }
    // Each nested evaluation counts as an instance: deployments copied inside copied deployments
    // multiply like resource loops do.
    if !output.budget.take(1) {
        output.not_analysed.push(not_analysed(
            header,
            &address,
            format!(
                "`{address}` is not evaluated: its template's evaluation reached the limit of {} resource instances",
                output.budget.limit()
            ),
            frame,
            "scan the templates one at a time, or with fewer copies",
        ));
        return;
    }
    let evaluator = &frame.evaluator;
    let mut inner = frame.clone();
    inner.depth += 1;
    inner.context.push(Related {
        span: header,
        message: match linked {
            Some((document, _)) => format!(
                "deployed through linked template '{name}' ({})",
                sources.get(document.id).display
            ),
            None => format!("deployed through nested deployment '{name}'"),
        },
    });
    let inner_scope = linked.is_some()
        || properties
            .get_ignore_case("expressionEvaluationOptions")
            .and_then(|o| o.value.get_ignore_case("scope"))
            .map(|s| evaluator.value(&s.value))
            .and_then(|s| s.as_str().map(|s| s.eq_ignore_ascii_case("inner")))
            .unwrap_or(false);
    if !inner_scope {
        // Outer scope (the default): the nested template sees the parent's parameters and
        // variables, so it is walked with the parent's evaluator.
        return resources(template, &inner, sources, output);
    }
    let supplied = match properties.get_ignore_case("parametersLink") {
        Some(link) => match linked_parameters(&link.value, frame, sources) {
            Ok(file) => params::supplied(Some(file), sources).0,
            Err(reason) => {
                output.not_analysed.push(not_analysed(
                    link.key_span,
                    &address,
                    format!("`{address}` takes its parameters from a linked file (parametersLink){reason}: the resources it deploys are not checked"),
                    frame,
                    LINKED_HELP,
                ));
                return;
            }
        },
        None => passed_parameters(properties, name, evaluator),
    };
    let scope = deployment_scope(resource, template, evaluator);
    let mut context = Context::new(
        template,
        supplied,
        scope,
        MissingInput::CallerDoesNotPass(format!("deployment '{name}'")),
    );
    let (file, chain) = match linked {
        Some((document, _)) => {
            output.linked.insert(document.id);
            context.template_uri = Some(links::template_uri(&sources.get(document.id).path));
            let mut chain = frame.chain.clone();
            chain.push(document.id);
            (document.id, chain)
        }
        None => {
            context.template_uri = frame.evaluator.context.template_uri.clone();
            (frame.file, frame.chain.clone())
        }
    };
    let nested = Frame {
        evaluator: Evaluator::new(&context),
        context: inner.context,
        depth: inner.depth,
        library: frame.library,
        file,
        chain,
    };
    resources(template, &nested, sources, output);
}

/// The parameters a nested deployment passes by value (`"parameters": {"x": {"value": ...}}`),
/// each carrying where it was passed.
fn passed_parameters(
    properties: &Value,
    name: &str,
    evaluator: &Evaluator,
) -> Vec<(String, Supplied)> {
    properties
        .get_ignore_case("parameters")
        .and_then(|p| p.value.entries())
        .unwrap_or(&[])
        .iter()
        .filter_map(|entry| {
            let parameter = &entry.key;
            let value = if let Some(value) = entry.value.get_ignore_case("value") {
                let mut evaluated = evaluator.value(&value.value);
                evaluated.provenance.push(Related {
                    span: value.value.span,
                    message: format!("deployment '{name}' passes {parameter} = {}", evaluated.describe()),
                });
                evaluated
            } else if entry.value.get_ignore_case("reference").is_some() {
                Value::unknown(
                    UnknownCause::Input,
                    format!("parameters('{parameter}') is a Key Vault reference, read only at deployment"),
                    entry.value.span,
                )
            } else {
                return None;
            };
            Some((parameter.to_string(), Supplied { value }))
        })
        .collect()
}

/// The template a `templateLink` names, when it is a file of the scan; otherwise why not (a
/// phrase that follows "deploys a linked template (templateLink)").
fn linked_template<'d>(
    link: &Value,
    frame: &Frame<'d>,
    sources: &SourceMap,
) -> Result<&'d Document, String> {
    let document = linked_file(link, frame, sources, DocumentKind::Template)?;
    if frame.chain.contains(&document.id) {
        return Err(format!(
            " that links back to {}, a template already on its path, so the cycle is not followed",
            sources.get(document.id).display
        ));
    }
    Ok(document)
}

fn linked_parameters<'d>(
    link: &Value,
    frame: &Frame<'d>,
    sources: &SourceMap,
) -> Result<&'d Document, String> {
    linked_file(link, frame, sources, DocumentKind::Parameters)
}

/// The document of `kind` that a link object (`relativePath`, or a `uri` resolved against the
/// template's own location) names among the scan's files.
fn linked_file<'d>(
    link: &Value,
    frame: &Frame<'d>,
    sources: &SourceMap,
    kind: DocumentKind,
) -> Result<&'d Document, String> {
    const NOT_FETCHED: &str = ", which aksguard does not fetch";
    let evaluator = &frame.evaluator;
    let field = |key: &str| link.get_ignore_case(key).map(|f| evaluator.value(&f.value));
    let here = &sources.get(frame.file).path;
    let path = if let Some(relative) = field("relativePath") {
        match &relative.kind {
            ValueKind::String(relative) => crate::frontend::repository::normalize(
                &here
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join(relative),
            ),
            ValueKind::Unknown(unknown) => {
                return Err(format!(
                    " whose relativePath is unknown ({}){NOT_FETCHED}",
                    unknown.reason
                ))
            }
            _ => return Err(format!(" with an invalid relativePath{NOT_FETCHED}")),
        }
    } else if let Some(uri) = field("uri") {
        match &uri.kind {
            ValueKind::String(uri) => match links::path_of_uri(uri) {
                Some(path) => path,
                // A URL elsewhere (a storage account, GitHub): not fetched.
                None => return Err(NOT_FETCHED.to_string()),
            },
            ValueKind::Unknown(_) => return Err(NOT_FETCHED.to_string()),
            _ => return Err(format!(" with an invalid uri{NOT_FETCHED}")),
        }
    } else {
        // A template spec (`id`) lives in Azure.
        return Err(NOT_FETCHED.to_string());
    };
    let dir = here.parent().unwrap_or(std::path::Path::new("."));
    if !path.is_file() {
        return Err(format!(
            " from {}, which does not exist",
            crate::source::display_path(&path)
        ));
    }
    if crate::frontend::repository::outside_repository(dir, &path).is_some() {
        return Err(", which lies outside the repository".to_string());
    }
    frame.library.get(&path, kind).ok_or_else(|| {
        format!(
            " from {}, which is not a {} in the repository",
            crate::source::display_path(&path),
            match kind {
                DocumentKind::Template | DocumentKind::CompiledFromBicep => "deployment template",
                DocumentKind::Parameters => "parameter file",
                DocumentKind::PolicyDefinition => "policy definition file",
            }
        )
    })
}

/// Where a nested deployment deploys: its template's `$schema`, refined by the deployment's
/// `subscriptionId`, `resourceGroup` and `scope` when they are known.
fn deployment_scope(resource: &Value, template: &Value, evaluator: &Evaluator) -> DeployScope {
    let known = |key: &str| {
        resource
            .get_ignore_case(key)
            .map(|v| evaluator.value(&v.value))
            .and_then(|v| v.as_str().map(str::to_string))
    };
    let subscription = known("subscriptionId");
    let group = known("resourceGroup");
    let parent_subscription = match &evaluator.context.scope {
        DeployScope::ResourceGroup { subscription, .. }
        | DeployScope::Subscription { subscription } => subscription.clone(),
        _ => None,
    };
    match template_scope(template) {
        DeployScope::ResourceGroup { .. } => DeployScope::ResourceGroup {
            subscription: subscription.or(parent_subscription),
            group: group.or_else(|| match &evaluator.context.scope {
                DeployScope::ResourceGroup { group, .. } => group.clone(),
                _ => None,
            }),
        },
        DeployScope::Subscription { .. } => DeployScope::Subscription {
            subscription: subscription.or(parent_subscription),
        },
        DeployScope::ManagementGroup { .. } => DeployScope::ManagementGroup {
            group: known("scope").and_then(|s| {
                s.rsplit_once("managementGroups/")
                    .map(|(_, g)| g.trim_matches('/').to_string())
            }),
        },
        DeployScope::Tenant => DeployScope::Tenant,
    }
}

const LINKED_HELP: &str = "scan the linked template's own file too (aksguard evaluates it with its defaults), or inline it as a Bicep module";

fn not_analysed(
    span: crate::source::Span,
    address: &str,
    message: String,
    frame: &Frame,
    help: &str,
) -> Finding {
    Finding::new(&NOT_ANALYSED, Outcome::Unknown, span, message)
        .resource(address)
        .related(frame.context.clone())
        .help(help)
}
