//! Tabular operators (what follows a `|`) and tabular sources (what can start a pipeline).

use super::{ColumnDecl, Expr, Ident, ScalarType};

/// In an `evaluate` output schema, `*`: the input's other columns, in their order.
pub const OTHER_COLUMNS: &str = "*";
use crate::span::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    pub kind: OperatorKind,
    pub span: Span,
}

/// `name=value` settings written before an operator's body: `kind=inner`,
/// `hint.strategy=broadcast`, `withsource=T`, `bagexpansion=array`, ...
#[derive(Debug, Clone, PartialEq)]
pub struct OpParam {
    /// Dotted names are kept whole: `hint.strategy`.
    pub name: Ident,
    pub value: Expr,
}

/// `[Name =] Expr` or `(A, B) = Expr` in `project`, `extend`, `summarize`, ...
#[derive(Debug, Clone, PartialEq)]
pub struct NamedExpr {
    pub names: Vec<Ident>,
    pub expr: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsOrder {
    First,
    Last,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub order: Option<SortOrder>,
    pub nulls: Option<NullsOrder>,
}

/// A column name that may contain `*` wildcards (`project-away Initiating*`).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPattern {
    pub pattern: String,
    pub span: Span,
}

impl ColumnPattern {
    pub fn is_wildcard(&self) -> bool {
        self.pattern.contains('*')
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReorderKey {
    pub column: ColumnPattern,
    /// `asc`, `desc`, `granny-asc`, `granny-desc`.
    pub order: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MvItem {
    pub name: Option<Ident>,
    pub expr: Expr,
    pub to_type: Option<ScalarType>,
}

/// One element of a `parse` pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsePart {
    Literal(String),
    Column { name: Ident, ty: Option<ScalarType> },
    Star,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopNestedLevel {
    pub count: Option<Expr>,
    pub of: NamedExpr,
    pub others: Option<NamedExpr>,
    pub by: NamedExpr,
    pub order: Option<SortOrder>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScanStep {
    pub name: Ident,
    pub output: Option<Ident>,
    pub condition: Expr,
    pub assignments: Vec<NamedExpr>,
}

/// A sub-pipeline inside `fork`, `facet`, `partition`, `mv-apply`: it either starts
/// with operators that apply to the outer input, or is a full tabular expression.
#[derive(Debug, Clone, PartialEq)]
pub enum SubQuery {
    Ops(Vec<Operator>),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum OperatorKind {
    Where(Expr),
    Project(Vec<NamedExpr>),
    ProjectAway(Vec<ColumnPattern>),
    ProjectKeep(Vec<ColumnPattern>),
    /// `(new, old)` pairs.
    ProjectRename(Vec<(Ident, Ident)>),
    ProjectReorder(Vec<ReorderKey>),
    /// `project-by-names "Name", "C*", column_names_of(T)`: columns named by string
    /// (or string-array) constants, wildcards allowed.
    ProjectByNames(Vec<Expr>),
    Extend(Vec<NamedExpr>),
    Summarize {
        params: Vec<OpParam>,
        aggs: Vec<NamedExpr>,
        by: Vec<NamedExpr>,
    },
    Count {
        name: Option<Ident>,
    },
    Distinct {
        params: Vec<OpParam>,
        /// Empty means `distinct *`.
        columns: Vec<NamedExpr>,
    },
    Take(Expr),
    Top {
        count: Expr,
        key: SortKey,
    },
    TopNested(Vec<TopNestedLevel>),
    TopHitters {
        count: Expr,
        of: Expr,
        by: Option<Expr>,
    },
    Sort {
        params: Vec<OpParam>,
        keys: Vec<SortKey>,
    },
    Join {
        params: Vec<OpParam>,
        right: Expr,
        /// Column names, or `$left.a == $right.b` comparisons joined by `and`/`,`.
        on: Vec<Expr>,
        /// `join ... where ...` (time-window and other non-equi joins).
        predicate: Option<Expr>,
    },
    Lookup {
        params: Vec<OpParam>,
        right: Expr,
        on: Vec<Expr>,
    },
    Union(Union),
    MvExpand {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
    },
    MvApply {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
        body: SubQuery,
    },
    Parse {
        where_: bool,
        params: Vec<OpParam>,
        source: Expr,
        pattern: Vec<ParsePart>,
    },
    ParseKv {
        source: Expr,
        columns: Vec<ColumnDecl>,
        options: Vec<OpParam>,
    },
    Evaluate {
        params: Vec<OpParam>,
        call: Expr,
        /// The declared output schema; a column named [`OTHER_COLUMNS`] stands for `*`.
        schema: Option<Vec<ColumnDecl>>,
    },
    MakeSeries {
        params: Vec<OpParam>,
        aggs: Vec<MakeSeriesAgg>,
        on: Expr,
        range: SeriesRange,
        by: Vec<NamedExpr>,
    },
    Render {
        visualization: Ident,
        properties: Vec<OpParam>,
    },
    As {
        params: Vec<OpParam>,
        name: Ident,
    },
    Invoke(Expr),
    GetSchema,
    Search(Search),
    Sample(Expr),
    SampleDistinct {
        count: Expr,
        of: Expr,
    },
    Serialize(Vec<NamedExpr>),
    Fork(Vec<(Option<Ident>, SubQuery)>),
    Facet {
        columns: Vec<Ident>,
        with: Option<SubQuery>,
    },
    Partition {
        params: Vec<OpParam>,
        by: Ident,
        body: SubQuery,
    },
    Scan {
        params: Vec<OpParam>,
        declare: Vec<(ColumnDecl, Option<Expr>)>,
        steps: Vec<ScanStep>,
    },
    Consume {
        params: Vec<OpParam>,
    },
    Reduce {
        by: Expr,
        params: Vec<OpParam>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct MakeSeriesAgg {
    pub agg: NamedExpr,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SeriesRange {
    FromTo {
        from: Option<Expr>,
        to: Option<Expr>,
        step: Expr,
    },
    /// The legacy `in range(start, stop, step)` form.
    InRange { start: Expr, stop: Expr, step: Expr },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    pub params: Vec<OpParam>,
    pub tables: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub params: Vec<OpParam>,
    /// `in (T1, T2)`; empty means every table.
    pub tables: Vec<Expr>,
    pub predicate: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FindProjection {
    Smart,
    Columns(Vec<Ident>),
    Away(Vec<ColumnPattern>),
}

/// Forms that produce a table without an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Print(Vec<NamedExpr>),
    Range {
        column: Ident,
        from: Expr,
        to: Expr,
        step: Expr,
    },
    Datatable {
        columns: Vec<ColumnDecl>,
        values: Vec<Expr>,
    },
    ExternalData {
        columns: Vec<ColumnDecl>,
        uris: Vec<Expr>,
        options: Vec<OpParam>,
    },
    Union(Union),
    Search(Search),
    Find {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
        predicate: Expr,
        projection: Option<FindProjection>,
    },
    Evaluate {
        params: Vec<OpParam>,
        call: Expr,
    },
}
