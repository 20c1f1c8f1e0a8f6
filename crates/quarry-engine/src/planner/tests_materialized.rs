//! End-to-end checks of the operators and functions that materialize their input
//! (`scan`, plugins, `toscalar`) and of the sketch and unit functions.

use serde_json::json;

use super::test_support::{TestResult, column, results};

#[tokio::test]
async fn scan_keeps_a_running_total_that_resets() -> TestResult {
    let r = results(
        "range n from 1 to 6 step 1
         | scan declare (total:long=0) with (
             step s: true => total = iff(s.total > 5, n, n + s.total);
           )",
    )
    .await?;
    assert_eq!(
        column(&r, "total"),
        vec![json!(1), json!(3), json!(6), json!(4), json!(9), json!(6)]
    );
    Ok(())
}

#[tokio::test]
async fn scan_numbers_the_sequences_it_matches() -> TestResult {
    let r = results(
        "datatable(k:long, e:string)[1,'open', 2,'x', 3,'close', 4,'y', 5,'open', 6,'close']
         | scan with_match_id=m with (
             step a: e == 'open';
             step b: e == 'close' and k - a.k < 5;
           )",
    )
    .await?;
    assert_eq!(
        column(&r, "k"),
        vec![json!(1), json!(3), json!(5), json!(6)]
    );
    assert_eq!(
        column(&r, "m"),
        vec![json!(0), json!(0), json!(1), json!(1)]
    );
    Ok(())
}

#[tokio::test]
async fn rows_near_keeps_the_neighbours_of_matches() -> TestResult {
    let r = results("range i from 1 to 9 step 1 | evaluate rows_near(i == 5, 1, 2)").await?;
    assert_eq!(
        column(&r, "i"),
        vec![json!(4), json!(5), json!(6), json!(7)]
    );
    Ok(())
}

#[tokio::test]
async fn rolling_percentile_looks_back_over_bins() -> TestResult {
    let r = results(
        "range i from 0 to 5 step 1 | extend v = i * 10
         | evaluate rolling_percentile(v, 100, i, 2, 2)
         | order by i asc",
    )
    .await?;
    assert_eq!(
        column(&r, "rolling_2_percentile_v_100"),
        vec![json!(10), json!(30), json!(50)]
    );
    Ok(())
}

#[tokio::test]
async fn ipv4_lookup_joins_on_ranges() -> TestResult {
    let q = |unmatched: &str| {
        format!(
            "let Nets = datatable(net:string, name:string)['10.0.0.0/8','ten', '192.168.1.0/24','home'];
             datatable(addr:string)['10.1.2.3', '8.8.8.8']
             | evaluate ipv4_lookup(Nets, addr, net{unmatched})"
        )
    };
    let r = results(&q("")).await?;
    assert_eq!(column(&r, "name"), vec![json!("ten")]);
    let r = results(&q(", return_unmatched = true")).await?;
    assert_eq!(r.as_array().map(Vec::len), Some(2));
    Ok(())
}

#[tokio::test]
async fn activity_plugins_count_per_bin() -> TestResult {
    let data =
        "datatable(u:string, t:datetime)['a', datetime(2020-01-01), 'b', datetime(2020-01-01),
                 'a', datetime(2020-01-02), 'c', datetime(2020-01-03)]";
    let r = results(&format!(
        "{data} | evaluate activity_counts_metrics(u, t, datetime(2020-01-01), datetime(2020-01-03), 1d)"
    ))
    .await?;
    assert_eq!(column(&r, "new_dcount"), vec![json!(2), json!(0), json!(1)]);
    assert_eq!(
        column(&r, "aggregated_dcount"),
        vec![json!(2), json!(2), json!(3)]
    );
    let r = results(&format!(
        "{data} | evaluate sliding_window_counts(u, t, datetime(2020-01-01), datetime(2020-01-03), 2d, 1d)"
    ))
    .await?;
    assert_eq!(column(&r, "Count"), vec![json!(2), json!(3), json!(2)]);
    assert_eq!(column(&r, "dcount"), vec![json!(2), json!(2), json!(2)]);
    Ok(())
}

#[tokio::test]
async fn toscalar_and_column_names_of_read_tables() -> TestResult {
    let r = results(
        "let T = datatable(a:long, b:string)[3, 'x', 4, 'y'];
         let biggest = toscalar(T | summarize max(a));
         print biggest, names = column_names_of(T)",
    )
    .await?;
    assert_eq!(r[0]["print_0"], json!(4));
    assert_eq!(r[0]["names"], json!(["a", "b"]));
    Ok(())
}

#[tokio::test]
async fn exact_sketches_answer_exactly() -> TestResult {
    let r = results(
        "range x from 1 to 100 step 1
         | summarize h1 = hll(x % 10), h2 = hll(x % 7 + 20), d = tdigest(x)
         | project n = dcount_hll(hll_merge(h1, h2)), p = percentile_tdigest(d, 25),
                   r = rank_tdigest(d, 40)",
    )
    .await?;
    assert_eq!(r[0]["n"], json!(17));
    assert_eq!(r[0]["p"], json!(25.0));
    assert_eq!(r[0]["r"], json!(40));
    Ok(())
}

#[tokio::test]
async fn units_hex_and_pack_all_in_extend() -> TestResult {
    let r = results(
        "print a = 1
         | extend km = convert_length(2500, 'Meter', 'Kilometer'), h = tohex(255),
                  h32 = tohex(toint(-1)), bag = pack_all()",
    )
    .await?;
    assert_eq!(r[0]["km"], json!(2.5));
    assert_eq!(r[0]["h"], json!("ff"));
    assert_eq!(r[0]["h32"], json!("ffffffff"));
    assert_eq!(r[0]["bag"], json!({"a": 1}));
    Ok(())
}

#[tokio::test]
async fn union_numbers_a_typed_name_that_a_column_already_has() -> TestResult {
    let r = results(
        "union (print v = 1), (print v = 'a'), (print v_long = 2)
         | getschema | project ColumnName",
    )
    .await?;
    assert_eq!(
        column(&r, "ColumnName"),
        vec![json!("v_long1"), json!("v_string"), json!("v_long")]
    );
    Ok(())
}

#[tokio::test]
async fn matching_list_operators_take_a_table_and_use_its_first_column() -> TestResult {
    let query = r#"
        let Watch = datatable(term:string, weight:long)["Mimikatz", 3, "rubeus", 2, "whoami", 1];
        datatable(cmd:string)["run MIMIKATZ.exe", "rubeus asktgt", "notepad", "mimikatz rubeus"]
        | extend any = cmd has_any (Watch), all = cmd has_all (Watch | where weight > 1),
                 ci = cmd in~ (Watch | where weight == 1 | project x = "NOTEPAD"),
                 nci = cmd !in~ (Watch), cs = cmd in (Watch)
        | project any, all, ci, nci, cs"#;
    let r = results(query).await?;
    assert_eq!(
        r,
        json!([
            {"any": true, "all": false, "ci": false, "nci": true, "cs": false},
            {"any": true, "all": false, "ci": false, "nci": true, "cs": false},
            {"any": false, "all": false, "ci": true, "nci": true, "cs": false},
            {"any": true, "all": true, "ci": false, "nci": true, "cs": false}
        ])
    );
    Ok(())
}

#[tokio::test]
async fn in_a_table_whose_column_has_the_same_name() -> TestResult {
    let r = results(
        r#"let Rare = datatable(Action:string)["view", "share"] | where Action != "view";
           datatable(Action:string, n:long)["view", 1, "share", 2, "edit", 3]
           | extend Action = tolower(Action)
           | where Action in (Rare) or n == 3
           | where Action !in (Rare | project Action = "edit")
           | project n"#,
    )
    .await?;
    assert_eq!(r, json!([{"n": 2}]));
    Ok(())
}
