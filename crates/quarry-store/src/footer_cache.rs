//! An in-memory cache of Parquet footers, and the Parquet reader that uses it and counts
//! the query's cache statistics.
//!
//! Every scan of a file starts by reading its footer (schema, row-group statistics, page
//! index) and decoding it, before any pruning can happen; for selective queries over
//! many day partitions that is most of the I/O. Stored files never change in place, so
//! a footer read once serves every later query, keyed by path, length and modification
//! time so that a replaced file is never answered with an old footer.
//!
//! The counters, per query (in the query's [`CacheStats`]):
//! - **memory hits**: files whose footer was found in this cache;
//! - **memory misses**: files whose footer had to be read from disk (and was then
//!   cached);
//! - **disk hits**: reads answered by the local Parquet files: one per footer read (a
//!   memory miss) plus one per byte range of column data or index read;
//! - **disk misses**: reads the local files failed to answer (an I/O error, such as a
//!   file deleted under the query). Quarry has no slower tier behind its disk, so this
//!   is the only way a disk read misses.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::ParquetFileReaderFactory;
use datafusion::datasource::physical_plan::parquet::DefaultParquetFileReaderFactory;
use datafusion::object_store::ObjectStore;
use datafusion::parquet::arrow::arrow_reader::ArrowReaderOptions;
use datafusion::parquet::arrow::async_reader::AsyncFileReader;
use datafusion::parquet::errors::Result as ParquetResult;
use datafusion::parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};
use datafusion::physical_plan::metrics::ExecutionPlanMetricsSet;
use futures::future::BoxFuture;
use quarry_engine::CacheStats;

/// Footer bytes (as decoded in memory) a [`crate::Store`] keeps by default.
pub const DEFAULT_BUDGET: usize = 64 << 20;

/// Which file a footer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path: String,
    len: u64,
    modified_ns: i64,
}

impl Key {
    fn of(file: &PartitionedFile) -> Key {
        let meta = &file.object_meta;
        Key {
            path: meta.location.to_string(),
            len: meta.size,
            modified_ns: meta.last_modified.timestamp_nanos_opt().unwrap_or(i64::MAX),
        }
    }
}

struct Entry {
    metadata: Arc<ParquetMetaData>,
    bytes: usize,
    last_used: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    bytes: usize,
    tick: u64,
}

/// Decoded footers, bounded by their in-memory size; the least recently used go first.
pub struct FooterCache {
    budget: usize,
    entries: Mutex<Entries>,
}

impl fmt::Debug for FooterCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (len, bytes) = self.usage();
        write!(
            f,
            "FooterCache({len} footers, {bytes}/{} bytes)",
            self.budget
        )
    }
}

impl FooterCache {
    pub fn new(budget: usize) -> FooterCache {
        FooterCache {
            budget,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// Footers held, and their size in bytes.
    pub fn usage(&self) -> (usize, usize) {
        let e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        (e.map.len(), e.bytes)
    }

    fn get(&self, key: &Key) -> Option<Arc<ParquetMetaData>> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        e.tick += 1;
        let tick = e.tick;
        let entry = e.map.get_mut(key)?;
        entry.last_used = tick;
        Some(Arc::clone(&entry.metadata))
    }

    fn insert(&self, key: Key, metadata: Arc<ParquetMetaData>) {
        let bytes = metadata.memory_size();
        if bytes > self.budget {
            return;
        }
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        e.tick += 1;
        let entry = Entry {
            metadata,
            bytes,
            last_used: e.tick,
        };
        if let Some(old) = e.map.insert(key, entry) {
            e.bytes -= old.bytes;
        }
        e.bytes += bytes;
        while e.bytes > self.budget {
            let Some(oldest) = e
                .map
                .iter()
                .min_by_key(|(_, v)| v.last_used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(gone) = e.map.remove(&oldest) {
                e.bytes -= gone.bytes;
            }
        }
    }
}

/// Creates the readers of one scan: DataFusion's own, with footers taken from (and
/// added to) the cache, counting into the query's statistics.
#[derive(Debug)]
pub(crate) struct CachingReaderFactory {
    inner: DefaultParquetFileReaderFactory,
    cache: Arc<FooterCache>,
    stats: Arc<CacheStats>,
}

impl CachingReaderFactory {
    pub(crate) fn new(
        store: Arc<dyn ObjectStore>,
        cache: Arc<FooterCache>,
        stats: Arc<CacheStats>,
    ) -> Self {
        CachingReaderFactory {
            inner: DefaultParquetFileReaderFactory::new(store),
            cache,
            stats,
        }
    }
}

impl ParquetFileReaderFactory for CachingReaderFactory {
    fn create_reader(
        &self,
        partition_index: usize,
        file: PartitionedFile,
        metadata_size_hint: Option<usize>,
        metrics: &ExecutionPlanMetricsSet,
    ) -> datafusion::error::Result<Box<dyn AsyncFileReader + Send>> {
        let key = Key::of(&file);
        let inner = self
            .inner
            .create_reader(partition_index, file, metadata_size_hint, metrics)?;
        Ok(Box::new(CachingReader {
            inner,
            key,
            cache: Arc::clone(&self.cache),
            stats: Arc::clone(&self.stats),
        }))
    }
}

struct CachingReader {
    inner: Box<dyn AsyncFileReader + Send>,
    key: Key,
    cache: Arc<FooterCache>,
    stats: Arc<CacheStats>,
}

/// Counts `reads` disk reads as hits or misses by how `result` came out.
fn count_disk<T>(stats: &CacheStats, reads: u64, result: &ParquetResult<T>) {
    if result.is_ok() {
        stats.disk_hits(reads)
    } else {
        stats.disk_misses(reads)
    }
}

impl AsyncFileReader for CachingReader {
    fn get_bytes(&mut self, range: Range<u64>) -> BoxFuture<'_, ParquetResult<Bytes>> {
        let stats = Arc::clone(&self.stats);
        let read = self.inner.get_bytes(range);
        Box::pin(async move {
            let result = read.await;
            count_disk(&stats, 1, &result);
            result
        })
    }

    fn get_byte_ranges(
        &mut self,
        ranges: Vec<Range<u64>>,
    ) -> BoxFuture<'_, ParquetResult<Vec<Bytes>>> {
        let stats = Arc::clone(&self.stats);
        let reads = ranges.len() as u64;
        let read = self.inner.get_byte_ranges(ranges);
        Box::pin(async move {
            let result = read.await;
            count_disk(&stats, reads, &result);
            result
        })
    }

    fn get_metadata<'a>(
        &'a mut self,
        options: Option<&'a ArrowReaderOptions>,
    ) -> BoxFuture<'a, ParquetResult<Arc<ParquetMetaData>>> {
        Box::pin(async move {
            if let Some(metadata) = self.cache.get(&self.key) {
                self.stats.memory_hit();
                return Ok(metadata);
            }
            self.stats.memory_miss();
            // Read the page index along with the footer: the next query that prunes
            // by pages then finds it in memory too (DataFusion's own cache does the same).
            let options = options
                .cloned()
                .unwrap_or_default()
                .with_page_index_policy(PageIndexPolicy::Optional);
            let result = self.inner.get_metadata(Some(&options)).await;
            count_disk(&self.stats, 1, &result);
            let metadata = result?;
            self.cache.insert(self.key.clone(), Arc::clone(&metadata));
            Ok(metadata)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::parquet::file::metadata::{FileMetaData, ParquetMetaData};
    use datafusion::parquet::schema::types::{SchemaDescriptor, Type};

    fn footer() -> Arc<ParquetMetaData> {
        let schema = Type::group_type_builder("schema").build().expect("schema");
        let descr = Arc::new(SchemaDescriptor::new(Arc::new(schema)));
        Arc::new(ParquetMetaData::new(
            FileMetaData::new(2, 0, None, None, descr, None),
            Vec::new(),
        ))
    }

    fn key(path: &str, modified_ns: i64) -> Key {
        Key {
            path: path.into(),
            len: 10,
            modified_ns,
        }
    }

    #[test]
    fn bounded_least_recently_used() {
        let size = footer().memory_size();
        let cache = FooterCache::new(size * 2);
        cache.insert(key("a", 1), footer());
        cache.insert(key("b", 1), footer());
        assert!(
            cache.get(&key("a", 1)).is_some(),
            "a is now the most recent"
        );
        cache.insert(key("c", 1), footer());
        assert_eq!(cache.usage(), (2, size * 2));
        assert!(cache.get(&key("b", 1)).is_none(), "b was the least recent");
        assert!(cache.get(&key("a", 1)).is_some());
        assert!(cache.get(&key("c", 1)).is_some());
        assert!(
            cache.get(&key("a", 2)).is_none(),
            "a changed file is another key"
        );
    }

    /// Two flushes of the tail: two Parquet files (and an empty tail) in tenant "t".
    fn store_with_two_files(dir: &std::path::Path) -> crate::Store {
        let store = crate::Store::open(dir, crate::TenantConfig::default()).expect("open");
        let table = crate::schema::table("DeviceProcessEvents").expect("table");
        // Noon two days ago: all rows in one day partition, well inside retention.
        let day = kql_syntax::time::TICKS_PER_DAY;
        let noon = (crate::clock::now_ticks() / day - 2) * day + day / 2;
        for batch in 0..2 {
            let lines: Vec<String> = (0..50)
                .map(|i| {
                    let t = kql_syntax::time::format_datetime(noon + i * 10_000_000);
                    format!(r#"{{"Timestamp":"{t}","DeviceName":"d{batch}-{i}","ProcessId":{i}}}"#)
                })
                .collect();
            let report = store
                .ingest(
                    &lines.join("\n"),
                    crate::Format::Ndjson(table),
                    &crate::TenantRouting::Fixed("t".into()),
                )
                .expect("ingest");
            assert_eq!(report.rejected_count, 0, "{:?}", report.rejections);
            store.flush_all().expect("flush");
        }
        store
    }

    #[tokio::test]
    async fn a_second_query_finds_the_footers_in_memory() {
        let dir = tempfile::tempdir().expect("dir");
        let store = store_with_two_files(dir.path());
        let files = store
            .tenant("t")
            .expect("tenant")
            .snapshot("DeviceProcessEvents")
            .files
            .len();
        assert_eq!(files, 2);
        let engine =
            quarry_engine::Engine::new(quarry_engine::EngineConfig::default()).expect("engine");
        let query = "DeviceProcessEvents | where ProcessId > 10 | summarize count() by DeviceName";
        let mut runs = Vec::new();
        for _ in 0..2 {
            let catalog = Arc::new(store.catalog("t", None).expect("catalog"));
            let out = engine.run(query, catalog).await.expect("query");
            assert_eq!(out.row_count(), 78);
            runs.push(out.stats);
        }
        let (first, second) = (&runs[0], &runs[1]);
        assert_eq!((first.memory_cache.hits, first.memory_cache.misses), (0, 2));
        assert_eq!(
            (second.memory_cache.hits, second.memory_cache.misses),
            (2, 0)
        );
        // The first run read the footers and the data from disk; the second only the data.
        assert!(first.disk_cache.hits >= 2 + 2, "{:?}", first.disk_cache);
        assert!(second.disk_cache.hits >= 2, "{:?}", second.disk_cache);
        assert_eq!(first.disk_cache.hits - second.disk_cache.hits, 2);
        assert_eq!(first.disk_cache.misses + second.disk_cache.misses, 0);
        assert_eq!(
            store.tenant("t").expect("tenant").footer_cache().usage().0,
            2
        );
    }
}
