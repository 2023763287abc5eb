//! The Bicep syntax tree. Every node has the byte range of its text in the file.
//!
//! Names, and strings written without escapes, are byte ranges of the source rather than copies
//! ([`Name::text`], [`Text::get`] read them back): parsing allocates little beyond the nodes.

use std::ops::Range;

/// A byte range of the file, in 32-bit offsets (the lexer refuses files of 4 GiB or more): half
/// the size of a `Range<usize>`, and every node has at least one, so the tree is smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loc {
    start: u32,
    end: u32,
}

impl Loc {
    /// The range `start..end`; both are below 4 GiB, since the lexer refuses larger files.
    pub fn new(start: usize, end: usize) -> Loc {
        Loc {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }

    pub fn range(self) -> Range<usize> {
        self.start()..self.end()
    }

    pub fn is_empty(self) -> bool {
        self.start >= self.end
    }
}

/// An identifier; its text is the source at `span`.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub span: Loc,
}

impl Name {
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        source.get(self.span.range()).unwrap_or("")
    }
}

/// The content of a string literal, or of a piece of one between interpolations.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    /// Written without escapes: the content is the source in this range.
    Source(Loc),
    /// Written with escapes (`\'`, `\n`, `\u{41}`): the unescaped content.
    Unescaped(Box<str>),
}

impl Text {
    pub fn get<'s>(&'s self, source: &'s str) -> &'s str {
        match self {
            Text::Source(range) => source.get(range.range()).unwrap_or(""),
            Text::Unescaped(text) => text,
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Text::Source(range) => range.is_empty(),
            Text::Unescaped(text) => text.is_empty(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    /// From the keyword to the end of the statement. Decorators are not kept: nothing evaluates
    /// them (the parser checks their syntax).
    pub span: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    TargetScope(Expr),
    Metadata {
        name: Name,
        value: Expr,
    },
    /// In a `.bicep` file a declaration (`ty` set, `value` the default); in a `.bicepparam` file
    /// an assignment (`ty` none).
    Param {
        name: Name,
        ty: Option<TypeExpr>,
        value: Option<Expr>,
    },
    Var {
        name: Name,
        value: Expr,
    },
    Resource(Box<ResourceDecl>),
    Module(Box<ModuleDecl>),
    Output {
        name: Name,
        value: Expr,
    },
    Type {
        name: Name,
        ty: TypeExpr,
    },
    Func {
        name: Name,
        parameters: Vec<Name>,
        body: Expr,
    },
    /// `import ... from 'x'`: the names it brings in (aliases where given) and its source.
    Import {
        names: Vec<Name>,
        from: Option<Expr>,
    },
    /// `extension` / `provider`: nothing aksguard evaluates.
    Extension,
    Using(Option<Expr>),
    Extends(Expr),
    Assert {
        name: Name,
        value: Expr,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDecl {
    pub name: Name,
    /// The `'Microsoft.X/y@api'` string.
    pub type_string: Expr,
    pub existing: bool,
    /// An object, `if (...) {...}`, or `[for ...: ...]`.
    pub value: Expr,
    /// `resource name 'type@api'`: where findings about missing settings point.
    pub header: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModuleDecl {
    pub name: Name,
    pub path: Expr,
    pub value: Expr,
    pub header: Loc,
}

/// A type is kept only for what evaluation needs: whether it allows null.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    pub span: Loc,
    pub nullable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StringPart {
    Text(Text),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(f64),
    Str(Text),
    Interpolated(Vec<StringPart>),
    Ident(Name),
    Array(Vec<ArrayItem>),
    Object(Vec<ObjectItem>),
    Unary {
        op: &'static str,
        operand: Box<Expr>,
    },
    Binary {
        op: &'static str,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Ternary {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Property {
        target: Box<Expr>,
        name: Name,
        safe: bool,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
        safe: bool,
    },
    /// `parent::child`
    Nested {
        target: Box<Expr>,
        name: Name,
    },
    /// `f(...)`, `az.f(...)`, `sys.f(...)`, `symbol.listKeys(...)`.
    Call {
        target: Option<Box<Expr>>,
        name: Name,
        args: Box<[Expr]>,
    },
    /// `x!`
    NonNull(Box<Expr>),
    Paren(Box<Expr>),
    Lambda {
        parameters: Vec<Name>,
        body: Box<Expr>,
    },
    /// `[for item in iterable: body]`, `[for (item, index) in ...]` (boxed whole: loops are rare,
    /// and every other expression is smaller for it).
    For(Box<ForLoop>),
    /// `if (condition) body`: a resource's or module's condition, or a loop's filter.
    If {
        condition: Box<Expr>,
        body: Box<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForLoop {
    pub item: Name,
    pub index: Option<Name>,
    pub iterable: Expr,
    pub body: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArrayItem {
    Item(Expr),
    Spread(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectItem {
    Property {
        key: Text,
        key_span: Loc,
        value: Expr,
    },
    /// A key written as an interpolated string (boxed: rare, and every item is smaller for it).
    ComputedProperty {
        key: Box<Expr>,
        value: Expr,
    },
    Spread(Expr),
    /// A child resource declared inside its parent's body.
    Resource(Box<Statement>),
}
