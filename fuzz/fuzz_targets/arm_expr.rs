//! The ARM expression language: lexer, parser and evaluator (every function), for one
//! expression evaluated against a template whose parameters and variables it may reference.
#![no_main]

use aksguard::frontend::arm::expr::eval::{Context, DeployScope, Evaluator, MissingInput};
use aksguard::source::{FileId, Span};
use libfuzzer_sys::fuzz_target;

/// File 1: the template the expression's `parameters()` and `variables()` read.
const TEMPLATE: &str = r#"{
  "parameters": {
    "name": { "type": "string", "defaultValue": "aks-prod" },
    "count": { "type": "int", "defaultValue": 3 },
    "enabled": { "type": "bool", "defaultValue": true },
    "tags": { "type": "object", "defaultValue": { "owner": "team", "env": "[parameters('name')]" } },
    "zones": { "type": "array", "defaultValue": [1, 2, 3] },
    "workspace": { "type": "string" }
  },
  "variables": {
    "prefix": "[concat(parameters('name'), '-', string(parameters('count')))]",
    "self": "[variables('self')]",
    "settings": { "on": "[parameters('enabled')]", "list": "[range(0, parameters('count'))]" },
    "copy": [{ "name": "items", "count": 2, "input": "[copyIndex('items')]" }]
  }
}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut template = aksguard::frontend::json::parse(FileId(1), TEMPLATE)
        .expect("the fixed template parses")
        .expect("the fixed template is not empty");
    template.set_file(FileId(1));
    let context = Context::new(
        &template,
        Vec::new(),
        DeployScope::ResourceGroup {
            subscription: None,
            group: None,
        },
        MissingInput::NoParameterFile,
    );
    // The expression as it stands in a JSON string: `"[` + text + `]"` in file 0.
    let holder = format!("\"[{text}]\"");
    let span = Span::new(FileId(0), 0..holder.len());
    let value = Evaluator::new(&context).expression(text, span);
    aksguard_fuzz::assert_value_in(&value, &[&holder, TEMPLATE], "ARM expression");
});
