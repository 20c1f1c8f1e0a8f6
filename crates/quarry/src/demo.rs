//! The embedded default's demo data: telemetry generated once into configured tenants
//! whose store is empty, so that a new user's first query returns rows.

use anyhow::Context;
use quarry_generate::{GenerateConfig, generate};
use quarry_server::Config;
use quarry_store::{Store, TenantConfig, schema};

/// Generates demo telemetry (ending now) for configured tenants that have no data.
pub async fn ensure_demo_data(config: &Config) -> anyhow::Result<()> {
    let Some(demo) = config.server.demo_data.clone() else {
        return Ok(());
    };
    let data = config.server.data.clone();
    let tenants: Vec<String> = config.tenants.iter().map(|t| t.id.clone()).collect();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let store = Store::open(&data, TenantConfig::default())
            .with_context(|| format!("opening the store at {}", data.display()))?;
        for id in tenants {
            let tenant = store.tenant(&id)?;
            let rows: u64 = schema::tables()
                .iter()
                .map(|t| tenant.table_stats(t.name()).0)
                .sum();
            if rows > 0 {
                continue;
            }
            eprintln!(
                "quarry: generating demo data for tenant {id}: {} devices, {} days (once)",
                demo.devices, demo.days
            );
            let cfg = GenerateConfig::new(
                &id,
                demo.devices,
                demo.days,
                demo.seed,
                quarry_store::clock::now_ticks(),
            );
            let mut sink = crate::store_sink::StoreSink::new(tenant);
            let summary = generate(&cfg, &mut sink)?;
            eprintln!("quarry: {} demo events in tenant {id}", summary.total);
        }
        Ok(())
    })
    .await
    .context("generating demo data")?
}
