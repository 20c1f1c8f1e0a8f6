//! End-to-end checks of the aggregation, time-series and table-shaping operators:
//! make-series, percentiles, capped lists, lookup, getschema, `as`, query parameters.

use serde_json::{Value, json};

use super::test_support::{TestResult, body, results};

/// A dynamic cell as a JSON value, whether the response holds it parsed or as text.
fn dynamic(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

#[tokio::test]
async fn make_series_fills_missing_bins_with_the_default() -> TestResult {
    let r = results(
        "datatable(T:datetime, v:long, k:string)[
            datetime(2021-03-01), 1, 'a', datetime(2021-03-01T10:00), 4, 'a',
            datetime(2021-03-03), 9, 'a', datetime(2021-02-01), 100, 'a']
         | make-series total=sum(v) default=-1, count() on T
             from datetime(2021-03-01) to datetime(2021-03-04) step 1d by k",
    )
    .await?;
    let row = &r[0];
    assert_eq!(row["k"], json!("a"));
    assert_eq!(dynamic(&row["total"]), json!([5, -1, 9]));
    assert_eq!(dynamic(&row["count_"]), json!([2, 0, 1]));
    assert_eq!(
        dynamic(&row["T"]).as_array().map(Vec::len),
        Some(3),
        "axis: {row}"
    );
    Ok(())
}

#[tokio::test]
async fn make_series_without_bounds_spans_the_data() -> TestResult {
    let r = results(
        "range x from 10 to 40 step 10 | where x != 20
         | make-series m=max(x) on x step 10",
    )
    .await?;
    assert_eq!(dynamic(&r[0]["m"]), json!([10, 0, 30, 40]));
    assert_eq!(dynamic(&r[0]["x"]), json!([10, 20, 30, 40]));
    Ok(())
}

#[tokio::test]
async fn percentiles_use_nearest_rank_and_name_each_column() -> TestResult {
    let b = body(
        "range x from 1 to 10 step 1 | summarize percentiles(x, 25, 50, 99.5), percentile(x, 100)",
    )
    .await?;
    let names: Vec<&str> = b["Schema"]
        .as_array()
        .map(|s| s.iter().filter_map(|c| c["Name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        [
            "percentile_x_25",
            "percentile_x_50",
            "percentile_x_99_5",
            "percentile_x_100"
        ]
    );
    let row = &b["Results"][0];
    assert_eq!(row["percentile_x_25"], json!(3));
    assert_eq!(row["percentile_x_50"], json!(5));
    assert_eq!(row["percentile_x_99_5"], json!(10));
    Ok(())
}

#[tokio::test]
async fn capped_sets_and_lists_with_nulls() -> TestResult {
    let r = results(
        "datatable(v:long)[1, long(null), 1, 2, 3]
         | summarize s = make_set(v, 2), l = make_list_with_nulls(v), c = count(v)",
    )
    .await?;
    assert_eq!(dynamic(&r[0]["s"]).as_array().map(Vec::len), Some(2));
    assert_eq!(dynamic(&r[0]["l"]).as_array().map(Vec::len), Some(5));
    assert_eq!(r[0]["c"], json!(5));
    Ok(())
}

#[tokio::test]
async fn covariance_and_bitwise_aggregates() -> TestResult {
    let r = results(
        "datatable(x:real, y:real, b:long)[1.0, 2.0, 12, 2.0, 4.0, 10, 3.0, 6.0, 6]
         | summarize covariancep(x, y), binary_all_and(b), binary_all_or(b)",
    )
    .await?;
    let cov = r[0]["covariancep_x_y"].as_f64().unwrap_or(f64::NAN);
    assert!((cov - 4.0 / 3.0).abs() < 1e-9, "{r}");
    assert_eq!(r[0]["binary_all_and_b"], json!(0));
    assert_eq!(r[0]["binary_all_or_b"], json!(14));
    Ok(())
}

#[tokio::test]
async fn lookup_adds_dimension_columns_without_repeating_keys() -> TestResult {
    let r = results(
        "let Dim = datatable(K:string, Label:string)['a', 'Alpha'];
         datatable(K:string, N:long)['a', 1, 'b', 2]
         | lookup Dim on K | order by N asc",
    )
    .await?;
    assert_eq!(
        r,
        json!([{"K": "a", "N": 1, "Label": "Alpha"}, {"K": "b", "N": 2, "Label": null}])
    );
    Ok(())
}

#[tokio::test]
async fn getschema_and_as_and_query_parameters() -> TestResult {
    let r = results("print a = 1, b = 'x' | getschema").await?;
    assert_eq!(r[0]["ColumnName"], json!("a"));
    assert_eq!(r[0]["DataType"], json!("System.Int64"));
    assert_eq!(r[1]["ColumnType"], json!("string"));
    let r = results(
        "union withsource=Src (print v = 1 | as First), (print v = 2 | as Second)
         | order by v asc | project Src",
    )
    .await?;
    assert_eq!(r, json!([{"Src": "First"}, {"Src": "Second"}]));
    let r =
        results("declare query_parameters(n:long = 3); range x from 1 to n step 1 | count").await?;
    assert_eq!(r, json!([{"Count": 3}]));
    Ok(())
}

#[tokio::test]
async fn series_functions_work_on_dynamic_arrays() -> TestResult {
    let r = results(
        "print s = dynamic([1, null, 3])
         | extend f = series_fill_forward(s), g = series_greater(s, 2), t = series_sum(s)",
    )
    .await?;
    assert_eq!(dynamic(&r[0]["f"]), json!([1, 1, 3]));
    assert_eq!(dynamic(&r[0]["g"]), json!([false, null, true]));
    assert_eq!(r[0]["t"], json!(4.0));
    Ok(())
}

#[tokio::test]
async fn top_nested_keeps_the_top_children_of_the_top_parents() -> TestResult {
    let r = results(
        "datatable(a:string, b:string, v:long)['x','p',1, 'x','q',5, 'x','r',2, 'y','p',10, 'z','p',1]
         | top-nested 2 of a by s=sum(v), top-nested 1 of b by m=max(v) | order by a asc",
    )
    .await?;
    assert_eq!(
        r,
        json!([{"a": "x", "s": 8, "b": "q", "m": 5}, {"a": "y", "s": 10, "b": "p", "m": 10}])
    );
    Ok(())
}
