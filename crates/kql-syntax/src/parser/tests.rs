//! One test per construct: it parses, it has the expected shape, and printing it gives
//! text that parses back to the same tree.

use crate::ast::*;
use crate::{parse, print_query};

fn ok(src: &str) -> Query {
    let q = parse(src).unwrap_or_else(|e| panic!("{src:?} should parse: {e}"));
    let printed = print_query(&q);
    let again = parse(&printed)
        .unwrap_or_else(|e| panic!("printed form of {src:?} should parse: {e}\n{printed}"));
    assert_eq!(q, again, "round trip of {src:?} via\n{printed}");
    q
}

fn err(src: &str) -> crate::ParseError {
    match parse(src) {
        Ok(q) => panic!("{src:?} should not parse, got {q:?}"),
        Err(e) => e,
    }
}

/// The last statement's expression.
fn body(src: &str) -> Expr {
    match ok(src).statements.pop() {
        Some(Statement::Expr(e)) => e,
        other => panic!("expected an expression statement, got {other:?}"),
    }
}

fn ops(src: &str) -> Vec<OperatorKind> {
    match body(src).kind {
        ExprKind::Pipe { ops, .. } => ops.into_iter().map(|o| o.kind).collect(),
        other => panic!("expected a pipeline, got {other:?}"),
    }
}

fn single_op(src: &str) -> OperatorKind {
    let mut v = ops(src);
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn where_pred(src: &str) -> ExprKind {
    match single_op(&format!("T | where {src}")) {
        OperatorKind::Where(e) => e.kind,
        other => panic!("{other:?}"),
    }
}

fn print_value(src: &str) -> ExprKind {
    match body(&format!("print {src}")).kind {
        ExprKind::Source(s) => match *s {
            Source::Print(mut items) => items.remove(0).expr.kind,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

fn lit(src: &str) -> Literal {
    match print_value(src) {
        ExprKind::Literal(l) => l,
        other => panic!("{src}: {other:?}"),
    }
}

#[test]
fn string_literal_forms() {
    assert_eq!(lit(r#""a\tb""#), Literal::String("a\tb".into()));
    assert_eq!(lit(r#"'it\'s'"#), Literal::String("it's".into()));
    assert_eq!(
        lit(r#"@"C:\Windows""#),
        Literal::String(r"C:\Windows".into())
    );
    assert_eq!(lit(r#"h"hidden""#), Literal::String("hidden".into()));
    assert_eq!(
        lit("```line1\nline2```"),
        Literal::String("line1\nline2".into())
    );
    assert_eq!(
        lit(r#""con" 'cat' @"enated""#),
        Literal::String("concatenated".into())
    );
}

#[test]
fn numeric_and_typed_literals() {
    assert_eq!(lit("42"), Literal::Long(42));
    assert_eq!(lit("-42"), Literal::Long(-42));
    assert_eq!(lit("1.5"), Literal::Real(1.5));
    assert_eq!(lit("1e3"), Literal::Real(1000.0));
    assert_eq!(lit("0xff"), Literal::Long(255));
    assert_eq!(lit("int(7)"), Literal::Int(7));
    assert_eq!(lit("long(-7)"), Literal::Long(-7));
    assert_eq!(lit("real(2)"), Literal::Real(2.0));
    assert_eq!(lit("decimal(1.25)"), Literal::Decimal("1.25".into()));
    assert_eq!(lit("bool(true)"), Literal::Bool(true));
    assert_eq!(lit("long(null)"), Literal::Null(ScalarType::Long));
    assert_eq!(lit("true"), Literal::Bool(true));
    let Statement::Expr(e) = &parse("print real(nan)").unwrap().statements[0] else {
        panic!()
    };
    let ExprKind::Source(s) = &e.kind else {
        panic!()
    };
    let Source::Print(items) = &**s else { panic!() };
    assert!(matches!(items[0].expr.kind, ExprKind::Literal(Literal::Real(v)) if v.is_nan()));
}

#[test]
fn timespan_literals() {
    let t = |s| match lit(s) {
        Literal::Timespan(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(t("1d"), 864_000_000_000);
    assert_eq!(t("2h"), 72_000_000_000);
    assert_eq!(t("30m"), 18_000_000_000);
    assert_eq!(t("10s"), 100_000_000);
    assert_eq!(t("100ms"), 1_000_000);
    assert_eq!(t("10microsecond"), 100);
    assert_eq!(t("1tick"), 1);
    assert_eq!(t("1.5h"), 54_000_000_000);
    assert_eq!(
        t("timespan(1.02:03:04)"),
        ((26 * 3600 + 184) as i64) * 10_000_000
    );
    assert_eq!(t("-1d"), -864_000_000_000);
}

#[test]
fn datetime_guid_dynamic_literals() {
    assert_eq!(
        lit("datetime(1970-01-02)"),
        Literal::DateTime(864_000_000_000)
    );
    assert_eq!(lit("datetime(null)"), Literal::Null(ScalarType::DateTime));
    assert_eq!(
        lit("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"),
        Literal::Guid("74be27de-1e4e-49d9-b579-fe0b331d3642".into())
    );
    assert_eq!(
        lit(r#"dynamic({"a": [1, "x", null, true], "b": {"c": 1.5}})"#),
        Literal::Dynamic(DynValue::Object(vec![
            (
                "a".into(),
                DynValue::Array(vec![
                    DynValue::Long(1),
                    DynValue::String("x".into()),
                    DynValue::Null,
                    DynValue::Bool(true)
                ])
            ),
            (
                "b".into(),
                DynValue::Object(vec![("c".into(), DynValue::Real(1.5))])
            ),
        ]))
    );
    assert_eq!(lit("dynamic(null)"), Literal::Dynamic(DynValue::Null));
    assert_eq!(
        lit("dynamic([])"),
        Literal::Dynamic(DynValue::Array(vec![]))
    );
    assert!(parse("print dynamic([1,])").is_err());
    assert!(parse("print dynamic(x)").is_err());
}

#[test]
fn names_brackets_and_dollar_names() {
    assert!(matches!(print_value("['my column']"), ExprKind::Name(id) if id.name == "my column"));
    let kind = where_pred("$left.DeviceId == $right.DeviceId");
    let ExprKind::Binary { left, .. } = kind else {
        panic!()
    };
    let ExprKind::Member { target, name } = left.kind else {
        panic!()
    };
    assert_eq!(target.as_name(), Some("$left"));
    assert_eq!(name.name, "DeviceId");
    ok("T | extend where = 1, project = 2 | project where, project");
}

#[test]
fn comments_anywhere_and_trailing_semicolon() {
    let q = ok("// leading\nlet x = 1; // after let\nT // after T\n| where a > x // end\n;");
    assert_eq!(q.statements.len(), 2);
}

#[test]
fn let_forms() {
    let q = ok(concat!(
        "let n = 10;\n",
        "let T2 = DeviceProcessEvents | where FileName =~ 'cmd.exe';\n",
        "let f = (a:long, b:string = 'x') { a + 1 };\n",
        "let g = (T:(*), U:(DeviceId:string, n:long)) { T | join U on DeviceId };\n",
        "let h = (T:(DeviceId:string, *)) { T };\n",
        "let v = view () { T2 | take 1 };\n",
        "let m = materialize(T2 | summarize count() by DeviceId);\n",
        "let body = () { let inner = 2; print inner };\n",
        "m"
    ));
    assert_eq!(q.statements.len(), 9);
    let Statement::Let(f) = &q.statements[2] else {
        panic!()
    };
    let LetValue::Function(def) = &f.value else {
        panic!()
    };
    assert_eq!(def.params.len(), 2);
    assert!(def.params[1].default.is_some());
    let Statement::Let(g) = &q.statements[3] else {
        panic!()
    };
    let LetValue::Function(def) = &g.value else {
        panic!()
    };
    assert_eq!(
        def.params[0].ty,
        ParamType::Tabular {
            columns: vec![],
            open: true
        }
    );
    let Statement::Let(v) = &q.statements[5] else {
        panic!()
    };
    assert!(matches!(v.value, LetValue::View(_)));
    // A parenthesised expression is not a function.
    let q = ok("let x = (1 + 2) * 3; print x");
    let Statement::Let(x) = &q.statements[0] else {
        panic!()
    };
    assert!(matches!(x.value, LetValue::Expr(_)));
}

#[test]
fn set_and_declare() {
    let q = ok(
        "set querytrace; set truncationmaxrecords = 100; declare query_parameters(n:long = 5, s:string); T | take n",
    );
    assert!(
        matches!(&q.statements[0], Statement::Set { name, value: None, .. } if name == "querytrace")
    );
    assert!(
        matches!(&q.statements[2], Statement::DeclareParameters { params, .. } if params.len() == 2)
    );
}

#[test]
fn where_project_extend() {
    assert!(matches!(
        single_op("T | filter a > 1"),
        OperatorKind::Where(_)
    ));
    let OperatorKind::Project(items) = single_op("T | project a, b = c + 1, ['d e'] = 2") else {
        panic!()
    };
    assert_eq!(items.len(), 3);
    assert_eq!(items[1].names[0].name, "b");
    assert_eq!(items[2].names[0].name, "d e");
    let OperatorKind::Extend(items) = single_op("T | extend (x, y) = f(a), z = 1") else {
        panic!()
    };
    assert_eq!(items[0].names.len(), 2);
}

#[test]
fn project_family() {
    let OperatorKind::ProjectAway(cols) = single_op("T | project-away a, Initiating*, *Id") else {
        panic!()
    };
    assert_eq!(
        cols.iter().map(|c| c.pattern.as_str()).collect::<Vec<_>>(),
        ["a", "Initiating*", "*Id"]
    );
    assert!(
        matches!(single_op("T | project-keep a, b*"), OperatorKind::ProjectKeep(c) if c.len() == 2)
    );
    let OperatorKind::ProjectRename(pairs) = single_op("T | project-rename New = Old, ['x y'] = z")
    else {
        panic!()
    };
    assert_eq!(pairs[0].0.name, "New");
    assert_eq!(pairs[0].1.name, "Old");
    let OperatorKind::ProjectReorder(keys) =
        single_op("T | project-reorder b asc, a*, c granny-desc")
    else {
        panic!()
    };
    assert_eq!(keys[0].order.as_deref(), Some("asc"));
    assert_eq!(keys[2].order.as_deref(), Some("granny-desc"));
}

#[test]
fn summarize_forms() {
    let OperatorKind::Summarize { params, aggs, by } = single_op(
        "T | summarize hint.shufflekey = DeviceId count(), n = dcount(x) by bin(Timestamp, 1h), DeviceId",
    ) else {
        panic!()
    };
    assert_eq!(params[0].name.name, "hint.shufflekey");
    assert_eq!(aggs.len(), 2);
    assert_eq!(by.len(), 2);
    let OperatorKind::Summarize { aggs, by, .. } = single_op("T | summarize by DeviceId") else {
        panic!()
    };
    assert!(aggs.is_empty() && by.len() == 1);
    let OperatorKind::Summarize { aggs, .. } =
        single_op("T | summarize arg_max(Timestamp, *) by DeviceId")
    else {
        panic!()
    };
    let ExprKind::Call { args, .. } = &aggs[0].expr.kind else {
        panic!()
    };
    assert_eq!(args[1].value.kind, ExprKind::Star);
    ok("T | summarize (t, x) = arg_max(Timestamp, x) by d");
}

#[test]
fn count_distinct_take_top_sort() {
    assert!(matches!(
        single_op("T | count"),
        OperatorKind::Count { name: None }
    ));
    assert!(
        matches!(single_op("T | distinct *"), OperatorKind::Distinct { columns, .. } if columns.is_empty())
    );
    assert!(
        matches!(single_op("T | distinct a, b"), OperatorKind::Distinct { columns, .. } if columns.len() == 2)
    );
    assert!(matches!(single_op("T | take 10"), OperatorKind::Take(_)));
    assert!(matches!(single_op("T | limit 10"), OperatorKind::Take(_)));
    let OperatorKind::Top { key, .. } = single_op("T | top 5 by n desc nulls last") else {
        panic!()
    };
    assert_eq!(key.order, Some(SortOrder::Desc));
    assert_eq!(key.nulls, Some(NullsOrder::Last));
    let OperatorKind::Sort { keys, .. } = single_op("T | order by a asc nulls first, b") else {
        panic!()
    };
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].nulls, Some(NullsOrder::First));
    assert_eq!(keys[1].order, None);
    let OperatorKind::TopNested(levels) = single_op(
        "T | top-nested 3 of a by count(), top-nested of b with others = 0 by n = sum(c) asc",
    ) else {
        panic!()
    };
    assert_eq!(levels.len(), 2);
    assert!(levels[1].count.is_none() && levels[1].others.is_some());
}

#[test]
fn join_and_lookup() {
    for kind in [
        "inner",
        "innerunique",
        "leftouter",
        "rightouter",
        "fullouter",
        "leftanti",
        "rightanti",
        "leftsemi",
        "rightsemi",
        "anti",
        "leftantisemi",
        "rightantisemi",
    ] {
        let OperatorKind::Join { params, .. } =
            single_op(&format!("T | join kind={kind} (U) on a"))
        else {
            panic!()
        };
        assert_eq!(params[0].value.as_name(), Some(kind));
    }
    let OperatorKind::Join { right, on, .. } =
        single_op("T | join hint.strategy=broadcast (U | where x > 1) on $left.a == $right.b, c")
    else {
        panic!()
    };
    assert!(matches!(right.kind, ExprKind::Pipe { .. }));
    assert_eq!(on.len(), 2);
    assert!(
        matches!(single_op("T | join U on a"), OperatorKind::Join { right, .. } if right.as_name() == Some("U"))
    );
    assert!(matches!(
        single_op("T | lookup kind=leftouter (U) on a"),
        OperatorKind::Lookup { .. }
    ));
}

#[test]
fn union_forms() {
    let e = body("union kind=outer withsource=SourceTable isfuzzy=true Device*, (T | take 1), U");
    let ExprKind::Source(s) = e.kind else {
        panic!()
    };
    let Source::Union(u) = *s else { panic!() };
    assert_eq!(u.params.len(), 3);
    assert_eq!(u.tables[0].as_name(), Some("Device*"));
    assert!(matches!(single_op("T | union U, V"), OperatorKind::Union(u) if u.tables.len() == 2));
    ok("union *");
}

#[test]
fn mv_expand_and_mv_apply() {
    let OperatorKind::MvExpand {
        params,
        items,
        limit,
    } = single_op(
        "T | mv-expand bagexpansion=array with_itemindex=i x = arr to typeof(long), y limit 10",
    )
    else {
        panic!()
    };
    assert_eq!(params.len(), 2);
    assert_eq!(items[0].to_type, Some(ScalarType::Long));
    assert!(limit.is_some());
    assert!(matches!(
        single_op("T | mvexpand x"),
        OperatorKind::MvExpand { .. }
    ));
    let OperatorKind::MvApply { body, .. } =
        single_op("T | mv-apply x = arr to typeof(long) on (where x > 1 | summarize n = count())")
    else {
        panic!()
    };
    assert!(matches!(body, SubQuery::Ops(ops) if ops.len() == 2));
}

#[test]
fn parse_family() {
    let OperatorKind::Parse { pattern, .. } =
        single_op(r#"T | parse x with * "id=" id:long ", name=" name *"#)
    else {
        panic!()
    };
    assert_eq!(pattern.len(), 6);
    assert!(
        matches!(single_op(r#"T | parse kind=regex flags=Ui x with "a" y"#), OperatorKind::Parse { params, .. } if params.len() == 2)
    );
    assert!(matches!(
        single_op(r#"T | parse kind=relaxed x with "a" y"#),
        OperatorKind::Parse { .. }
    ));
    assert!(matches!(
        single_op(r#"T | parse-where x with "a" y"#),
        OperatorKind::Parse { where_: true, .. }
    ));
    let OperatorKind::ParseKv {
        columns, options, ..
    } = single_op(
        r#"T | parse-kv x as (a:string, b:long) with (pair_delimiter=",", kv_delimiter="=", quote='"')"#,
    )
    else {
        panic!()
    };
    assert_eq!(columns.len(), 2);
    assert_eq!(options.len(), 3);
}

#[test]
fn evaluate_make_series_render() {
    assert!(matches!(
        single_op("T | evaluate bag_unpack(x)"),
        OperatorKind::Evaluate { .. }
    ));
    assert!(
        matches!(single_op("T | evaluate hint.distribution=per_node pivot(a, sum(b))"), OperatorKind::Evaluate { params, .. } if params.len() == 1)
    );
    assert!(
        matches!(single_op("T | evaluate bag_unpack(x) : (a:string, b:long)"), OperatorKind::Evaluate { schema: Some(s), .. } if s.len() == 2)
    );
    let OperatorKind::MakeSeries {
        aggs, range, by, ..
    } = single_op(
        "T | make-series n = count() default = 0 on Timestamp from ago(7d) to now() step 1h by DeviceId",
    )
    else {
        panic!()
    };
    assert!(aggs[0].default.is_some());
    assert!(matches!(
        range,
        SeriesRange::FromTo {
            from: Some(_),
            to: Some(_),
            ..
        }
    ));
    assert_eq!(by.len(), 1);
    assert!(matches!(
        single_op("T | make-series n = count() on Timestamp in range(ago(1d), now(), 1h)"),
        OperatorKind::MakeSeries {
            range: SeriesRange::InRange { .. },
            ..
        }
    ));
    let OperatorKind::Render {
        visualization,
        properties,
    } = single_op(r#"T | render timechart with (title="x", ysplit=axes)"#)
    else {
        panic!()
    };
    assert_eq!(visualization.name, "timechart");
    assert_eq!(properties.len(), 2);
}

#[test]
fn as_invoke_getschema_search_find() {
    assert!(
        matches!(single_op("T | as hint.materialized=true X"), OperatorKind::As { params, .. } if params.len() == 1)
    );
    assert!(matches!(
        single_op("T | invoke FileProfile('SHA1', 500)"),
        OperatorKind::Invoke(_)
    ));
    assert!(matches!(
        single_op("T | getschema"),
        OperatorKind::GetSchema
    ));
    assert!(matches!(
        single_op(r#"T | search "mimikatz""#),
        OperatorKind::Search(_)
    ));
    let e = body(r#"search kind=case_sensitive in (T1, U*) FileName: "x" and "y""#);
    let ExprKind::Source(s) = e.kind else {
        panic!()
    };
    let Source::Search(s) = *s else { panic!() };
    assert_eq!(s.tables.len(), 2);
    let ExprKind::Logical { operands, .. } = s.predicate.kind else {
        panic!()
    };
    assert!(matches!(operands[0].kind, ExprKind::SearchColumn { .. }));
    ok(r#"search * has "x""#);
    ok(r#"T | where * has "x""#);
    let e = body("find withsource=Src in (T1, T2) where x == 1 project a, b");
    assert!(
        matches!(e.kind, ExprKind::Source(s) if matches!(*s, Source::Find { projection: Some(FindProjection::Columns(_)), .. }))
    );
    ok(r#"find where x has "y" project-smart"#);
}

#[test]
fn sample_serialize_fork_facet_partition() {
    assert!(matches!(
        single_op("T | sample 10"),
        OperatorKind::Sample(_)
    ));
    assert!(matches!(
        single_op("T | sample-distinct 5 of x"),
        OperatorKind::SampleDistinct { .. }
    ));
    assert!(matches!(single_op("T | serialize"), OperatorKind::Serialize(v) if v.is_empty()));
    assert!(
        matches!(single_op("T | serialize n = row_number()"), OperatorKind::Serialize(v) if v.len() == 1)
    );
    assert!(
        matches!(single_op("T | fork (where x > 1 | take 5) (summarize count())"), OperatorKind::Fork(b) if b.len() == 2)
    );
    // A branch named by a keyword prints as `['kind'] = (…)`, which must parse back.
    assert!(matches!(
        single_op("T | fork kind = (take 1) ['kind'] = (take 2)"),
        OperatorKind::Fork(b) if b.len() == 2 && b.iter().all(|(n, _)| n.as_ref().is_some_and(|n| n.name == "kind"))
    ));
    assert!(
        matches!(single_op("T | facet by a, b with (take 3)"), OperatorKind::Facet { columns, with: Some(_) } if columns.len() == 2)
    );
    assert!(matches!(
        single_op("T | partition by DeviceId (top 1 by Timestamp)"),
        OperatorKind::Partition { .. }
    ));
    assert!(matches!(
        single_op("T | partition hint.strategy=native by x { take 1 }"),
        OperatorKind::Partition { .. }
    ));
}

#[test]
fn scan_consume_reduce() {
    let OperatorKind::Scan { declare, steps, .. } = single_op(
        "T | scan declare (n:long = 0) with (step s1: x > 1 => n = s1.n + 1; step s2 output=last: x < 2;)",
    ) else {
        panic!()
    };
    assert_eq!(declare.len(), 1);
    assert_eq!(steps.len(), 2);
    assert!(steps[1].output.is_some());
    assert!(
        matches!(single_op("T | consume decodeblocks=true"), OperatorKind::Consume { params } if params.len() == 1)
    );
    assert!(
        matches!(single_op("T | reduce kind=source by a with threshold=0.5"), OperatorKind::Reduce { params, .. } if params.len() == 2)
    );
}

#[test]
fn sources() {
    let e = body("range x from 1 to 10 step 2");
    assert!(matches!(e.kind, ExprKind::Source(s) if matches!(*s, Source::Range { .. })));
    let e = body(
        r#"datatable(a:long, b:string, c:datetime) [1, "x", datetime(2020-01-01), -2, "y", datetime(null),]"#,
    );
    let ExprKind::Source(s) = e.kind else {
        panic!()
    };
    let Source::Datatable { columns, values } = *s else {
        panic!()
    };
    assert_eq!(columns.len(), 3);
    assert_eq!(values.len(), 6);
    let e = body(
        r#"externaldata(a:string) [@"https://example.com/x.csv"] with (format="csv", ignoreFirstRecord=true)"#,
    );
    assert!(
        matches!(e.kind, ExprKind::Source(s) if matches!(*s, Source::ExternalData { ref options, .. } if options.len() == 2))
    );
    ok("print x = 1, 2 | extend y = x");
    ok("let f = () { range x from 1 to 3 step 1 }; f()");
}

#[test]
fn precedence_of_arithmetic_and_logic() {
    // a or b and c == d + e * f
    let ExprKind::Logical {
        op: LogicalOp::Or,
        operands,
    } = where_pred("a or b and c == d + e * f")
    else {
        panic!()
    };
    let ExprKind::Logical {
        op: LogicalOp::And,
        operands: ands,
    } = &operands[1].kind
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinaryOp::Eq,
        right,
        ..
    } = &ands[1].kind
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinaryOp::Add,
        right: mul,
        ..
    } = &right.kind
    else {
        panic!()
    };
    assert!(matches!(
        mul.kind,
        ExprKind::Binary {
            op: BinaryOp::Mul,
            ..
        }
    ));
    // Long or-chains stay flat.
    let ExprKind::Logical { operands, .. } = where_pred(&vec!["a == 1"; 500].join(" or ")) else {
        panic!()
    };
    assert_eq!(operands.len(), 500);
    // Subtraction is left-associative.
    let ExprKind::Binary { left, .. } = print_value("10 - 2 - 3") else {
        panic!()
    };
    assert!(matches!(
        left.kind,
        ExprKind::Binary {
            op: BinaryOp::Sub,
            ..
        }
    ));
    assert!(matches!(
        print_value("-x"),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            ..
        }
    ));
    assert!(parse("T | where a == b == c").is_err());
}

#[test]
fn string_operators() {
    let cases = [
        ("has", StrOp::Has, false, false),
        ("!has", StrOp::Has, true, false),
        ("has_cs", StrOp::Has, false, true),
        ("!has_cs", StrOp::Has, true, true),
        ("hasprefix", StrOp::HasPrefix, false, false),
        ("!hasprefix_cs", StrOp::HasPrefix, true, true),
        ("hassuffix", StrOp::HasSuffix, false, false),
        ("!hassuffix", StrOp::HasSuffix, true, false),
        ("contains", StrOp::Contains, false, false),
        ("!contains", StrOp::Contains, true, false),
        ("contains_cs", StrOp::Contains, false, true),
        ("!contains_cs", StrOp::Contains, true, true),
        ("startswith", StrOp::StartsWith, false, false),
        ("!startswith_cs", StrOp::StartsWith, true, true),
        ("endswith", StrOp::EndsWith, false, false),
        ("!endswith", StrOp::EndsWith, true, false),
        ("like", StrOp::Like, false, false),
        ("notlike", StrOp::Like, true, false),
        ("notcontains", StrOp::Contains, true, false),
        ("containscs", StrOp::Contains, false, true),
    ];
    for (word, kind, negated, cs) in cases {
        let ExprKind::Binary { op, .. } = where_pred(&format!("a {word} 'x'")) else {
            panic!("{word}")
        };
        assert_eq!(
            op,
            BinaryOp::Str {
                kind,
                negated,
                case_sensitive: cs
            },
            "{word}"
        );
    }
    for (src, op) in [
        ("a == 1", BinaryOp::Eq),
        ("a != 1", BinaryOp::NotEq),
        ("a <> 1", BinaryOp::NotEq),
        ("a =~ 'x'", BinaryOp::EqCi),
        ("a !~ 'x'", BinaryOp::NotEqCi),
        ("a < 1", BinaryOp::Lt),
        ("a <= 1", BinaryOp::Le),
        ("a > 1", BinaryOp::Gt),
        ("a >= 1", BinaryOp::Ge),
        ("a matches regex '[0-9]+'", BinaryOp::MatchesRegex),
    ] {
        assert!(
            matches!(where_pred(src), ExprKind::Binary { op: o, .. } if o == op),
            "{src}"
        );
    }
    assert!(parse("T | where a ! has 'x'").is_err());
}

#[test]
fn set_and_range_operators() {
    for (src, op) in [
        ("a in (1, 2)", ListOp::In),
        ("a !in (1, 2)", ListOp::NotIn),
        ("a in~ ('x')", ListOp::InCi),
        ("a !in~ ('x')", ListOp::NotInCi),
        ("a has_any ('x', 'y')", ListOp::HasAny),
        ("a has_all ('x', 'y')", ListOp::HasAll),
    ] {
        assert!(
            matches!(where_pred(src), ExprKind::InList { op: o, .. } if o == op),
            "{src}"
        );
    }
    let ExprKind::InList { list, .. } = where_pred("a in (T | project b)") else {
        panic!()
    };
    assert!(matches!(list[0].kind, ExprKind::Pipe { .. }));
    assert!(matches!(
        where_pred("t between (ago(1d) .. now())"),
        ExprKind::Between { negated: false, .. }
    ));
    assert!(matches!(
        where_pred("x !between (1 .. 2)"),
        ExprKind::Between { negated: true, .. }
    ));
    assert!(matches!(
        where_pred("x between(1..2)"),
        ExprKind::Between { .. }
    ));
    assert!(parse("T | where a in b").is_err());
    assert!(parse("T | where a in ()").is_err());
}

#[test]
fn member_index_calls_named_args() {
    let ExprKind::Index { target, .. } = print_value("a.b['c'][0]") else {
        panic!()
    };
    assert!(matches!(target.kind, ExprKind::Index { .. }));
    let ExprKind::Call { args, .. } = print_value("series_decompose_anomalies(y, threshold=1.5)")
    else {
        panic!()
    };
    assert_eq!(
        args[1].name.as_ref().map(|n| n.name.as_str()),
        Some("threshold")
    );
    assert!(matches!(print_value("not(a)"), ExprKind::Call { name, .. } if name.name == "not"));
    ok("print toscalar(T | summarize count())");
    ok("print x = pack_array(1, 2)[0], y = parse_json(s).a.b[1]");
}

#[test]
fn error_positions_and_messages() {
    let e = err("T\n| where x ==");
    assert_eq!(e.message, "Syntax error: expected an expression after '=='");
    assert_eq!((e.line, e.column), (2, 11));
    let e = err("T | where x == 1 and");
    assert!(e.message.contains("after 'and'"), "{}", e.message);
    let e = err("T | frobnicate");
    assert_eq!(
        e.message,
        "Syntax error: 'frobnicate' is not a query operator"
    );
    assert_eq!((e.line, e.column), (1, 5));
    let e = err("print 'open");
    assert_eq!(e.message, "Syntax error: unterminated string literal");
    let e = err("T | where (a");
    assert!(e.message.contains("')'"), "{}", e.message);
    let e = err("");
    assert_eq!(e.message, "Syntax error: the query is empty");
    let e = err("print x;;");
    assert!(e.message.starts_with("Syntax error"));
    let e = err("T | where a == \"\\q\"");
    assert!(e.message.contains("escape"), "{}", e.message);
    let e = err("print datetime(2020-02-30)");
    assert!(e.message.contains("datetime"), "{}", e.message);
}

#[test]
fn a_query_at_the_depth_limit_still_parses_once_printed() {
    // The deepest chain of negations that parses; the printer writes the innermost
    // `- -5` as `-(-5)`, which must not cost one more level.
    let deepest = (1..400)
        .map(|n| format!("print {}-5", "- ".repeat(n)))
        .take_while(|q| crate::parse(q).is_ok())
        .last()
        .expect("a short chain parses");
    let printed = crate::print_query(&crate::parse(&deepest).expect("parses"));
    assert!(printed.contains("-(-5)"), "{printed}");
    assert!(crate::parse(&printed).is_ok(), "{printed}");
}

#[test]
fn nesting_limit_is_an_error_not_a_crash() {
    let deep = format!("print {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let e = err(&deep);
    assert!(e.message.contains("nested too deeply"), "{}", e.message);
    let deep = format!("print {}", "-".repeat(100_000) + "x");
    assert!(err(&deep).message.contains("nested too deeply"));
    let deep = format!("print x{}", ".a".repeat(100_000));
    assert!(err(&deep).message.contains("nested too deeply"));
    let deep = format!("print {}", vec!["x"; 100_000].join(" + "));
    assert!(err(&deep).message.contains("nested too deeply"));
    let deep = format!(
        "print dynamic({}1{})",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(err(&deep).message.contains("nested too deeply"));
    // Moderate nesting is fine.
    ok(&format!("print {}1{}", "(".repeat(60), ")".repeat(60)));
    ok(&format!(
        "print {}1{}",
        "iff(a, b, ".repeat(30),
        ")".repeat(30)
    ));
    ok(&format!("print {}", vec!["x"; 50].join(" + ")));
}

#[test]
fn keywords_as_names_where_kusto_allows() {
    ok("T | project count = 1, kind = 2, title = 3");
    ok("T | summarize count() by bin(Timestamp, 1d)");
    ok("T | extend type = 'x' | where type == 'x'");
}

#[test]
fn datetime_literals_with_components_or_spaced_dashes() {
    let day = 864_000_000_000_i64;
    // 1970-01-03 written as components, and with spaces around the dashes.
    assert_eq!(lit("datetime(1970, 1, 3)"), Literal::DateTime(2 * day));
    assert_eq!(lit("datetime(1970 - 01 - 03)"), Literal::DateTime(2 * day));
    assert_eq!(
        lit("datetime(1970, 1, 1, 1, 0, 0)"),
        Literal::DateTime(36_000_000_000)
    );
    assert!(
        err("print datetime(1970, 13, 1)")
            .message
            .contains("not a valid")
    );
}

#[test]
fn project_by_names_member_brackets_and_nested_dynamic() {
    let OperatorKind::ProjectByNames(names) =
        single_op(r#"T | project-by-names "Name", "C*", cols"#)
    else {
        panic!()
    };
    assert_eq!(names.len(), 3);
    assert!(matches!(print_value("a.[k]"), ExprKind::Index { .. }));
    assert!(matches!(print_value("a.['k']"), ExprKind::Member { .. }));
    assert_eq!(
        lit(r#"dynamic({"a": dynamic({}), "b": dynamic([1])})"#),
        Literal::Dynamic(DynValue::Object(vec![
            ("a".into(), DynValue::Object(vec![])),
            ("b".into(), DynValue::Array(vec![DynValue::Long(1)])),
        ]))
    );
    let OperatorKind::Evaluate {
        schema: Some(cols), ..
    } = single_op("T | evaluate bag_unpack(d) : (*, Name:string)")
    else {
        panic!()
    };
    assert_eq!(cols[0].name.name, crate::ast::OTHER_COLUMNS);
}
