//! Writing a table's rows as Parquet day partitions, sorted by the time column, with
//! dictionary encoding, page-level statistics (and so the page index) for pruning.

use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::{
    SortColumn, SortOptions, concat, interleave_record_batch, lexsort_to_indices,
};
use datafusion::arrow::datatypes::TimestampNanosecondType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::SortingColumn;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::clock;
use crate::error::{IoContext, Result, StoreError};
use crate::manifest::FileEntry;
use crate::schema::StoredTable;

/// Rows per row group: small enough that statistics prune within a day.
const ROW_GROUP_ROWS: usize = 64 * 1024;

/// How a file is compressed: by who writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Flushes from the ingest path: LZ4 needs no per-column context. Parquet-rs builds a
    /// zstd compressor and decompressor for every column chunk, and a flush writes a file
    /// per table and day: ~45 k contexts per 30-day flush, 8 % of ingest CPU. LZ4 files are
    /// ~28 % larger than zstd's and decode faster.
    Fast,
    /// Compaction, off the ingest path: zstd level 1, the smaller files to keep for 30 days.
    Compact,
}

fn writer_properties(table: &StoredTable, codec: Codec) -> Result<WriterProperties> {
    let compression = match codec {
        Codec::Fast => Compression::LZ4_RAW,
        Codec::Compact => Compression::ZSTD(ZstdLevel::try_new(1)?),
    };
    Ok(WriterProperties::builder()
        .set_compression(compression)
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_sorting_columns(Some(vec![SortingColumn {
            column_idx: table.time_index as i32,
            descending: false,
            nulls_first: true,
        }]))
        .build())
}

/// One day's rows of a table, sorted by time, with their first and last time (ticks).
pub struct DayRows {
    pub day: i64,
    pub batch: RecordBatch,
    pub min_time: i64,
    pub max_time: i64,
}

/// Sorts the rows of `batches` by time and hands them to `write` one day at a time. Rows
/// are gathered straight from the input batches (no concatenation first), and only one
/// day's sorted copy exists at a time: sorting a whole table at once doubled a flush's
/// memory and its page faults.
pub fn for_each_sorted_day(
    table: &StoredTable,
    batches: &[RecordBatch],
    mut write: impl FnMut(DayRows) -> Result<()>,
) -> Result<()> {
    let time_columns: Vec<&dyn Array> = batches
        .iter()
        .map(|b| b.column(table.time_index).as_ref())
        .collect();
    let all_times = concat(&time_columns)?;
    if all_times.is_empty() {
        return Ok(());
    }
    let order = lexsort_to_indices(
        &[SortColumn {
            values: Arc::clone(&all_times),
            options: Some(SortOptions {
                descending: false,
                nulls_first: true,
            }),
        }],
        None,
    )?;
    // Global row number → (batch, row within it).
    let mut starts = Vec::with_capacity(batches.len());
    let mut total = 0;
    for b in batches {
        starts.push(total);
        total += b.num_rows();
    }
    let pairs: Vec<(usize, usize)> = order
        .values()
        .iter()
        .map(|&i| {
            let i = i as usize;
            let b = starts.partition_point(|&s| s <= i) - 1;
            (b, i - starts[b])
        })
        .collect();
    // Times in sorted order (ticks); a null time counts as now.
    let now = clock::now_ticks();
    let times: Vec<i64> = match all_times.as_primitive_opt::<TimestampNanosecondType>() {
        Some(ts) => order
            .values()
            .iter()
            .map(|&i| {
                let i = i as usize;
                if ts.is_null(i) {
                    now
                } else {
                    ts.value(i) / 100
                }
            })
            .collect(),
        None => vec![now; order.len()],
    };
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    let mut start = 0;
    while start < times.len() {
        let day = clock::day_of(times[start]);
        let mut end = start + 1;
        while end < times.len() && clock::day_of(times[end]) == day {
            end += 1;
        }
        write(DayRows {
            day,
            batch: interleave_record_batch(&refs, &pairs[start..end])?,
            min_time: times[start],
            max_time: times[end - 1],
        })?;
        start = end;
    }
    Ok(())
}

/// `work` applied to each item on every core, results in the items' order; the first
/// error wins. Flushes and compactions write one file per table and day, each independent:
/// one thread left the other core idle for a third of an ingest's wall time.
pub fn on_every_core<T: Send, R: Send>(
    items: Vec<T>,
    work: impl Fn(T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.into_iter().map(work).collect();
    }
    let queue = std::sync::Mutex::new(items.into_iter().enumerate());
    let mut done: Vec<(usize, Result<R>)> = Vec::new();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
                        let Some((i, item)) = next else { break };
                        out.push((i, work(item)));
                    }
                    out
                })
            })
            .collect();
        for worker in workers {
            match worker.join() {
                Ok(out) => done.extend(out),
                Err(_) => done.push((
                    usize::MAX,
                    Err(StoreError::Input("a file-writing thread panicked".into())),
                )),
            }
        }
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Writes one day's sorted rows to `tenant_dir/rel_path` and describes the file. The file
/// is not durable yet: the caller lists it in the manifest only after [`sync_written`].
/// Until then it is an unlisted file, which opening the store deletes.
pub fn write_file(
    tenant_dir: &Path,
    rel_path: &str,
    table: &StoredTable,
    rows: &DayRows,
    codec: Codec,
) -> Result<FileEntry> {
    let path = tenant_dir.join(rel_path);
    let parent = path.parent().unwrap_or(tenant_dir);
    fs::create_dir_all(parent).at(parent)?;
    let file = File::create(&path).at(&path)?;
    let mut writer = ArrowWriter::try_new(
        file,
        Arc::clone(&table.schema),
        Some(writer_properties(table, codec)?),
    )?;
    writer.write(&rows.batch)?;
    let file = writer.into_inner()?;
    let bytes = file.metadata().at(&path)?.len();
    Ok(FileEntry {
        table: table.name().to_string(),
        day: rows.day,
        path: rel_path.to_string(),
        rows: rows.batch.num_rows() as u64,
        bytes,
        min_time: rows.min_time,
        max_time: rows.max_time,
    })
}

/// Makes the files of `entries` (and their directory entries) durable.
///
/// On Linux one `syncfs` covers them all: a flush writes a file per table and day (~750
/// for 30 days), and an fsync per file and per directory took ~4 ms each, which was most
/// of a flush's wall time. Elsewhere each file and directory is synced.
pub fn sync_written(tenant_dir: &Path, entries: &[FileEntry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let dir = File::open(tenant_dir).at(tenant_dir)?;
        // SAFETY: syncfs only reads the descriptor, which `dir` keeps open.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error()).at(tenant_dir);
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let mut dirs = std::collections::BTreeSet::new();
        for e in entries {
            let path = tenant_dir.join(&e.path);
            File::open(&path).and_then(|f| f.sync_all()).at(&path)?;
            if let Some(parent) = path.parent() {
                dirs.insert(parent.to_path_buf());
            }
        }
        for d in dirs {
            File::open(&d).and_then(|f| f.sync_all()).at(&d)?;
        }
        Ok(())
    }
}

/// Reads a whole Parquet file back (compaction).
pub fn read_file(path: &Path) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).at(path)?;
    let reader =
        datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)?
            .with_batch_size(64 * 1024)
            .build()?;
    Ok(reader.collect::<std::result::Result<Vec<_>, _>>()?)
}

/// `tables/DeviceProcessEvents/2026-11-28/part-…parquet`
pub fn rel_path(table: &StoredTable, day: i64, name: &str) -> String {
    format!(
        "tables/{}/{}/{name}.parquet",
        table.name(),
        clock::day_name(day)
    )
}
