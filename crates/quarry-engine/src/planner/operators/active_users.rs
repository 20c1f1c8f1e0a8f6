//! `evaluate active_users_count(Id, Time, Start, End, LookbackWindow, Period,
//! ActivePeriods, Bin)`: per bin of the timeline, the distinct ids that appear in the
//! bin at a moment when they are "active": their records in the lookback window
//! ending at that moment, `(t - LookbackWindow, t]`, fall in at least ActivePeriods
//! distinct periods. Records before Start count toward activity only; bins with no
//! active id give no row.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use datafusion::common::ScalarValue;
use datafusion::logical_expr::LogicalPlan;
use kql_syntax::Span;
use kql_syntax::ast::Arg;

use super::activity::{datetime_arg, output, records, timeline, timespan_arg};
use crate::error::{QueryError, Result};
use crate::planner::Planner;
use crate::planner::materialize::constant;

const PLUGIN: &str = "active_users_count";

fn count_arg(planner: &mut Planner<'_>, a: &Arg) -> Result<usize> {
    let value = constant(planner, &a.value)?;
    let n = match value.cast_to(&datafusion::arrow::datatypes::DataType::Int64)? {
        ScalarValue::Int64(Some(n)) if n >= 0 => n,
        _ => {
            return Err(QueryError::semantic(
                format!("'evaluate' operator: {PLUGIN}(): expected a non-negative count"),
                a.value.span,
            ));
        }
    };
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Whether the record at `times[at]` finds its id active: the distinct periods of the
/// records in `(times[at] - lookback, times[at]]` number at least `needed`.
/// `times` is sorted.
fn active_at(times: &[i64], at: usize, lookback: i64, period: i64, needed: usize) -> bool {
    let t = times[at];
    let periods: HashSet<i64> = times[..=at]
        .iter()
        .rev()
        .take_while(|&&u| u > t - lookback)
        .map(|u| u.div_euclid(period))
        .collect();
    periods.len() >= needed
}

/// The active distinct count per bin, for the bins that have one.
fn active_counts(
    rows: &[(String, i64)],
    bins: &[i64],
    lookback: i64,
    period: i64,
    needed: usize,
) -> Vec<(i64, i64)> {
    let (Some(&first), Some(&last)) = (bins.first(), bins.last()) else {
        return Vec::new();
    };
    let step = bins.get(1).map(|b| b - first).unwrap_or(1).max(1);
    let mut by_id: HashMap<&str, Vec<i64>> = HashMap::new();
    for (id, t) in rows {
        by_id.entry(id.as_str()).or_default().push(*t);
    }
    let mut active: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for (id, times) in &mut by_id {
        times.sort_unstable();
        for at in 0..times.len() {
            let t = times[at];
            if t < first {
                continue;
            }
            let bin = first + (t - first).div_euclid(step) * step;
            if bin > last {
                break;
            }
            if active_at(times, at, lookback, period, needed) {
                active.entry(bin).or_default().insert(id);
            }
        }
    }
    active
        .into_iter()
        .map(|(bin, ids)| (bin, ids.len() as i64))
        .collect()
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let [id, time, start, end, lookback, period, needed, bin] = args else {
        if args.len() > 8 {
            return Err(QueryError::not_supported(format!(
                "{PLUGIN}() with dimensions"
            )));
        }
        return Err(QueryError::semantic(
            format!("'evaluate' operator: {PLUGIN}(): expected eight arguments"),
            span,
        ));
    };
    let start = datetime_arg(planner, PLUGIN, start)?;
    let end = datetime_arg(planner, PLUGIN, end)?;
    let lookback = timespan_arg(planner, PLUGIN, lookback)?;
    let period = timespan_arg(planner, PLUGIN, period)?;
    let needed = count_arg(planner, needed)?;
    let step = timespan_arg(planner, PLUGIN, bin)?;
    let (time_name, rows) = records(planner, input, PLUGIN, id, time)?;
    let bins = timeline(PLUGIN, start, end, step, span)?;
    let counts = active_counts(&rows, &bins, lookback, period, needed);
    let (times, dcounts): (Vec<i64>, Vec<i64>) = counts.into_iter().unzip();
    output(&time_name, times, vec![("dcount", dcounts)])
}

#[cfg(test)]
mod tests {
    use super::active_counts;

    const DAY: i64 = 86_400_000_000_000;

    #[test]
    fn an_id_counts_where_it_is_active_in_its_lookback() {
        // "u" appears on days 1, 2, 4 and 12; "v" only on days 3 and 12.
        let rows: Vec<(String, i64)> =
            [("u", 1), ("u", 2), ("u", 4), ("u", 12), ("v", 3), ("v", 12)]
                .iter()
                .map(|(id, d)| (id.to_string(), d * DAY))
                .collect();
        let bins: Vec<i64> = (0..3).map(|k| k * 5 * DAY).collect();
        // Two distinct days within the last 4 days make an id active.
        let got = active_counts(&rows, &bins, 4 * DAY, DAY, 2);
        // Day 2 (u: days 1, 2) and day 4 (u: days 2, 4) are in bin 0; on day 12
        // neither id has another record within 4 days.
        assert_eq!(got, vec![(0, 1)]);
        // The window's start is exclusive: with a 2-day lookback, day 4 sees only 4.
        let got = active_counts(&rows, &bins, 2 * DAY, DAY, 2);
        assert_eq!(got, vec![(0, 1)]);
        let got = active_counts(&rows, &bins, DAY, DAY, 2);
        assert_eq!(got, Vec::<(i64, i64)>::new());
    }
}
