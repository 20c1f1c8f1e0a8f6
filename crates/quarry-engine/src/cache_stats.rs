//! Per-query cache counters, reported as `Stats.resource_usage.cache`.
//!
//! The engine puts a fresh [`CacheStats`] into each query's session config; table
//! providers that have caches find it there (`config().get_extension::<CacheStats>()`)
//! and count into it. Because each query has its own, concurrent queries never count
//! each other's reads. What a hit or a miss means is the provider's to define and
//! document (the store's is in `quarry_store::footer_cache`).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::response::CacheCounters;

#[derive(Debug, Default)]
pub struct CacheStats {
    memory_hits: AtomicU64,
    memory_misses: AtomicU64,
    disk_hits: AtomicU64,
    disk_misses: AtomicU64,
}

impl CacheStats {
    /// A lookup answered from memory.
    pub fn memory_hit(&self) {
        self.memory_hits.fetch_add(1, Ordering::Relaxed);
    }

    /// A lookup that memory could not answer.
    pub fn memory_miss(&self) {
        self.memory_misses.fetch_add(1, Ordering::Relaxed);
    }

    /// `n` reads answered from local disk.
    pub fn disk_hits(&self, n: u64) {
        self.disk_hits.fetch_add(n, Ordering::Relaxed);
    }

    /// `n` reads local disk could not answer.
    pub fn disk_misses(&self, n: u64) {
        self.disk_misses.fetch_add(n, Ordering::Relaxed);
    }

    pub fn memory(&self) -> CacheCounters {
        CacheCounters {
            hits: self.memory_hits.load(Ordering::Relaxed),
            misses: self.memory_misses.load(Ordering::Relaxed),
        }
    }

    pub fn disk(&self) -> CacheCounters {
        CacheCounters {
            hits: self.disk_hits.load(Ordering::Relaxed),
            misses: self.disk_misses.load(Ordering::Relaxed),
        }
    }
}
