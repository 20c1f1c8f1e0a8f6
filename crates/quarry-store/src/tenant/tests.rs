//! A tenant's store: durability across reopen, flush, retention, compaction, and what a
//! scan sees.

use std::sync::Arc;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::Expr;
use datafusion::prelude::{SessionContext, ident, lit};

use super::*;
use crate::batch::{Cell, TableBatchBuilder};
use crate::provider::{RowFilter, TenantTable};

const DAY: i64 = kql_syntax::time::TICKS_PER_DAY;

fn events(table: &'static StoredTable, rows: &[(i64, &str, i64)]) -> RecordBatch {
    let mut b = TableBatchBuilder::new(table, rows.len());
    for &(time, device, pid) in rows {
        let mut row = vec![None; table.columns.len()];
        row[table.time_index] = Some(Cell::DateTime(time));
        row[table.time_generated_index] = Some(Cell::DateTime(time));
        if let Some(i) = table.column_index("DeviceName") {
            row[i] = Some(Cell::Str(device.to_string().into()));
        }
        if let Some(i) = table.column_index("ProcessId") {
            row[i] = Some(Cell::Long(pid));
        }
        b.append_row(&row);
    }
    b.finish().expect("batch")
}

fn procs() -> &'static StoredTable {
    schema::table("DeviceProcessEvents").expect("table")
}

fn config() -> TenantConfig {
    TenantConfig {
        delete_grace: Duration::ZERO,
        ..TenantConfig::default()
    }
}

async fn count(store: &Arc<TenantStore>, filter: Option<Expr>) -> usize {
    count_filtered(store, filter, None).await
}

async fn count_filtered(
    store: &Arc<TenantStore>,
    filter: Option<Expr>,
    rows: Option<Arc<dyn RowFilter>>,
) -> usize {
    let ctx = SessionContext::new();
    ctx.register_table(
        "t",
        Arc::new(TenantTable::new(Arc::clone(store), procs(), rows)),
    )
    .expect("register");
    let mut df = ctx.table("t").await.expect("table");
    if let Some(f) = filter {
        df = df.filter(f).expect("filter");
    }
    df.count().await.expect("count")
}

fn since(ticks: i64) -> Expr {
    ident("Timestamp").gt(lit(ScalarValue::TimestampNanosecond(
        Some(ticks * 100),
        Some("UTC".into()),
    )))
}

fn pids(store: &TenantStore) -> Vec<i64> {
    let snap = store.snapshot("DeviceProcessEvents");
    let mut out: Vec<i64> = snap
        .batches
        .iter()
        .flat_map(|b| {
            let col = b
                .column(procs().column_index("ProcessId").expect("pid"))
                .as_primitive::<Int64Type>()
                .clone();
            (0..col.len())
                .map(move |i| col.value(i))
                .collect::<Vec<_>>()
        })
        .collect();
    for f in &snap.files {
        for b in parquet_io::read_file(&store.dir().join(&f.path)).expect("read") {
            let col = b
                .column(procs().column_index("ProcessId").expect("pid"))
                .as_primitive::<Int64Type>();
            out.extend((0..col.len()).map(|i| col.value(i)));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn acknowledged_rows_survive_reopen_exactly_once() {
    let dir = tempfile::tempdir().expect("dir");
    let now = clock::now_ticks();
    {
        let t = Arc::new(TenantStore::open("t", dir.path(), config()).expect("open"));
        t.append(vec![(
            procs(),
            events(procs(), &[(now, "a", 1), (now - DAY, "b", 2)]),
        )])
        .expect("append");
        t.flush().expect("flush");
        t.append(vec![(procs(), events(procs(), &[(now, "c", 3)]))])
            .expect("append");
        assert_eq!(count(&t, None).await, 3);
    }
    let t = Arc::new(TenantStore::open("t", dir.path(), config()).expect("reopen"));
    assert_eq!(pids(&t), [1, 2, 3]);
    assert_eq!(count(&t, None).await, 3);
    t.flush().expect("flush");
    drop(t);
    let t = Arc::new(TenantStore::open("t", dir.path(), config()).expect("reopen"));
    assert_eq!(pids(&t), [1, 2, 3]);
    assert_eq!(
        t.snapshot("DeviceProcessEvents").files.len(),
        3,
        "one file per day per flush"
    );
}

#[tokio::test]
async fn files_a_crashed_flush_left_are_removed_on_open() {
    let dir = tempfile::tempdir().expect("dir");
    let stray = dir
        .path()
        .join("tables/DeviceProcessEvents/2026-01-01/part-x.parquet");
    std::fs::create_dir_all(stray.parent().expect("parent")).expect("mkdir");
    std::fs::write(&stray, b"half a file").expect("write");
    let _t = TenantStore::open("t", dir.path(), config()).expect("open");
    assert!(!stray.exists());
}

#[tokio::test]
async fn queries_never_see_data_outside_the_retention_window() {
    let dir = tempfile::tempdir().expect("dir");
    let now = clock::now_ticks();
    let t = Arc::new(TenantStore::open("t", dir.path(), config()).expect("open"));
    t.append(vec![(
        procs(),
        events(
            procs(),
            &[
                (now, "a", 1),
                (now - 29 * DAY, "a", 2),
                (now - 31 * DAY, "a", 3),
                (now - 60 * DAY, "a", 4),
            ],
        ),
    )])
    .expect("append");
    assert_eq!(count(&t, None).await, 2, "the tail is filtered");
    t.flush().expect("flush");
    assert_eq!(count(&t, None).await, 2, "files are filtered");
    assert_eq!(count(&t, Some(since(0))).await, 2);
    let report = t.maintain().expect("maintain");
    assert_eq!(count(&t, None).await, 2);
    assert!(report.expired_files <= 1, "{report:?}");
}

#[tokio::test]
async fn time_filters_prune_files_and_stay_correct() {
    let dir = tempfile::tempdir().expect("dir");
    let now = clock::now_ticks();
    let t = Arc::new(TenantStore::open("t", dir.path(), config()).expect("open"));
    let rows: Vec<(i64, &str, i64)> = (0..20).map(|d| (now - d * DAY, "a", d)).collect();
    t.append(vec![(procs(), events(procs(), &rows))])
        .expect("append");
    t.flush().expect("flush");
    assert_eq!(count(&t, Some(since(now - 7 * DAY - 1))).await, 8);
    let (lo, hi) = crate::provider::time_bounds(
        &[
            ident("Timestamp").gt(lit(datafusion::common::ScalarValue::TimestampNanosecond(
                Some(500),
                None,
            ))),
        ],
        "Timestamp",
    );
    assert_eq!((lo, hi), (5, i64::MAX));
}

#[derive(Debug)]
struct OnlyDevice(&'static str);

impl RowFilter for OnlyDevice {
    fn predicate(&self, _table: &StoredTable) -> Option<datafusion::logical_expr::Expr> {
        Some(ident("DeviceName").eq(lit(self.0)))
    }
}

#[tokio::test]
async fn the_row_filter_applies_below_the_query() {
    let dir = tempfile::tempdir().expect("dir");
    let now = clock::now_ticks();
    let t = Arc::new(TenantStore::open("t", dir.path(), config()).expect("open"));
    t.append(vec![(
        procs(),
        events(procs(), &[(now, "a", 1), (now, "b", 2), (now, "b", 3)]),
    )])
    .expect("append");
    let only_b: Arc<dyn RowFilter> = Arc::new(OnlyDevice("b"));
    assert_eq!(count_filtered(&t, None, Some(Arc::clone(&only_b))).await, 2);
    assert_eq!(
        count_filtered(&t, Some(ident("DeviceName").eq(lit("a"))), Some(only_b)).await,
        0
    );
}

#[tokio::test]
async fn compaction_merges_small_files_without_changing_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let now = clock::now_ticks();
    let cfg = TenantConfig {
        compact_after_files: 2,
        ..config()
    };
    let t = Arc::new(TenantStore::open("t", dir.path(), cfg).expect("open"));
    for pid in 0..5 {
        t.append(vec![(procs(), events(procs(), &[(now - pid, "a", pid)]))])
            .expect("append");
        t.flush().expect("flush");
    }
    assert_eq!(t.snapshot("DeviceProcessEvents").files.len(), 5);
    let report = t.maintain().expect("maintain");
    assert_eq!(report.compacted_files, 5);
    assert_eq!(t.snapshot("DeviceProcessEvents").files.len(), 1);
    assert_eq!(pids(&t), [0, 1, 2, 3, 4]);
    assert_eq!(count(&t, None).await, 5);
    drop(t);
    let t = TenantStore::open("t", dir.path(), config()).expect("reopen");
    assert_eq!(pids(&t), [0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn the_tail_is_flushed_once_it_holds_enough_bytes() {
    let dir = tempfile::tempdir().expect("dir");
    let now = clock::now_ticks();
    let batch = events(procs(), &[(now, "a", 1), (now - 1, "b", 2)]);
    let cfg = TenantConfig {
        flush_bytes: batch.get_array_memory_size() * 2,
        ..config()
    };
    let t = Arc::new(TenantStore::open("t", dir.path(), cfg).expect("open"));
    t.append(vec![(procs(), batch.clone())]).expect("append");
    let first = t.snapshot(procs().name());
    assert_eq!((first.files.len(), first.batches.len()), (0, 1));
    t.append(vec![(procs(), batch)]).expect("append");
    let second = t.snapshot(procs().name());
    assert_eq!((second.files.len(), second.batches.len()), (1, 0));
    assert_eq!(count(&t, None).await, 4);
}

#[tokio::test]
async fn scans_report_the_manifests_row_counts() {
    use datafusion::catalog::TableProvider;
    use datafusion::common::stats::Precision;
    use datafusion::physical_plan::ExecutionPlan;

    let dir = tempfile::tempdir().expect("dir");
    let now = clock::now_ticks();
    let t = Arc::new(TenantStore::open("t", dir.path(), config()).expect("open"));
    let rows: Vec<(i64, &str, i64)> = (0..50).map(|i| (now - i, "a", i)).collect();
    t.append(vec![(procs(), events(procs(), &rows))])
        .expect("append");
    t.flush().expect("flush");
    let table = TenantTable::new(Arc::clone(&t), procs(), None);
    let ctx = SessionContext::new();
    let plan = table
        .scan(&ctx.state(), None, &[], None)
        .await
        .expect("scan");
    // Below the guard filter and projection: the Parquet scan itself.
    let mut node: Arc<dyn ExecutionPlan> = plan;
    while let Some(child) = node.children().first().map(|c| Arc::clone(*c)) {
        node = child;
    }
    use datafusion::physical_plan::{StatisticsArgs, StatisticsContext};
    let stats = StatisticsContext::new()
        .compute(node.as_ref(), &StatisticsArgs::new())
        .expect("statistics");
    assert_eq!(stats.num_rows, Precision::Exact(50), "{}", node.name());
}
