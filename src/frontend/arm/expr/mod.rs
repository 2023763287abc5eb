//! The ARM template expression language: `"[...]"` strings parsed into a small AST and evaluated
//! into spanned [`Value`](crate::value::Value)s.

pub mod eval;
pub mod functions;
pub mod lexer;
pub mod parser;

/// What a JSON string means to ARM: a literal, or an expression (the text between the brackets).
#[derive(Debug, PartialEq, Eq)]
pub enum StringForm<'a> {
    Literal(std::borrow::Cow<'a, str>),
    Expression(&'a str),
}

/// `"[...]"` is an expression; `"[[..."` is the literal with one `[` removed; anything else is a
/// literal.
pub fn classify(text: &str) -> StringForm<'_> {
    if let Some(rest) = text.strip_prefix("[[") {
        return StringForm::Literal(format!("[{rest}").into());
    }
    match text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(inner) => StringForm::Expression(inner),
        None => StringForm::Literal(text.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_expressions_and_escapes() {
        assert_eq!(
            classify("[parameters('a')]"),
            StringForm::Expression("parameters('a')")
        );
        assert_eq!(classify("[[x]"), StringForm::Literal("[x]".into()));
        assert_eq!(classify("[x] y"), StringForm::Literal("[x] y".into()));
        assert_eq!(classify("plain"), StringForm::Literal("plain".into()));
    }
}
