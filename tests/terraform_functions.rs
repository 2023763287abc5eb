//! Differential test of aksguard's Terraform evaluator against `terraform console`.
//!
//! testdata/terraform-functions/oracle.txt holds Terraform's answer for every expression of
//! expressions.txt (recorded by scripts/terraform-oracle.py where a terraform binary is), so this
//! runs everywhere. Each expression is evaluated in the configuration main.tf beside them (`var.u`
//! has no value) and compared with the answer:
//! - a value: aksguard's must be fully known and equal (numbers by their JSON text, as
//!   Terraform's jsonencode writes them; object keys in any order);
//! - `(known after apply)`: aksguard's must hold an unknown, and `can(expr)` must not be false;
//! - an infinity (which JSON cannot hold): aksguard's must be the same infinity;
//! - an error: `can(expr)` must be false in aksguard, which is what `try` and `can` act on.
//!
//! Expressions where aksguard knowingly differs are listed, with the reason, in
//! known-differences.txt; the test fails on any other difference, and on a listed one that agrees.

use std::collections::BTreeMap;
use std::path::Path;

use aksguard::frontend::terraform::eval::{Evaluator, Expr, Scope};
use aksguard::source::{FileId, SourceFile, SourceMap, Span};
use aksguard::value::{UnknownCause, Value, ValueKind};

const DIR: &str = "testdata/terraform-functions";

/// A JSON value keeping each number's text.
#[derive(Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

fn parse_json(text: &str) -> Json {
    let mut parser = JsonParser {
        text: text.as_bytes(),
        at: 0,
    };
    let value = parser.value();
    assert_eq!(parser.at, text.len(), "trailing text in {text}");
    value
}

struct JsonParser<'a> {
    text: &'a [u8],
    at: usize,
}

impl JsonParser<'_> {
    fn value(&mut self) -> Json {
        match self.text[self.at] {
            b'n' => self.word("null", Json::Null),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'"' => Json::String(self.string()),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                while self.text[self.at] != b']' {
                    items.push(self.value());
                    if self.text[self.at] == b',' {
                        self.at += 1;
                    }
                }
                self.at += 1;
                Json::Array(items)
            }
            b'{' => {
                self.at += 1;
                let mut entries = Vec::new();
                while self.text[self.at] != b'}' {
                    let key = self.string();
                    assert_eq!(self.text[self.at], b':');
                    self.at += 1;
                    entries.push((key, self.value()));
                    if self.text[self.at] == b',' {
                        self.at += 1;
                    }
                }
                self.at += 1;
                Json::Object(entries)
            }
            _ => {
                let start = self.at;
                while self.at < self.text.len() && b"-+.eE0123456789".contains(&self.text[self.at])
                {
                    self.at += 1;
                }
                Json::Number(String::from_utf8(self.text[start..self.at].to_vec()).unwrap())
            }
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Json {
        self.at += word.len();
        value
    }

    fn string(&mut self) -> String {
        let start = self.at;
        self.at += 1;
        while self.text[self.at] != b'"' {
            self.at += if self.text[self.at] == b'\\' { 2 } else { 1 };
        }
        self.at += 1;
        serde_json::from_slice(&self.text[start..self.at]).expect("a JSON string")
    }
}

/// A number as Terraform's jsonencode writes it.
fn number_text(n: f64) -> String {
    if n == 0.0 {
        "0".to_string()
    } else {
        aksguard::value::format_number(n)
    }
}

fn equal(value: &Value, json: &Json) -> bool {
    match (&value.kind, json) {
        (ValueKind::Null, Json::Null) => true,
        (ValueKind::Bool(a), Json::Bool(b)) => a == b,
        (ValueKind::Number(a), Json::Number(b)) => {
            number_text(*a) == *b || (b == "-0" && *a == 0.0)
        }
        (ValueKind::String(a), Json::String(b)) => a == b,
        (ValueKind::List(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(x, y))
        }
        (ValueKind::Object(a), Json::Object(b)) => {
            a.len() == b.len()
                && b.iter().all(|(key, y)| {
                    a.iter()
                        .find(|e| e.key == key)
                        .is_some_and(|e| equal(&e.value, y))
                })
        }
        _ => false,
    }
}

fn has_unknown(value: &Value) -> bool {
    match &value.kind {
        ValueKind::Unknown(_) => true,
        ValueKind::List(items) => items.iter().any(has_unknown),
        ValueKind::Object(entries) => entries.iter().any(|e| has_unknown(&e.value)),
        _ => false,
    }
}

/// aksguard's value of `expression` and of `can(expression)`, in main.tf's configuration.
fn evaluate(prelude: &str, expression: &str) -> (Value, Value) {
    let text = format!(
        "{prelude}\nlocals {{\n  result = {expression}\n  can_result = can({expression})\n}}\n"
    );
    let sources = SourceMap::new(vec![SourceFile::new("main.tf".into(), text.clone())]);
    let body = aksguard::frontend::terraform::parse(&text)
        .unwrap_or_else(|e| panic!("{expression}: {}", e.message));
    let mut locals = BTreeMap::new();
    for block in body.blocks().filter(|b| b.ident.get(&text) == "locals") {
        for attribute in block.body.attributes() {
            locals.insert(
                attribute.key.get(&text).to_string(),
                Expr::Hcl(FileId(0), &attribute.value),
            );
        }
    }
    let variables = BTreeMap::from([(
        "u".to_string(),
        Value::unknown(UnknownCause::Input, "var.u has no value", Span::default()),
    )]);
    let scope = Scope::new(&sources, variables, locals.clone());
    let evaluate = |name: &str| match locals[name] {
        Expr::Hcl(file, expr) => Evaluator::new(&scope, file).expr(expr),
        Expr::Json(_) => unreachable!(),
    };
    (evaluate("result"), evaluate("can_result"))
}

/// Whether aksguard agrees with Terraform's `answer`; the reason when not.
fn compare(value: &Value, can: &Value, answer: &str) -> Result<(), String> {
    let (kind, detail) = answer.split_once(' ').unwrap_or((answer, ""));
    match kind {
        "json" | "sensitive-json" => {
            if has_unknown(value) {
                return Err(format!("aksguard: {}", value.describe()));
            }
            let expected = parse_json(detail);
            if equal(value, &expected) {
                Ok(())
            } else {
                Err(format!("aksguard: {}", render(value)))
            }
        }
        "infinity" => match value.kind {
            ValueKind::Number(n) if n.is_infinite() && (n > 0.0) == (detail == "+Inf") => Ok(()),
            _ => Err(format!("aksguard: {}", render(value))),
        },
        "unknown" => {
            if !has_unknown(value) {
                Err(format!("aksguard knows it: {}", render(value)))
            } else if can.as_bool() == Some(false) {
                Err("aksguard: can() is false (an error)".to_string())
            } else {
                Ok(())
            }
        }
        "error" => match can.kind {
            ValueKind::Bool(false) => Ok(()),
            _ => Err(format!(
                "aksguard: {} (can: {})",
                render(value),
                can.describe()
            )),
        },
        other => panic!("unknown answer kind {other}"),
    }
}

fn render(value: &Value) -> String {
    match &value.kind {
        ValueKind::Null => "null".to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Number(n) => number_text(*n),
        ValueKind::String(s) => format!("{s:?}"),
        ValueKind::List(items) => format!(
            "[{}]",
            items.iter().map(render).collect::<Vec<_>>().join(",")
        ),
        ValueKind::Object(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|e| format!("{:?}:{}", e.key, render(&e.value)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        ValueKind::Unknown(u) => format!("unknown ({:?}: {})", u.cause, u.reason),
    }
}

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(DIR).join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn tab_separated(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (a, b) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("no tab in {l}"));
            (a.to_string(), b.to_string())
        })
        .collect()
}

#[test]
fn aksguard_agrees_with_terraform_console() {
    let prelude = read("main.tf");
    let answers = tab_separated(&read("oracle.txt"));
    let expressions: Vec<String> = read("expressions.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let recorded: Vec<&String> = answers.iter().map(|(e, _)| e).collect();
    assert_eq!(
        recorded,
        expressions.iter().collect::<Vec<_>>(),
        "oracle.txt is stale: run scripts/terraform-oracle.py"
    );
    let known: BTreeMap<String, String> = tab_separated(&read("known-differences.txt"))
        .into_iter()
        .collect();

    let mut agreed = 0;
    let mut problems = Vec::new();
    for (expression, answer) in &answers {
        let (value, can) = evaluate(&prelude, expression);
        match (
            compare(&value, &can, answer),
            known.contains_key(expression),
        ) {
            (Ok(()), false) => agreed += 1,
            (Ok(()), true) => problems.push(format!(
                "{expression}\n    now agrees with Terraform: remove it from known-differences.txt"
            )),
            (Err(_), true) => {}
            (Err(why), false) => {
                problems.push(format!("{expression}\n    Terraform: {answer}\n    {why}"))
            }
        }
    }
    for expression in known.keys() {
        assert!(
            recorded.contains(&expression),
            "known-differences.txt lists {expression}, which is not in expressions.txt"
        );
    }
    eprintln!(
        "{agreed} of {} expressions agree with terraform console; {} known differences",
        answers.len(),
        known.len()
    );
    assert!(
        problems.is_empty(),
        "{} differences from Terraform:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
