//! Writing a table's rows as Parquet day partitions, sorted by the time column, with
//! dictionary encoding, page-level statistics (and so the page index) for pruning.

use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::{
    SortColumn, SortOptions, concat_batches, lexsort_to_indices, take_record_batch,
};
use datafusion::arrow::datatypes::TimestampNanosecondType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::metadata::SortingColumn;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::clock;
use crate::error::{IoContext, Result};
use crate::manifest::FileEntry;
use crate::schema::StoredTable;

/// Rows per row group: small enough that statistics prune within a day.
const ROW_GROUP_ROWS: usize = 64 * 1024;

fn writer_properties(table: &StoredTable) -> Result<WriterProperties> {
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1)?))
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

/// The time of each row in ticks; null times count as `fallback`.
fn times(batch: &RecordBatch, table: &StoredTable, fallback: i64) -> Vec<i64> {
    let col = batch.column(table.time_index);
    match col.as_primitive_opt::<TimestampNanosecondType>() {
        Some(ts) => (0..ts.len())
            .map(|i| {
                if ts.is_null(i) {
                    fallback
                } else {
                    ts.value(i) / 100
                }
            })
            .collect(),
        None => vec![fallback; batch.num_rows()],
    }
}

/// Concatenates `batches`, sorts them by time, and splits them by day.
pub fn sorted_days(
    table: &StoredTable,
    batches: &[RecordBatch],
) -> Result<Vec<(i64, RecordBatch, i64, i64)>> {
    let all = concat_batches(&table.schema, batches)?;
    if all.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let indices = lexsort_to_indices(
        &[SortColumn {
            values: Arc::clone(all.column(table.time_index)),
            options: Some(SortOptions {
                descending: false,
                nulls_first: true,
            }),
        }],
        None,
    )?;
    let sorted = take_record_batch(&all, &indices)?;
    let now = clock::now_ticks();
    let t = times(&sorted, table, now);
    let mut out = Vec::new();
    let mut start = 0;
    while start < t.len() {
        let day = clock::day_of(t[start]);
        let mut end = start + 1;
        while end < t.len() && clock::day_of(t[end]) == day {
            end += 1;
        }
        out.push((day, sorted.slice(start, end - start), t[start], t[end - 1]));
        start = end;
    }
    Ok(out)
}

/// Writes one day's sorted rows to `tenant_dir/rel_path`, durably, and describes the file.
pub fn write_file(
    tenant_dir: &Path,
    rel_path: &str,
    table: &StoredTable,
    day: i64,
    batch: &RecordBatch,
    min_time: i64,
    max_time: i64,
) -> Result<FileEntry> {
    let path = tenant_dir.join(rel_path);
    let parent = path.parent().unwrap_or(tenant_dir);
    fs::create_dir_all(parent).at(parent)?;
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp).at(&tmp)?;
    let mut writer = ArrowWriter::try_new(
        file,
        Arc::clone(&table.schema),
        Some(writer_properties(table)?),
    )?;
    writer.write(batch)?;
    let file = writer.into_inner()?;
    file.sync_all().at(&tmp)?;
    let bytes = file.metadata().at(&tmp)?.len();
    drop(file);
    fs::rename(&tmp, &path).at(&path)?;
    File::open(parent).and_then(|d| d.sync_all()).at(parent)?;
    Ok(FileEntry {
        table: table.name().to_string(),
        day,
        path: rel_path.to_string(),
        rows: batch.num_rows() as u64,
        bytes,
        min_time,
        max_time,
    })
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
