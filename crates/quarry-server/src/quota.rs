//! Per-tenant quotas: calls per minute, CPU time per cycle, and concurrent queries.
//! The clock is injectable so that tests can step through minutes and cycles.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Quotas;

/// Time since an arbitrary origin.
pub trait Clock: Send + Sync {
    fn now(&self) -> Duration;
}

/// The real clock: time since the Unix epoch (so CPU cycles align to wall-clock
/// quarters of an hour, as Defender's do).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
    }
}

/// A clock tests move by hand.
#[derive(Default)]
pub struct ManualClock {
    now: Mutex<Duration>,
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Why a call may not run now.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    CallRate { limit: u32, retry_after: Duration },
    Cpu { retry_after: Duration },
    Concurrency { limit: usize },
}

impl Refusal {
    pub fn retry_after_secs(&self) -> u64 {
        match self {
            Refusal::CallRate { retry_after, .. } | Refusal::Cpu { retry_after } => {
                retry_after.as_secs_f64().ceil() as u64
            }
            Refusal::Concurrency { .. } => 1,
        }
    }

    /// The 429 message, naming the limit and when to retry.
    pub fn message(&self) -> String {
        match self {
            Refusal::CallRate { limit, .. } => format!(
                "Rate limit exceeded: up to {limit} calls per minute per tenant. Try again in {} seconds.",
                self.retry_after_secs()
            ),
            Refusal::Cpu { .. } => format!(
                "You have exceeded processing resources allocated to this tenant. You can run queries again in {}.",
                crate::error::human_duration(self.retry_after_secs())
            ),
            Refusal::Concurrency { limit } => {
                format!(
                    "Too many concurrent queries: up to {limit} run at once per tenant. Try again shortly."
                )
            }
        }
    }
}

struct TenantUsage {
    calls: VecDeque<Duration>,
    cycle: u64,
    cpu_used: f64,
    running: Arc<Semaphore>,
}

/// Quota state of every tenant.
pub struct QuotaBook {
    clock: Arc<dyn Clock>,
    tenants: Mutex<HashMap<String, TenantUsage>>,
}

/// A query's place in its tenant's concurrency limit, released on drop.
pub struct Admission {
    _permit: OwnedSemaphorePermit,
}

impl QuotaBook {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        QuotaBook {
            clock,
            tenants: Mutex::new(HashMap::new()),
        }
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Counts a call against the rate limit and checks the CPU budget. Returns the
    /// semaphore to queue on for a running slot.
    pub fn admit_call(&self, tenant: &str, quotas: &Quotas) -> Result<Arc<Semaphore>, Refusal> {
        let now = self.clock.now();
        let mut tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        let usage = tenants
            .entry(tenant.to_string())
            .or_insert_with(|| TenantUsage {
                calls: VecDeque::new(),
                cycle: 0,
                cpu_used: 0.0,
                running: Arc::new(Semaphore::new(quotas.max_concurrent_queries.max(1))),
            });
        // CPU: blocked at 100 % until the next cycle.
        let cycle_len = quotas.cycle();
        let cycle = (now.as_secs_f64() / cycle_len.as_secs_f64()) as u64;
        if cycle != usage.cycle {
            usage.cycle = cycle;
            usage.cpu_used = 0.0;
        }
        if usage.cpu_used >= quotas.cpu_seconds_per_cycle {
            let next = Duration::from_secs_f64((cycle + 1) as f64 * cycle_len.as_secs_f64());
            return Err(Refusal::Cpu {
                retry_after: next.saturating_sub(now),
            });
        }
        // Calls in the last minute.
        let minute = Duration::from_secs(60);
        while usage
            .calls
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= minute)
        {
            usage.calls.pop_front();
        }
        if usage.calls.len() as u32 >= quotas.calls_per_minute {
            let oldest = usage.calls.front().copied().unwrap_or(now);
            return Err(Refusal::CallRate {
                limit: quotas.calls_per_minute,
                retry_after: (oldest + minute).saturating_sub(now),
            });
        }
        usage.calls.push_back(now);
        Ok(Arc::clone(&usage.running))
    }

    /// Waits up to `wait` for a running slot.
    pub async fn run_slot(
        semaphore: Arc<Semaphore>,
        wait: Duration,
        limit: usize,
    ) -> Result<Admission, Refusal> {
        match tokio::time::timeout(wait, semaphore.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Admission { _permit: permit }),
            _ => Err(Refusal::Concurrency { limit }),
        }
    }

    /// Charges CPU time a query used to its tenant's current cycle.
    pub fn charge_cpu(&self, tenant: &str, seconds: f64) {
        let mut tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(u) = tenants.get_mut(tenant) {
            u.cpu_used += seconds.max(0.0);
        }
    }

    /// CPU seconds used in the current cycle.
    pub fn cpu_used(&self, tenant: &str) -> f64 {
        let tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        tenants.get(tenant).map(|u| u.cpu_used).unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotas() -> Quotas {
        Quotas {
            calls_per_minute: 15,
            cpu_seconds_per_cycle: 10.0,
            cycle_minutes: 15,
            ..Quotas::default()
        }
    }

    #[test]
    fn the_sixteenth_call_in_a_minute_is_refused_until_the_first_ages_out() {
        let clock = Arc::new(ManualClock::default());
        let book = QuotaBook::new(clock.clone());
        for _ in 0..15 {
            book.admit_call("t", &quotas()).expect("within the limit");
            clock.advance(Duration::from_secs(1));
        }
        let refusal = book.admit_call("t", &quotas()).expect_err("16th refused");
        assert!(matches!(refusal, Refusal::CallRate { limit: 15, .. }));
        assert_eq!(refusal.retry_after_secs(), 45);
        assert!(refusal.message().contains("15 calls per minute"));
        assert!(
            book.admit_call("other", &quotas()).is_ok(),
            "tenants are counted apart"
        );
        clock.advance(Duration::from_secs(45));
        assert!(book.admit_call("t", &quotas()).is_ok());
    }

    #[test]
    fn cpu_over_budget_blocks_until_the_next_cycle() {
        let clock = Arc::new(ManualClock::default());
        clock.advance(Duration::from_secs(60 * 60));
        let book = QuotaBook::new(clock.clone());
        book.admit_call("t", &quotas()).expect("first");
        book.charge_cpu("t", 11.0);
        clock.advance(Duration::from_secs(60));
        let refusal = book.admit_call("t", &quotas()).expect_err("blocked");
        assert_eq!(
            refusal,
            Refusal::Cpu {
                retry_after: Duration::from_secs(14 * 60)
            }
        );
        assert!(
            refusal
                .message()
                .contains("You can run queries again in 00:14:00")
        );
        clock.advance(Duration::from_secs(14 * 60));
        assert!(
            book.admit_call("t", &quotas()).is_ok(),
            "a new cycle starts afresh"
        );
        assert_eq!(book.cpu_used("t"), 0.0);
    }

    #[tokio::test]
    async fn running_slots_are_bounded() {
        let book = QuotaBook::new(Arc::new(ManualClock::default()));
        let q = Quotas {
            max_concurrent_queries: 1,
            ..quotas()
        };
        let sem = book.admit_call("t", &q).expect("call");
        let first = QuotaBook::run_slot(Arc::clone(&sem), Duration::from_millis(10), 1)
            .await
            .expect("slot");
        let second = QuotaBook::run_slot(Arc::clone(&sem), Duration::from_millis(10), 1).await;
        assert!(matches!(second, Err(Refusal::Concurrency { limit: 1 })));
        drop(first);
        assert!(
            QuotaBook::run_slot(sem, Duration::from_millis(10), 1)
                .await
                .is_ok()
        );
    }
}
