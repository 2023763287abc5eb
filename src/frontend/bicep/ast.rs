//! The Bicep syntax tree. Every node has the byte range of its text in the file.
//!
//! Names, and strings written without escapes, are byte ranges of the source rather than copies
//! ([`Name::text`], [`Program::text`] read them back); strings with escapes are ranges of one
//! buffer of their unescaped contents ([`Program::unescaped`]).
//! The expressions of a file are one vector, [`Program::exprs`], and a node names its children
//! by index ([`ExprId`]; `program[id]` is the node); the items of its objects, arrays, strings
//! and calls are runs of one vector each ([`Items`]). So no expression or list is an allocation
//! of its own, and no expression owns anything: dropping the tree frees a few buffers rather
//! than visiting every expression (only statements, few, own theirs).

use std::num::NonZeroU32;
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
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Text {
    /// Written without escapes: the content is the source in this range.
    Source(Loc),
    /// Written with escapes (`\'`, `\n`, `\u{41}`): the unescaped content is this range of
    /// the buffer of unescaped contents ([`Program::unescaped`]).
    Unescaped(Loc),
}

impl Text {
    /// The content, given the file's source and its buffer of unescaped contents.
    pub fn get<'s>(&self, source: &'s str, unescaped: &'s str) -> &'s str {
        match self {
            Text::Source(range) => source.get(range.range()).unwrap_or(""),
            Text::Unescaped(range) => unescaped.get(range.range()).unwrap_or(""),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Text::Source(range) | Text::Unescaped(range) => range.is_empty(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub statements: Vec<Statement>,
    /// Every expression of the file, children before their parents; [`ExprId`]s index it.
    pub exprs: Vec<Expr>,
    /// The items of every object ([`ExprKind::Object`]), each object's a run of them.
    pub object_items: Vec<ObjectItem>,
    /// The items of every array ([`ExprKind::Array`]).
    pub array_items: Vec<ArrayItem>,
    /// The pieces of every interpolated string ([`ExprKind::Interpolated`]).
    pub string_parts: Vec<StringPart>,
    /// The arguments of every call ([`ExprKind::Call`]).
    pub arguments: Vec<ExprId>,
    /// The parameters of every lambda ([`ExprKind::Lambda`]).
    pub lambda_parameters: Vec<Name>,
    /// The contents of the strings written with escapes, one after the other
    /// ([`Text::Unescaped`]).
    pub unescaped: String,
}

impl Program {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.index()]
    }

    pub fn object_items(&self, items: Items) -> &[ObjectItem] {
        items.of(&self.object_items)
    }

    pub fn array_items(&self, items: Items) -> &[ArrayItem] {
        items.of(&self.array_items)
    }

    pub fn string_parts(&self, items: Items) -> &[StringPart] {
        items.of(&self.string_parts)
    }

    pub fn arguments(&self, items: Items) -> &[ExprId] {
        items.of(&self.arguments)
    }

    pub fn lambda_parameters(&self, items: Items) -> &[Name] {
        items.of(&self.lambda_parameters)
    }

    /// The content of a string of this program, whose source is `source`.
    pub fn text<'s>(&'s self, text: &Text, source: &'s str) -> &'s str {
        text.get(source, &self.unescaped)
    }
}

/// A run of items in one of a [`Program`]'s item vectors (which one, the node holding it says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Items {
    start: u32,
    end: u32,
}

impl Items {
    /// The items `start..end`; both are below 4 GiB, since the lexer refuses larger files.
    pub fn new(start: usize, end: usize) -> Items {
        Items {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    fn of<T>(self, all: &[T]) -> &[T] {
        all.get(self.start as usize..self.end as usize)
            .unwrap_or(&[])
    }
}

impl std::ops::Index<ExprId> for Program {
    type Output = Expr;

    fn index(&self, id: ExprId) -> &Expr {
        self.expr(id)
    }
}

/// An expression of a [`Program`], by its place in [`Program::exprs`]. Four bytes, and an
/// `Option<ExprId>` too (the index is stored plus one, so never zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExprId(NonZeroU32);

impl ExprId {
    /// The id of `exprs[index]`; files are below 4 GiB, so there are fewer expressions than
    /// `u32::MAX`.
    pub fn new(index: usize) -> ExprId {
        ExprId(NonZeroU32::new((index as u32).wrapping_add(1)).unwrap_or(NonZeroU32::MAX))
    }

    pub fn index(self) -> usize {
        (self.0.get() - 1) as usize
    }
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
    TargetScope(ExprId),
    Metadata {
        name: Name,
        value: ExprId,
    },
    /// In a `.bicep` file a declaration (`ty` set, `value` the default); in a `.bicepparam` file
    /// an assignment (`ty` none).
    Param {
        name: Name,
        ty: Option<TypeExpr>,
        value: Option<ExprId>,
    },
    Var {
        name: Name,
        value: ExprId,
    },
    Resource(Box<ResourceDecl>),
    Module(Box<ModuleDecl>),
    Output {
        name: Name,
        value: ExprId,
    },
    Type {
        name: Name,
        ty: TypeExpr,
    },
    Func {
        name: Name,
        parameters: Vec<Name>,
        body: ExprId,
    },
    /// `import ... from 'x'`: the names it brings in (aliases where given) and its source.
    Import {
        names: Vec<Name>,
        from: Option<ExprId>,
    },
    /// `extension` / `provider`: nothing aksguard evaluates.
    Extension,
    Using(Option<ExprId>),
    Extends(ExprId),
    Assert {
        name: Name,
        value: ExprId,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDecl {
    pub name: Name,
    /// The `'Microsoft.X/y@api'` string.
    pub type_string: ExprId,
    pub existing: bool,
    /// An object, `if (...) {...}`, or `[for ...: ...]`.
    pub value: ExprId,
    /// `resource name 'type@api'`: where findings about missing settings point.
    pub header: Loc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModuleDecl {
    pub name: Name,
    pub path: ExprId,
    pub value: ExprId,
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

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StringPart {
    Text(Text),
    Expr(ExprId),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(f64),
    Str(Text),
    /// Pieces in [`Program::string_parts`].
    Interpolated(Items),
    Ident(Name),
    /// Items in [`Program::array_items`].
    Array(Items),
    /// Items in [`Program::object_items`].
    Object(Items),
    Unary {
        op: &'static str,
        operand: ExprId,
    },
    Binary {
        op: &'static str,
        left: ExprId,
        right: ExprId,
    },
    Ternary {
        condition: ExprId,
        then: ExprId,
        otherwise: ExprId,
    },
    Property {
        target: ExprId,
        name: Name,
        safe: bool,
    },
    Index {
        target: ExprId,
        index: ExprId,
        safe: bool,
    },
    /// `parent::child`
    Nested {
        target: ExprId,
        name: Name,
    },
    /// `f(...)`, `az.f(...)`, `sys.f(...)`, `symbol.listKeys(...)`; the arguments are in
    /// [`Program::arguments`].
    Call {
        target: Option<ExprId>,
        name: Name,
        args: Items,
    },
    /// `x!`
    NonNull(ExprId),
    Paren(ExprId),
    /// The parameters are in [`Program::lambda_parameters`].
    Lambda {
        parameters: Items,
        body: ExprId,
    },
    /// `[for item in iterable: body]`, `[for (item, index) in ...]`.
    For(ForLoop),
    /// `if (condition) body`: a resource's or module's condition, or a loop's filter.
    If {
        condition: ExprId,
        body: ExprId,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForLoop {
    pub item: Name,
    pub index: Option<Name>,
    pub iterable: ExprId,
    pub body: ExprId,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArrayItem {
    Item(ExprId),
    Spread(ExprId),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectItem {
    Property {
        key: Text,
        key_span: Loc,
        value: ExprId,
    },
    /// A key written as an interpolated string.
    ComputedProperty {
        key: ExprId,
        value: ExprId,
    },
    Spread(ExprId),
    /// A child resource declared inside its parent's body.
    Resource(Box<Statement>),
}
