//! Window functions end to end over small `datatable`s.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::catalog::MemCatalog;
use crate::error::QueryError;
use crate::session::{Engine, EngineConfig};

async fn rows(query: &str) -> Result<Value, QueryError> {
    let engine = Engine::new(EngineConfig::default())?;
    let body = engine
        .run(query, Arc::new(MemCatalog::new()))
        .await?
        .to_json()?;
    Ok(body["Results"].clone())
}

/// One column of the result, in row order.
async fn col(query: &str, name: &str) -> Result<Value, QueryError> {
    let r = rows(query).await?;
    Ok(Value::Array(
        r.as_array()
            .map(|rows| rows.iter().map(|row| row[name].clone()).collect())
            .unwrap_or_default(),
    ))
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DATA: &str = "datatable(G:string, V:long)['b', 3, 'a', 1, 'b', 3, 'a', 2, 'b', 5, 'a', 2]";

#[tokio::test]
async fn numbering_follows_the_sort() -> TestResult {
    let q = format!(
        "{DATA} | sort by G asc, V asc | extend N = row_number(), M = row_number(10, G != prev(G))"
    );
    assert_eq!(col(&q, "N").await?, json!([1, 2, 3, 4, 5, 6]));
    assert_eq!(col(&q, "M").await?, json!([10, 11, 12, 10, 11, 12]));
    assert_eq!(col(&q, "V").await?, json!([1, 2, 2, 3, 3, 5]));
    Ok(())
}

#[tokio::test]
async fn prev_and_next_with_offsets_and_defaults() -> TestResult {
    let q = format!("{DATA} | serialize | project P = prev(V), N = next(V, 2, -1), G");
    assert_eq!(col(&q, "P").await?, json!([null, 3, 1, 3, 2, 5]));
    assert_eq!(col(&q, "N").await?, json!([3, 2, 5, 2, -1, -1]));
    Ok(())
}

#[tokio::test]
async fn cumulative_sums_restart() -> TestResult {
    let q = format!(
        "{DATA} | sort by G asc, V asc | serialize S = row_cumsum(V), R = row_cumsum(V, G != prev(G))"
    );
    assert_eq!(col(&q, "S").await?, json!([1, 3, 5, 8, 11, 16]));
    assert_eq!(col(&q, "R").await?, json!([1, 3, 5, 3, 6, 11]));
    Ok(())
}

#[tokio::test]
async fn dense_and_min_ranks() -> TestResult {
    let q = format!(
        "{DATA} | sort by G asc, V asc | extend D = row_rank_dense(V), M = row_rank_min(V), DG = row_rank_dense(V, G != prev(G)), MG = row_rank_min(V, G != prev(G))"
    );
    assert_eq!(col(&q, "D").await?, json!([1, 2, 2, 3, 3, 4]));
    assert_eq!(col(&q, "M").await?, json!([1, 2, 2, 4, 4, 6]));
    assert_eq!(col(&q, "DG").await?, json!([1, 2, 2, 1, 1, 2]));
    assert_eq!(col(&q, "MG").await?, json!([1, 2, 2, 1, 1, 3]));
    Ok(())
}

#[tokio::test]
async fn hidden_columns_do_not_leak() -> TestResult {
    let r = rows(&format!(
        "{DATA} | serialize | extend N = row_number() | take 1"
    ))
    .await?;
    assert_eq!(r, json!([{"G": "b", "V": 3, "N": 1}]));
    Ok(())
}
