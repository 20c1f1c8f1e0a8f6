//! What the end-to-end planner tests share: run a self-contained query and read its
//! response body.

use std::sync::Arc;

use serde_json::Value;

use crate::catalog::MemCatalog;
use crate::error::QueryError;
use crate::session::{Engine, EngineConfig};

pub(super) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The whole API body of `query`, run with no tables but its own.
pub(super) async fn body(query: &str) -> Result<Value, QueryError> {
    let engine = Engine::new(EngineConfig::default())?;
    engine
        .run(query, Arc::new(MemCatalog::new()))
        .await?
        .to_json()
}

/// The `Results` rows of `query`.
pub(super) async fn results(query: &str) -> Result<Value, QueryError> {
    Ok(body(query).await?["Results"].clone())
}

/// One column of `rows`, in order.
pub(super) fn column(rows: &Value, name: &str) -> Vec<Value> {
    rows.as_array()
        .map(|r| r.iter().map(|row| row[name].clone()).collect())
        .unwrap_or_default()
}
