//! Property test: for random syntax trees, printing and parsing again gives the same tree;
//! and for random token soup, the parser answers (tree or error) without panicking.

use kql_syntax::ast::*;
use kql_syntax::{Span, parse, print_query};
use proptest::prelude::*;

fn sp() -> Span {
    Span::default()
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[A-Z][A-Za-z0-9_]{0,8}".prop_filter("not a keyword", |s| !is_keyword(s)),
        1 => "[a-z ]{1,6}[0-9]",
        1 => Just("Timestamp".to_string()),
    ]
}

/// Words the generator must not produce as plain names: they mean something else.
fn is_keyword(s: &str) -> bool {
    matches!(s, "TRUE" | "FALSE" | "True" | "False")
}

fn ident() -> impl Strategy<Value = Ident> {
    name().prop_map(|n| Ident::new(n, sp()))
}

fn ticks_datetime() -> impl Strategy<Value = i64> {
    // Years 1601..=9999, as ticks since 1970.
    -116_444_736_000_000_000i64..2_534_023_007_990_000_000
}

fn dyn_value() -> impl Strategy<Value = DynValue> {
    let leaf = prop_oneof![
        Just(DynValue::Null),
        any::<bool>().prop_map(DynValue::Bool),
        any::<i64>().prop_map(DynValue::Long),
        (-1e12f64..1e12).prop_map(DynValue::Real),
        ".{0,8}".prop_map(DynValue::String),
        ticks_datetime().prop_map(DynValue::DateTime),
        (-1_000_000_000_000_000i64..1_000_000_000_000_000).prop_map(DynValue::Timespan),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(DynValue::Array),
            prop::collection::vec((".{0,5}", inner), 0..4).prop_map(DynValue::Object),
        ]
    })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<bool>().prop_map(Literal::Bool),
        any::<i32>().prop_map(Literal::Int),
        any::<i64>().prop_map(Literal::Long),
        (-1e15f64..1e15).prop_map(Literal::Real),
        "-?[1-9][0-9]{0,5}\\.[0-9]{1,4}".prop_map(Literal::Decimal),
        ".{0,12}".prop_map(Literal::String),
        ticks_datetime().prop_map(Literal::DateTime),
        (-1_000_000_000_000_000i64..1_000_000_000_000_000).prop_map(Literal::Timespan),
        "[0-9a-f]{32}".prop_map(|h| Literal::Guid(format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        ))),
        prop::sample::select(vec![
            ScalarType::Bool,
            ScalarType::Int,
            ScalarType::Long,
            ScalarType::Real,
            ScalarType::Decimal,
            ScalarType::DateTime,
            ScalarType::Timespan,
            ScalarType::Guid,
        ])
        .prop_map(Literal::Null),
        dyn_value().prop_map(Literal::Dynamic),
    ]
}

fn e(kind: ExprKind) -> Expr {
    Expr::new(kind, sp())
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    let str_op = (
        prop::sample::select(vec![
            StrOp::Has,
            StrOp::HasPrefix,
            StrOp::HasSuffix,
            StrOp::Contains,
            StrOp::StartsWith,
            StrOp::EndsWith,
            StrOp::Like,
        ]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(kind, negated, case_sensitive)| BinaryOp::Str {
            kind,
            negated,
            case_sensitive,
        });
    prop_oneof![
        prop::sample::select(vec![
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Mod,
            BinaryOp::Eq,
            BinaryOp::NotEq,
            BinaryOp::EqCi,
            BinaryOp::NotEqCi,
            BinaryOp::Lt,
            BinaryOp::Le,
            BinaryOp::Gt,
            BinaryOp::Ge,
            BinaryOp::MatchesRegex,
        ]),
        str_op,
    ]
}

fn scalar() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        3 => literal().prop_map(|l| e(ExprKind::Literal(l))),
        3 => ident().prop_map(|i| e(ExprKind::Name(i))),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        let call_name = prop::sample::select(vec![
            "strcat", "tolower", "iff", "ago", "f", "count", "bin", "not",
        ]);
        prop_oneof![
            (
                call_name,
                prop::collection::vec((prop::option::weighted(0.2, ident()), inner.clone()), 0..4)
            )
                .prop_map(|(n, args)| e(ExprKind::Call {
                    name: Ident::new(n, sp()),
                    args: args
                        .into_iter()
                        .map(|(name, value)| Arg { name, value })
                        .collect(),
                })),
            Just(e(ExprKind::Call {
                name: Ident::new("arg_max", sp()),
                args: vec![
                    Arg {
                        name: None,
                        value: e(ExprKind::Name(Ident::new("Timestamp", sp())))
                    },
                    Arg {
                        name: None,
                        value: e(ExprKind::Star)
                    }
                ],
            })),
            (inner.clone(), ident()).prop_map(|(t, name)| e(ExprKind::Member {
                target: Box::new(t),
                name
            })),
            (inner.clone(), inner.clone()).prop_map(|(t, i)| e(ExprKind::Index {
                target: Box::new(t),
                index: Box::new(i)
            })),
            (
                prop::sample::select(vec![UnaryOp::Neg, UnaryOp::Plus]),
                inner.clone()
            )
                .prop_map(|(op, o)| e(ExprKind::Unary {
                    op,
                    operand: Box::new(o)
                })),
            (binary_op(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| e(
                ExprKind::Binary {
                    op,
                    left: Box::new(l),
                    right: Box::new(r)
                }
            )),
            (
                prop::sample::select(vec![LogicalOp::And, LogicalOp::Or]),
                prop::collection::vec(inner.clone(), 2..4)
            )
                .prop_map(|(op, operands)| e(ExprKind::Logical { op, operands })),
            (
                prop::sample::select(vec![
                    ListOp::In,
                    ListOp::NotIn,
                    ListOp::InCi,
                    ListOp::NotInCi,
                    ListOp::HasAny,
                    ListOp::HasAll
                ]),
                inner.clone(),
                prop::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(op, x, list)| e(ExprKind::InList {
                    op,
                    expr: Box::new(x),
                    list
                })),
            (any::<bool>(), inner.clone(), inner.clone(), inner).prop_map(
                |(negated, x, low, high)| e(ExprKind::Between {
                    negated,
                    expr: Box::new(x),
                    low: Box::new(low),
                    high: Box::new(high)
                })
            ),
        ]
    })
}

fn named() -> impl Strategy<Value = NamedExpr> {
    (prop::collection::vec(ident(), 0..3), scalar())
        .prop_map(|(names, expr)| NamedExpr { names, expr })
}

fn single_named() -> impl Strategy<Value = NamedExpr> {
    (prop::option::of(ident()), scalar()).prop_map(|(n, expr)| NamedExpr {
        names: n.into_iter().collect(),
        expr,
    })
}

fn op(kind: OperatorKind) -> Operator {
    Operator { kind, span: sp() }
}

fn sort_key() -> impl Strategy<Value = SortKey> {
    (
        scalar(),
        prop::option::of(prop::sample::select(vec![SortOrder::Asc, SortOrder::Desc])),
        prop::option::of(prop::sample::select(vec![
            NullsOrder::First,
            NullsOrder::Last,
        ])),
    )
        .prop_map(|(expr, order, nulls)| SortKey { expr, order, nulls })
}

fn param(name: &'static str, values: Vec<&'static str>) -> impl Strategy<Value = OpParam> {
    prop::sample::select(values).prop_map(move |v| OpParam {
        name: Ident::new(name, sp()),
        value: e(ExprKind::Name(Ident::new(v, sp()))),
    })
}

fn pattern() -> impl Strategy<Value = ColumnPattern> {
    prop_oneof![
        name().prop_map(|pattern| ColumnPattern {
            pattern,
            span: sp()
        }),
        "[A-Z][a-z]{0,4}\\*".prop_map(|pattern| ColumnPattern {
            pattern,
            span: sp()
        }),
    ]
}

fn operator() -> impl Strategy<Value = Operator> {
    prop_oneof![
        scalar().prop_map(|p| op(OperatorKind::Where(p))),
        prop::collection::vec(single_named(), 1..4).prop_map(|v| op(OperatorKind::Project(v))),
        prop::collection::vec(named(), 1..4).prop_map(|v| op(OperatorKind::Extend(v))),
        prop::collection::vec(pattern(), 1..3).prop_map(|v| op(OperatorKind::ProjectAway(v))),
        prop::collection::vec((ident(), ident()), 1..3)
            .prop_map(|v| op(OperatorKind::ProjectRename(v))),
        (
            prop::collection::vec(param("hint.strategy", vec!["shuffle"]), 0..2),
            prop::collection::vec(named(), 0..3),
            prop::collection::vec(single_named(), 0..3)
        )
            .prop_map(|(params, aggs, by)| op(OperatorKind::Summarize {
                params,
                aggs,
                by
            })),
        scalar().prop_map(|c| op(OperatorKind::Take(c))),
        (scalar(), sort_key()).prop_map(|(count, key)| op(OperatorKind::Top { count, key })),
        prop::collection::vec(sort_key(), 1..3).prop_map(|keys| op(OperatorKind::Sort {
            params: vec![],
            keys
        })),
        prop::collection::vec(single_named(), 0..3).prop_map(|columns| op(
            OperatorKind::Distinct {
                params: vec![],
                columns
            }
        )),
        Just(op(OperatorKind::Count { name: None })),
        Just(op(OperatorKind::GetSchema)),
        (
            prop::collection::vec(
                param(
                    "kind",
                    vec!["inner", "leftouter", "leftanti", "innerunique"]
                ),
                0..2
            ),
            ident(),
            prop::collection::vec(scalar(), 1..3)
        )
            .prop_map(|(params, right, on)| op(OperatorKind::Join {
                params,
                right: e(ExprKind::Name(right)),
                on,
                predicate: None
            })),
        prop::collection::vec(ident(), 1..3).prop_map(|t| op(OperatorKind::Union(Union {
            params: vec![],
            tables: t.into_iter().map(|i| e(ExprKind::Name(i))).collect()
        }))),
        (
            prop::collection::vec(param("bagexpansion", vec!["array", "bag"]), 0..2),
            prop::collection::vec(
                (
                    prop::option::of(ident()),
                    scalar(),
                    prop::option::of(prop::sample::select(vec![
                        ScalarType::Long,
                        ScalarType::String
                    ]))
                ),
                1..3
            ),
            prop::option::of(scalar())
        )
            .prop_map(|(params, items, limit)| op(OperatorKind::MvExpand {
                params,
                items: items
                    .into_iter()
                    .map(|(name, expr, to_type)| MvItem {
                        name,
                        expr,
                        to_type
                    })
                    .collect(),
                limit
            })),
        (scalar(), ident(), "[a-z=]{1,3}", ident()).prop_map(|(source, a, sep, b)| op(
            OperatorKind::Parse {
                where_: false,
                params: vec![],
                source,
                pattern: vec![
                    ParsePart::Star,
                    ParsePart::Column {
                        name: a,
                        ty: Some(ScalarType::Long)
                    },
                    ParsePart::Literal(sep),
                    ParsePart::Column { name: b, ty: None },
                ]
            }
        )),
        ident().prop_map(|name| op(OperatorKind::As {
            params: vec![],
            name
        })),
        scalar().prop_map(|c| op(OperatorKind::Sample(c))),
        prop::collection::vec(named(), 0..2).prop_map(|v| op(OperatorKind::Serialize(v))),
    ]
}

fn source() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => ident().prop_map(|i| e(ExprKind::Name(i))),
        1 => prop::collection::vec(single_named(), 1..3).prop_map(|v| e(ExprKind::Source(Box::new(Source::Print(v))))),
        1 => (ident(), scalar(), scalar(), scalar()).prop_map(|(column, from, to, step)| e(ExprKind::Source(Box::new(
            Source::Range { column, from, to, step }
        )))),
        1 => (prop::collection::vec(ident(), 1..3), prop::collection::vec(literal(), 0..4)).prop_map(|(cols, vals)| e(
            ExprKind::Source(Box::new(Source::Datatable {
                columns: cols.into_iter().map(|name| ColumnDecl { name, ty: ScalarType::String }).collect(),
                values: vals.into_iter().map(|l| e(ExprKind::Literal(l))).collect(),
            }))
        )),
    ]
}

fn pipeline() -> impl Strategy<Value = Expr> {
    (source(), prop::collection::vec(operator(), 0..5)).prop_map(|(source, ops)| {
        if ops.is_empty() {
            source
        } else {
            e(ExprKind::Pipe {
                source: Box::new(source),
                ops,
            })
        }
    })
}

fn statement() -> impl Strategy<Value = Statement> {
    prop_oneof![
        (ident(), scalar()).prop_map(|(name, v)| Statement::Let(LetStatement {
            name,
            value: LetValue::Expr(v),
            span: sp()
        })),
        (ident(), ident(), pipeline()).prop_map(|(name, p, body)| Statement::Let(LetStatement {
            name,
            value: LetValue::Function(FunctionDef {
                params: vec![Param {
                    name: p,
                    ty: ParamType::Tabular {
                        columns: vec![],
                        open: true
                    },
                    default: None
                }],
                body: vec![Statement::Expr(body)],
                span: sp()
            }),
            span: sp()
        })),
        (ident(), literal()).prop_map(|(name, d)| Statement::DeclareParameters {
            params: vec![Param {
                name,
                ty: ParamType::Scalar(ScalarType::Long),
                default: Some(e(ExprKind::Literal(d)))
            }],
            span: sp()
        }),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    (prop::collection::vec(statement(), 0..3), pipeline()).prop_map(|(mut statements, body)| {
        statements.push(Statement::Expr(body));
        Query {
            statements,
            span: sp(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn printed_query_parses_to_the_same_tree(q in query()) {
        let text = print_query(&q);
        let parsed = parse(&text).map_err(|err| TestCaseError::fail(format!("{err}\n{text}")))?;
        if parsed != q {
            return Err(TestCaseError::fail(format!(
                "printed:\n{text}\nparsed back and printed again:\n{}",
                print_query(&parsed)
            )));
        }
    }

    #[test]
    fn token_soup_never_panics(words in prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..40)) {
        let text = words.join(" ");
        let _ = parse(&text);
        let glued = words.concat();
        let _ = parse(&glued);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse(&text);
    }
}

const TOKENS: &[&str] = &[
    "T",
    "|",
    "where",
    "project",
    "extend",
    "summarize",
    "by",
    "join",
    "on",
    "kind=inner",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    "let",
    "=",
    "==",
    "=~",
    "!",
    "has",
    "in",
    "~",
    "1",
    "1.5",
    "1d",
    "\"s\"",
    "'",
    "@\"",
    "datetime(",
    "dynamic(",
    "[1,",
    "x",
    ".",
    "..",
    "between",
    "and",
    "or",
    "-",
    "*",
    "/",
    "mv-expand",
    "parse",
    "with",
    "\"a\"",
    "*",
    ":",
    "long",
    "(*)",
    "$left",
    ".",
    "union",
    "print",
    "range",
    "from",
    "to",
    "step",
    "datatable",
    "evaluate",
    "scan",
    "step",
    "=>",
    "fork",
    "toscalar(",
    "materialize(",
    "```",
    "//",
    "\n",
    "h'",
    "guid(",
    "timespan(",
];
