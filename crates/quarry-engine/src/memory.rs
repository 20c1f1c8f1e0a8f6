//! Memory pools: one shared pool bounds all running queries together, and each query
//! reserves through its own [`QueryPool`], capped at a fair share of the shared limit.
//!
//! A greedy shared pool lets the first large query take everything, so a small query
//! arriving next fails although it needs little. With a cap of `limit / max concurrent
//! queries` per query, the shares of the queries allowed to run at once fit in the limit
//! together: a query that wants more than its share fails (or spills) on its own, and
//! never starves another.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use datafusion::error::DataFusionError;
use datafusion::execution::memory_pool::{
    GreedyMemoryPool, MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation,
    TrackConsumersPool,
};

/// The pool every query's reservations finally land in.
pub(crate) type SharedPool = TrackConsumersPool<GreedyMemoryPool>;

pub(crate) fn shared_pool(limit: usize) -> Arc<SharedPool> {
    Arc::new(TrackConsumersPool::new(
        GreedyMemoryPool::new(limit),
        std::num::NonZeroUsize::new(5).unwrap_or(std::num::NonZeroUsize::MIN),
    ))
}

/// One query's view of the shared pool: its reservations count against both its own
/// `share` and the shared limit. It also records the query's peak, which DataFusion's
/// own metrics do not report.
#[derive(Debug)]
pub(crate) struct QueryPool {
    shared: Arc<SharedPool>,
    share: usize,
    used: AtomicUsize,
    peak: AtomicUsize,
}

impl QueryPool {
    pub(crate) fn new(shared: Arc<SharedPool>, share: usize) -> Self {
        QueryPool {
            shared,
            share,
            used: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// The most this query had reserved at once.
    pub(crate) fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

impl fmt::Display for QueryPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "query share of {} bytes over {}",
            self.share, self.shared
        )
    }
}

impl MemoryPool for QueryPool {
    fn name(&self) -> &str {
        "query_share"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        self.shared.register(consumer)
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        self.shared.unregister(consumer)
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        let now = self.used.fetch_add(additional, Ordering::Relaxed) + additional;
        self.peak.fetch_max(now, Ordering::Relaxed);
        self.shared.grow(reservation, additional);
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.used.fetch_sub(shrink, Ordering::Relaxed);
        self.shared.shrink(reservation, shrink);
    }

    fn try_grow(
        &self,
        reservation: &MemoryReservation,
        additional: usize,
    ) -> datafusion::error::Result<()> {
        let share = self.share;
        let before = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(additional).filter(|n| *n <= share)
            })
            .map_err(|used| {
                DataFusionError::ResourcesExhausted(format!(
                    "{} asked for {additional} more bytes; this query holds {used} of its \
                     fair share of {share} bytes",
                    reservation.consumer().name()
                ))
            })?;
        if let Err(e) = self.shared.try_grow(reservation, additional) {
            self.used.fetch_sub(additional, Ordering::Relaxed);
            return Err(e);
        }
        self.peak.fetch_max(before + additional, Ordering::Relaxed);
        Ok(())
    }

    fn reserved(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    fn memory_limit(&self) -> MemoryLimit {
        MemoryLimit::Finite(self.share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reservation(pool: &Arc<QueryPool>, name: &str) -> MemoryReservation {
        let pool: Arc<dyn MemoryPool> = Arc::clone(pool) as Arc<dyn MemoryPool>;
        MemoryConsumer::new(name).register(&pool)
    }

    #[test]
    fn a_query_cannot_take_another_querys_share() {
        let shared = shared_pool(1000);
        let hungry = Arc::new(QueryPool::new(Arc::clone(&shared), 500));
        let small = Arc::new(QueryPool::new(Arc::clone(&shared), 500));
        let h = reservation(&hungry, "hungry");
        h.try_grow(500).expect("its whole share");
        let e = h.try_grow(1).expect_err("beyond its share");
        assert!(matches!(e, DataFusionError::ResourcesExhausted(_)), "{e}");
        // The shared pool still has room, and it is the other query's.
        assert_eq!(shared.reserved(), 500);
        let s = reservation(&small, "small");
        s.try_grow(500).expect("the other query gets its share");
        assert_eq!((hungry.peak(), small.peak()), (500, 500));
        drop(h);
        assert_eq!((hungry.reserved(), shared.reserved()), (0, 500));
        drop(s);
        assert_eq!(shared.reserved(), 0);
    }

    #[test]
    fn the_shared_limit_still_applies() {
        // Shares that oversubscribe the limit (more queries than planned for) are
        // still bounded by the shared pool.
        let shared = shared_pool(600);
        let a = Arc::new(QueryPool::new(Arc::clone(&shared), 500));
        let b = Arc::new(QueryPool::new(Arc::clone(&shared), 500));
        let ra = reservation(&a, "a");
        ra.try_grow(400).expect("a");
        let rb = reservation(&b, "b");
        assert!(rb.try_grow(400).is_err());
        assert_eq!(b.reserved(), 0, "a failed grow leaves nothing counted");
        rb.try_grow(200).expect("what is left");
    }
}
