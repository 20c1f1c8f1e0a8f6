//! One file per tabular operator. Each takes the input plan and returns the output plan.

mod active_users;
mod activity;
mod as_op;
mod bag_unpack;
mod count;
mod distinct;
mod extend;
mod geo_lookup;
mod getschema;
mod invoke;
pub(crate) mod join;
mod lookup;
mod make_series;
mod mv_apply;
pub(crate) mod mv_expand;
mod parse;
mod parse_kv;
mod partition;
mod pivot;
mod plugins;
mod project;
mod project_away;
mod project_by_names;
mod project_keep;
mod project_rename;
mod project_reorder;
mod scan;
mod schema_merge;
mod sort;
mod summarize;
mod take;
mod top;
mod top_nested;
mod r#where;

use datafusion::logical_expr::LogicalPlan;
use kql_syntax::ast::{Operator, OperatorKind};

use super::Planner;
use crate::error::{QueryError, Result};

/// The name Kusto uses for an operator in messages.
fn operator_name(kind: &OperatorKind) -> &'static str {
    match kind {
        OperatorKind::Where(_) => "where",
        OperatorKind::Project(_) => "project",
        OperatorKind::ProjectAway(_) => "project-away",
        OperatorKind::ProjectKeep(_) => "project-keep",
        OperatorKind::ProjectRename(_) => "project-rename",
        OperatorKind::ProjectReorder(_) => "project-reorder",
        OperatorKind::ProjectByNames(_) => "project-by-names",
        OperatorKind::Extend(_) => "extend",
        OperatorKind::Summarize { .. } => "summarize",
        OperatorKind::Count { .. } => "count",
        OperatorKind::Distinct { .. } => "distinct",
        OperatorKind::Take(_) => "take",
        OperatorKind::Top { .. } => "top",
        OperatorKind::TopNested(_) => "top-nested",
        OperatorKind::TopHitters { .. } => "top-hitters",
        OperatorKind::Sort { .. } => "sort",
        OperatorKind::Join { .. } => "join",
        OperatorKind::Lookup { .. } => "lookup",
        OperatorKind::Union(_) => "union",
        OperatorKind::MvExpand { .. } => "mv-expand",
        OperatorKind::MvApply { .. } => "mv-apply",
        OperatorKind::Parse { .. } => "parse",
        OperatorKind::ParseKv { .. } => "parse-kv",
        OperatorKind::Evaluate { .. } => "evaluate",
        OperatorKind::MakeSeries { .. } => "make-series",
        OperatorKind::Render { .. } => "render",
        OperatorKind::As { .. } => "as",
        OperatorKind::Invoke(_) => "invoke",
        OperatorKind::GetSchema => "getschema",
        OperatorKind::Search(_) => "search",
        OperatorKind::Sample(_) => "sample",
        OperatorKind::SampleDistinct { .. } => "sample-distinct",
        OperatorKind::Serialize(_) => "serialize",
        OperatorKind::Fork(_) => "fork",
        OperatorKind::Facet { .. } => "facet",
        OperatorKind::Partition { .. } => "partition",
        OperatorKind::Scan { .. } => "scan",
        OperatorKind::Consume { .. } => "consume",
        OperatorKind::Reduce { .. } => "reduce",
    }
}

pub(crate) use r#where::plan as plan_where;

/// Applies one `| operator` to `input`.
pub(crate) fn plan_operator(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    op: &Operator,
) -> Result<LogicalPlan> {
    match &op.kind {
        OperatorKind::Where(predicate) => r#where::plan(planner, input, predicate),
        OperatorKind::Project(items) => project::plan(planner, input, items),
        OperatorKind::ProjectAway(patterns) => project_away::plan(input, patterns),
        OperatorKind::ProjectKeep(patterns) => project_keep::plan(input, patterns),
        OperatorKind::ProjectRename(pairs) => project_rename::plan(input, pairs),
        OperatorKind::ProjectReorder(keys) => project_reorder::plan(input, keys),
        OperatorKind::ProjectByNames(names) => project_by_names::plan(planner, input, names),
        OperatorKind::Extend(items) => extend::plan(planner, input, items, "extend"),
        // `serialize` only fixes row order, which Quarry's plans already keep.
        OperatorKind::Serialize(items) => extend::plan(planner, input, items, "serialize"),
        OperatorKind::Summarize { params, aggs, by } => {
            summarize::plan(planner, input, params, aggs, by)
        }
        OperatorKind::Count { name } => count::plan(input, name.as_ref()),
        OperatorKind::Distinct { params, columns } => {
            distinct::plan(planner, input, params, columns)
        }
        OperatorKind::Take(count) => take::plan(planner, input, count),
        OperatorKind::Top { count, key } => top::plan(planner, input, count, key),
        OperatorKind::Sort { params: _, keys } => sort::plan(planner, input, keys),
        OperatorKind::Join {
            params,
            right,
            on,
            predicate,
        } => {
            if predicate.is_some() {
                return Err(QueryError::not_supported(
                    "'join ... where' (non-equality join)",
                ));
            }
            join::plan(planner, input, params, right, on)
        }
        OperatorKind::Union(union) => {
            super::sources::union::plan_union(planner, Some(input), union)
        }
        OperatorKind::Search(search) => {
            super::sources::search::plan_search(planner, Some(input), search)
        }
        OperatorKind::As { params, name } => as_op::plan(planner, input, params, name),
        OperatorKind::GetSchema => getschema::plan(input),
        OperatorKind::Invoke(call) => invoke::plan(planner, input, call),
        OperatorKind::TopNested(levels) => top_nested::plan(planner, input, levels),
        OperatorKind::Lookup { params, right, on } => {
            lookup::plan(planner, input, params, right, on)
        }
        OperatorKind::MakeSeries {
            params,
            aggs,
            on,
            range,
            by,
        } => make_series::plan(planner, input, params, aggs, on, range, by),
        // A visualisation hint: the data are unchanged.
        OperatorKind::Render { .. } => Ok(input),
        OperatorKind::Parse {
            where_,
            params,
            source,
            pattern,
        } => parse::plan(planner, input, *where_, params, source, pattern),
        OperatorKind::ParseKv {
            source,
            columns,
            options,
        } => parse_kv::plan(planner, input, source, columns, options),
        OperatorKind::MvExpand {
            params,
            items,
            limit,
        } => mv_expand::plan(planner, input, params, items, limit.as_ref()),
        OperatorKind::MvApply {
            params,
            items,
            limit,
            body,
        } => mv_apply::plan(planner, input, params, items, limit.as_ref(), body),
        OperatorKind::Scan {
            params,
            declare,
            steps,
        } => scan::plan(planner, input, params, declare, steps),
        OperatorKind::Partition { by, body, .. } => partition::plan(planner, input, by, body),
        OperatorKind::Evaluate { call, schema, .. } => {
            bag_unpack::plan_evaluate(planner, input, call, schema.as_deref())
        }
        other => Err(QueryError::not_supported(format!(
            "operator '{}'",
            operator_name(other)
        ))),
    }
}

/// Shell-style `*` matching for column patterns (`Initiating*`, `*Id`).
pub(crate) fn wildcard_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == name;
    };
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::wildcard_matches;

    #[test]
    fn wildcards_match_like_a_shell() {
        assert!(wildcard_matches("Init*", "InitiatingProcessId"));
        assert!(wildcard_matches("*Id", "InitiatingProcessId"));
        assert!(wildcard_matches("*tiat*Id", "InitiatingProcessId"));
        assert!(!wildcard_matches("*Name", "InitiatingProcessId"));
        assert!(wildcard_matches("A", "A"));
        assert!(!wildcard_matches("A", "AB"));
    }
}
