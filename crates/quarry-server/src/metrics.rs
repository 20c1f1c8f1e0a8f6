//! Prometheus metrics in the text exposition format: request counts by route and status,
//! query durations, rows returned, quota refusals, and the engine's reserved memory.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the query duration histogram.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 120.0];

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    duration_buckets: [AtomicU64; BUCKETS.len()],
    duration_count: AtomicU64,
    duration_sum_micros: AtomicU64,
    rows: AtomicU64,
    failed: AtomicU64,
    refusals: AtomicU64,
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16) {
        let mut r = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *r.entry((route.to_string(), status)).or_default() += 1;
    }

    pub fn query_done(&self, took: Duration, rows: usize) {
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.duration_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.duration_count.fetch_add(1, Ordering::Relaxed);
        self.duration_sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
    }

    pub fn query_failed(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn quota_refusal(&self) {
        self.refusals.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self, reserved_memory: usize) -> String {
        let mut out = String::new();
        out.push_str("# HELP quarry_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE quarry_http_requests_total counter\n");
        for ((route, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            out.push_str(&format!(
                "quarry_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}\n"
            ));
        }
        out.push_str("# HELP quarry_query_duration_seconds Time to answer successful queries.\n");
        out.push_str("# TYPE quarry_query_duration_seconds histogram\n");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let n = self.duration_buckets[i].load(Ordering::Relaxed);
            out.push_str(&format!(
                "quarry_query_duration_seconds_bucket{{le=\"{bound}\"}} {n}\n"
            ));
        }
        let count = self.duration_count.load(Ordering::Relaxed);
        out.push_str(&format!(
            "quarry_query_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"
        ));
        let sum = self.duration_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        out.push_str(&format!(
            "quarry_query_duration_seconds_sum {sum}\nquarry_query_duration_seconds_count {count}\n"
        ));
        let gauge = |out: &mut String, name: &str, help: &str, kind: &str, v: u64| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}\n"
            ));
        };
        gauge(
            &mut out,
            "quarry_result_rows_total",
            "Rows returned by successful queries.",
            "counter",
            self.rows.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "quarry_query_errors_total",
            "Queries that failed.",
            "counter",
            self.failed.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "quarry_quota_refusals_total",
            "Requests refused by a quota (429).",
            "counter",
            self.refusals.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "quarry_memory_reserved_bytes",
            "Bytes reserved in the query memory pool.",
            "gauge",
            reserved_memory as u64,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histogram() {
        let m = Metrics::default();
        m.request("/api/advancedhunting/run", 200);
        m.request("/api/advancedhunting/run", 200);
        m.query_done(Duration::from_millis(20), 5);
        let text = m.render(42);
        assert!(text.contains(
            "quarry_http_requests_total{route=\"/api/advancedhunting/run\",status=\"200\"} 2"
        ));
        assert!(text.contains("quarry_query_duration_seconds_bucket{le=\"0.05\"} 1"));
        assert!(text.contains("quarry_query_duration_seconds_bucket{le=\"0.01\"} 0"));
        assert!(text.contains("quarry_result_rows_total 5"));
        assert!(text.contains("quarry_memory_reserved_bytes 42"));
    }
}
