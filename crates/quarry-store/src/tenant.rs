//! One tenant's store: its write-ahead log, the in-memory tail of acknowledged batches,
//! and the Parquet files listed in its manifest.
//!
//! Life of a batch: appended to the log and fsync'd (then acknowledged), added to the
//! in-memory tail (then queryable), later flushed to a Parquet day partition and listed in
//! the manifest together with the log position it covers, after which the log forgets it.
//! Readers always see each acknowledged row exactly once: the tail, the batches being
//! flushed, and the manifest's files change together under one lock.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use datafusion::arrow::record_batch::RecordBatch;

use crate::clock;
use crate::error::{IoContext, Result};
use crate::footer_cache::{self, FooterCache};
use crate::manifest::{FileEntry, Manifest};
use crate::parquet_io;
use crate::schema::{self, StoredTable};
use crate::wal::{Lsn, Wal};

#[derive(Debug, Clone)]
pub struct TenantConfig {
    /// Data older than this is deleted and never visible to queries.
    pub retention_days: u32,
    /// The in-memory tail is flushed once it holds this many rows...
    pub flush_rows: usize,
    /// ...or this many bytes of Arrow buffers, whichever comes first: Defender rows are
    /// wide (about 3 KB in memory), so rows alone let the tail reach gigabytes.
    pub flush_bytes: usize,
    /// Day partitions with more files than this are compacted into one.
    pub compact_after_files: usize,
    /// Files removed from the manifest are deleted after this long, so that queries
    /// already reading them finish first.
    pub delete_grace: Duration,
}

impl Default for TenantConfig {
    fn default() -> Self {
        TenantConfig {
            retention_days: 30,
            flush_rows: 1_000_000,
            flush_bytes: 512 << 20,
            compact_after_files: 8,
            delete_grace: Duration::from_secs(600),
        }
    }
}

/// What a reader sees of one table at one moment.
#[derive(Debug, Clone, Default)]
pub struct TableSnapshot {
    pub files: Vec<Arc<FileEntry>>,
    pub batches: Vec<RecordBatch>,
}

#[derive(Default)]
struct Tail {
    /// Acknowledged batches not yet in Parquet, per table, with their lsn.
    active: BTreeMap<&'static str, Vec<(Lsn, RecordBatch)>>,
    active_rows: usize,
    active_bytes: usize,
    /// Batches a flush is writing: still visible until the manifest lists their files.
    flushing: BTreeMap<&'static str, Vec<RecordBatch>>,
}

struct State {
    manifest: Manifest,
    tail: Tail,
    /// Files no longer in the manifest, deleted once their grace period is over.
    garbage: Vec<(Instant, PathBuf)>,
}

pub struct TenantStore {
    id: String,
    dir: PathBuf,
    config: TenantConfig,
    wal: Wal,
    state: RwLock<State>,
    /// Held (shared) by ingests from log append to tail insert, and (exclusively) by a
    /// flush while it takes the tail: so a flush never misses an acknowledged batch whose
    /// lsn is below the ones it takes.
    gate: RwLock<()>,
    /// One flush or compaction at a time.
    maintenance: Mutex<()>,
    /// Decoded Parquet footers; a [`crate::Store`] shares one among its tenants.
    footers: Arc<FooterCache>,
}

impl TenantStore {
    /// Opens (or creates) a tenant's store in `dir`: loads the manifest, removes files a
    /// crashed flush left behind, and replays the log into the in-memory tail.
    pub fn open(id: &str, dir: &Path, config: TenantConfig) -> Result<TenantStore> {
        fs::create_dir_all(dir).at(dir)?;
        let manifest = Manifest::load(dir)?;
        remove_unlisted_files(dir, &manifest)?;
        let (wal, replay) = Wal::open(&dir.join("wal"), manifest.flushed_lsn)?;
        let mut tail = Tail::default();
        for r in replay {
            tail.active_rows += r.batch.num_rows();
            tail.active_bytes += r.batch.get_array_memory_size();
            tail.active
                .entry(r.table.name())
                .or_default()
                .push((r.lsn, r.batch));
        }
        if tail.active_rows > 0 {
            tracing::info!(
                tenant = id,
                rows = tail.active_rows,
                "replayed the write-ahead log"
            );
        }
        Ok(TenantStore {
            id: id.to_string(),
            dir: dir.to_path_buf(),
            config,
            wal,
            state: RwLock::new(State {
                manifest,
                tail,
                garbage: Vec::new(),
            }),
            gate: RwLock::new(()),
            maintenance: Mutex::new(()),
            footers: Arc::new(FooterCache::new(footer_cache::DEFAULT_BUDGET)),
        })
    }

    /// Uses `footers` (shared with other tenants) instead of a footer cache of its own.
    pub fn with_footer_cache(mut self, footers: Arc<FooterCache>) -> TenantStore {
        self.footers = footers;
        self
    }

    /// The cache of Parquet footers the tenant's scans read through.
    pub fn footer_cache(&self) -> &Arc<FooterCache> {
        &self.footers
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn config(&self) -> &TenantConfig {
        &self.config
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes batches durable and queryable. Returns once they are fsync'd.
    pub fn append(&self, batches: Vec<(&'static StoredTable, RecordBatch)>) -> Result<()> {
        if batches.is_empty() {
            return Ok(());
        }
        let should_flush = {
            let _gate = self.gate.read().unwrap_or_else(|p| p.into_inner());
            let refs: Vec<_> = batches.iter().map(|(t, b)| (*t, b)).collect();
            let lsns = self.wal.append(&refs)?;
            let mut state = self.write();
            for ((table, batch), lsn) in batches.into_iter().zip(lsns) {
                state.tail.active_rows += batch.num_rows();
                state.tail.active_bytes += batch.get_array_memory_size();
                state
                    .tail
                    .active
                    .entry(table.name())
                    .or_default()
                    .push((lsn, batch));
            }
            state.tail.active_rows >= self.config.flush_rows
                || state.tail.active_bytes >= self.config.flush_bytes
        };
        if should_flush {
            self.flush()?;
        }
        Ok(())
    }

    /// The files and in-memory batches of `table` that a query should read.
    pub fn snapshot(&self, table: &str) -> TableSnapshot {
        let state = self.read();
        let mut batches: Vec<RecordBatch> = state
            .tail
            .active
            .get(table)
            .map(|v| v.iter().map(|(_, b)| b.clone()).collect())
            .unwrap_or_default();
        if let Some(f) = state.tail.flushing.get(table) {
            batches.extend(f.iter().cloned());
        }
        TableSnapshot {
            files: state.manifest.files_of(table).cloned().collect(),
            batches,
        }
    }

    /// Rows and bytes per table (files plus tail), for statistics.
    pub fn table_stats(&self, table: &str) -> (u64, u64) {
        let snap = self.snapshot(table);
        let rows = snap.files.iter().map(|f| f.rows).sum::<u64>()
            + snap
                .batches
                .iter()
                .map(|b| b.num_rows() as u64)
                .sum::<u64>();
        let bytes = snap.files.iter().map(|f| f.bytes).sum::<u64>()
            + snap
                .batches
                .iter()
                .map(|b| b.get_array_memory_size() as u64)
                .sum::<u64>();
        (rows, bytes)
    }

    /// The earliest time (ticks) queries may see.
    pub fn window_start(&self) -> i64 {
        clock::now_ticks() - self.config.retention_days as i64 * kql_syntax::time::TICKS_PER_DAY
    }

    /// Writes the in-memory tail to Parquet, lists the files in the manifest, and lets the
    /// log forget what they hold.
    pub fn flush(&self) -> Result<()> {
        let _one = self.maintenance.lock().unwrap_or_else(|p| p.into_inner());
        let (taken, upto) = {
            let _gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
            let mut state = self.write();
            let active = std::mem::take(&mut state.tail.active);
            state.tail.active_rows = 0;
            state.tail.active_bytes = 0;
            let upto = active.values().flatten().map(|(lsn, _)| *lsn).max();
            let mut taken: BTreeMap<&'static str, Vec<RecordBatch>> = BTreeMap::new();
            for (table, list) in active {
                taken.insert(table, list.into_iter().map(|(_, b)| b).collect());
            }
            state.tail.flushing = taken.clone();
            (taken, upto)
        };
        let Some(upto) = upto else {
            return Ok(());
        };
        let written = self.write_tables(&taken, upto);
        let mut state = self.write();
        state.tail.flushing.clear();
        match written {
            Ok(entries) => {
                let mut manifest = state.manifest.clone();
                manifest.files.extend(entries.into_iter().map(Arc::new));
                manifest.flushed_lsn = upto;
                if let Err(e) = manifest.save(&self.dir) {
                    restore(&mut state.tail, taken, upto);
                    return Err(e);
                }
                state.manifest = manifest;
            }
            Err(e) => {
                restore(&mut state.tail, taken, upto);
                return Err(e);
            }
        }
        drop(state);
        self.wal.checkpoint(upto)?;
        tracing::debug!(tenant = %self.id, lsn = upto, "flushed");
        Ok(())
    }

    fn write_tables(
        &self,
        taken: &BTreeMap<&'static str, Vec<RecordBatch>>,
        upto: Lsn,
    ) -> Result<Vec<FileEntry>> {
        let cutoff = self.window_start() - kql_syntax::time::TICKS_PER_DAY;
        // Largest tables first, so that the last one to finish is a small one.
        let mut tables: Vec<_> = taken
            .iter()
            .filter_map(|(name, batches)| Some((schema::table(name)?, batches)))
            .collect();
        tables
            .sort_by_key(|(_, b)| std::cmp::Reverse(b.iter().map(|b| b.num_rows()).sum::<usize>()));
        let per_table = parquet_io::on_every_core(tables, |(table, batches)| {
            let mut entries = Vec::new();
            parquet_io::for_each_sorted_day(table, batches, |rows| {
                if rows.max_time >= cutoff {
                    let rel = parquet_io::rel_path(table, rows.day, &format!("part-{upto:020}"));
                    entries.push(parquet_io::write_file(
                        &self.dir,
                        &rel,
                        table,
                        &rows,
                        parquet_io::Codec::Fast,
                    )?);
                }
                Ok(())
            })?;
            Ok(entries)
        })?;
        let entries: Vec<FileEntry> = per_table.into_iter().flatten().collect();
        parquet_io::sync_written(&self.dir, &entries)?;
        Ok(entries)
    }

    /// Deletes day partitions past the retention window, compacts days with many small
    /// files, and deletes files whose grace period is over.
    pub fn maintain(&self) -> Result<MaintenanceReport> {
        let _one = self.maintenance.lock().unwrap_or_else(|p| p.into_inner());
        let mut report = MaintenanceReport::default();
        let cutoff_day = clock::day_of(self.window_start());
        {
            let mut state = self.write();
            let (old, keep): (Vec<_>, Vec<_>) = state
                .manifest
                .files
                .iter()
                .cloned()
                .partition(|f| f.day < cutoff_day && f.max_time < self.window_start());
            if !old.is_empty() {
                let mut manifest = state.manifest.clone();
                manifest.files = keep;
                manifest.save(&self.dir)?;
                state.manifest = manifest;
                report.expired_files = old.len();
                let now = Instant::now();
                for f in old {
                    state.garbage.push((now, self.dir.join(&f.path)));
                }
            }
        }
        report.compacted_files = self.compact()?;
        report.deleted_files = self.collect_garbage(false)?;
        Ok(report)
    }

    fn compact(&self) -> Result<usize> {
        let groups: Vec<Vec<Arc<FileEntry>>> = {
            let state = self.read();
            let mut by_day: BTreeMap<(&str, i64), Vec<Arc<FileEntry>>> = BTreeMap::new();
            for f in &state.manifest.files {
                by_day
                    .entry((f.table.as_str(), f.day))
                    .or_default()
                    .push(Arc::clone(f));
            }
            by_day
                .into_values()
                .filter(|v| v.len() > self.config.compact_after_files)
                .collect()
        };
        let flushed = self.read().manifest.flushed_lsn;
        // Groups merge independently: every core reads, sorts and writes one at a time.
        let merged = parquet_io::on_every_core(groups, |group| {
            let Some(table) = schema::table(&group[0].table) else {
                return Ok(None);
            };
            let mut batches = Vec::new();
            for f in &group {
                batches.extend(parquet_io::read_file(&self.dir.join(&f.path))?);
            }
            let mut entries = Vec::new();
            parquet_io::for_each_sorted_day(table, &batches, |rows| {
                let name = format!("compact-{flushed:020}-{}", entries.len());
                let rel = parquet_io::rel_path(table, rows.day, &name);
                entries.push(parquet_io::write_file(
                    &self.dir,
                    &rel,
                    table,
                    &rows,
                    parquet_io::Codec::Compact,
                )?);
                Ok(())
            })?;
            Ok(Some((group, entries)))
        })?;
        let merged: Vec<_> = merged.into_iter().flatten().collect();
        // One sync for every group's files (on Linux a syncfs covers them all anyway).
        let written: Vec<FileEntry> = merged.iter().flat_map(|(_, e)| e.iter().cloned()).collect();
        parquet_io::sync_written(&self.dir, &written)?;
        let mut compacted = 0;
        for (group, entries) in merged {
            let entries: Vec<Arc<FileEntry>> = entries.into_iter().map(Arc::new).collect();
            let mut state = self.write();
            let mut manifest = state.manifest.clone();
            manifest
                .files
                .retain(|f| !group.iter().any(|g| g.path == f.path));
            manifest.files.extend(entries);
            manifest.save(&self.dir)?;
            state.manifest = manifest;
            let now = Instant::now();
            for f in &group {
                state.garbage.push((now, self.dir.join(&f.path)));
            }
            compacted += group.len();
        }
        Ok(compacted)
    }

    /// Deletes garbage files past their grace period (all of them if `all`).
    fn collect_garbage(&self, all: bool) -> Result<usize> {
        let due: Vec<PathBuf> = {
            let mut state = self.write();
            let grace = self.config.delete_grace;
            let (due, keep): (Vec<_>, Vec<_>) = state
                .garbage
                .drain(..)
                .partition(|(at, _)| all || at.elapsed() >= grace);
            state.garbage = keep;
            due.into_iter().map(|(_, p)| p).collect()
        };
        for path in &due {
            match fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(crate::error::StoreError::Io {
                        path: path.clone(),
                        source: e,
                    });
                }
            }
        }
        Ok(due.len())
    }
}

impl Drop for TenantStore {
    fn drop(&mut self) {
        if let Err(e) = self.collect_garbage(true) {
            tracing::warn!(tenant = %self.id, error = %e, "could not delete expired files");
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct MaintenanceReport {
    pub expired_files: usize,
    pub compacted_files: usize,
    pub deleted_files: usize,
}

/// Puts batches a failed flush took back into the tail, so nothing acknowledged is lost
/// from view (the log still holds them too).
fn restore(tail: &mut Tail, taken: BTreeMap<&'static str, Vec<RecordBatch>>, upto: Lsn) {
    for (table, batches) in taken {
        for b in batches {
            tail.active_rows += b.num_rows();
            tail.active_bytes += b.get_array_memory_size();
            tail.active.entry(table).or_default().push((upto, b));
        }
    }
}

/// Deletes Parquet files under `tables/` that the manifest does not list: the leftovers
/// of a flush or compaction that crashed before its manifest update.
fn remove_unlisted_files(dir: &Path, manifest: &Manifest) -> Result<()> {
    let listed: std::collections::HashSet<PathBuf> =
        manifest.files.iter().map(|f| dir.join(&f.path)).collect();
    let root = dir.join("tables");
    if !root.exists() {
        return Ok(());
    }
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).at(&d)? {
            let path = entry.at(&d)?.path();
            if path.is_dir() {
                stack.push(path);
            } else if !listed.contains(&path) {
                tracing::info!(path = %path.display(), "removing a file no manifest lists");
                fs::remove_file(&path).at(&path)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
