//! A hand-written recursive-descent parser for `.bicep` and `.bicepparam` files.
//!
//! Bicep is newline-sensitive: statements end at newlines, and inside `{}` and `[]` newlines
//! separate items (commas may too). Inside `()` newlines are plain whitespace. A line that starts
//! with `?`, `:`, `??`, `&&` or `||` continues the expression above it, as the compiler allows.
//! Nesting is bounded by [`MAX_DEPTH`]: deeper input is an error, never a stack overflow.
use super::ast::*;
use super::lexer::{lex_into, newline_after, Punct, Tok, Token, Tokens, PLAIN};
use crate::frontend::SyntaxError;

/// Deepest nesting of expressions and types accepted.
pub const MAX_DEPTH: usize = 100;

pub fn parse(text: &str) -> Result<Program, SyntaxError> {
    let mut scratch = SCRATCH.take();
    let result = parse_with(text, &mut scratch);
    scratch.forget_if_large();
    SCRATCH.set(scratch);
    result
}

/// The buffers a parse works in, kept from one file to the next on each thread: a file's
/// tokens take about three times its size, and allocating that afresh for every file (and
/// touching new pages) cost more than lexing a small file.
#[derive(Default)]
struct Scratch {
    tokens: Tokens,
    expr_stack: Vec<ExprId>,
    array_stack: Vec<ArrayItem>,
    object_stack: Vec<ObjectItem>,
    part_stack: Vec<StringPart>,
    statements: Vec<Statement>,
}

impl Scratch {
    /// Buffers grown past this many tokens by one large file are let go rather than kept.
    const MAX_KEPT_TOKENS: usize = 1 << 20;

    fn forget_if_large(&mut self) {
        if self.tokens.tokens.capacity() > Self::MAX_KEPT_TOKENS {
            *self = Scratch::default();
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

fn parse_with(text: &str, scratch: &mut Scratch) -> Result<Program, SyntaxError> {
    lex_into(text, &mut scratch.tokens)?;
    // A failed parse may leave items behind.
    scratch.expr_stack.clear();
    scratch.array_stack.clear();
    scratch.object_stack.clear();
    scratch.part_stack.clear();
    scratch.statements.clear();
    // The tree's vectors start at a capacity from the token count that holds a typical file's
    // (in Azure Verified Modules about one expression in 3.5 tokens, and one object item in
    // nine): growing them copies what they hold. What is left over is given back at the end.
    let tokens = scratch.tokens.tokens.len();
    let mut parser = Parser {
        text,
        tokens: std::mem::take(&mut scratch.tokens.tokens),
        strings: std::mem::take(&mut scratch.tokens.strings),
        pos: 0,
        stepped_over: 0,
        depth: 0,
        newlines: true,
        expr_stack: std::mem::take(&mut scratch.expr_stack),
        array_stack: std::mem::take(&mut scratch.array_stack),
        object_stack: std::mem::take(&mut scratch.object_stack),
        part_stack: std::mem::take(&mut scratch.part_stack),
        statements: std::mem::take(&mut scratch.statements),
        exprs: Vec::with_capacity(tokens / 2),
        object_items: Vec::with_capacity(tokens / 8),
        array_items: Vec::with_capacity(tokens / 32),
        string_parts: Vec::with_capacity(tokens / 32),
        arguments: Vec::with_capacity(tokens / 16),
        lambda_parameters: Vec::new(),
    };
    let result = parser.program();
    scratch.tokens.tokens = parser.tokens;
    scratch.tokens.strings = parser.strings;
    scratch.expr_stack = parser.expr_stack;
    scratch.array_stack = parser.array_stack;
    scratch.object_stack = parser.object_stack;
    scratch.part_stack = parser.part_stack;
    scratch.statements = parser.statements;
    // The unescaped string contents the tree's strings point into go with it.
    result.map(|mut program| {
        program.unescaped = std::mem::take(&mut scratch.tokens.unescaped);
        // The tree is held for the whole scan, and a small file's spare capacity is memory in
        // use (only a large allocation's untouched pages cost nothing): one copy at its size.
        program.exprs.shrink_to_fit();
        program.object_items.shrink_to_fit();
        program.array_items.shrink_to_fit();
        program.string_parts.shrink_to_fit();
        program.arguments.shrink_to_fit();
        program
    })
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    /// String contents, by the index in their token.
    strings: Vec<Text>,
    pos: usize,
    /// The position whose newline the parser has stepped over (tokens are never written: the
    /// newline before a token counts until the parser steps over it there).
    stepped_over: usize,
    depth: usize,
    /// Whether newlines are tokens at the current bracket level (false inside parentheses);
    /// each bracket sets it for its inside and puts back the outside's at its end.
    newlines: bool,
    /// The items of the lists being parsed, innermost last: a list is gathered here and moved
    /// to the end of the program's vector of such items at its end ([`store_from`]), so that
    /// its items are one run there.
    expr_stack: Vec<ExprId>,
    array_stack: Vec<ArrayItem>,
    object_stack: Vec<ObjectItem>,
    part_stack: Vec<StringPart>,
    /// The file's statements so far (a statement is large: growing the program's own vector
    /// would copy them each time it doubles).
    statements: Vec<Statement>,
    /// The file's expressions so far: the program's [`Program::exprs`].
    exprs: Vec<Expr>,
    /// The items of the file's lists so far, each list's a run: the program's vectors of them.
    object_items: Vec<ObjectItem>,
    array_items: Vec<ArrayItem>,
    string_parts: Vec<StringPart>,
    arguments: Vec<ExprId>,
    lambda_parameters: Vec<Name>,
}

type Parsed<T> = Result<T, SyntaxError>;

/// The items of a scratch stack from `mark` on, moved to the end of `store`: where they are
/// there. Items are plain data (indices and ranges), so this is one copy of their bytes.
fn store_from<T: Copy>(stack: &mut Vec<T>, mark: usize, store: &mut Vec<T>) -> Items {
    let start = store.len();
    let mark = mark.min(stack.len());
    store.extend_from_slice(&stack[mark..]);
    stack.truncate(mark);
    Items::new(start, store.len())
}

/// [`store_from`] for items that own something (an object's child resource): moved one by one.
fn store_moved_from<T>(stack: &mut Vec<T>, mark: usize, store: &mut Vec<T>) -> Items {
    let start = store.len();
    let mark = mark.min(stack.len());
    store.extend(stack.drain(mark..));
    Items::new(start, store.len())
}

/// The items of a scratch stack from `mark` on, moved out into a vector of exactly their number
/// (one allocation and one copy of the bytes; collecting a `drain` moved them one at a time).
/// The stack keeps its buffer: `split_off(0)` would give it away and allocate a new one.
fn take_from<T>(stack: &mut Vec<T>, mark: usize) -> Vec<T> {
    if mark == 0 {
        let mut items = Vec::with_capacity(stack.len());
        items.append(stack);
        items
    } else {
        stack.split_off(mark)
    }
}

impl<'t> Parser<'t> {
    /// Add an expression to the tree: its id.
    fn add(&mut self, kind: ExprKind, span: Loc) -> ExprId {
        let id = ExprId::new(self.exprs.len());
        self.exprs.push(Expr { kind, span });
        id
    }

    fn span(&self, id: ExprId) -> Loc {
        self.exprs[id.index()].span
    }

    /// The contents of string token `token`, for the tree.
    fn take_string(&mut self, token: Token) -> Text {
        match token.string {
            PLAIN => Text::Source(token.plain_content()),
            index => self.strings[index as usize],
        }
    }

    fn string_is_empty(&self, token: Token) -> bool {
        match token.string {
            PLAIN => token.plain_content().is_empty(),
            index => self.strings[index as usize].is_empty(),
        }
    }

    /// The value of an `Int` token (a run of digits, which always reads as a number).
    fn number(&self, token: Token) -> f64 {
        self.text[token.start()..token.end()]
            .parse()
            .unwrap_or(f64::INFINITY)
    }

    fn newlines_significant(&self) -> bool {
        self.newlines
    }

    /// Whether a newline the parser has not stepped over comes before the current token (the
    /// newline is then where the parser is, as if it were a token).
    fn at_newline(&self) -> bool {
        self.tokens[self.pos].newline_before && self.stepped_over != self.pos
    }

    /// Step over the newline before the current token when newlines are not significant here.
    fn skip_insignificant(&mut self) {
        if !self.newlines_significant() {
            self.skip_newlines();
        }
    }

    /// Step over the newline before the current token, if there is one.
    fn skip_newlines(&mut self) {
        self.stepped_over = self.pos;
    }

    /// The kind of the next token, `Newline` where a newline that counts comes first.
    fn peek_tok(&mut self) -> Tok {
        self.skip_insignificant();
        if self.at_newline() {
            Tok::Newline
        } else {
            self.tokens[self.pos].tok
        }
    }

    /// The next token, a `Newline` where a newline that counts comes first.
    fn peek(&mut self) -> Token {
        self.skip_insignificant();
        if self.at_newline() {
            self.newline_token()
        } else {
            self.tokens[self.pos]
        }
    }

    /// The newline before the current token as a token of its own, where it is in the text
    /// (found again from the token before, since only messages need it).
    fn newline_token(&self) -> Token {
        let at = newline_after(self.text, self.last_end()) as u32;
        Token {
            start: at,
            end: at + 1,
            string: PLAIN,
            tok: Tok::Newline,
            newline_before: false,
        }
    }

    /// The kind of the token after the current one, which must not be a newline (`Newline`
    /// where a newline that counts comes before that token).
    fn peek_second(&mut self) -> Tok {
        self.skip_insignificant();
        match self.tokens.get(self.pos + 1) {
            Some(token) if token.newline_before && self.newlines_significant() => Tok::Newline,
            Some(token) => token.tok,
            None => Tok::Eof,
        }
    }

    fn next(&mut self) -> Token {
        self.skip_insignificant();
        if self.at_newline() {
            // The newline is the next token here.
            let newline = self.newline_token();
            self.skip_newlines();
            return newline;
        }
        let token = self.tokens[self.pos];
        if token.tok != Tok::Eof {
            self.pos += 1;
        }
        token
    }

    fn at_punct(&mut self, punct: Punct) -> bool {
        self.peek_tok() == Tok::Punct(punct)
    }

    fn at_word(&mut self, word: &str) -> bool {
        if self.peek_tok() != Tok::Ident {
            return false;
        }
        let token = self.tokens[self.pos];
        self.word_of(&token) == word.as_bytes()
    }

    /// The text of a token, as bytes: compared with keywords without the checks that slicing
    /// the text at char boundaries makes (tokens start and end at ASCII bytes anyway).
    fn word_of(&self, token: &Token) -> &'t [u8] {
        let text: &'t str = self.text;
        text.as_bytes()
            .get(token.start()..token.end())
            .unwrap_or(&[])
    }

    fn eat_punct(&mut self, punct: Punct) -> bool {
        if self.at_punct(punct) {
            self.next();
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.at_word(word) {
            self.next();
            true
        } else {
            false
        }
    }

    fn error<T>(&self, at: usize, message: impl Into<String>) -> Parsed<T> {
        Err(SyntaxError {
            offset: at,
            message: message.into(),
        })
    }

    fn describe(&self, token: &Token) -> String {
        match token.tok {
            Tok::Eof => "the end of the file".to_string(),
            Tok::Newline => "the end of the line".to_string(),
            _ => format!("`{}`", &self.text[token.start()..token.end()]),
        }
    }

    fn expect_punct(&mut self, punct: Punct) -> Parsed<Token> {
        if self.peek_tok() == Tok::Punct(punct) {
            let token = self.next();
            // A value may start on the line after `=`, `:` or `=>`.
            if matches!(punct, Punct::Equal | Punct::Colon | Punct::Arrow) {
                self.skip_newlines();
            }
            Ok(token)
        } else {
            let token = self.peek();
            self.error(
                token.start(),
                format!(
                    "expected `{}`, found {}",
                    punct.text(),
                    self.describe(&token)
                ),
            )
        }
    }

    fn name(&mut self, what: &str) -> Parsed<Name> {
        if self.peek_tok() != Tok::Ident {
            let token = self.peek();
            return self.error(
                token.start(),
                format!("expected {what}, found {}", self.describe(&token)),
            );
        }
        let token = self.next();
        Ok(Name {
            span: Loc::new(token.start(), token.end()),
        })
    }

    fn enter(&mut self, at: usize) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(
                at,
                format!("nested more than {MAX_DEPTH} levels deep; aksguard stops here"),
            );
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Where the last token stepped over ends.
    fn last_end(&self) -> usize {
        match self.pos {
            0 => 0,
            pos => self.tokens[pos - 1].end(),
        }
    }

    /// A statement ends at a newline or the end of the file.
    fn end_of_statement(&mut self) -> Parsed<()> {
        if self.at_newline() {
            self.skip_newlines();
            return Ok(());
        }
        let token = self.tokens[self.pos];
        match token.tok {
            Tok::Eof => Ok(()),
            _ => self.error(
                token.start(),
                format!(
                    "expected the end of the line, found {}",
                    self.describe(&token)
                ),
            ),
        }
    }

    fn program(&mut self) -> Parsed<Program> {
        loop {
            self.skip_newlines();
            if self.tokens[self.pos].tok == Tok::Eof {
                return Ok(Program {
                    statements: take_from(&mut self.statements, 0),
                    exprs: std::mem::take(&mut self.exprs),
                    object_items: std::mem::take(&mut self.object_items),
                    array_items: std::mem::take(&mut self.array_items),
                    string_parts: std::mem::take(&mut self.string_parts),
                    arguments: std::mem::take(&mut self.arguments),
                    lambda_parameters: std::mem::take(&mut self.lambda_parameters),
                    unescaped: String::new(),
                });
            }
            let statement = self.statement()?;
            self.statements.push(statement);
            self.end_of_statement()?;
        }
    }

    /// Decorators (`@description('...')`): parsed, for their errors, then dropped, since nothing
    /// evaluates them; most declarations have one, and keeping none saves a list each.
    fn skip_decorators(&mut self) -> Parsed<()> {
        while self.at_punct(Punct::At) {
            if self.skip_plain_decorator() {
                continue;
            }
            self.next();
            self.postfix()?;
            self.skip_newlines();
        }
        Ok(())
    }

    /// Step over a decorator of the usual shape without building it: `@name('text')`,
    /// `@name(1)`, `@name()` or `@ns.name(...)` alone on its line, where newlines count. Any other
    /// shape (and any depth where the full parse could fail) is left to the full parse, which
    /// accepts these the same way: false, and nothing consumed.
    fn skip_plain_decorator(&mut self) -> bool {
        if !self.newlines_significant() || self.depth + 3 > MAX_DEPTH {
            return false;
        }
        let tokens = &self.tokens;
        let word = |token: &Token| {
            token.tok == Tok::Ident && !matches!(self.word_of(token), b"true" | b"false" | b"null")
        };
        // Whether `token` is a `tok` on the same line as the token before it.
        let same_line = |token: &Token, tok: Tok| !token.newline_before && token.tok == tok;
        // The token list ends with `Eof`, and each step below moves past a token that is not.
        let mut i = self.pos + 1;
        if tokens[i].newline_before || !word(&tokens[i]) {
            return false;
        }
        i += 1;
        if same_line(&tokens[i], Tok::Punct(Punct::Dot)) && same_line(&tokens[i + 1], Tok::Ident) {
            i += 2;
        }
        if !same_line(&tokens[i], Tok::Punct(Punct::OpenParen)) {
            return false;
        }
        i += 1;
        if !tokens[i].newline_before && matches!(tokens[i].tok, Tok::Str | Tok::Int) {
            i += 1;
        }
        if !same_line(&tokens[i], Tok::Punct(Punct::CloseParen)) {
            return false;
        }
        i += 1;
        if !(tokens[i].newline_before || tokens[i].tok == Tok::Eof) {
            return false;
        }
        self.pos = i;
        self.skip_newlines();
        true
    }

    fn statement(&mut self) -> Parsed<Statement> {
        self.skip_decorators()?;
        let keyword = self.peek();
        let start = keyword.start();
        if keyword.tok != Tok::Ident {
            return self.error(
                start,
                format!(
                    "expected a declaration (param, var, resource, module, output, ...), found {}",
                    self.describe(&keyword)
                ),
            );
        }
        let text = self.text;
        let word = &text[keyword.start()..keyword.end()];
        self.next();
        let kind = match word {
            "targetScope" => {
                self.expect_punct(Punct::Equal)?;
                StatementKind::TargetScope(self.expression()?)
            }
            "metadata" => {
                let name = self.name("a metadata name")?;
                self.expect_punct(Punct::Equal)?;
                StatementKind::Metadata {
                    name,
                    value: self.expression()?,
                }
            }
            "param" => {
                let name = self.name("a parameter name")?;
                if self.eat_punct(Punct::Equal) {
                    StatementKind::Param {
                        name,
                        ty: None,
                        value: Some(self.expression()?),
                    }
                } else {
                    let ty = self.type_expression()?;
                    let value = if self.eat_punct(Punct::Equal) {
                        Some(self.expression()?)
                    } else {
                        None
                    };
                    StatementKind::Param {
                        name,
                        ty: Some(ty),
                        value,
                    }
                }
            }
            "var" => {
                let name = self.name("a variable name")?;
                // A type may follow the name (`var x string = ...`).
                if !self.at_punct(Punct::Equal) {
                    self.type_expression()?;
                }
                self.expect_punct(Punct::Equal)?;
                StatementKind::Var {
                    name,
                    value: self.expression()?,
                }
            }
            "resource" => StatementKind::Resource(Box::new(self.resource(start)?)),
            "module" => {
                let name = self.name("a module name")?;
                let path = self.string_literal("a module path")?;
                let header = Loc::new(start, self.span(path).end());
                self.expect_punct(Punct::Equal)?;
                let value = self.declaration_value()?;
                StatementKind::Module(Box::new(ModuleDecl {
                    name,
                    path,
                    value,
                    header,
                }))
            }
            "output" => {
                let name = self.name("an output name")?;
                if self.at_word("resource") {
                    self.next();
                    self.string_literal("a resource type")?;
                } else {
                    self.type_expression()?;
                }
                self.expect_punct(Punct::Equal)?;
                StatementKind::Output {
                    name,
                    value: self.expression()?,
                }
            }
            "type" => {
                let name = self.name("a type name")?;
                self.expect_punct(Punct::Equal)?;
                StatementKind::Type {
                    name,
                    ty: self.type_expression()?,
                }
            }
            "func" => self.function()?,
            "import" => self.import()?,
            "extension" | "provider" => {
                self.rest_of_line()?;
                StatementKind::Extension
            }
            "using" => {
                if self.eat_word("none") {
                    self.rest_of_line()?;
                    StatementKind::Using(None)
                } else {
                    let path = self.string_literal("the path of the template")?;
                    self.rest_of_line()?;
                    StatementKind::Using(Some(path))
                }
            }
            "extends" => StatementKind::Extends(self.string_literal("a parameter file path")?),
            "assert" => {
                let name = self.name("an assertion name")?;
                self.expect_punct(Punct::Equal)?;
                StatementKind::Assert {
                    name,
                    value: self.expression()?,
                }
            }
            other => {
                return self.error(
                    start,
                    format!("`{other}` is not a Bicep declaration keyword"),
                )
            }
        };
        Ok(Statement {
            kind,
            span: Loc::new(start, self.last_end()),
        })
    }

    /// Tokens up to the end of the line, with brackets balanced (import, extension and using
    /// clauses aksguard does not evaluate).
    fn rest_of_line(&mut self) -> Parsed<()> {
        let mut depth = 0usize;
        loop {
            if self.at_newline() {
                if depth == 0 {
                    return Ok(());
                }
                self.skip_newlines();
            }
            let token = self.tokens[self.pos];
            match token.tok {
                Tok::Eof => return Ok(()),
                Tok::Punct(Punct::OpenBrace | Punct::OpenBracket | Punct::OpenParen) => depth += 1,
                Tok::Punct(Punct::CloseBrace | Punct::CloseBracket | Punct::CloseParen) => {
                    if depth == 0 {
                        return self.error(token.start(), "unbalanced bracket");
                    }
                    depth -= 1
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn string_literal(&mut self, what: &str) -> Parsed<ExprId> {
        let token = self.peek();
        match token.tok {
            Tok::Str => {
                self.next();
                let text = self.take_string(token);
                Ok(self.add(ExprKind::Str(text), Loc::new(token.start(), token.end())))
            }
            Tok::StrStart => self.primary(),
            _ => self.error(
                token.start(),
                format!(
                    "expected {what} (a string), found {}",
                    self.describe(&token)
                ),
            ),
        }
    }

    fn resource(&mut self, start: usize) -> Parsed<ResourceDecl> {
        let name = self.name("a resource name")?;
        let type_string = self.string_literal("a resource type")?;
        let header = Loc::new(start, self.span(type_string).end());
        let existing = self.eat_word("existing");
        self.expect_punct(Punct::Equal)?;
        let value = self.declaration_value()?;
        Ok(ResourceDecl {
            name,
            type_string,
            existing,
            value,
            header,
        })
    }

    /// What follows `=` in a resource or module: an object, `if (...) {...}` or a `[for ...]`.
    fn declaration_value(&mut self) -> Parsed<ExprId> {
        if self.at_word("if") {
            return self.condition();
        }
        self.expression()
    }

    fn condition(&mut self) -> Parsed<ExprId> {
        let start = self.next().start();
        self.enter(start)?;
        self.expect_punct(Punct::OpenParen)?;
        let newlines_outside = std::mem::replace(&mut self.newlines, false);
        let condition = self.expression();
        self.newlines = newlines_outside;
        let condition = condition?;
        self.expect_punct(Punct::CloseParen)?;
        let body = self.expression()?;
        self.leave();
        let span = Loc::new(start, self.span(body).end());
        Ok(self.add(ExprKind::If { condition, body }, span))
    }

    fn function(&mut self) -> Parsed<StatementKind> {
        let name = self.name("a function name")?;
        self.expect_punct(Punct::OpenParen)?;
        let newlines_outside = std::mem::replace(&mut self.newlines, false);
        let mut parameters = Vec::new();
        let result = (|| {
            while !self.at_punct(Punct::CloseParen) {
                parameters.push(self.name("a parameter name")?);
                self.type_expression()?;
                if !self.eat_punct(Punct::Comma) {
                    break;
                }
            }
            Ok(())
        })();
        self.newlines = newlines_outside;
        result?;
        self.expect_punct(Punct::CloseParen)?;
        self.type_expression()?;
        self.expect_punct(Punct::Arrow)?;
        let body = self.expression()?;
        Ok(StatementKind::Func {
            name,
            parameters,
            body,
        })
    }

    fn import(&mut self) -> Parsed<StatementKind> {
        let mut names = Vec::new();
        if self.at_punct(Punct::OpenBrace) {
            self.next();
            let newlines_outside = std::mem::replace(&mut self.newlines, true);
            let result = (|| loop {
                self.skip_separators();
                if self.at_punct(Punct::CloseBrace) {
                    return Ok(());
                }
                let mut name = self.name("an imported name")?;
                if self.eat_word("as") {
                    name = self.name("an alias")?;
                }
                names.push(name);
                self.item_end(Punct::CloseBrace)?;
            })();
            self.newlines = newlines_outside;
            result?;
            self.expect_punct(Punct::CloseBrace)?;
        } else if self.eat_punct(Punct::Star) {
            if !self.eat_word("as") {
                let token = self.peek();
                return self.error(token.start(), "expected `as` after `import *`");
            }
            names.push(self.name("a namespace name")?);
        } else {
            // `import 'provider@version' [with {...}] [as alias]` (the older provider form).
            self.rest_of_line()?;
            return Ok(StatementKind::Import { names, from: None });
        }
        let from = if self.eat_word("from") {
            Some(self.string_literal("the path imported from")?)
        } else {
            None
        };
        Ok(StatementKind::Import { names, from })
    }

    // ---- types ------------------------------------------------------------------------------

    fn type_expression(&mut self) -> Parsed<TypeExpr> {
        // A newline not yet stepped over starts the type.
        let start = if self.at_newline() {
            self.newline_token().start()
        } else {
            self.tokens[self.pos].start()
        };
        self.enter(start)?;
        // A union may be written one member a line, each after a `|`.
        if self.continues_with(Punct::Pipe) {
            self.next();
        }
        let mut nullable = self.type_postfix()?;
        while self.continues_with(Punct::Pipe) {
            self.next();
            nullable |= self.type_postfix()?;
        }
        self.leave();
        Ok(TypeExpr {
            span: Loc::new(start, self.last_end()),
            nullable,
        })
    }

    /// A type with its `[]`, `?`, `.member` and `[n]` suffixes; says whether it ends nullable.
    fn type_postfix(&mut self) -> Parsed<bool> {
        let mut nullable = self.type_primary()?;
        loop {
            if self.at_newline() {
                return Ok(nullable);
            }
            let token = self.tokens[self.pos];
            match token.tok {
                Tok::Punct(Punct::Question) => {
                    self.pos += 1;
                    nullable = true;
                }
                Tok::Punct(Punct::OpenBracket) => {
                    self.pos += 1;
                    // `[]`, `[*]` and `[0]` suffixes.
                    let inner = self.peek();
                    match inner.tok {
                        Tok::Punct(Punct::CloseBracket) => {}
                        Tok::Punct(Punct::Star) | Tok::Int => {
                            self.next();
                        }
                        _ => return self.error(inner.start(), "expected `]` in an array type"),
                    }
                    self.expect_punct(Punct::CloseBracket)?;
                    nullable = false;
                }
                Tok::Punct(Punct::Dot) => {
                    self.pos += 1;
                    self.name("a type member")?;
                    nullable = false;
                }
                _ => return Ok(nullable),
            }
        }
    }

    fn type_primary(&mut self) -> Parsed<bool> {
        let token = self.peek();
        match &token.tok {
            Tok::Ident => {
                let word = self.word_of(&token);
                self.next();
                if word == b"resource" && self.peek_tok() == Tok::Str {
                    self.next();
                    return Ok(false);
                }
                if word == b"null" {
                    return Ok(true);
                }
                if !self.at_newline() && self.tokens[self.pos].tok == Tok::Punct(Punct::Less) {
                    self.pos += 1;
                    let newlines_outside = std::mem::replace(&mut self.newlines, false);
                    let result = (|| {
                        loop {
                            self.type_expression()?;
                            if !self.eat_punct(Punct::Comma) {
                                break;
                            }
                        }
                        self.expect_punct(Punct::Greater).map(|_| ())
                    })();
                    self.newlines = newlines_outside;
                    result?;
                }
                Ok(false)
            }
            Tok::Str | Tok::Int => {
                self.next();
                Ok(false)
            }
            Tok::Punct(Punct::Minus) | Tok::Punct(Punct::Bang) => {
                self.next();
                self.type_primary()
            }
            Tok::Punct(Punct::OpenParen) => {
                self.next();
                let newlines_outside = std::mem::replace(&mut self.newlines, false);
                let inner = self.type_expression();
                self.newlines = newlines_outside;
                let inner = inner?;
                self.expect_punct(Punct::CloseParen)?;
                Ok(inner.nullable)
            }
            Tok::Punct(Punct::OpenBrace) => {
                self.next();
                let newlines_outside = std::mem::replace(&mut self.newlines, true);
                let result = self.object_type_members();
                self.newlines = newlines_outside;
                result?;
                self.expect_punct(Punct::CloseBrace)?;
                Ok(false)
            }
            Tok::Punct(Punct::OpenBracket) => {
                self.next();
                let newlines_outside = std::mem::replace(&mut self.newlines, true);
                let result = (|| loop {
                    self.skip_separators();
                    if self.at_punct(Punct::CloseBracket) {
                        return Ok(());
                    }
                    self.skip_decorators()?;
                    self.type_expression()?;
                    self.item_end(Punct::CloseBracket)?;
                })();
                self.newlines = newlines_outside;
                result?;
                self.expect_punct(Punct::CloseBracket)?;
                Ok(false)
            }
            _ => self.error(
                token.start(),
                format!("expected a type, found {}", self.describe(&token)),
            ),
        }
    }

    fn object_type_members(&mut self) -> Parsed<()> {
        loop {
            self.skip_separators();
            if self.at_punct(Punct::CloseBrace) {
                return Ok(());
            }
            self.skip_decorators()?;
            let key = self.peek();
            match key.tok {
                Tok::Ident | Tok::Str | Tok::Punct(Punct::Star) => {
                    self.next();
                }
                _ => {
                    return self.error(
                        key.start(),
                        format!("expected a property name, found {}", self.describe(&key)),
                    )
                }
            }
            self.expect_punct(Punct::Colon)?;
            self.type_expression()?;
            self.item_end(Punct::CloseBrace)?;
        }
    }

    /// Newlines and commas between items of an object or array.
    fn skip_separators(&mut self) {
        loop {
            self.skip_newlines();
            if self.tokens[self.pos].tok != Tok::Punct(Punct::Comma) {
                return;
            }
            self.pos += 1;
        }
    }

    /// After an item: a comma, a newline or the closing bracket.
    fn item_end(&mut self, close: Punct) -> Parsed<()> {
        if self.at_newline() {
            return Ok(());
        }
        let token = self.tokens[self.pos];
        match token.tok {
            Tok::Punct(Punct::Comma) => Ok(()),
            Tok::Punct(p) if p == close => Ok(()),
            _ => self.error(
                token.start(),
                format!(
                    "expected `,`, a new line or `{}`, found {}",
                    close.text(),
                    self.describe(&token)
                ),
            ),
        }
    }

    // ---- expressions ------------------------------------------------------------------------

    pub fn expression(&mut self) -> Parsed<ExprId> {
        if let Some(value) = self.lone_value() {
            return Ok(value);
        }
        let token = self.peek();
        self.enter(token.start())?;
        let result = match token.tok {
            Tok::Punct(Punct::Bang | Punct::Minus | Punct::Plus) => self.ternary(),
            // What `ternary` would do through `binary`, `unary` and `postfix` (each of which
            // starts with the value), but without passing the value up through each when
            // nothing follows it: most values that are not a lone literal or name are an
            // object, an array or a call with nothing after them.
            _ => self.primary().and_then(|value| {
                // As `postfix` does first.
                self.skip_insignificant();
                if self.value_ends_here() {
                    Ok(value)
                } else {
                    self.postfix_rest(value)
                        .and_then(|value| self.binary_rest(0, value))
                        .and_then(|value| self.ternary_rest(value))
                }
            }),
        };
        self.leave();
        result
    }

    /// Whether the next token (past any newlines) is one that no suffix, operator, call or
    /// lambda starts with: a value just parsed is then the whole expression.
    fn value_ends_here(&self) -> bool {
        matches!(
            self.tokens[self.pos].tok,
            Tok::Punct(
                Punct::Comma
                    | Punct::CloseParen
                    | Punct::CloseBracket
                    | Punct::CloseBrace
                    | Punct::Colon
            ) | Tok::Eof
                | Tok::Ident
                | Tok::Str
                | Tok::StrStart
                | Tok::Int
        )
    }

    /// A literal or a name that is the whole expression (most property values and arguments),
    /// taken from its token without going through the operator levels, when the next token
    /// (past any newlines) is one that no suffix, operator, call or lambda starts with. The full
    /// parse would give the same: none there would add to the value.
    fn lone_value(&mut self) -> Option<ExprId> {
        if self.depth + 2 > MAX_DEPTH {
            return None;
        }
        if !matches!(self.peek_tok(), Tok::Int | Tok::Str | Tok::Ident) {
            return None;
        }
        let token = self.tokens[self.pos];
        // Not `Eof`, so a token follows; the list ends with `Eof`.
        self.pos += 1;
        if !self.value_ends_here() {
            self.pos -= 1;
            return None;
        }
        let span = Loc::new(token.start(), token.end());
        let kind = match token.tok {
            Tok::Int => ExprKind::Int(self.number(token)),
            Tok::Str => ExprKind::Str(self.take_string(token)),
            _ => match self.word_of(&token) {
                b"true" => ExprKind::Bool(true),
                b"false" => ExprKind::Bool(false),
                b"null" => ExprKind::Null,
                _ => ExprKind::Ident(Name { span }),
            },
        };
        Some(self.add(kind, span))
    }

    /// Whether the next line starts with `op`, continuing the expression; if so, step onto it.
    fn continues_with(&mut self, op: Punct) -> bool {
        if self.at_punct(op) {
            return true;
        }
        if self.at_newline() && self.tokens[self.pos].tok == Tok::Punct(op) {
            self.skip_newlines();
            return true;
        }
        false
    }

    fn ternary(&mut self) -> Parsed<ExprId> {
        let condition = self.binary(0)?;
        self.ternary_rest(condition)
    }

    /// The rest of a conditional expression after its condition, if it is one.
    fn ternary_rest(&mut self, condition: ExprId) -> Parsed<ExprId> {
        if !self.continues_with(Punct::Question) {
            return Ok(condition);
        }
        self.next();
        let then = self.expression()?;
        if !self.continues_with(Punct::Colon) {
            let token = self.peek();
            return self.error(
                token.start(),
                format!(
                    "expected `:` in a conditional expression, found {}",
                    self.describe(&token)
                ),
            );
        }
        self.next();
        let otherwise = self.expression()?;
        let span = Loc::new(self.span(condition).start(), self.span(otherwise).end());
        Ok(self.add(
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            },
            span,
        ))
    }

    /// The binary operator at the current position and its precedence (higher binds tighter).
    /// `??`, `||` and `&&` may start the next line, since no item can start with them.
    fn binary_operator(&mut self) -> Option<(&'static str, usize)> {
        let precedence = |op: Punct| match op {
            Punct::Coalesce => Some(0),
            Punct::OrOr => Some(1),
            Punct::AndAnd => Some(2),
            Punct::EqualEqual | Punct::NotEqual | Punct::EqualTilde | Punct::NotTilde => Some(3),
            Punct::Less | Punct::LessEqual | Punct::Greater | Punct::GreaterEqual => Some(4),
            Punct::Plus | Punct::Minus => Some(5),
            Punct::Star | Punct::Slash | Punct::Percent => Some(6),
            _ => None,
        };
        match self.peek_tok() {
            Tok::Punct(op) => precedence(op).map(|p| (op.text(), p)),
            Tok::Newline => match self.tokens[self.pos].tok {
                Tok::Punct(op @ (Punct::Coalesce | Punct::OrOr | Punct::AndAnd)) => {
                    self.skip_newlines();
                    precedence(op).map(|p| (op.text(), p))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Binary operators by precedence climbing: operators binding at least `min` here.
    fn binary(&mut self, min: usize) -> Parsed<ExprId> {
        let left = self.unary()?;
        self.binary_rest(min, left)
    }

    /// The operators binding at least `min` after `left`, with their right sides.
    fn binary_rest(&mut self, min: usize, mut left: ExprId) -> Parsed<ExprId> {
        loop {
            let Some((op, precedence)) = self.binary_operator() else {
                return Ok(left);
            };
            if precedence < min {
                return Ok(left);
            }
            self.next();
            let start = self.span(left).start();
            self.enter(start)?;
            // Left-associative: the right side takes only tighter operators.
            let right = self.binary(precedence + 1);
            self.leave();
            let right = right?;
            let span = Loc::new(start, self.span(right).end());
            left = self.add(ExprKind::Binary { op, left, right }, span);
        }
    }

    fn unary(&mut self) -> Parsed<ExprId> {
        let op = match self.peek_tok() {
            Tok::Punct(Punct::Bang) => "!",
            Tok::Punct(Punct::Minus) => "-",
            Tok::Punct(Punct::Plus) => "+",
            _ => return self.postfix(),
        };
        let token = self.tokens[self.pos];
        self.next();
        self.enter(token.start())?;
        let operand = self.unary();
        self.leave();
        let operand = operand?;
        let span = Loc::new(token.start(), self.span(operand).end());
        Ok(self.add(ExprKind::Unary { op, operand }, span))
    }

    fn postfix(&mut self) -> Parsed<ExprId> {
        let expr = self.primary()?;
        self.postfix_rest(expr)
    }

    /// The suffixes after `expr`: properties, indexes, calls of members, `::child` and `!`.
    fn postfix_rest(&mut self, mut expr: ExprId) -> Parsed<ExprId> {
        let start = self.span(expr).start();
        let mut steps = 0usize;
        loop {
            // Suffixes must be on the same line (where newlines count).
            self.skip_insignificant();
            let at_newline = self.at_newline();
            let token = self.tokens[self.pos];
            steps += 1;
            if steps > 10 * MAX_DEPTH {
                let at = if at_newline {
                    self.newline_token().start()
                } else {
                    token.start()
                };
                return self.error(at, "too many suffixes in one expression");
            }
            if at_newline {
                return Ok(expr);
            }
            match token.tok {
                Tok::Punct(Punct::Dot) => {
                    self.next();
                    let safe = self.eat_punct(Punct::Question);
                    let name = self.name("a property name")?;
                    if !safe
                        && !self.at_newline()
                        && self.tokens[self.pos].tok == Tok::Punct(Punct::OpenParen)
                    {
                        let args = self.arguments()?;
                        let span = Loc::new(start, self.last_end());
                        let target = Some(expr);
                        expr = self.add(ExprKind::Call { target, name, args }, span);
                    } else {
                        let span = Loc::new(start, name.span.end());
                        let target = expr;
                        expr = self.add(ExprKind::Property { target, name, safe }, span);
                    }
                }
                Tok::Punct(Punct::OpenBracket) => {
                    self.next();
                    let newlines_outside = std::mem::replace(&mut self.newlines, false);
                    let safe = self.eat_punct(Punct::Question);
                    let index = self.expression();
                    self.newlines = newlines_outside;
                    let index = index?;
                    let close = self.expect_punct(Punct::CloseBracket)?;
                    let span = Loc::new(start, close.end());
                    let target = expr;
                    expr = self.add(
                        ExprKind::Index {
                            target,
                            index,
                            safe,
                        },
                        span,
                    );
                }
                Tok::Punct(Punct::ColonColon) => {
                    self.next();
                    let name = self.name("a child resource name")?;
                    let span = Loc::new(start, name.span.end());
                    let target = expr;
                    expr = self.add(ExprKind::Nested { target, name }, span);
                }
                Tok::Punct(Punct::Bang) => {
                    self.next();
                    expr = self.add(ExprKind::NonNull(expr), Loc::new(start, token.end()));
                }
                _ => return Ok(expr),
            }
        }
    }

    fn arguments(&mut self) -> Parsed<Items> {
        self.expect_punct(Punct::OpenParen)?;
        let newlines_outside = std::mem::replace(&mut self.newlines, false);
        let mark = self.expr_stack.len();
        let result = (|| {
            while !self.at_punct(Punct::CloseParen) {
                let arg = self.expression()?;
                self.expr_stack.push(arg);
                if !self.eat_punct(Punct::Comma) {
                    break;
                }
            }
            Ok(())
        })();
        let args = store_from(&mut self.expr_stack, mark, &mut self.arguments);
        self.newlines = newlines_outside;
        result?;
        self.expect_punct(Punct::CloseParen)?;
        Ok(args)
    }

    /// Whether the `(` at the current position opens a lambda's parameter list.
    fn parenthesis_is_lambda(&mut self) -> bool {
        let mut i = self.pos + 1;
        loop {
            match &self.tokens[i].tok {
                Tok::Ident | Tok::Punct(Punct::Comma) => i += 1,
                Tok::Punct(Punct::CloseParen) => break,
                _ => return false,
            }
        }
        // Not past the end: `)` is not the last token.
        self.tokens[i + 1].tok == Tok::Punct(Punct::Arrow)
    }

    fn lambda_body(&mut self, start: usize, parameters: Items) -> Parsed<ExprId> {
        self.expect_punct(Punct::Arrow)?;
        let body = self.expression()?;
        let span = Loc::new(start, self.span(body).end());
        Ok(self.add(ExprKind::Lambda { parameters, body }, span))
    }

    fn primary(&mut self) -> Parsed<ExprId> {
        let token = self.peek();
        let span = Loc::new(token.start(), token.end());
        self.enter(token.start())?;
        let result = match &token.tok {
            Tok::Int => {
                self.next();
                let value = self.number(token);
                Ok(self.add(ExprKind::Int(value), span))
            }
            Tok::Str => {
                self.next();
                let text = self.take_string(token);
                Ok(self.add(ExprKind::Str(text), span))
            }
            Tok::StrStart => self.interpolated(),
            Tok::Ident => self.identifier(token),
            Tok::Punct(Punct::OpenParen) if self.parenthesis_is_lambda() => {
                self.next();
                let newlines_outside = std::mem::replace(&mut self.newlines, false);
                let first = self.lambda_parameters.len();
                let result = (|| {
                    while !self.at_punct(Punct::CloseParen) {
                        let parameter = self.name("a lambda parameter")?;
                        self.lambda_parameters.push(parameter);
                        if !self.eat_punct(Punct::Comma) {
                            break;
                        }
                    }
                    Ok(())
                })();
                self.newlines = newlines_outside;
                result?;
                self.expect_punct(Punct::CloseParen)?;
                let parameters = Items::new(first, self.lambda_parameters.len());
                self.lambda_body(token.start(), parameters)
            }
            Tok::Punct(Punct::OpenParen) => {
                self.next();
                let newlines_outside = std::mem::replace(&mut self.newlines, false);
                let inner = self.expression();
                self.newlines = newlines_outside;
                let inner = inner?;
                let close = self.expect_punct(Punct::CloseParen)?;
                Ok(self.add(ExprKind::Paren(inner), Loc::new(token.start(), close.end())))
            }
            Tok::Punct(Punct::OpenBrace) => self.object(),
            Tok::Punct(Punct::OpenBracket) => self.array(),
            _ => self.error(
                token.start(),
                format!("expected a value, found {}", self.describe(&token)),
            ),
        };
        self.leave();
        result
    }

    fn identifier(&mut self, token: Token) -> Parsed<ExprId> {
        let text = self.word_of(&token);
        let span = Loc::new(token.start(), token.end());
        self.next();
        let kind = match text {
            b"true" => ExprKind::Bool(true),
            b"false" => ExprKind::Bool(false),
            b"null" => ExprKind::Null,
            _ => {
                let name = Name { span };
                let after = self.tokens[self.pos].tok;
                let same_line = !self.at_newline();
                if same_line && after == Tok::Punct(Punct::Arrow) {
                    let first = self.lambda_parameters.len();
                    self.lambda_parameters.push(name);
                    let parameters = Items::new(first, self.lambda_parameters.len());
                    return self.lambda_body(token.start(), parameters);
                }
                if same_line && after == Tok::Punct(Punct::OpenParen) {
                    let args = self.arguments()?;
                    let span = Loc::new(token.start(), self.last_end());
                    let target = None;
                    return Ok(self.add(ExprKind::Call { target, name, args }, span));
                }
                ExprKind::Ident(name)
            }
        };
        Ok(self.add(kind, span))
    }

    fn interpolated(&mut self) -> Parsed<ExprId> {
        let first = self.next();
        let start = first.start();
        let mark = self.part_stack.len();
        if first.tok == Tok::StrStart && !self.string_is_empty(first) {
            let text = self.take_string(first);
            self.part_stack.push(StringPart::Text(text));
        }
        let newlines_outside = std::mem::replace(&mut self.newlines, false);
        let result = (|| loop {
            let expr = self.expression()?;
            self.part_stack.push(StringPart::Expr(expr));
            let piece = self.next();
            match piece.tok {
                Tok::StrMiddle => {
                    if !self.string_is_empty(piece) {
                        let text = self.take_string(piece);
                        self.part_stack.push(StringPart::Text(text));
                    }
                }
                Tok::StrEnd => {
                    if !self.string_is_empty(piece) {
                        let text = self.take_string(piece);
                        self.part_stack.push(StringPart::Text(text));
                    }
                    return Ok(piece.end());
                }
                _ => {
                    return self.error(
                        piece.start(),
                        format!(
                            "expected `}}` to close the interpolation, found {}",
                            self.describe(&piece)
                        ),
                    )
                }
            }
        })();
        self.newlines = newlines_outside;
        let end = result?;
        let parts = store_from(&mut self.part_stack, mark, &mut self.string_parts);
        Ok(self.add(ExprKind::Interpolated(parts), Loc::new(start, end)))
    }

    fn object(&mut self) -> Parsed<ExprId> {
        let open = self.next();
        let newlines_outside = std::mem::replace(&mut self.newlines, true);
        let result = self.object_items();
        self.newlines = newlines_outside;
        let items = result?;
        let close = self.expect_punct(Punct::CloseBrace)?;
        Ok(self.add(ExprKind::Object(items), Loc::new(open.start(), close.end())))
    }

    fn object_items(&mut self) -> Parsed<Items> {
        let mark = self.object_stack.len();
        loop {
            self.skip_separators();
            if self.at_punct(Punct::CloseBrace) {
                return Ok(store_moved_from(
                    &mut self.object_stack,
                    mark,
                    &mut self.object_items,
                ));
            }
            if self.at_punct(Punct::Spread) {
                self.next();
                let spread = self.expression()?;
                self.object_stack.push(ObjectItem::Spread(spread));
                self.item_end(Punct::CloseBrace)?;
                continue;
            }
            let key = self.peek();
            // A child resource: `resource name 'type' = ...`, possibly decorated.
            let child = match key.tok {
                Tok::Punct(Punct::At) => true,
                Tok::Ident => self.word_of(&key) == b"resource" && self.peek_second() == Tok::Ident,
                _ => false,
            };
            if child {
                let statement = self.statement()?;
                if !matches!(statement.kind, StatementKind::Resource(_)) {
                    return self.error(
                        key.start(),
                        "only child resources may be declared inside a resource",
                    );
                }
                self.object_stack
                    .push(ObjectItem::Resource(Box::new(statement)));
                self.item_end(Punct::CloseBrace)?;
                continue;
            }
            match key.tok {
                Tok::Ident | Tok::Str => {
                    self.next();
                    let text = match key.tok {
                        Tok::Str => self.take_string(key),
                        _ => Text::Source(Loc::new(key.start(), key.end())),
                    };
                    self.expect_punct(Punct::Colon)?;
                    let value = self.expression()?;
                    self.object_stack.push(ObjectItem::Property {
                        key: text,
                        key_span: Loc::new(key.start(), key.end()),
                        value,
                    });
                }
                Tok::StrStart => {
                    let key = self.interpolated()?;
                    self.expect_punct(Punct::Colon)?;
                    let value = self.expression()?;
                    self.object_stack
                        .push(ObjectItem::ComputedProperty { key, value });
                }
                _ => {
                    return self.error(
                        key.start(),
                        format!("expected a property name, found {}", self.describe(&key)),
                    )
                }
            }
            self.item_end(Punct::CloseBrace)?;
        }
    }

    fn array(&mut self) -> Parsed<ExprId> {
        let open = self.next();
        let newlines_outside = std::mem::replace(&mut self.newlines, true);
        let first = self.tokens[self.pos];
        let is_loop = first.tok == Tok::Ident && self.word_of(&first) == b"for";
        let result = if is_loop {
            self.for_expression(open.start())
        } else {
            self.array_items()
                .map(|items| self.add(ExprKind::Array(items), Loc::new(open.start(), open.end())))
        };
        self.newlines = newlines_outside;
        let expr = result?;
        let close = self.expect_punct(Punct::CloseBracket)?;
        self.exprs[expr.index()].span = Loc::new(open.start(), close.end());
        Ok(expr)
    }

    fn array_items(&mut self) -> Parsed<Items> {
        let mark = self.array_stack.len();
        loop {
            self.skip_separators();
            if self.at_punct(Punct::CloseBracket) {
                return Ok(store_from(
                    &mut self.array_stack,
                    mark,
                    &mut self.array_items,
                ));
            }
            let item = if self.at_punct(Punct::Spread) {
                self.next();
                ArrayItem::Spread(self.expression()?)
            } else {
                ArrayItem::Item(self.expression()?)
            };
            self.array_stack.push(item);
            self.item_end(Punct::CloseBracket)?;
        }
    }

    fn for_expression(&mut self, start: usize) -> Parsed<ExprId> {
        self.skip_newlines();
        self.next(); // `for`
                     // The loop header is free of newline rules up to the body.
        let newlines_outside = std::mem::replace(&mut self.newlines, false);
        let header = (|| {
            let (item, index) = if self.eat_punct(Punct::OpenParen) {
                let item = self.name("a loop variable")?;
                self.expect_punct(Punct::Comma)?;
                let index = self.name("a loop index")?;
                self.expect_punct(Punct::CloseParen)?;
                (item, Some(index))
            } else {
                (self.name("a loop variable")?, None)
            };
            if !self.eat_word("in") {
                let token = self.peek();
                return self.error(
                    token.start(),
                    format!("expected `in`, found {}", self.describe(&token)),
                );
            }
            let iterable = self.expression()?;
            self.expect_punct(Punct::Colon)?;
            Ok((item, index, iterable))
        })();
        let parsed = header.and_then(|header| {
            let body = if self.at_word("if") {
                self.condition()
            } else {
                self.expression()
            };
            body.map(|body| (header, body))
        });
        self.newlines = newlines_outside;
        let ((item, index, iterable), body) = parsed?;
        self.skip_newlines();
        let span = Loc::new(start, self.span(body).end());
        let for_loop = ForLoop {
            item,
            index,
            iterable,
            body,
        };
        Ok(self.add(ExprKind::For(for_loop), span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(text: &str) -> Program {
        match parse(text) {
            Ok(program) => program,
            Err(error) => panic!(
                "{text:?} failed at {}: {} (near {:?})",
                error.offset,
                error.message,
                &text[error.offset.min(text.len())..]
            ),
        }
    }

    #[test]
    fn declarations_of_every_kind() {
        let text = r#"
targetScope = 'subscription'
metadata name = 'x'
import { a, b as c } from 'br/public:avm/utl/types:0.1.0'
import * as types from './types.bicep'
extension microsoftGraphV1
@description('The name.')
@minLength(3)
param name string
@secure()
param password string?
param tags object = {
  owner: 'team'
  'cost-center': '1'
}
param list (string | int)[] = [1, 'a']
var joined = '${name}-${length(list)}'
var multi = '''
text
'''
@export()
type person = {
  @description('x')
  name: string
  age: int?
  *: string
}
@discriminator('kind')
type union = { kind: 'a' } | { kind: 'b' }
func double(x int) int => x * 2
resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {
  name: name
  location: resourceGroup().location
  properties: {
    addonProfiles: { azurepolicy: { enabled: true } }
  }
  resource pool 'agentPools' = { name: 'system' }
}
resource old 'Microsoft.Storage/storageAccounts@2023-01-01' existing = { name: 'x' }
resource maybe 'Microsoft.Security/pricings@2024-01-01' = if (name == 'prod') { name: 'Containers' }
resource loop 'Microsoft.Security/pricings@2024-01-01' = [for (p, i) in ['a', 'b']: if (i > 0) {
  name: p
}]
module m './mod.bicep' = { name: 'm', params: { x: aks.id } }
module r 'br/public:avm/res/x:0.1.0' = { params: {} }
output id string = aks.id
output child string = aks::pool.name
assert ok = length(name) > 2
"#;
        let program = parses(text);
        assert_eq!(program.statements.len(), 23);
    }

    #[test]
    fn expressions() {
        let program = parses(
            "var x = a.?b ?? c[?0]!.d ? !e && f || g : -1 % 2\nvar y = filter(xs, x => x.on)\nvar z = reduce(xs, {}, (acc, cur) => union(acc, cur))\nvar s = { ...a, b: 1 }\nvar t = [...a, 1]\nvar u = az.resourceGroup().id\nvar v = sys.concat('a', 'b')",
        );
        assert_eq!(program.statements.len(), 7);
        let StatementKind::Var { value, .. } = &program.statements[0].kind else {
            panic!()
        };
        assert!(matches!(program[*value].kind, ExprKind::Ternary { .. }));
    }

    #[test]
    fn newline_rules() {
        parses("var x = {\n  a: 1, b: 2\n  c: [\n    1\n    2, 3\n  ]\n}\n");
        parses("var x = union(a,\n  {\n    b: 1\n  })\n");
        parses("var x = cond\n  ? 1\n  : 2\nvar y = a\n  ?? b\n");
        parses("var x = [\n  for i in range(0, 3): {\n    n: i\n  }\n]\n");
        parses("var x = (x,\n y) => x\n");
        // A value followed on the next line by an operator or `?` continues there.
        let program =
            parses("var x = a\n  ?? b\nvar y = c\n  ? 1\n  : 2\nvar z = [\n  d\n  e\n]\n");
        let values: Vec<&ExprKind> = program
            .statements
            .iter()
            .filter_map(|s| match &s.kind {
                StatementKind::Var { value, .. } => Some(&program[*value].kind),
                _ => None,
            })
            .collect();
        assert!(matches!(values[0], ExprKind::Binary { op: "??", .. }));
        assert!(matches!(values[1], ExprKind::Ternary { .. }));
        assert!(
            matches!(values[2], ExprKind::Array(items) if program.array_items(*items).len() == 2)
        );
        assert!(parse("var x = 1 var y = 2").is_err());
        assert!(parse("var x = {\n a: 1 b: 2\n}").is_err());
    }

    #[test]
    fn errors_are_precise_and_depth_is_bounded() {
        let error = parse("param x string =").unwrap_err();
        assert_eq!(error.offset, 16);
        let error = parse("resource x 'T@1' = {\n  a: \n}").unwrap_err();
        assert!(
            error.message.contains("expected a value"),
            "{}",
            error.message
        );
        let deep = format!("var x = {}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse(&deep).unwrap_err().message.contains("levels deep"));
        let deep = format!("var x = {}", "[".repeat(5000));
        assert!(parse(&deep).is_err());
        let deep = format!("var x = {}1", "!".repeat(5000));
        assert!(parse(&deep).is_err());
        let deep = format!("type t = {}", "(".repeat(5000));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn every_prefix_of_a_file_parses_or_fails_without_panic() {
        let text = "param a string = 'x${b}y'\nvar c = [for (i, n) in range(0, 2): if (n > 0) {\n  k: a.?b ?? [1, ...c]\n}]\n/* c */ resource r 'T@1' = { resource ch 'c' = {} }\nvar m = '''\nm é\n'''\n@sys.description('d')\ntype t = { *: string | int? }\n";
        for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let _ = parse(&text[..end]);
        }
        assert!(parse(text).is_ok());
    }

    #[test]
    fn decorators_of_every_shape() {
        // The usual shapes (stepped over without building them) and others (parsed in full).
        let text = "@description('d')\n@minLength(1)\n@secure()\n@sys.description('x')\n@description('a') param a string\n@maxValue(-1)\n@allowed([\n  'x'\n])\n@description(\n  'wrapped')\n@metadata({ k: 'v' })\n@description('${a}')\nparam b string\ntype t = {\n  @description('m')\n  m: string\n  n: [\n    @description('i')\n    string\n  ]\n}\n";
        assert_eq!(parses(text).statements.len(), 3);
        for broken in [
            "@description('x') + 1\nparam x string",
            "@description('x'\nparam x string",
            "@true()\nparam x string",
            "@description('x')",
        ] {
            assert!(parse(broken).is_err(), "{broken:?} parses");
        }
        // Deep in nested types a decorator takes the full parse, whose depth bound it reaches
        // three levels before the member's type does.
        let nested = |levels: usize, decorator: &str| {
            format!(
                "type t = {}{decorator}m: string{}",
                "{\na: ".repeat(levels - 1) + "{\n",
                "\n}".repeat(levels)
            )
        };
        assert!(parse(&nested(97, "@d('x')\n")).is_ok());
        assert!(parse(&nested(98, "")).is_ok());
        let error = parse(&nested(98, "@d('x')\n")).unwrap_err();
        assert!(error.message.contains("levels deep"), "{}", error.message);
    }

    #[test]
    fn bicepparam_files() {
        let program = parses("using './main.bicep'\nparam env = 'prod'\nparam n = readEnvironmentVariable('N', '1')\n");
        assert!(matches!(
            program.statements[0].kind,
            StatementKind::Using(Some(_))
        ));
        assert!(matches!(
            program.statements[1].kind,
            StatementKind::Param { ty: None, .. }
        ));
    }
}
