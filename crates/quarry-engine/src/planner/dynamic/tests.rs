//! End-to-end checks of dynamic values: access, conversions, mv-expand, mv-apply,
//! bag_unpack and make_bag, each with nulls and empty values.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::catalog::MemCatalog;
use crate::error::QueryError;
use crate::session::{Engine, EngineConfig};

async fn run(query: &str) -> Result<Value, QueryError> {
    let engine = Engine::new(EngineConfig::default())?;
    let body = engine
        .run(query, Arc::new(MemCatalog::new()))
        .await?
        .to_json()?;
    Ok(body)
}

async fn results(query: &str) -> Result<Value, QueryError> {
    Ok(run(query).await?["Results"].clone())
}

async fn column_names(query: &str) -> Result<Vec<String>, QueryError> {
    let body = run(query).await?;
    Ok(body["Schema"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|c| c["Name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default())
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test]
async fn member_and_index_access_chain_and_convert() -> TestResult {
    let q = r#"print d = parse_json('{"k":{"list":[10,20,{"name":"n1"}]},"num":7,"flag":true}')
        | project a = d.k.list[-1].name, b = d['k']['list'][0], c = tolong(d.num) + 1,
                  e = tostring(d.k.list[2].name), f = d.missing.deeper, g = d.num > 6,
                  h = d.k.list[2].name == "n1", i = d.flag == true, j = d.k has "list""#;
    let r = results(q).await?;
    assert_eq!(
        r,
        json!([{"a": "n1", "b": 10, "c": 8, "e": "n1", "f": null, "g": true,
                "h": true, "i": true, "j": true}])
    );
    Ok(())
}

#[tokio::test]
async fn parse_json_keeps_invalid_text_as_a_string() -> TestResult {
    let q = r#"print a = parse_json("not json"), b = parse_json(""), c = gettype(parse_json("[1]")),
        d = gettype(parse_json('{"x":1}')), e = isempty(dynamic([])), f = isnotempty(dynamic([1]))"#;
    let r = results(q).await?;
    assert_eq!(
        r,
        json!([{"a": "not json", "b": null, "c": "array", "d": "dictionary",
                "e": true, "f": true}])
    );
    Ok(())
}

#[tokio::test]
async fn mv_expand_pads_in_parallel_and_drops_empty_arrays() -> TestResult {
    let q = r#"datatable(id:long, a:dynamic, b:dynamic) [
            1, dynamic([1,2,3]), dynamic(["x"]),
            2, dynamic([]), dynamic([]),
            3, dynamic(null), dynamic([])
        ]
        | mv-expand with_itemindex=ix a to typeof(long), b"#;
    let r = results(q).await?;
    let rows = r.as_array().map(Vec::len);
    assert_eq!(rows, Some(4));
    assert_eq!(r[0], json!({"id": 1, "a": 1, "b": "x", "ix": 0}));
    assert_eq!(r[2], json!({"id": 1, "a": 3, "b": null, "ix": 2}));
    assert_eq!(r[3], json!({"id": 3, "a": null, "b": null, "ix": 0}));
    let q = r#"print b = dynamic({"p":1,"q":2}) | mv-expand kind=array b | extend k = b[0]"#;
    assert_eq!(
        results(q).await?,
        json!([{"b": ["p", 1], "k": "p"}, {"b": ["q", 2], "k": "q"}])
    );
    Ok(())
}

#[tokio::test]
async fn mv_apply_runs_the_sub_query_per_row() -> TestResult {
    let q = r#"datatable(id:long, xs:dynamic) [1, dynamic([3,9,4]), 2, dynamic([8,1])]
        | mv-apply x = xs to typeof(long) on (top 2 by x | summarize s = sum(x))
        | order by id asc"#;
    assert_eq!(
        column_names(q).await?,
        vec!["id".to_string(), "xs".to_string(), "s".to_string()]
    );
    let r = results(q).await?;
    assert_eq!(r[0]["s"], json!(13));
    assert_eq!(r[1]["s"], json!(9));
    Ok(())
}

#[tokio::test]
async fn bag_unpack_discovers_typed_columns() -> TestResult {
    let q = r#"datatable(id:long, d:dynamic) [
            1, dynamic({"b":"x","a":1}),
            2, dynamic({"a":2,"c":1.5}),
            3, dynamic(null)
        ]
        | evaluate bag_unpack(d, "p_")"#;
    assert_eq!(
        column_names(q).await?,
        vec!["id", "p_a", "p_b", "p_c"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    );
    let r = results(q).await?;
    assert_eq!(r[0], json!({"id": 1, "p_a": 1, "p_b": "x", "p_c": null}));
    Ok(())
}

#[tokio::test]
async fn make_bag_merges_the_groups_bags() -> TestResult {
    let q = r#"datatable(k:string, v:long) ["a", 1, "b", 2, "a", 3]
        | summarize m = make_bag(bag_pack(k, v)), n = make_bag_if(bag_pack(k, v), v > 1)"#;
    assert_eq!(
        results(q).await?,
        json!([{"m": {"a": 1, "b": 2}, "n": {"b": 2, "a": 3}}])
    );
    Ok(())
}
