//! Evaluation of module instances: a root module with its tfvars, each local module call with
//! its caller's arguments (once per `count`/`for_each` instance), and the resources inside, each
//! expanded by its own `count`/`for_each`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::eval::{for_each_elements, Evaluator, Expr, Scope};
use super::module::{
    init_modules, is_local_source, outside_repository, InitModule, ModuleCall, ModuleDir,
};
use super::values::to_number;
use super::variables::called_variables;
use super::{azapi, azurerm, azurerm_governance};
use crate::budget::Budget;
use crate::finding::{Finding, Outcome};
use crate::model::Model;
use crate::rules::tool::NOT_ANALYSED;
use crate::source::{SourceMap, Span};
use crate::value::{Entry, Related, Value, ValueKind};

/// Deepest chain of module calls followed; deeper (a module calling itself) is reported.
const MAX_MODULE_DEPTH: usize = 16;
/// Most instances of one resource or module call that are evaluated.
const MAX_INSTANCES: usize = 1000;

/// What evaluating modules produced: clusters for the rules, and notes about calls that could not
/// be followed.
#[derive(Default)]
pub struct Evaluated {
    pub model: Model,
    pub notes: Vec<Finding>,
}

pub struct Instantiator<'m, 'a> {
    pub sources: &'a SourceMap,
    pub modules: &'m BTreeMap<PathBuf, ModuleDir<'a>>,
    /// Module instances still allowed in this root's evaluation: nested counted calls multiply,
    /// and the scan must end.
    pub budget: Budget,
    /// Module instances evaluated only for their outputs (`module.x.y`), bounded apart so that
    /// reading outputs never leaves the modules themselves unevaluated.
    pub output_budget: Budget,
    /// What `terraform init` recorded for each root, read once per root.
    pub init_modules: std::cell::RefCell<BTreeMap<PathBuf, Vec<InitModule>>>,
}

/// Most module instances evaluated through one root module.
pub const MODULE_INSTANCE_BUDGET: usize = 10_000;

/// One instance of a counted or iterated resource or module call.
struct Instance {
    /// `[0]`, `["key"]`, or a note that the number is unknown.
    suffix: String,
    bindings: Vec<(&'static str, Value)>,
    context: Vec<Related>,
}

/// Where a module instance sits: its address prefix and the call sites leading to it.
pub struct Placement {
    pub prefix: String,
    pub context: Vec<Related>,
    pub depth: usize,
    /// The module directories on the way here, this one last: calling one of them again is a
    /// cycle, which Terraform rejects.
    pub chain: Vec<PathBuf>,
    /// The azapi provider's `default_tags` inherited from the caller.
    pub azapi_default_tags: Option<Value>,
    /// The names of the module calls from the root to here (`aks`, `network`): the key under
    /// which `terraform init` records a downloaded module.
    pub module_key: Vec<String>,
}

impl<'m, 'a> Instantiator<'m, 'a> {
    pub fn module(
        &self,
        module: &ModuleDir<'a>,
        variables: BTreeMap<String, Value>,
        placement: &Placement,
        out: &mut Evaluated,
    ) {
        let scope = self.scope(module, variables, placement);
        let evaluator = Evaluator::new(&scope, module.first_file);
        let default_tags = module
            .azapi_providers
            .first()
            .map(|provider| evaluator.block_syntax(*provider))
            .and_then(|provider| provider.attribute("default_tags").map(|a| a.value.clone()))
            .or_else(|| placement.azapi_default_tags.clone());

        for resource in &module.resources {
            let resource_type = resource.resource_type.as_str();
            let lowered_here = matches!(
                resource_type,
                "azurerm_kubernetes_cluster" | "azapi_resource" | "azapi_update_resource"
            ) || azurerm_governance::lowers(resource_type);
            if !lowered_here {
                continue;
            }
            let base = format!(
                "{}{}.{}",
                placement.prefix, resource.resource_type, resource.name
            );
            let expanded = instances(
                &evaluator,
                resource.count,
                resource.for_each,
                Some(&self.budget),
            );
            for instance in expanded {
                let bound = bind(&evaluator, &instance);
                let block = bound.block_syntax(resource.block);
                let address = format!("{base}{}", instance.suffix);
                let mut lowered = Model::default();
                match resource_type {
                    "azapi_resource" | "azapi_update_resource" => azapi::lower_into(
                        resource_type,
                        address,
                        &block,
                        default_tags.as_ref(),
                        &mut lowered,
                    ),
                    "azurerm_kubernetes_cluster" => {
                        lowered.clusters.extend(azurerm::lower_resource(
                            resource_type,
                            address,
                            &block,
                        ));
                    }
                    other => {
                        azurerm_governance::lower_resource(other, &address, &block, &mut lowered);
                    }
                }
                for cluster in &mut lowered.clusters {
                    cluster.context.extend(instance.context.iter().cloned());
                    cluster.context.extend(placement.context.iter().cloned());
                }
                out.model.extend(lowered);
            }
        }

        for call in &module.calls {
            self.call(
                module,
                call,
                &evaluator,
                placement,
                default_tags.as_ref(),
                out,
            );
        }
    }

    /// The scope a module instance's expressions see: its variables and locals, `path.*`, and
    /// the outputs of the modules it calls (each evaluated through its own scope, so outputs of
    /// outputs resolve; bounded by the module depth).
    fn scope(
        &self,
        module: &ModuleDir<'a>,
        variables: BTreeMap<String, Value>,
        placement: &Placement,
    ) -> Scope<'a>
    where
        'm: 'a,
    {
        let mut scope = Scope::new(self.sources, variables, module.locals.clone());
        scope.policy_data = module.policy_data.clone();
        // As the scan's working directory sees them, so `file("${path.module}/x")` reads x.
        let dir_of = |module: &ModuleDir| {
            let display = &self.sources.get(module.first_file).display;
            display
                .rsplit_once('/')
                .map_or(".".to_string(), |(dir, _)| dir.to_string())
        };
        let root = placement
            .chain
            .first()
            .and_then(|root| self.modules.get(root))
            .unwrap_or(module);
        scope.paths = Some(super::eval::ModulePaths {
            module: dir_of(module),
            root: dir_of(root),
        });
        if module.calls.is_empty() || placement.depth >= MAX_MODULE_DEPTH {
            return scope;
        }
        let outputs: Vec<(String, Value)> = {
            let evaluator = Evaluator::new(&scope, module.first_file);
            module
                .calls
                .iter()
                .filter_map(|call| {
                    let outputs = self.call_outputs(module, call, &evaluator, placement)?;
                    Some((call.name.clone(), outputs))
                })
                .collect()
        };
        scope.module_outputs.extend(outputs);
        scope
    }

    /// The directory a call's module is read from: its local `source`, or the copy `terraform
    /// init` recorded for a remote one (with that record). `None` for a remote module that was
    /// not downloaded.
    fn callee_dir(
        &self,
        caller: &ModuleDir<'a>,
        call: &ModuleCall<'a>,
        source: &str,
        placement: &Placement,
    ) -> Option<(PathBuf, Option<InitModule>)> {
        if is_local_source(source) {
            return Some((call.local_dir(&caller.dir, source).to_path_buf(), None));
        }
        let root = placement.chain.first()?;
        let mut key = placement.module_key.clone();
        key.push(call.name.clone());
        let wanted = key.join(".");
        let downloaded = self
            .init_modules
            .borrow_mut()
            .entry(root.clone())
            .or_insert_with(|| init_modules(root))
            .iter()
            .find(|m| m.key == wanted)
            .cloned()?;
        let dir = std::fs::canonicalize(&downloaded.dir).unwrap_or_else(|_| downloaded.dir.clone());
        Some((dir, Some(downloaded)))
    }

    /// `module.<call>` as Terraform shows it to the caller: an object of the callee's outputs,
    /// a list of them for `count`, a map of them by key for `for_each`. `None` (the reference
    /// stays unknown) for a remote module, a module outside the scan, or an undecided number of
    /// instances.
    fn call_outputs(
        &self,
        caller: &ModuleDir<'a>,
        call: &ModuleCall<'a>,
        evaluator: &Evaluator,
        placement: &Placement,
    ) -> Option<Value>
    where
        'm: 'a,
    {
        let (source, _) = call.source.as_ref()?;
        let (target, _) = self.callee_dir(caller, call, source, placement)?;
        let callee = self.modules.get(&target)?;
        if placement.chain.contains(&target) || callee.outputs.is_empty() {
            return None;
        }
        let expanded = instances(evaluator, call.count, call.for_each, None);
        if expanded.iter().any(|instance| !instance.context.is_empty()) {
            return None;
        }
        let mut values = Vec::new();
        for instance in &expanded {
            if !self.output_budget.take(1) {
                return None;
            }
            let bound = bind(evaluator, instance);
            let outputs =
                self.instance_outputs(callee, call, &bound, &target, &instance.suffix, placement);
            values.push((instance, outputs));
        }
        Some(match (call.count, call.for_each) {
            (Some(_), _) => Value::new(
                ValueKind::List(values.into_iter().map(|(_, v)| v).collect()),
                call.header,
            ),
            (None, Some(_)) => Value::new(
                ValueKind::Object(
                    values
                        .into_iter()
                        .filter_map(|(instance, value)| {
                            let each = instance.bindings.iter().find(|(n, _)| *n == "each")?;
                            let key = each.1.get("key")?.value.as_str()?.to_string();
                            Some(Entry {
                                key: key.into(),
                                key_span: call.header,
                                value,
                            })
                        })
                        .collect(),
                ),
                call.header,
            ),
            (None, None) => values.pop()?.1,
        })
    }

    /// One instance's outputs, evaluated in the callee's scope with the call's arguments.
    fn instance_outputs(
        &self,
        callee: &ModuleDir<'a>,
        call: &ModuleCall<'a>,
        evaluator: &Evaluator,
        target: &std::path::Path,
        suffix: &str,
        placement: &Placement,
    ) -> Value
    where
        'm: 'a,
    {
        let address = format!("{}module.{}{suffix}", placement.prefix, call.name);
        let arguments = call
            .arguments
            .iter()
            .map(|(name, span, expr)| (name.clone(), *span, evaluator.expr_any(*expr)))
            .collect();
        let variables = called_variables(callee, self.sources, &address, arguments);
        let mut key = placement.module_key.clone();
        key.push(call.name.clone());
        let inner = Placement {
            prefix: format!("{address}."),
            context: Vec::new(),
            depth: placement.depth + 1,
            chain: placement
                .chain
                .iter()
                .cloned()
                .chain(std::iter::once(target.to_path_buf()))
                .collect(),
            azapi_default_tags: None,
            module_key: key,
        };
        let scope = self.scope(callee, variables, &inner);
        let callee_evaluator = Evaluator::new(&scope, callee.first_file);
        let entries = callee
            .outputs
            .iter()
            .map(|(name, expr)| Entry {
                key: name.clone().into(),
                key_span: call.header,
                value: callee_evaluator.expr_any(*expr),
            })
            .collect();
        Value::new(ValueKind::Object(entries), call.header)
    }

    fn call(
        &self,
        caller: &ModuleDir<'a>,
        call: &ModuleCall<'a>,
        evaluator: &Evaluator,
        placement: &Placement,
        default_tags: Option<&Value>,
        out: &mut Evaluated,
    ) {
        let address = format!("{}module.{}", placement.prefix, call.name);
        let Some((source, source_span)) = &call.source else {
            return;
        };
        let note = |message: String, help: &str| {
            Finding::new(&NOT_ANALYSED, Outcome::Unknown, *source_span, message)
                .resource(&address)
                .related(placement.context.clone())
                .help(help)
        };
        let mut key = placement.module_key.clone();
        key.push(call.name.clone());
        let Some((target, downloaded)) = self.callee_dir(caller, call, source, placement) else {
            out.notes.push(note(
                format!(
                    "`{address}` uses the remote module \"{source}\", which aksguard does not download: what it deploys is unknown"
                ),
                "run `terraform init` (aksguard then reads the copy in `.terraform/modules`), or scan a local copy of the module",
            ));
            return;
        };
        let Some(callee) = self.modules.get(&target) else {
            // The repository's absolute path is left out: messages must not depend on the machine.
            let why = if outside_repository(&caller.dir, &target).is_some() {
                "which lies outside the repository (the directory that holds `.git`), so aksguard does not read it".to_string()
            } else if target.is_dir() {
                "which holds no Terraform files".to_string()
            } else {
                "which does not exist".to_string()
            };
            out.notes.push(note(
                format!(
                    "`{address}` calls the local module \"{source}\", {why}: what it deploys is unknown"
                ),
                "check the module's `source`, or scan from a directory that holds the module",
            ));
            return;
        };
        if placement.chain.contains(&target) {
            out.notes.push(note(
                format!(
                    "`{address}` calls \"{source}\", a module already on its own call path: the cycle is not evaluated"
                ),
                "check the module's `source`; Terraform rejects cyclic module calls",
            ));
            return;
        }
        if placement.depth >= MAX_MODULE_DEPTH {
            out.notes.push(note(
                format!(
                    "`{address}` nests modules more than {MAX_MODULE_DEPTH} deep (a module calling itself?): it is not evaluated further"
                ),
                "check the module's `source`; Terraform rejects cyclic module calls",
            ));
            return;
        }
        // Module instances draw on the budget one by one below (a single call can multiply too).
        for instance in instances(evaluator, call.count, call.for_each, None) {
            if !self.budget.take(1) {
                out.notes.push(note(
                    format!(
                        "`{address}` is not evaluated: its root module reached the limit of {} module instances",
                        self.budget.limit()
                    ),
                    "scan the configurations one at a time",
                ));
                return;
            }
            let bound = bind(evaluator, &instance);
            let instance_address = format!("{address}{}", instance.suffix);
            let arguments = call
                .arguments
                .iter()
                .map(|(name, span, expr)| (name.clone(), *span, bound.expr_any(*expr)))
                .collect();
            let variables = called_variables(callee, self.sources, &instance_address, arguments);
            let mut context = vec![Related {
                span: call.header,
                message: match &downloaded {
                    Some(downloaded) => format!(
                        "{instance_address} is called here; its source \"{source}\" is read from `terraform init`'s copy in {}",
                        module_display(&downloaded.dir)
                    ),
                    None => format!("{instance_address} is called here"),
                },
            }];
            context.extend(instance.context.iter().cloned());
            context.extend(placement.context.iter().cloned());
            let inner = Placement {
                prefix: format!("{instance_address}."),
                context,
                depth: placement.depth + 1,
                chain: placement
                    .chain
                    .iter()
                    .cloned()
                    .chain(std::iter::once(target.clone()))
                    .collect(),
                azapi_default_tags: default_tags.cloned(),
                module_key: key.clone(),
            };
            self.module(callee, variables, &inner, out);
        }
    }
}

fn bind<'s, 'a>(evaluator: &Evaluator<'s, 'a>, instance: &Instance) -> Evaluator<'s, 'a> {
    instance
        .bindings
        .iter()
        .fold(evaluator.clone(), |e, (name, value)| {
            e.with_binding(name, value.clone())
        })
}

/// The instances `count` or `for_each` ask for: none for `count = 0` or an empty collection, one
/// without suffix when neither is set, and one standing for all when the number is unknown or
/// past what `budget` (the scan's instance budget, when given) still allows.
fn instances(
    evaluator: &Evaluator,
    count: Option<Expr>,
    for_each: Option<Expr>,
    budget: Option<&Budget>,
) -> Vec<Instance> {
    let affordable = |n: usize| n <= MAX_INSTANCES && budget.is_none_or(|b| b.take(n));
    let over_budget = |what: &str, n: usize, value: &Value| {
        Related {
        span: value.span,
        message: format!(
            "the instances are not expanded: {what} asks for {n}, past the limit of {} instances per resource or of {} through one root module",
            MAX_INSTANCES,
            budget.map_or(0, Budget::limit)
        ),
    }
    };
    if let Some(count) = count {
        let value = evaluator.expr_any(count);
        return match to_number(&value) {
            Some(n)
                if n >= 0.0
                    && n.fract() == 0.0
                    && n <= usize::MAX as f64
                    && !affordable(n as usize) =>
            {
                vec![Instance {
                    suffix: " (instance count unknown)".to_string(),
                    bindings: vec![(
                        "count",
                        object(
                            &[(
                                "index",
                                Value::unknown(
                                    crate::value::UnknownCause::Unsupported,
                                    format!("count.index of one of {n} instances"),
                                    value.span,
                                ),
                            )],
                            value.span,
                        ),
                    )],
                    context: vec![over_budget("count", n as usize, &value)],
                }]
            }
            Some(n) if n >= 0.0 && n.fract() == 0.0 => (0..n as usize)
                .map(|i| Instance {
                    suffix: format!("[{i}]"),
                    bindings: vec![(
                        "count",
                        object(
                            &[("index", Value::new(ValueKind::Number(i as f64), value.span))],
                            value.span,
                        ),
                    )],
                    context: Vec::new(),
                })
                .collect(),
            _ => {
                let unknown = unknown_instances(&value, "count");
                vec![Instance {
                    suffix: " (instance count unknown)".to_string(),
                    bindings: vec![("count", object(&[("index", value.clone())], value.span))],
                    context: vec![unknown],
                }]
            }
        };
    }
    if let Some(for_each) = for_each {
        let value = evaluator.expr_any(for_each);
        return match for_each_elements(&value) {
            Ok(elements) if !affordable(elements.len()) => {
                let each = Value::unknown(
                    crate::value::UnknownCause::Unsupported,
                    format!("one of {} for_each elements", elements.len()),
                    value.span,
                );
                vec![Instance {
                    suffix: " (instance count unknown)".to_string(),
                    bindings: vec![(
                        "each",
                        object(&[("key", each.clone()), ("value", each)], value.span),
                    )],
                    context: vec![over_budget("for_each", elements.len(), &value)],
                }]
            }
            Ok(elements) => elements
                .into_iter()
                .map(|(key, each)| Instance {
                    suffix: format!(
                        "[{}]",
                        key.as_str()
                            .map_or_else(|| key.describe(), |k| format!("{k:?}"))
                    ),
                    bindings: vec![("each", object(&[("key", key), ("value", each)], value.span))],
                    context: Vec::new(),
                })
                .collect(),
            Err(unknown_value) => {
                let unknown = unknown_instances(&unknown_value, "for_each");
                vec![Instance {
                    suffix: " (instance count unknown)".to_string(),
                    bindings: vec![(
                        "each",
                        object(
                            &[
                                ("key", unknown_value.clone()),
                                ("value", unknown_value.clone()),
                            ],
                            value.span,
                        ),
                    )],
                    context: vec![unknown],
                }]
            }
        };
    }
    vec![Instance {
        suffix: String::new(),
        bindings: Vec::new(),
        context: Vec::new(),
    }]
}

/// The related location saying why the number of instances is unknown.
fn unknown_instances(value: &Value, what: &str) -> Related {
    let reason = match value.as_unknown() {
        Some(unknown) => unknown.reason.clone(),
        None => format!("{what} is {}", value.describe()),
    };
    Related {
        span: value.span,
        message: format!("the number of instances is unknown: {reason}"),
    }
}

fn object(entries: &[(&str, Value)], span: Span) -> Value {
    Value::new(
        ValueKind::Object(
            entries
                .iter()
                .map(|(key, value)| Entry {
                    key: (*key).into(),
                    key_span: value.span,
                    value: value.clone(),
                })
                .collect(),
        ),
        span,
    )
}

/// A downloaded module's directory as messages show it: from `.terraform` on, so the text does
/// not depend on where the repository is checked out.
fn module_display(dir: &std::path::Path) -> String {
    let parts: Vec<String> = dir
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let from = parts.iter().position(|p| p == ".terraform").unwrap_or(0);
    parts[from..].join("/")
}
