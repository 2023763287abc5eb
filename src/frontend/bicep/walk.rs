//! Walking what a Bicep file deploys: resources (with `if`, `for`, `existing`, `parent` and
//! nested children) and modules (local files evaluated per instance with the caller's arguments;
//! registry modules reported as not analysed), lowered through the shared ARM-shaped lowering.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::ast::*;
use super::eval::{declaration_body, Eval, Template};
use super::{Document, DocumentKind};
use crate::budget::Budget;
use crate::finding::{Finding, Level, Outcome};
use crate::frontend::arm::expr::eval::DeployScope;
use crate::frontend::arm_shape::{self, governance, ManagedClusterSource};
use crate::model::{AssignmentScope, Dialect, Model};
use crate::source::{SourceMap, Span};
use crate::value::{Related, UnknownCause, Value, ValueKind};

/// Modules nested deeper than this are not followed.
pub const MAX_MODULE_DEPTH: usize = 16;

/// Most resource and module instances expanded in one evaluation of a root template.
pub const BICEP_INSTANCE_BUDGET: usize = 2_000;

const MANAGED_CLUSTERS: &str = "Microsoft.ContainerService/managedClusters";

pub struct Walker<'d> {
    pub documents: &'d [&'d Document],
    pub sources: &'d SourceMap,
    /// Canonical path of each template document, to find module targets.
    pub by_path: &'d HashMap<PathBuf, usize>,
    pub model: Model,
    pub not_analysed: Vec<Finding>,
    pub budget: Budget,
}

/// Where in the walk we are: what explains the instances found here, and which files called it.
#[derive(Clone, Default)]
pub struct Frame {
    pub context: Vec<Related>,
    pub chain: Vec<usize>,
}

/// A module reference that is not a local file: a registry or template spec.
pub fn is_remote(path: &str) -> bool {
    // `br:...`, `ts:...`, or an alias: `br/public:...`, `ts/corp:...` (a local folder named `br/`
    // has no colon in its first segment).
    let aliased = |rest: &str| {
        rest.split('/')
            .next()
            .is_some_and(|alias| alias.contains(':'))
    };
    path.starts_with("br:")
        || path.starts_with("ts:")
        || path.strip_prefix("br/").is_some_and(aliased)
        || path.strip_prefix("ts/").is_some_and(aliased)
}

/// The path a local module reference in `from` names, normalised like [`normalise`].
pub fn module_path(from: &Path, reference: &str) -> PathBuf {
    normalise(&from.parent().unwrap_or(Path::new(".")).join(reference))
}

/// `path` with `.` and `name/..` resolved in the text, without asking the file system (a scan
/// may hold thousands of templates): module references and scanned paths, both relative to the
/// same working directory or both absolute, then compare equal. Symbolic links are not followed.
pub fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

impl<'d> Walker<'d> {
    pub fn template(&mut self, template: &Template, frame: &Frame) {
        let evaluator = template.evaluator();
        for resource in &template.resources {
            self.resource(template, resource, None, &evaluator, frame);
        }
        for module in &template.modules {
            self.module(template, module, &evaluator, frame);
        }
    }

    /// The instances a declaration's value stands for: its `if` decided, its `for` expanded.
    /// Each comes with the evaluator for its loop variables, its body and what explains it.
    fn instances<'t, 'a>(
        &self,
        template: &'t Template<'a>,
        value: &'a Expr,
        evaluator: &Eval<'t, 'a>,
        frame: &Frame,
    ) -> Vec<(Eval<'t, 'a>, &'a Expr, Vec<Related>)> {
        let condition = |eval: &Eval<'t, 'a>, condition: &Expr, context: &mut Vec<Related>| {
            let decided = eval.value(condition);
            match decided.as_bool() {
                Some(choice) => choice,
                None => {
                    let reason = decided.as_unknown().map_or_else(
                        || format!("it is {}", decided.describe()),
                        |u| u.reason.clone(),
                    );
                    context.push(Related {
                        span: template.span(&condition.span),
                        message: format!(
                            "deployed only if the condition {} holds, which aksguard cannot decide: {reason}",
                            template.snippet(&condition.span)
                        ),
                    });
                    true
                }
            }
        };
        match &value.kind {
            ExprKind::If {
                condition: test,
                body,
            } => {
                let mut context = frame.context.clone();
                if condition(evaluator, template.expr(*test), &mut context) {
                    vec![(evaluator.clone(), template.expr(*body), context)]
                } else {
                    Vec::new()
                }
            }
            ExprKind::For(for_loop) => {
                let ForLoop {
                    item,
                    index,
                    iterable,
                    body,
                } = for_loop;
                let iterable = template.expr(*iterable);
                let list = evaluator.value(iterable);
                let decided = list.items().filter(|items| {
                    items.len() <= super::eval::MAX_LOOP && self.budget.take(items.len())
                });
                let body = template.expr(*body);
                let (filter, body) = match &body.kind {
                    ExprKind::If { condition, body } => {
                        (Some(template.expr(*condition)), template.expr(*body))
                    }
                    _ => (None, body),
                };
                match decided {
                    Some(items) => {
                        let mut out = Vec::new();
                        for (i, element) in items.iter().enumerate() {
                            let mut inner =
                                evaluator.with_local(template.name(item), element.clone());
                            if let Some(index) = index {
                                inner = inner.with_local(
                                    template.name(index),
                                    Value::new(
                                        ValueKind::Number(i as f64),
                                        template.span(&index.span),
                                    ),
                                );
                            }
                            let mut context = frame.context.clone();
                            if filter.is_some_and(|f| !condition(&inner, f, &mut context)) {
                                continue;
                            }
                            out.push((inner, body, context));
                        }
                        out
                    }
                    None => {
                        // Unknown, too long or over budget: one instance stands for all, with
                        // unknown loop variables.
                        let reason = match (list.items(), list.as_unknown()) {
                            (Some(items), _) if items.len() > super::eval::MAX_LOOP => format!(
                                "a loop over {} elements is past ARM's limit of {} iterations",
                                items.len(),
                                super::eval::MAX_LOOP
                            ),
                            (Some(items), _) => format!(
                                "a loop over {} elements is past the limit of {} instances per evaluation of a template",
                                items.len(),
                                self.budget.limit()
                            ),
                            (None, Some(unknown)) => unknown.reason.clone(),
                            (None, None) => format!("it loops over {}", list.describe()),
                        };
                        let unknown_local = Value::unknown(
                            UnknownCause::Input,
                            format!("loop variable of an undecided loop: {reason}"),
                            template.span(&iterable.span),
                        );
                        let mut inner =
                            evaluator.with_local(template.name(item), unknown_local.clone());
                        if let Some(index) = index {
                            inner = inner.with_local(template.name(index), unknown_local);
                        }
                        let mut context = frame.context.clone();
                        context.push(Related {
                            span: template.span(&iterable.span),
                            message: format!("deployed an undecided number of times: {reason}"),
                        });
                        if let Some(f) = filter {
                            condition(&inner, f, &mut context);
                        }
                        vec![(inner, body, context)]
                    }
                }
            }
            _ => vec![(evaluator.clone(), value, frame.context.clone())],
        }
    }

    fn resource(
        &mut self,
        template: &Template,
        decl: &ResourceDecl,
        parent: Option<(&str, &str)>,
        evaluator: &Eval,
        frame: &Frame,
    ) {
        let ExprKind::Str(type_string) = &template.expr(decl.type_string).kind else {
            return;
        };
        let type_string = template.str(type_string);
        let short_type = type_string.split('@').next().unwrap_or("");
        let relative = !short_type.split('/').next().unwrap_or("").contains('.');
        let full_type = match parent {
            Some((parent_type, _)) if relative => format!("{parent_type}/{short_type}"),
            _ => short_type.to_string(),
        };
        for (eval, body, context) in
            self.instances(template, template.expr(decl.value), evaluator, frame)
        {
            let value = eval.value(body);
            if value.entries().is_none() {
                continue;
            }
            let name_entry = value.get("name");
            let written_name = name_entry
                .map(|n| match n.value.as_str() {
                    Some(name) => name.to_string(),
                    None => {
                        let range = n.value.span.range();
                        unevaluated_name(template.snippet(&Loc::new(range.start, range.end)))
                    }
                })
                .unwrap_or_default();
            let name = match (parent, value.get("parent").and_then(|p| p.value.as_str())) {
                (Some((_, parent_name)), _) => format!("{parent_name}/{written_name}"),
                (None, Some(parent_id)) => {
                    // `parent: symbol` evaluates to `parentType/parentName`.
                    let parent_type = full_type.rsplit_once('/').map_or("", |(t, _)| t);
                    match parent_id.get(parent_type.len() + 1..) {
                        Some(parent_name)
                            if parent_id
                                .get(..parent_type.len())
                                .is_some_and(|t| t.eq_ignore_ascii_case(parent_type)) =>
                        {
                            format!("{parent_name}/{written_name}")
                        }
                        _ => written_name,
                    }
                }
                _ => written_name,
            };
            let header = template.span(&decl.header);
            let frame = Frame {
                context,
                chain: frame.chain.clone(),
            };
            if !decl.existing {
                self.lower(template, &value, &full_type, &name, header, &frame);
            }
            if let ExprKind::Object(items) = &declaration_body(template.program, body).kind {
                for item in template.program.object_items(*items) {
                    if let ObjectItem::Resource(statement) = item {
                        if let StatementKind::Resource(child) = &statement.kind {
                            self.resource(
                                template,
                                child,
                                Some((&full_type, &name)),
                                &eval,
                                &frame,
                            );
                        }
                    }
                }
            }
        }
    }

    fn lower(
        &mut self,
        template: &Template,
        value: &Value,
        full_type: &str,
        name: &str,
        header: Span,
        frame: &Frame,
    ) {
        let mut lowered = Model::default();
        if full_type.eq_ignore_ascii_case(MANAGED_CLUSTERS) {
            let mut cluster = arm_shape::managed_cluster(ManagedClusterSource {
                address: format!("{MANAGED_CLUSTERS} '{name}'"),
                dialect: Dialect::Bicep,
                header,
                properties: value.get_ignore_case("properties").map(|p| &p.value),
                tags: value.get_ignore_case("tags").map(|t| &t.value),
            });
            cluster.context = frame.context.clone();
            lowered.clusters.push(cluster);
        } else {
            let resource = governance::ArmResource {
                resource: value,
                dialect: Dialect::Bicep,
                deployed_at: match template.scope {
                    DeployScope::ManagementGroup { .. } => AssignmentScope::ManagementGroup,
                    DeployScope::Subscription { .. } => AssignmentScope::Subscription,
                    DeployScope::ResourceGroup { .. } => AssignmentScope::ResourceGroup,
                    DeployScope::Tenant => AssignmentScope::Unknown,
                },
                full_type,
                name,
                header,
                context: frame.context.clone(),
            };
            // The value is already evaluated.
            governance::lower(&resource, &|v| v.clone(), &mut lowered);
        }
        self.model.extend_unique(lowered);
    }

    fn module(&mut self, template: &Template, decl: &ModuleDecl, evaluator: &Eval, frame: &Frame) {
        let module_name = template.name(&decl.name);
        let address = format!("module '{module_name}'");
        let path = template.expr(decl.path);
        let path_span = template.span(&path.span);
        // A module whose condition is false deploys nothing, wherever it comes from.
        let instances = self.instances(template, template.expr(decl.value), evaluator, frame);
        let Some((_, _, first_context)) = instances.first() else {
            return;
        };
        let frame = &Frame {
            context: first_context.clone(),
            chain: frame.chain.clone(),
        };
        let ExprKind::Str(reference) = &path.kind else {
            return self.note(path_span, &address, format!("`{address}` names its file with an interpolated string, which aksguard does not follow"), frame);
        };
        let reference = template.str(reference);
        if is_remote(reference) {
            return self.note(
                path_span,
                &address,
                format!("`{address}` deploys `{reference}` from a registry or template spec, which aksguard does not fetch: the resources it deploys are not checked, and its outputs are unknown"),
                frame,
            );
        }
        let caller = &self.sources.get(template.file).path;
        let target = module_path(caller, reference);
        let Some(&index) = self.by_path.get(&target) else {
            let why = if reference.to_ascii_lowercase().ends_with(".json") {
                "an ARM template; aksguard checks it only as a file of its own, with its defaults"
            } else {
                "not among the scanned files"
            };
            return self.note(
                path_span,
                &address,
                format!("`{address}` deploys '{reference}', which is {why}: the resources it deploys through this call are not checked"),
                frame,
            );
        };
        if frame.chain.contains(&index) || frame.chain.len() >= MAX_MODULE_DEPTH {
            return self.note(
                path_span,
                &address,
                format!("`{address}` calls '{reference}' recursively or more than {MAX_MODULE_DEPTH} modules deep; aksguard does not follow it"),
                frame,
            );
        }
        let document = self.documents[index];
        let display = file_name(&self.sources.get(template.file).display);
        // Each module instance is a walk of its file: fan-out multiplies, so each draws on the
        // budget.
        if !self.budget.take(instances.len()) {
            return self.note(
                path_span,
                &address,
                format!("`{address}` is past the limit of {} resource and module instances per evaluation of a template; aksguard does not follow it", self.budget.limit()),
                frame,
            );
        }
        for (eval, body, context) in instances {
            let value = eval.value(body);
            let supplied = match value.get("params") {
                Some(params) => match params.value.entries() {
                    Some(entries) => entries
                        .iter()
                        .map(|entry| {
                            let mut argument = entry.value.clone();
                            argument.provenance.push(Related {
                                span: entry.value.span,
                                message: format!(
                                    "module '{module_name}' passes {} = {}",
                                    entry.key,
                                    entry.value.describe()
                                ),
                            });
                            (entry.key.to_string(), argument)
                        })
                        .collect(),
                    None => {
                        // Unknown arguments leave every parameter of this call unknown.
                        let reason = params.value.as_unknown().map_or_else(
                            || format!("its params are {}", params.value.describe()),
                            |u| u.reason.clone(),
                        );
                        let mut inner = frame.clone();
                        inner.context = context.clone();
                        self.note(
                            params.value.span,
                            &address,
                            format!("`{address}` passes parameters aksguard cannot evaluate ({reason}); the module is checked with its defaults"),
                            &inner,
                        );
                        Vec::new()
                    }
                },
                None => Vec::new(),
            };
            let instance_name = value
                .get("name")
                .and_then(|n| n.value.as_str())
                .filter(|n| *n != module_name)
                .map(|n| format!(" ('{n}')"))
                .unwrap_or_default();
            let mut context = context;
            context.push(Related {
                span: template.span(&decl.header),
                message: format!(
                    "deployed through module '{module_name}'{instance_name} in {display}"
                ),
            });
            let mut inner = Template::new(
                document.id,
                &document.program,
                &self.sources.get(document.id).text,
                supplied,
                format!("module '{module_name}' in {display} does not pass it"),
            );
            inner.base_dir = self
                .sources
                .get(document.id)
                .path
                .parent()
                .map(Path::to_path_buf);
            let mut chain = frame.chain.clone();
            chain.push(index);
            self.template(&inner, &Frame { context, chain });
        }
    }

    fn note(&mut self, span: Span, address: &str, message: String, frame: &Frame) {
        self.not_analysed.push(Finding {
            rule: "E003",
            level: Level::Note,
            outcome: Outcome::Unknown,
            span,
            message,
            resource: Some(address.to_string()),
            related: frame.context.clone(),
            help: Some(
                "scan the module's source too (a local path aksguard can read), or check its resources another way"
                    .to_string(),
            ),
        });
    }
}

/// How an address shows a name that cannot be evaluated: the Bicep that computes it, as it
/// would be interpolated (`aks-${env}`, `${name}`).
fn unevaluated_name(snippet: &str) -> String {
    match snippet
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
    {
        Some(inner) => inner.to_string(),
        None => format!("${{{snippet}}}"),
    }
}

pub fn file_name(display: &str) -> String {
    display.rsplit('/').next().unwrap_or(display).to_string()
}

/// Template documents called as local modules by another scanned template.
pub fn called(
    documents: &[&Document],
    sources: &SourceMap,
    by_path: &HashMap<PathBuf, usize>,
) -> Vec<Vec<usize>> {
    documents
        .iter()
        .map(|document| {
            if document.kind != DocumentKind::Template {
                return Vec::new();
            }
            let source = sources.get(document.id);
            let path = &source.path;
            document
                .program
                .statements
                .iter()
                .filter_map(|s| match &s.kind {
                    StatementKind::Module(m) => match &document.program[m.path].kind {
                        ExprKind::Str(reference)
                            if !is_remote(document.program.text(reference, &source.text)) =>
                        {
                            by_path
                                .get(&module_path(
                                    path,
                                    document.program.text(reference, &source.text),
                                ))
                                .copied()
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_in_the_text() {
        assert_eq!(
            module_path(
                Path::new("./infra/main.bicep"),
                "./modules/../modules/aks.bicep"
            ),
            PathBuf::from("infra/modules/aks.bicep")
        );
        assert_eq!(
            module_path(Path::new("infra/main.bicep"), "../../shared/x.bicep"),
            PathBuf::from("../shared/x.bicep")
        );
        assert_eq!(normalise(Path::new("/a/../../b")), PathBuf::from("/b"));
        assert!(is_remote("br/public:avm/res/x:1.0.0"));
        assert!(is_remote("ts:sub/rg/spec:1"));
        assert!(!is_remote("./br/local.bicep"));
        assert!(!is_remote("br/local.bicep"));
    }
}
