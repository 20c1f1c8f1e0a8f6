use std::sync::Arc;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;

use super::*;
use crate::batch::{Cell, TableBatchBuilder};

fn batch(pid: i64) -> (&'static StoredTable, RecordBatch) {
    let t = schema::table("DeviceProcessEvents").expect("table");
    let mut b = TableBatchBuilder::new(t, 1);
    let mut row = vec![None; t.columns.len()];
    row[t.column_index("ProcessId").expect("pid")] = Some(Cell::Long(pid));
    row[t.column_index("Timestamp").expect("ts")] = Some(Cell::DateTime(pid));
    b.append_row(&row);
    (t, b.finish().expect("batch"))
}

fn pid_of(r: &Replayed) -> i64 {
    let i = r.table.column_index("ProcessId").expect("pid");
    r.batch.column(i).as_primitive::<Int64Type>().value(0)
}

#[test]
fn frames_are_replayed_after_the_checkpoint() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let (wal, replay) = Wal::open(dir.path(), 0).expect("open");
        assert!(replay.is_empty());
        for pid in 1..=5 {
            let (t, b) = batch(pid);
            assert_eq!(wal.append(&[(t, &b)]).expect("append"), vec![pid as u64]);
        }
    }
    let (_, replay) = Wal::open(dir.path(), 2).expect("reopen");
    assert_eq!(replay.iter().map(|r| r.lsn).collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(replay.iter().map(pid_of).collect::<Vec<_>>(), [3, 4, 5]);
}

#[test]
fn a_torn_tail_is_cut_and_appends_continue() {
    let dir = tempfile::tempdir().expect("dir");
    let seg;
    {
        let (wal, _) = Wal::open(dir.path(), 0).expect("open");
        for pid in 1..=3 {
            let (t, b) = batch(pid);
            wal.append(&[(t, &b)]).expect("append");
        }
        seg = wal.lock().segments[0].1.clone();
    }
    let full = fs::metadata(&seg).expect("meta").len();
    let f = OpenOptions::new().write(true).open(&seg).expect("open seg");
    f.set_len(full - 7).expect("tear");
    drop(f);
    let (wal, replay) = Wal::open(dir.path(), 0).expect("recover");
    assert_eq!(replay.iter().map(|r| r.lsn).collect::<Vec<_>>(), [1, 2]);
    let (t, b) = batch(9);
    assert_eq!(wal.append(&[(t, &b)]).expect("append"), vec![3]);
    drop(wal);
    let (_, replay) = Wal::open(dir.path(), 0).expect("reopen");
    assert_eq!(replay.iter().map(pid_of).collect::<Vec<_>>(), [1, 2, 9]);
}

#[test]
fn a_corrupt_byte_in_the_tail_frame_is_a_torn_write() {
    let dir = tempfile::tempdir().expect("dir");
    let seg;
    {
        let (wal, _) = Wal::open(dir.path(), 0).expect("open");
        for pid in 1..=2 {
            let (t, b) = batch(pid);
            wal.append(&[(t, &b)]).expect("append");
        }
        seg = wal.lock().segments[0].1.clone();
    }
    let mut bytes = fs::read(&seg).expect("read");
    let n = bytes.len();
    bytes[n - 3] ^= 0xff;
    fs::write(&seg, bytes).expect("write");
    let (_, replay) = Wal::open(dir.path(), 0).expect("recover");
    assert_eq!(replay.len(), 1);
}

#[test]
fn concurrent_appends_share_fsyncs_and_lose_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let (wal, _) = Wal::open(dir.path(), 0).expect("open");
    let wal = Arc::new(wal);
    let handles: Vec<_> = (0..8)
        .map(|th| {
            let wal = Arc::clone(&wal);
            std::thread::spawn(move || {
                let mut lsns = Vec::new();
                for i in 0..50 {
                    let (t, b) = batch(th * 1000 + i);
                    lsns.extend(wal.append(&[(t, &b)]).expect("append"));
                }
                lsns
            })
        })
        .collect();
    let mut all: Vec<Lsn> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("join"))
        .collect();
    all.sort();
    assert_eq!(all, (1..=400).collect::<Vec<_>>());
    drop(wal);
    let (_, replay) = Wal::open(dir.path(), 0).expect("reopen");
    assert_eq!(replay.len(), 400);
}

#[test]
fn checkpoint_removes_flushed_segments() {
    let dir = tempfile::tempdir().expect("dir");
    let (wal, _) = Wal::open(dir.path(), 0).expect("open");
    let (t, b) = batch(1);
    wal.append(&[(t, &b), (t, &b)]).expect("append");
    wal.checkpoint(2).expect("checkpoint");
    let (t, b) = batch(3);
    assert_eq!(wal.append(&[(t, &b)]).expect("append"), vec![3]);
    assert_eq!(wal.lock().segments.len(), 1);
    drop(wal);
    let (_, replay) = Wal::open(dir.path(), 2).expect("reopen");
    assert_eq!(replay.iter().map(|r| r.lsn).collect::<Vec<_>>(), [3]);
}

#[test]
fn frames_are_lz4_compressed_and_uncompressed_ones_still_decode() {
    let t = schema::table("DeviceProcessEvents").expect("table");
    let mut builder = TableBatchBuilder::new(t, 1000);
    for pid in 0..1000 {
        let mut row = vec![None; t.columns.len()];
        row[t.column_index("ProcessId").expect("pid")] = Some(Cell::Long(pid));
        row[t.column_index("Timestamp").expect("ts")] = Some(Cell::DateTime(pid));
        row[t.column_index("FolderPath").expect("path")] = Some(Cell::Str(
            format!("C:\\Windows\\System32\\tool{}.exe", pid % 7).into(),
        ));
        builder.append_row(&row);
    }
    let b = builder.finish().expect("batch");
    let mut compressed = Vec::new();
    encode_payload(t, &b, &mut compressed).expect("encode");
    // A frame as logs written before compression held it.
    let name = t.name().as_bytes();
    let mut plain = Vec::new();
    plain.extend_from_slice(&(name.len() as u16).to_le_bytes());
    plain.extend_from_slice(name);
    let mut writer = StreamWriter::try_new(&mut plain, &t.schema).expect("writer");
    writer.write(&b).expect("write");
    writer.finish().expect("finish");
    drop(writer);
    assert!(
        compressed.len() < plain.len(),
        "{} vs {}",
        compressed.len(),
        plain.len()
    );
    for payload in [&compressed, &plain] {
        let (table, decoded) = decode_payload(payload).expect("decode");
        assert_eq!(table.name(), t.name());
        assert_eq!(decoded, b);
    }
}
