//! Generation speed into the envelope writer (bytes discarded) and into a null sink.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quarry_generate::{EnvelopeSink, GenerateConfig, NullSink, generate};
use std::hint::black_box;

const END: i64 = 17_419_536_000_000_000;

fn bench(c: &mut Criterion) {
    let cfg = GenerateConfig::new("contoso", 20, 3, 1, END);
    let events = {
        let mut s = NullSink;
        generate(&cfg, &mut s).map(|s| s.total).unwrap_or(0)
    };
    let mut g = c.benchmark_group("generate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events));
    g.bench_function("null_sink_20dev_3days", |b| {
        b.iter(|| {
            let mut s = NullSink;
            black_box(generate(&cfg, &mut s).map(|s| s.total).unwrap_or(0))
        })
    });
    g.bench_function("envelope_20dev_3days", |b| {
        b.iter(|| {
            let mut s = EnvelopeSink::new(std::io::sink(), "t", 100, END);
            black_box(generate(&cfg, &mut s).map(|s| s.total).unwrap_or(0))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
