//! Generation speed without the `quarry` binary:
//! `cargo run --release -p quarry-generate --example speed -- DEVICES DAYS [null|envelope]`
//! (the envelope goes to /dev/null, or to PATH with `out=PATH`).

use quarry_generate::{EnvelopeSink, GenerateConfig, NullSink, Summary, generate};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let devices = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let days = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(30);
    let mode = args.get(3).map(String::as_str).unwrap_or("envelope");
    let cfg = GenerateConfig::new("contoso", devices, days, 1, 17_419_536_000_000_000);
    let start = Instant::now();
    let summary: Summary = if mode == "null" {
        generate(&cfg, &mut NullSink)?
    } else {
        let path = mode.strip_prefix("out=").unwrap_or("/dev/null");
        let out = std::fs::File::create(path)?;
        let mut sink = EnvelopeSink::new(out, &cfg.tenant_id(), 100, cfg.end_ticks);
        generate(&cfg, &mut sink)?
    };
    let secs = start.elapsed().as_secs_f64();
    let mut tables = summary.tables.clone();
    tables.sort_by_key(|t| std::cmp::Reverse(t.1));
    for (t, n) in tables {
        eprintln!("{n:>12}  {t}");
    }
    eprintln!(
        "{:>12}  total in {secs:.2} s = {:.0} events/s",
        summary.total,
        summary.total as f64 / secs
    );
    Ok(())
}
