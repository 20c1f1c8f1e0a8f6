//! The KQL syntax tree. Every node carries the [`Span`] of the text it came from.
//!
//! Scalar and tabular expressions share one [`Expr`] type, as in Kusto's own grammar:
//! whether `X` names a table, a `let` value or a column is a question for the planner,
//! which has the scopes to answer it.
//! Parentheses leave no node behind; the printer puts back the ones precedence needs.

mod literal;
mod operator;

pub use literal::{DynValue, Literal, ScalarType};
pub use operator::*;

use crate::span::Span;

/// A whole query: `;`-separated statements, the last of which is normally the query body.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl Ident {
    pub fn new(name: impl Into<String>, span: Span) -> Self {
        Ident {
            name: name.into(),
            span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Let(LetStatement),
    /// `set name [= value]`: a client request property.
    Set {
        name: String,
        value: Option<Expr>,
        span: Span,
    },
    /// `declare query_parameters(name:type [= default], ...)`.
    DeclareParameters {
        params: Vec<Param>,
        span: Span,
    },
    /// A tabular (or, inside function bodies, scalar) expression.
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetStatement {
    pub name: Ident,
    pub value: LetValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LetValue {
    Expr(Expr),
    Function(FunctionDef),
    /// `view (params) { body }`: a function that `union *` and `search *` also see.
    View(FunctionDef),
}

/// `(params) { statements; result }`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    pub params: Vec<Param>,
    pub body: Vec<Statement>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: ParamType,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParamType {
    Scalar(ScalarType),
    /// `(*)` is `columns: [], open: true`; `(a:long, *)` is an open schema with a column.
    Tabular {
        columns: Vec<ColumnDecl>,
        open: bool,
    },
}

/// `Name: type`, as in `datatable`, `externaldata` and tabular parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDecl {
    pub name: Ident,
    pub ty: ScalarType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// The name this expression refers to, if it is a plain name.
    pub fn as_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(id) => Some(&id.name),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A column, table, `let` name, or `$left`/`$right`/`$table`.
    Name(Ident),
    /// `*`: every column, as in `arg_max(Timestamp, *)` or `where * has "x"`.
    Star,
    Call {
        name: Ident,
        args: Vec<Arg>,
    },
    /// `a.b`
    Member {
        target: Box<Expr>,
        name: Ident,
    },
    /// `a[0]`, `a['key']`
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `and`/`or` chains are kept flat: Sigma-converted rules carry hundreds of terms,
    /// and a flat list keeps every later pass from recursing once per term.
    Logical {
        op: LogicalOp,
        operands: Vec<Expr>,
    },
    /// `x in (a, b)`, `x has_any (T | project y)`, ...
    InList {
        op: ListOp,
        expr: Box<Expr>,
        list: Vec<Expr>,
    },
    /// `x between (low .. high)`, `x !between (...)`
    Between {
        negated: bool,
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `Column: "term"` inside `search` predicates (a `has` on one column).
    SearchColumn {
        column: Ident,
        term: Box<Expr>,
    },
    /// `source | op | op`: a tabular pipeline.
    Pipe {
        source: Box<Expr>,
        ops: Vec<Operator>,
    },
    /// A tabular source: `print`, `range`, `datatable`, `union`, `search`, ...
    Source(Box<Source>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Plus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicalOp {
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    NotEq,
    /// `=~`
    EqCi,
    /// `!~`
    NotEqCi,
    Lt,
    Le,
    Gt,
    Ge,
    /// `matches regex`
    MatchesRegex,
    /// `has`, `!contains_cs`, `hasprefix`, ...
    Str {
        kind: StrOp,
        negated: bool,
        case_sensitive: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrOp {
    Has,
    HasPrefix,
    HasSuffix,
    Contains,
    StartsWith,
    EndsWith,
    Like,
}

impl StrOp {
    pub fn keyword(self) -> &'static str {
        match self {
            StrOp::Has => "has",
            StrOp::HasPrefix => "hasprefix",
            StrOp::HasSuffix => "hassuffix",
            StrOp::Contains => "contains",
            StrOp::StartsWith => "startswith",
            StrOp::EndsWith => "endswith",
            StrOp::Like => "like",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListOp {
    In,
    NotIn,
    /// `in~`
    InCi,
    /// `!in~`
    NotInCi,
    HasAny,
    HasAll,
}

impl ListOp {
    pub fn keyword(self) -> &'static str {
        match self {
            ListOp::In => "in",
            ListOp::NotIn => "!in",
            ListOp::InCi => "in~",
            ListOp::NotInCi => "!in~",
            ListOp::HasAny => "has_any",
            ListOp::HasAll => "has_all",
        }
    }
}

impl BinaryOp {
    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 6,
            BinaryOp::Add | BinaryOp::Sub => 5,
            _ => 4,
        }
    }

    pub fn symbol(self) -> String {
        match self {
            BinaryOp::Add => "+".into(),
            BinaryOp::Sub => "-".into(),
            BinaryOp::Mul => "*".into(),
            BinaryOp::Div => "/".into(),
            BinaryOp::Mod => "%".into(),
            BinaryOp::Eq => "==".into(),
            BinaryOp::NotEq => "!=".into(),
            BinaryOp::EqCi => "=~".into(),
            BinaryOp::NotEqCi => "!~".into(),
            BinaryOp::Lt => "<".into(),
            BinaryOp::Le => "<=".into(),
            BinaryOp::Gt => ">".into(),
            BinaryOp::Ge => ">=".into(),
            BinaryOp::MatchesRegex => "matches regex".into(),
            BinaryOp::Str {
                kind,
                negated,
                case_sensitive,
            } => {
                let prefix = match (negated, kind) {
                    (false, _) => "",
                    (true, StrOp::Like) => "not",
                    (true, _) => "!",
                };
                let suffix = match (case_sensitive, kind) {
                    (false, _) => "",
                    (true, StrOp::Like) => "cs",
                    (true, _) => "_cs",
                };
                format!("{prefix}{}{suffix}", kind.keyword())
            }
        }
    }
}

/// Precedence of the non-binary forms, on the same scale as [`BinaryOp::precedence`].
pub mod precedence {
    pub const PIPE: u8 = 0;
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    pub const COMPARISON: u8 = 4;
    pub const UNARY: u8 = 7;
    pub const POSTFIX: u8 = 8;
    pub const PRIMARY: u8 = 9;
}
