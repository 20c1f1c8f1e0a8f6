//! What every request handler shares: configuration, engine, store, token validator,
//! quotas, the device inventory for group rules, and metrics.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quarry_engine::{Catalog, Engine};
use quarry_store::Store;
use tokio::sync::Semaphore;

use crate::auth::Validator;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::quota::QuotaBook;
use crate::rbac::DeviceFacts;

pub struct AppState {
    pub config: Arc<Config>,
    pub engine: Arc<Engine>,
    pub store: Arc<Store>,
    pub validator: Validator,
    pub quotas: QuotaBook,
    pub metrics: Metrics,
    /// Queries running at once across tenants.
    pub slots: Arc<Semaphore>,
    devices: Mutex<HashMap<String, CachedDevices>>,
}

/// A tenant's device inventory and when it was read.
type CachedDevices = (Instant, Arc<Vec<DeviceFacts>>);

/// How long the device inventory behind group rules is reused.
const DEVICE_CACHE: Duration = Duration::from_secs(60);

impl AppState {
    pub fn new(
        config: Arc<Config>,
        engine: Arc<Engine>,
        store: Arc<Store>,
        validator: Validator,
        quotas: QuotaBook,
    ) -> AppState {
        let slots = Arc::new(Semaphore::new(config.server.max_concurrent_queries.max(1)));
        AppState {
            config,
            engine,
            store,
            validator,
            quotas,
            metrics: Metrics::default(),
            slots,
            devices: Mutex::new(HashMap::new()),
        }
    }

    /// The tenant's devices (latest DeviceInfo per device), for device-group rules.
    pub async fn devices(&self, tenant: &str) -> Result<Arc<Vec<DeviceFacts>>, String> {
        if let Some((at, list)) = self
            .devices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(tenant)
            && at.elapsed() < DEVICE_CACHE
        {
            return Ok(Arc::clone(list));
        }
        let catalog: Arc<dyn Catalog> = Arc::new(
            self.store
                .catalog(tenant, None)
                .map_err(|e| e.to_string())?,
        );
        let query = "DeviceInfo | summarize arg_max(Timestamp, DeviceName, OSPlatform, DeviceManualTags, \
                     DeviceDynamicTags, RegistryDeviceTag, MachineGroup) by DeviceId";
        let output = self
            .engine
            .run(query, catalog)
            .await
            .map_err(|e| e.to_string())?;
        let rows = quarry_engine::response::result_rows(&output.batches, &output.schema)
            .map_err(|e| e.to_string())?;
        let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
        let tags = |v: &serde_json::Value| -> Vec<String> {
            match v {
                serde_json::Value::Array(a) => a
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect(),
                serde_json::Value::String(s) if s.starts_with('[') => {
                    serde_json::from_str::<Vec<String>>(s).unwrap_or_default()
                }
                serde_json::Value::String(s) if !s.is_empty() => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        let list: Vec<DeviceFacts> = rows
            .iter()
            .map(|r| {
                let mut all_tags = tags(&r["DeviceManualTags"]);
                all_tags.extend(tags(&r["DeviceDynamicTags"]));
                all_tags.extend(tags(&r["RegistryDeviceTag"]));
                DeviceFacts {
                    id: text(&r["DeviceId"]),
                    name: text(&r["DeviceName"]),
                    os: text(&r["OSPlatform"]),
                    tags: all_tags,
                }
            })
            .collect();
        let list = Arc::new(list);
        self.devices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.to_string(), (Instant::now(), Arc::clone(&list)));
        Ok(list)
    }
}
