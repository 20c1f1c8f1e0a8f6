//! Kusto's automatic column names.

use kql_syntax::ast::{Expr, ExprKind};

/// The column an expression is "about": itself if it is a name, else the first name
/// among the first arguments of calls (`bin(Timestamp, 1h)` → `Timestamp`).
pub(crate) fn principal_column(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Call { args, .. } => args.first().and_then(|a| principal_column(&a.value)),
        ExprKind::Member { target, name } => {
            principal_column(target).map(|t| format!("{t}_{}", name.name))
        }
        _ => None,
    }
}

/// Generates `Column1`, `Column2`, ... skipping names already taken.
pub(crate) struct ColumnNamer {
    next: usize,
}

impl ColumnNamer {
    pub fn new() -> Self {
        ColumnNamer { next: 1 }
    }

    pub fn fresh(&mut self, taken: &dyn Fn(&str) -> bool) -> String {
        loop {
            let name = format!("Column{}", self.next);
            self.next += 1;
            if !taken(&name) {
                return name;
            }
        }
    }
}

/// `base`, or `base1`, `base2`, ... when taken: how Kusto disambiguates join columns.
pub(crate) fn unique_name(base: &str, taken: &dyn Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (1..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_string())
}

/// How Kusto names the result of a scalar function call that has no explicit name
/// (Kusto.Language's `ResultNameKind`): functions not listed get `ColumnN`.
enum ResultName {
    /// The name inferred from the first argument (`tostring(x)` → `x`).
    FirstArgument,
    /// The same, only when the call has exactly one argument.
    OnlyArgument,
    /// `prefix_` + the name inferred from the first argument (`strlen(x)` → `strlen_x`).
    PrefixAndFirstArgument(&'static str),
    /// A fixed name (`hll_merge(...)` → `hll_merged_result`).
    Fixed(&'static str),
}

fn function_result_name(function: &str) -> Option<ResultName> {
    use ResultName::*;
    Some(match function {
        "split"
        | "datetime_to_locale_string"
        | "number_to_locale_string"
        | "tostring"
        | "tohex"
        | "todynamic"
        | "toobject"
        | "tolong"
        | "toint"
        | "toreal"
        | "todouble"
        | "todatetime"
        | "totimespan"
        | "totime"
        | "tobool"
        | "toboolean"
        | "todecimal"
        | "toguid"
        | "parse_csv"
        | "parsejson"
        | "parse_json"
        | "parse_xml"
        | "format_datetime"
        | "format_timespan"
        | "startofday"
        | "bin"
        | "floor"
        | "bin_at"
        | "bin_auto"
        | "binary_and"
        | "binary_or"
        | "binary_xor"
        | "binary_not"
        | "binary_shift_right"
        | "binary_shift_left"
        | "bitset_count_ones"
        | "series_fir"
        | "series_outliers"
        | "series_iir"
        | "series_fill_backward"
        | "series_fill_forward"
        | "series_fill_const"
        | "series_fill_linear"
        | "round"
        | "ceiling"
        | "pow"
        | "sqrt"
        | "log"
        | "log2"
        | "log10"
        | "exp"
        | "exp2"
        | "exp10"
        | "cos"
        | "sin"
        | "tan"
        | "acos"
        | "asin"
        | "atan"
        | "atan2"
        | "abs"
        | "rand"
        | "gamma"
        | "loggamma"
        | "format_bytes" => FirstArgument,
        "make_datetime" | "make_timespan" => OnlyArgument,
        "strlen" => PrefixAndFirstArgument("strlen"),
        "string_size" => PrefixAndFirstArgument("string_size"),
        "gettype" => PrefixAndFirstArgument("type"),
        "treepath" => PrefixAndFirstArgument("tree"),
        "repeat" => PrefixAndFirstArgument("repeat"),
        "percentile_tdigest" | "percentiles_array_tdigest" => {
            PrefixAndFirstArgument("percentile_tdigest")
        }
        "dcount_hll" => PrefixAndFirstArgument("dcount_hll"),
        "hll_merge" => Fixed("hll_merged_result"),
        "tdigest_merge" | "merge_tdigests" => Fixed("tdigests_merge_result"),
        _ => return None,
    })
}

/// The column name Kusto infers for an unnamed `project`/`extend` expression: a
/// column's own name, `a_b` for `a.b` / `a['b']`, or what the called function's naming
/// rule gives; None when Kusto falls back to `ColumnN`.
pub(crate) fn result_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Member { target, name } => Some(match result_name(target) {
            Some(left) => format!("{left}_{}", name.name),
            None => name.name.clone(),
        }),
        ExprKind::Index { target, index } => {
            let right = match &index.kind {
                ExprKind::Literal(kql_syntax::ast::Literal::String(s)) => s.clone(),
                ExprKind::Literal(kql_syntax::ast::Literal::Long(n)) => n.to_string(),
                ExprKind::Literal(kql_syntax::ast::Literal::Int(n)) => n.to_string(),
                _ => return None,
            };
            Some(match result_name(target) {
                Some(left) => format!("{left}_{right}"),
                None => right,
            })
        }
        ExprKind::Call { name, args } => {
            let first = || args.first().and_then(|a| result_name(&a.value));
            match function_result_name(&name.name)? {
                ResultName::FirstArgument => first(),
                ResultName::OnlyArgument if args.len() == 1 => first(),
                ResultName::OnlyArgument => None,
                ResultName::PrefixAndFirstArgument(prefix) => {
                    first().map(|n| format!("{prefix}_{n}"))
                }
                ResultName::Fixed(name) => Some(name.to_string()),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::result_name;

    fn name_of(text: &str) -> Option<String> {
        let query = kql_syntax::parse(&format!("print {text}")).expect("parses");
        let kql_syntax::ast::Statement::Expr(e) = &query.statements[0] else {
            panic!("expected an expression statement");
        };
        let kql_syntax::ast::ExprKind::Source(source) = &e.kind else {
            panic!("expected a source");
        };
        let kql_syntax::ast::Source::Print(items) = source.as_ref() else {
            panic!("expected print");
        };
        result_name(&items[0].expr)
    }

    #[test]
    fn names_follow_each_functions_rule() {
        assert_eq!(
            name_of("tostring(Props.Name)").as_deref(),
            Some("Props_Name")
        );
        assert_eq!(
            name_of("dcount_hll(sketch)").as_deref(),
            Some("dcount_hll_sketch")
        );
        assert_eq!(name_of("strlen(s)").as_deref(), Some("strlen_s"));
        assert_eq!(name_of("gettype(v)").as_deref(), Some("type_v"));
        assert_eq!(
            name_of("hll_merge(a, b)").as_deref(),
            Some("hll_merged_result")
        );
        assert_eq!(name_of("bin(T, 1h)").as_deref(), Some("T"));
        assert_eq!(name_of("tolower(s)"), None);
        assert_eq!(name_of("strlen('abc')"), None);
        assert_eq!(name_of("make_datetime(2020, 1, 1)"), None);
    }
}
