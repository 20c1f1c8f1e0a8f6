//! A mutation fuzzer for the parser that runs on stable Rust.
//!
//! `cargo fuzz` needs a nightly toolchain, which this project's machines do not have (a
//! libFuzzer target is kept in `fuzz/` for those that do). This driver mutates a seed
//! corpus (the queries below, plus any `.kql` files under `--corpus DIR`) by byte edits,
//! token splices and crossover, and checks every input: no panic, no input slower than
//! `--max-ms`, and bounded memory. Deterministic for a given `--seed`.
//!
//!     cargo run --release -p kql-syntax --example fuzz -- --iterations 1000000

use std::panic;
use std::path::Path;
use std::time::{Duration, Instant};

const SEEDS: &[&str] = &[
    "DeviceProcessEvents | where Timestamp > ago(7d) | where FileName =~ 'powershell.exe' and ProcessCommandLine has_any ('-enc', 'bypass') | project Timestamp, DeviceName, ProcessCommandLine | take 100",
    "let lookback = 1d; let procs = DeviceProcessEvents | where Timestamp > ago(lookback) | summarize n = count(), arg_max(Timestamp, *) by DeviceId, bin(Timestamp, 1h); procs | join kind=leftouter (DeviceNetworkEvents | where RemotePort in (443, 80)) on DeviceId, $left.ProcessId == $right.InitiatingProcessId | top 10 by n desc nulls last",
    "union withsource=T isfuzzy=true Device*, (EmailEvents | where Subject contains_cs \"Invoice\") | extend x = parse_json(AdditionalFields).Key[0]['a b'] | mv-expand bagexpansion=array y = x to typeof(string) limit 5",
    "datatable(a:long, b:string, c:datetime, d:dynamic) [1, 'x', datetime(2020-01-01 10:00), dynamic({\"k\": [1, 2.5, null]}), -2, @\"c:\\w\", datetime(null), dynamic(null)] | parse b with * \"x=\" v:long \",\" rest | make-series n = count() default = 0 on c from datetime(2020-01-01) to now() step 1h by a",
    "let f = (T:(DeviceId:string, *), n:long = 5) { T | sample n }; print x = toscalar(range i from 1 to 10 step 1 | summarize sum(i)), y = 1d2h + 30m, z = case(a between (1 .. 2), h'secret', 'other')",
    "search in (DeviceEvents, DeviceFileEvents) FileName: \"mimikatz\" and \"lsass\" | fork (where x !contains 'a' | take 1) (summarize count() by bin(Timestamp, 5m)) | render timechart with (title=\"x\")",
    "set querytrace; declare query_parameters(d:timespan = 1h); T | scan declare (s:long = 0) with (step a: x > 1 => s = a.s + 1; step b output=last: x < 0;) | partition by DeviceId (top 1 by Timestamp) | evaluate bag_unpack(d) : (k:string)",
    "T | parse-kv Msg as (a:string, b:long) with (pair_delimiter=',', kv_delimiter='=') | project-away Initiating* | project-rename New = Old | project-reorder b asc, a* granny-desc | top-nested 3 of a by count(), top-nested of b with others = 0 by sum(c) | lookup kind=inner (U) on k",
    "```multi\nline``` ; externaldata(a:string) [h@'https://x/y.csv'] with (format='csv', ignoreFirstRecord=true) | where a matches regex @'^\\d{3}$' and a !in~ ('x') and not(isempty(a)) | serialize r = row_number() | sample-distinct 3 of a",
];

const DICTIONARY: &[&str] = &[
    "|",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    ".",
    "..",
    ":",
    "=",
    "==",
    "!=",
    "=~",
    "!~",
    "<",
    ">",
    "!",
    "~",
    "*",
    "-",
    "+",
    "/",
    "%",
    "=>",
    "\"",
    "'",
    "@\"",
    "h'",
    "```",
    "//",
    "\n",
    " ",
    "where",
    "project",
    "extend",
    "summarize",
    "by",
    "on",
    "join",
    "kind=",
    "let",
    "datetime(",
    "dynamic(",
    "timespan(",
    "guid(",
    "long(",
    "in~",
    "!in",
    "has_any",
    "between",
    "and",
    "or",
    "not(",
    "1",
    "1.5",
    "1e9",
    "0x",
    "1d",
    "99999999999999999999",
    "$left",
    "['x']",
    "mv-expand",
    "with",
    "typeof(",
    "step",
    "from",
    "to",
    "print",
    "range",
    "union",
    "datatable(",
    "\u{200b}",
    "é",
    "\u{0}",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                input.splice(i..i, word.bytes());
            }
            2 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(16)).min(len);
                input.drain(a..b);
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(64)).min(len);
                let chunk = input[a..b].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            4 => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let a = rng.below(other.len());
                    let b = (a + 1 + rng.below(80)).min(other.len());
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[a..b].iter().copied());
                }
            }
            5 => {
                // Deep nesting: a run of openers.
                let i = rng.below(len + 1);
                let opener = ["(", "[", "-", "dynamic([", "f("][rng.below(5)];
                let run = opener.repeat(1 + rng.below(300));
                input.splice(i..i, run.bytes());
            }
            _ if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            _ => {}
        }
    }
    input.truncate(64 * 1024);
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn load_corpus(dir: &Path, out: &mut Vec<Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            load_corpus(&path, out);
        } else if path.extension().is_some_and(|e| e == "kql")
            && let Ok(bytes) = std::fs::read(&path)
        {
            out.push(bytes);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let iterations: u64 = arg("--iterations")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let seed: u64 = arg("--seed")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let max_ms: u64 = arg("--max-ms").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let mut corpus: Vec<Vec<u8>> = SEEDS.iter().map(|s| s.as_bytes().to_vec()).collect();
    if let Some(dir) = arg("--corpus") {
        load_corpus(Path::new(&dir), &mut corpus);
    }
    panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let (mut ok, mut rejected, mut bytes) = (0u64, 0u64, 0u64);
    let mut slowest = Duration::ZERO;
    for n in 0..iterations {
        let mut input = corpus[rng.below(corpus.len())].clone();
        mutate(&mut rng, &corpus, &mut input);
        let text = String::from_utf8_lossy(&input).into_owned();
        bytes += text.len() as u64;
        let t = Instant::now();
        let outcome = panic::catch_unwind(|| {
            let parsed = kql_syntax::parse(&text);
            if let Ok(q) = &parsed {
                // The printer must cope with whatever parses, and its output must parse.
                let printed = kql_syntax::print_query(q);
                if kql_syntax::parse(&printed).is_err() {
                    panic!("printed form does not parse");
                }
            }
            parsed.is_ok()
        });
        let took = t.elapsed();
        slowest = slowest.max(took);
        match outcome {
            Ok(true) => {
                ok += 1;
                // Inputs that still parse are good material for further mutation.
                if corpus.len() < 5000 && rng.below(50) == 0 {
                    corpus.push(input.clone());
                }
            }
            Ok(false) => rejected += 1,
            Err(_) => {
                let path = format!("fuzz-crash-{n}.kql");
                let _ = std::fs::write(&path, &input);
                eprintln!("panic on input #{n}, saved to {path}");
                std::process::exit(1);
            }
        }
        if took > Duration::from_millis(max_ms) {
            let path = format!("fuzz-slow-{n}.kql");
            let _ = std::fs::write(&path, &input);
            eprintln!("input #{n} took {took:?}, saved to {path}");
            std::process::exit(1);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "fuzz: {iterations} inputs ({ok} parsed, {rejected} rejected), {:.1} MB in {secs:.1}s, slowest {slowest:?}, peak RSS {} KiB, 0 panics",
        bytes as f64 / 1e6,
        peak_rss_kib().map_or("?".to_string(), |k| k.to_string()),
    );
}
