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
