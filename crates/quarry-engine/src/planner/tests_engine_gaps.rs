//! End-to-end checks of `estimate_data_size`, `buildschema`, `bin_auto` with `set`,
//! `partition`, the `schema_merge` and `active_users_count` plugins, and the names
//! Kusto infers for unnamed function calls.

use serde_json::{Value, json};

use super::test_support::{TestResult, body, column, results};
use crate::error::QueryError;

#[tokio::test]
async fn estimate_data_size_adds_type_sizes_and_string_lengths() -> TestResult {
    let r = results(
        "datatable(b:bool, i:int, s:string)[true, 1, 'abc', false, 2, '']
         | extend Size = estimate_data_size(*), Two = estimate_data_size(i, s)",
    )
    .await?;
    assert_eq!(column(&r, "Size"), vec![json!(8), json!(5)]);
    assert_eq!(column(&r, "Two"), vec![json!(7), json!(4)]);
    let dynamic = results("print d = dynamic([1]) | extend estimate_data_size(d)").await;
    assert!(matches!(dynamic, Err(QueryError::NotSupported { .. })));
    Ok(())
}

#[tokio::test]
async fn buildschema_merges_the_schemas_of_dynamic_values() -> TestResult {
    let r = results(
        r#"datatable(d:dynamic)[dynamic({"a":1}), dynamic({"a":[true], "b":"x"})]
         | summarize buildschema(d)"#,
    )
    .await?;
    let schema = column(&r, "schema_d");
    let schema = match schema.first() {
        Some(Value::String(text)) => serde_json::from_str(text)?,
        Some(other) => other.clone(),
        None => Value::Null,
    };
    assert_eq!(
        schema,
        json!({"a": ["long", {"`indexer`": "bool"}], "b": "string"})
    );
    Ok(())
}

#[tokio::test]
async fn bin_auto_reads_the_set_statements() -> TestResult {
    let r = results(
        "set query_bin_auto_size=10;
         set query_bin_auto_at=3;
         range x from 0 to 25 step 5 | summarize c = count() by bin_auto(x) | sort by x asc",
    )
    .await?;
    assert_eq!(
        column(&r, "x"),
        vec![json!(-7), json!(3), json!(13), json!(23)]
    );
    let unset = results("print bin_auto(1)").await;
    assert!(matches!(unset, Err(QueryError::Semantic { .. })));
    Ok(())
}

#[tokio::test]
async fn partition_runs_the_subquery_per_value() -> TestResult {
    let r = results(
        "datatable(k:string, v:long)['a', 1, 'b', 7, 'a', 4, 'b', 2]
         | partition hint.strategy=native by k (summarize m = max(v), n = count())
         | sort by m asc",
    )
    .await?;
    assert_eq!(column(&r, "m"), vec![json!(4), json!(7)]);
    assert_eq!(column(&r, "n"), vec![json!(2), json!(2)]);
    let empty =
        results("datatable(k:string, v:long)[] | partition by k { summarize m = max(v) }").await?;
    assert_eq!(empty.as_array().map(Vec::len), Some(0));
    Ok(())
}

#[tokio::test]
async fn schema_merge_reports_moved_columns() -> TestResult {
    let query = "let a = datatable(P:string, Q:long)[] | getschema;
         let b = datatable(P:string, R:bool, Q:long)[] | getschema;
         union a, b | evaluate schema_merge(PLACEHOLDER)";
    let strict = results(&query.replace("PLACEHOLDER", "")).await?;
    assert_eq!(
        column(&strict, "ColumnName"),
        vec![json!("P"), json!("R"), json!("Q")]
    );
    assert_eq!(
        column(&strict, "ColumnOrdinal"),
        vec![json!(0), json!(1), json!(-1)]
    );
    let loose = results(&query.replace("PLACEHOLDER", "PreserveOrder = false")).await?;
    assert_eq!(
        column(&loose, "ColumnOrdinal"),
        vec![json!(0), json!(1), json!(2)]
    );
    Ok(())
}

#[tokio::test]
async fn active_users_count_counts_ids_active_in_their_lookback() -> TestResult {
    let r = results(
        "datatable(U:string, T:datetime)[
             'a', datetime(2021-03-01), 'a', datetime(2021-03-02),
             'b', datetime(2021-03-02), 'a', datetime(2021-03-12)]
         | evaluate active_users_count(U, T, datetime(2021-03-01), datetime(2021-03-20),
                                       3d, 1d, 2, 7d)",
    )
    .await?;
    assert_eq!(column(&r, "dcount"), vec![json!(1)]);
    assert_eq!(r.as_array().map(Vec::len), Some(1));
    Ok(())
}

#[tokio::test]
async fn unnamed_calls_take_kusto_inferred_names() -> TestResult {
    let r =
        results("print s = 'ab' | extend strlen(s), tostring(s), toupper(s), gettype(s)").await?;
    let row = r.as_array().and_then(|rows| rows.first()).cloned();
    let names: Vec<String> = row
        .as_ref()
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    assert_eq!(names, ["s", "strlen_s", "s1", "Column1", "type_s"]);
    Ok(())
}

#[tokio::test]
async fn extractjson_converts_to_the_requested_type() -> TestResult {
    let r = results(
        r#"print n = extractjson("$.a.n", '{"a":{"n":41}}', typeof(long)) + 1,
                 t = extractjson("$.t", '{"t":"2026-01-02T03:04:05Z"}', typeof(datetime)) + 1d,
                 s = extractjson("$.a", '{"a":{"n":41}}')"#,
    )
    .await?;
    assert_eq!(
        r,
        json!([{"n": 42, "t": "2026-01-03T03:04:05.0000000Z", "s": "{\"n\":41}"}])
    );
    Ok(())
}

#[tokio::test]
async fn rand_is_per_row_and_in_range() -> TestResult {
    let r = results(
        "range i from 1 to 2000 step 1 | extend r = rand(), n = rand(10)
         | summarize lo = min(r), hi = max(r), nlo = min(n), nhi = max(n), kinds = dcount(n), distinct_r = dcount(r)",
    )
    .await?;
    let row = &r[0];
    assert!(row["lo"].as_f64().is_some_and(|v| v >= 0.0), "{r}");
    assert!(row["hi"].as_f64().is_some_and(|v| v < 1.0), "{r}");
    assert_eq!(
        (row["nlo"].clone(), row["nhi"].clone()),
        (json!(0), json!(9)),
        "{r}"
    );
    assert_eq!(row["kinds"], 10, "{r}");
    assert!(row["distinct_r"].as_u64().is_some_and(|d| d > 1900), "{r}");
    Ok(())
}

#[tokio::test]
async fn dcount_counts_reals_bools_and_timespans() -> TestResult {
    let r = results(
        "datatable(r:real, b:bool, t:timespan)[1.5, true, 1h, 2.5, false, 2h, 1.5, true, 1h]
         | summarize r = dcount(r), b = dcount(b), t = dcount(t)",
    )
    .await?;
    assert_eq!(r, json!([{"r": 2, "b": 2, "t": 2}]));
    Ok(())
}

#[tokio::test]
async fn take_anyif_takes_a_value_of_a_row_that_passes() -> TestResult {
    let r = results(
        r#"datatable(k:string, a:long, b:string)["x", 1, "one", "x", 2, "two", "y", 3, "three"]
           | summarize take_anyif(b, a > 1), n = take_anyif(a, a > 5) by k | order by k asc"#,
    )
    .await?;
    assert_eq!(
        r,
        json!([
            {"k": "x", "anyif_b": "two", "n": null},
            {"k": "y", "anyif_b": "three", "n": null}
        ])
    );
    Ok(())
}

#[tokio::test]
async fn bools_compare_with_numbers_and_with_bool_text() -> TestResult {
    let r = results(
        r#"datatable(b:bool)[true, false, bool(null)]
         | extend one = b == 1, zero = 0 == b, not_one = b != 1,
                  text = b == "True", text_false = b == 'false', junk = b == "maybe""#,
    )
    .await?;
    assert_eq!(
        column(&r, "one"),
        vec![json!(true), json!(false), json!(false)]
    );
    assert_eq!(
        column(&r, "zero"),
        vec![json!(false), json!(true), json!(false)]
    );
    assert_eq!(
        column(&r, "not_one"),
        vec![json!(false), json!(true), json!(true)]
    );
    assert_eq!(
        column(&r, "text"),
        vec![json!(true), json!(false), json!(false)]
    );
    assert_eq!(
        column(&r, "text_false"),
        vec![json!(false), json!(true), json!(false)]
    );
    // Text that is no bool reads as null: unequal to a bool, null against a null.
    assert_eq!(
        column(&r, "junk"),
        vec![json!(false), json!(false), json!(null)]
    );
    Ok(())
}

#[tokio::test]
async fn numbers_compare_with_numeric_text_and_substring_clamps_its_length() -> TestResult {
    let r = results(
        r#"datatable(s:string, n:long)["12", 12, "x", 3, "", 0]
         | extend eq = s == n, ne = n != s, sub = substring("abcdef", 2, -1)"#,
    )
    .await?;
    assert_eq!(
        column(&r, "eq"),
        vec![json!(true), json!(false), json!(false)]
    );
    assert_eq!(
        column(&r, "ne"),
        vec![json!(false), json!(true), json!(true)]
    );
    assert_eq!(column(&r, "sub"), vec![json!(""); 3]);
    Ok(())
}

#[tokio::test]
async fn arg_max_names_that_collide_get_a_numeric_suffix() -> TestResult {
    let q = r#"datatable(T:datetime, R:string, D:string)
        [datetime(2026-01-01 10:05), "a", "d1", datetime(2026-01-01 10:20), "b", "d1"]"#;
    let r = results(&format!("{q} | summarize arg_max(T, *) by D, bin(T, 1h)")).await?;
    assert_eq!(
        column(&r, "T1"),
        vec![json!("2026-01-01T10:20:00.0000000Z")]
    );
    assert_eq!(column(&r, "R"), vec![json!("b")]);
    let r = results(&format!("{q} | summarize R = arg_max(T, R) by D")).await?;
    assert_eq!(column(&r, "R1"), vec![json!("b")]);
    let r = results("print d = abs(datetime(2026-01-01) - datetime(2026-01-02))").await?;
    assert_eq!(column(&r, "d"), vec![json!("1.00:00:00")]);
    Ok(())
}

#[tokio::test]
async fn pivot_makes_a_column_per_value() -> TestResult {
    let data = r#"datatable(S:string, E:string, n:long)
        ["AL", "Wind", 1, "AL", "Hail", 2, "AK", "Wind", 5, "AK", "", 1]"#;
    let r = results(&format!("{data} | evaluate pivot(S)")).await?;
    assert_eq!(r, json!([{"AK": 2, "AL": 2}]));
    let r = results(&format!(
        "{data} | evaluate pivot(E, dcount(n), S) | order by S asc"
    ))
    .await?;
    assert_eq!(
        r,
        json!([{"S": "AK", "Hail": 0, "Wind": 1}, {"S": "AL", "Hail": 1, "Wind": 1}])
    );
    let r = results(&format!(
        "{data} | evaluate pivot(E, sum(n), S) | order by S asc"
    ))
    .await?;
    assert_eq!(column(&r, "Wind"), vec![json!(5), json!(1)]);
    assert_eq!(column(&r, "Hail")[1], json!(2));
    // No rows: only the grouping columns.
    let r = body(&format!(
        "{data} | where n > 9 | evaluate pivot(E, count(), S)"
    ))
    .await?;
    assert_eq!(r["Schema"], json!([{"Name": "S", "Type": "String"}]));
    Ok(())
}

#[tokio::test]
async fn where_can_use_window_functions() -> TestResult {
    let r =
        results("range x from 1 to 10 step 1 | order by x desc | where row_number() <= 3").await?;
    assert_eq!(r, json!([{"x": 10}, {"x": 9}, {"x": 8}]));
    let r = results("range x from 1 to 5 step 1 | serialize | where prev(x) == 2 or next(x) == 2")
        .await?;
    assert_eq!(r, json!([{"x": 1}, {"x": 3}]));
    Ok(())
}
