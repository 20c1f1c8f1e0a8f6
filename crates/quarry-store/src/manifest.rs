//! The manifest: which Parquet files make up a tenant's tables, and up to which log
//! sequence number their contents reach. A file that is not in the manifest is not part
//! of the store (a flush that crashed half-way), and is deleted on open.
//!
//! It is replaced atomically: written to a temporary file, fsync'd, renamed over the old
//! one, and the directory fsync'd.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{IoContext, Result, StoreError};
use crate::wal::Lsn;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub table: String,
    /// Day number (days since 1970-01-01) of the partition.
    pub day: i64,
    /// Path relative to the tenant directory.
    pub path: String,
    pub rows: u64,
    pub bytes: u64,
    /// Smallest and largest value of the table's time column, in ticks.
    pub min_time: i64,
    pub max_time: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// Every log frame up to this number is in the files below.
    pub flushed_lsn: Lsn,
    pub files: Vec<Arc<FileEntry>>,
}

const NAME: &str = "manifest.json";

impl Manifest {
    pub fn load(dir: &Path) -> Result<Manifest> {
        let path = dir.join(NAME);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::Manifest {
                path,
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest {
                version: 1,
                ..Manifest::default()
            }),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(NAME);
        let tmp: PathBuf = dir.join(format!("{NAME}.tmp"));
        let bytes = serde_json::to_vec(self).map_err(|e| StoreError::Manifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mut f = File::create(&tmp).at(&tmp)?;
        f.write_all(&bytes).at(&tmp)?;
        f.sync_all().at(&tmp)?;
        fs::rename(&tmp, &path).at(&path)?;
        File::open(dir).and_then(|d| d.sync_all()).at(dir)?;
        Ok(())
    }

    pub fn files_of<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Arc<FileEntry>> + 'a {
        self.files.iter().filter(move |f| f.table == table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_atomically() {
        let dir = tempfile::tempdir().expect("dir");
        let empty = Manifest::load(dir.path()).expect("load empty");
        assert_eq!(empty.flushed_lsn, 0);
        let m = Manifest {
            version: 1,
            flushed_lsn: 7,
            files: vec![Arc::new(FileEntry {
                table: "DeviceInfo".into(),
                day: 20_000,
                path: "tables/DeviceInfo/x.parquet".into(),
                rows: 3,
                bytes: 100,
                min_time: 1,
                max_time: 2,
            })],
        };
        m.save(dir.path()).expect("save");
        let back = Manifest::load(dir.path()).expect("load");
        assert_eq!(back.flushed_lsn, 7);
        assert_eq!(back.files, m.files);
        assert!(!dir.path().join("manifest.json.tmp").exists());
    }

    #[test]
    fn a_corrupt_manifest_is_an_error_not_an_empty_store() {
        let dir = tempfile::tempdir().expect("dir");
        fs::write(dir.path().join(NAME), b"{not json").expect("write");
        assert!(matches!(
            Manifest::load(dir.path()),
            Err(StoreError::Manifest { .. })
        ));
    }
}
