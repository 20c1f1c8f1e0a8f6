//! CPU time of one query, not of the process.
//!
//! A query runs on shared Tokio workers, interleaved with other queries, so neither the
//! process's nor a thread's CPU clock over the query's lifetime belongs to it. Instead:
//! - planning (parse, logical and physical planning) is measured on the thread that
//!   polls it, poll by poll ([`on_thread_cpu`]), so only this query's polls count;
//! - execution is the compute time DataFusion's operators record in their metrics
//!   ([`executed_compute`]), which each operator measures around its own work only.
//!
//! The sum is split into user and kernel time in the proportion the process showed
//! over the same window: the operators' metrics do not tell the two apart.

use std::future::Future;
use std::time::Duration;

use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::metrics::MetricValue;

/// Named timers that record an operator's own compute outside `elapsed_compute`:
/// the file scan's decoding (and pushed-down filtering) and the repartitioner's
/// hashing. Other named timers are either parts of `elapsed_compute` (joins add
/// `build_time` and `join_time` into it; aggregation's sub-timers), or wall time
/// spent waiting on the input or on I/O (`fetch_time`, `time_elapsed_scanning_total`,
/// `time_elapsed_opening`), which would count a child's work twice.
const COMPUTE_TIMERS: &[&str] = &["time_elapsed_processing", "repartition_time"];

fn timespec(t: libc::timespec) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_nanos(t.tv_nsec.max(0) as u64)
}

/// CPU time the calling thread has used so far.
fn thread_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one `timespec` into the pointer, which points at a
    // live, initialised value of that type.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    if rc == 0 { timespec(t) } else { Duration::ZERO }
}

/// User and kernel CPU time of the whole process so far.
pub(crate) fn process_cpu_times() -> (Duration, Duration) {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete `rusage` into the pointer it is given, which
    // points at memory of that type; on failure we do not read it.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return (Duration::ZERO, Duration::ZERO);
    }
    // SAFETY: rc == 0, so the struct was initialised by the call above.
    let usage = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    (tv(usage.ru_utime), tv(usage.ru_stime))
}

/// Runs `f` and returns its output with the CPU time its polls used. Each poll is
/// timed on the thread that runs it, so the figure holds when the task moves between
/// workers, and excludes whatever else those workers ran in between.
pub(crate) async fn on_thread_cpu<F: Future>(f: F) -> (F::Output, Duration) {
    let mut f = std::pin::pin!(f);
    let mut spent = Duration::ZERO;
    let out = std::future::poll_fn(|cx| {
        let start = thread_cpu_time();
        let poll = f.as_mut().poll(cx);
        spent += thread_cpu_time().saturating_sub(start);
        poll
    })
    .await;
    (out, spent)
}

/// Compute time the operators of an executed plan recorded, over the whole tree.
pub(crate) fn executed_compute(plan: &dyn ExecutionPlan) -> Duration {
    let mut nanos: u128 = 0;
    if let Some(metrics) = plan.metrics() {
        for metric in metrics.iter() {
            match metric.value() {
                MetricValue::ElapsedCompute(t) => nanos += t.value() as u128,
                MetricValue::Time { name, time } if COMPUTE_TIMERS.contains(&name.as_ref()) => {
                    nanos += time.value() as u128
                }
                _ => {}
            }
        }
    }
    let own = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
    plan.children()
        .into_iter()
        .fold(own, |sum, child| sum + executed_compute(child.as_ref()))
}

/// Splits `total` into (user, kernel) in the proportion `user` : `kernel`.
pub(crate) fn split(total: Duration, user: Duration, kernel: Duration) -> (Duration, Duration) {
    let both = user + kernel;
    if both.is_zero() {
        return (total, Duration::ZERO);
    }
    let kernel_part = total.mul_f64(kernel.as_secs_f64() / both.as_secs_f64());
    let kernel_part = kernel_part.min(total);
    (total - kernel_part, kernel_part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn thread_cpu_counts_polls_not_sleeps() {
        let (_, spent) = on_thread_cpu(async {
            tokio::time::sleep(Duration::from_millis(100)).await;
        })
        .await;
        assert!(spent < Duration::from_millis(50), "{spent:?}");
        let (sum, spent) = on_thread_cpu(async {
            (0..20_000_000u64).fold(0u64, |x, i| std::hint::black_box(x.wrapping_add(i)))
        })
        .await;
        assert!(sum > 0);
        assert!(spent >= Duration::from_millis(1), "{spent:?}");
    }

    #[test]
    fn split_keeps_the_total() {
        let (u, k) = split(
            Duration::from_millis(100),
            Duration::from_secs(3),
            Duration::from_secs(1),
        );
        assert_eq!(
            (u, k),
            (Duration::from_millis(75), Duration::from_millis(25))
        );
        assert_eq!(
            split(Duration::from_millis(7), Duration::ZERO, Duration::ZERO),
            (Duration::from_millis(7), Duration::ZERO)
        );
    }
}
