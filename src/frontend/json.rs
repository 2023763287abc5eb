//! JSON with comments (as ARM accepts it, and as `*.tf.json` is read) into spanned [`Value`]s.
//!
//! jsonc-parser keeps a byte range on every value and key and accepts `//` and `/* */`; it also
//! bounds nesting depth, so hostile input ends as a syntax error, not a stack overflow.

use jsonc_parser::ast::{ObjectPropName, Value as Ast};
use jsonc_parser::{CollectOptions, ParseOptions};

use crate::source::{FileId, Span};
use crate::value::{Entry, Value, ValueKind};

use super::SyntaxError;

/// Parse `text`; an empty document is `Ok(None)`.
pub fn parse(file: FileId, text: &str) -> Result<Option<Value>, SyntaxError> {
    let options = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        ..ParseOptions::default()
    };
    let result = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(
        |error| SyntaxError {
            offset: error.range().start,
            message: error.kind().to_string(),
        },
    )?;
    Ok(result.value.map(|ast| convert(file, ast)))
}

fn convert(file: FileId, ast: Ast) -> Value {
    let span = |range: jsonc_parser::common::Range| Span::new(file, range.start..range.end);
    match ast {
        Ast::StringLit(s) => Value::new(ValueKind::String(s.value.into_owned()), span(s.range)),
        Ast::NumberLit(n) => {
            let kind = match n.value.parse::<f64>() {
                Ok(number) => ValueKind::Number(number),
                Err(_) => ValueKind::String(n.value.to_string()),
            };
            Value::new(kind, span(n.range))
        }
        Ast::BooleanLit(b) => Value::new(ValueKind::Bool(b.value), span(b.range)),
        Ast::NullKeyword(n) => Value::new(ValueKind::Null, span(n.range)),
        Ast::Array(array) => {
            let range = span(array.range);
            let items = array
                .elements
                .into_iter()
                .map(|v| convert(file, v))
                .collect();
            Value::new(ValueKind::List(items), range)
        }
        Ast::Object(object) => {
            let range = span(object.range);
            let entries = object
                .properties
                .into_iter()
                .map(|property| {
                    let (key, key_span) = match property.name {
                        ObjectPropName::String(s) => (s.value.into_owned(), span(s.range)),
                        ObjectPropName::Word(w) => (w.value.to_string(), span(w.range)),
                    };
                    Entry {
                        key,
                        key_span,
                        value: convert(file, property.value),
                    }
                })
                .collect();
            Value::new(ValueKind::Object(entries), range)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_byte_spans_and_accepts_comments() {
        let text = "{\n  // comment\n  \"a\": [1, true, null], /* more */ \"é\": \"x\"\n}";
        let value = parse(FileId(0), text).unwrap().unwrap();
        let a = value.get("a").unwrap();
        assert_eq!(&text[a.key_span.range()], "\"a\"");
        assert_eq!(&text[a.value.span.range()], "[1, true, null]");
        let e = value.get("é").unwrap();
        assert_eq!(&text[e.value.span.range()], "\"x\"");
        assert_eq!(e.value.as_str(), Some("x"));
    }

    #[test]
    fn reports_errors_with_offsets() {
        let error = parse(FileId(0), "{\"a\": }").unwrap_err();
        assert_eq!(error.offset, 6);
        let deep = "[".repeat(100_000);
        assert!(parse(FileId(0), &deep).is_err());
    }
}
