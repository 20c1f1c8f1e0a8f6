//! The store: one directory, many tenants. Each tenant lives in its own subdirectory
//! and is reached only through its own [`TenantStore`]; a [`TenantCatalog`] can name
//! nothing but its tenant's tables, so tenant isolation is a matter of structure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use datafusion::catalog::TableProvider;

use crate::error::{IoContext, Result, StoreError};
use crate::footer_cache::{self, FooterCache};
use crate::ingest::{self, Format, IngestReport, TenantRouting};
use crate::provider::{RowFilter, TenantTable};
use crate::schema;
use crate::tenant::{TenantConfig, TenantStore};

/// Input parsed into record batches: owned, independent of the input text, not yet
/// durable.
pub struct ParsedInput {
    batches: ingest::TenantBatches,
    report: IngestReport,
}

impl ParsedInput {
    /// Records accepted so far.
    pub fn accepted_total(&self) -> u64 {
        self.report.accepted_total()
    }
}

pub struct Store {
    root: PathBuf,
    config: TenantConfig,
    /// Settings of tenants that differ from the default (retention, ...).
    overrides: HashMap<String, TenantConfig>,
    tenants: RwLock<HashMap<String, Arc<TenantStore>>>,
    /// Parquet footers, shared by all tenants under one memory budget. Keys are
    /// absolute file paths, which are distinct per tenant directory.
    footers: Arc<FooterCache>,
}

/// Tenant ids become directory names: letters, digits, `-` and `_` only.
pub fn check_tenant_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidTenant(id.to_string()))
    }
}

impl Store {
    /// Opens the store in `root`, and every tenant already in it.
    pub fn open(root: &Path, config: TenantConfig) -> Result<Store> {
        Store::open_with(root, config, HashMap::new())
    }

    /// Like [`Store::open`], with settings for particular tenants.
    pub fn open_with(
        root: &Path,
        config: TenantConfig,
        overrides: HashMap<String, TenantConfig>,
    ) -> Result<Store> {
        let tenants_dir = root.join("tenants");
        std::fs::create_dir_all(&tenants_dir).at(&tenants_dir)?;
        // Absolute, because scans address files through DataFusion's local object store,
        // which resolves every path from the filesystem root.
        let root = std::fs::canonicalize(root).at(root)?;
        let tenants_dir = root.join("tenants");
        let store = Store {
            root: root.clone(),
            config,
            overrides,
            tenants: RwLock::new(HashMap::new()),
            footers: Arc::new(FooterCache::new(footer_cache::DEFAULT_BUDGET)),
        };
        for entry in std::fs::read_dir(&tenants_dir).at(&tenants_dir)? {
            let entry = entry.at(&tenants_dir)?;
            if let Some(name) = entry.file_name().to_str()
                && check_tenant_id(name).is_ok()
                && entry.path().is_dir()
            {
                store.tenant(name)?;
            }
        }
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The tenant's store, opened (and created) on first use.
    pub fn tenant(&self, id: &str) -> Result<Arc<TenantStore>> {
        check_tenant_id(id)?;
        if let Some(t) = self
            .tenants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
        {
            return Ok(Arc::clone(t));
        }
        let mut tenants = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = tenants.get(id) {
            return Ok(Arc::clone(t));
        }
        let config = self.overrides.get(id).unwrap_or(&self.config).clone();
        let t = Arc::new(
            TenantStore::open(id, &self.root.join("tenants").join(id), config)?
                .with_footer_cache(Arc::clone(&self.footers)),
        );
        tenants.insert(id.to_string(), Arc::clone(&t));
        Ok(t)
    }

    pub fn tenant_ids(&self) -> Vec<String> {
        let mut ids: Vec<_> = self
            .tenants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// Parses `input` and makes what it holds durable. Returns once everything accepted is
    /// fsync'd; rejected records are in the report.
    pub fn ingest(
        &self,
        input: &str,
        format: Format,
        routing: &TenantRouting,
    ) -> Result<IngestReport> {
        self.commit(Self::parse(input, format, routing)?)
    }

    /// Parses `input` into batches without touching the store, so that callers can parse
    /// on several threads and [`commit`](Self::commit) in order.
    pub fn parse(input: &str, format: Format, routing: &TenantRouting) -> Result<ParsedInput> {
        let (batches, report) = ingest::parse(input, format, routing)?.into_batches()?;
        Ok(ParsedInput { batches, report })
    }

    /// Makes parsed input durable. Returns once everything accepted is fsync'd.
    pub fn commit(&self, parsed: ParsedInput) -> Result<IngestReport> {
        for (tenant, batches) in parsed.batches {
            self.tenant(&tenant)?.append(batches)?;
        }
        Ok(parsed.report)
    }

    /// Flushes every tenant's in-memory tail to Parquet.
    pub fn flush_all(&self) -> Result<()> {
        for id in self.tenant_ids() {
            self.tenant(&id)?.flush()?;
        }
        Ok(())
    }

    /// Retention, compaction and deferred deletes for every tenant.
    pub fn maintain_all(&self) -> Result<()> {
        for id in self.tenant_ids() {
            let report = self.tenant(&id)?.maintain()?;
            if report != Default::default() {
                tracing::info!(tenant = %id, ?report, "maintenance");
            }
        }
        Ok(())
    }

    /// The catalog a query of `tenant` runs against.
    pub fn catalog(
        &self,
        tenant: &str,
        row_filter: Option<Arc<dyn RowFilter>>,
    ) -> Result<TenantCatalog> {
        Ok(TenantCatalog {
            store: self.tenant(tenant)?,
            row_filter,
        })
    }
}

/// The tables of one tenant, as the engine sees them.
#[derive(Clone)]
pub struct TenantCatalog {
    store: Arc<TenantStore>,
    row_filter: Option<Arc<dyn RowFilter>>,
}

impl TenantCatalog {
    pub fn tenant(&self) -> &Arc<TenantStore> {
        &self.store
    }
}

impl quarry_engine::Catalog for TenantCatalog {
    fn table(&self, name: &str) -> Option<Arc<dyn TableProvider>> {
        let table = schema::table(name)?;
        Some(Arc::new(TenantTable::new(
            Arc::clone(&self.store),
            table,
            self.row_filter.clone(),
        )))
    }

    fn table_names(&self) -> Vec<String> {
        schema::tables()
            .iter()
            .map(|t| t.name().to_string())
            .collect()
    }
}
