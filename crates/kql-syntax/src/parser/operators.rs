//! Tabular operators: everything that can follow a `|`.

use super::Parser;
use crate::ast::*;
use crate::error::ParseError;
use crate::lexer::TokenKind;
use crate::span::Span;

/// Operator names, for error messages and to recognise sub-queries that start with one.
pub(crate) const OPERATOR_NAMES: &[&str] = &[
    "where",
    "filter",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "extend",
    "summarize",
    "count",
    "distinct",
    "take",
    "limit",
    "top",
    "top-nested",
    "top-hitters",
    "sort",
    "order",
    "join",
    "lookup",
    "union",
    "mv-expand",
    "mvexpand",
    "mv-apply",
    "mvapply",
    "parse",
    "parse-where",
    "parse-kv",
    "evaluate",
    "make-series",
    "render",
    "as",
    "invoke",
    "getschema",
    "search",
    "sample",
    "sample-distinct",
    "serialize",
    "fork",
    "facet",
    "partition",
    "scan",
    "consume",
    "reduce",
];

/// Which `name=` settings an operator takes before its body.
#[derive(Clone, Copy)]
enum Params {
    /// `hint.*` only.
    Hints,
    /// `hint.*` and these names.
    Named(&'static [&'static str]),
}

impl Params {
    fn allows(self, name: &str) -> bool {
        if name.starts_with("hint.") {
            return true;
        }
        match self {
            Params::Hints => false,
            Params::Named(names) => names.contains(&name),
        }
    }
}

impl Parser<'_> {
    /// One operator after `|`.
    pub(crate) fn operator(&mut self) -> Result<Operator, ParseError> {
        let start = self.peek().span;
        let Some((word, word_span)) = self.operator_word() else {
            return Err(self.expected("a query operator after '|'"));
        };
        let kind = self.operator_body(&word, word_span)?;
        Ok(Operator {
            kind,
            span: self.span_from(start),
        })
    }

    fn operator_body(&mut self, word: &str, word_span: Span) -> Result<OperatorKind, ParseError> {
        Ok(match word {
            "where" | "filter" => OperatorKind::Where(self.predicate(word)?),
            "project" => OperatorKind::Project(self.named_list(word)?),
            "extend" => OperatorKind::Extend(self.named_list(word)?),
            "project-away" => OperatorKind::ProjectAway(self.comma_list(|p| p.column_pattern())?),
            "project-keep" => OperatorKind::ProjectKeep(self.comma_list(|p| p.column_pattern())?),
            "project-rename" => OperatorKind::ProjectRename(self.comma_list(|p| {
                let new = p.name("a new column name")?;
                p.expect(
                    TokenKind::Assign,
                    "'=' in 'project-rename NewName = OldName'",
                )?;
                let old = p.name("the column to rename")?;
                Ok((new, old))
            })?),
            "project-by-names" => OperatorKind::ProjectByNames(self.comma_list(|p| p.expr())?),
            "project-reorder" => OperatorKind::ProjectReorder(self.comma_list(|p| {
                let column = p.column_pattern()?;
                let order = p.reorder_direction();
                Ok(ReorderKey { column, order })
            })?),
            "summarize" => self.summarize()?,
            "count" => OperatorKind::Count {
                name: if self.eat_word("as") {
                    Some(self.name("a column name after 'as'")?)
                } else {
                    None
                },
            },
            "distinct" => {
                let params = self.params(Params::Hints)?;
                let columns = if self.eat(TokenKind::Star) {
                    Vec::new()
                } else {
                    self.comma_list(|p| p.named_expr())?
                };
                OperatorKind::Distinct { params, columns }
            }
            "take" | "limit" => {
                self.params(Params::Hints)?;
                OperatorKind::Take(self.expr()?)
            }
            "top" => {
                self.params(Params::Hints)?;
                let count = self.expr()?;
                self.expect_word("by")?;
                OperatorKind::Top {
                    count,
                    key: self.sort_key()?,
                }
            }
            "top-nested" => {
                let mut levels = vec![self.top_nested_level()?];
                while self.eat(TokenKind::Comma) {
                    match self.operator_word() {
                        Some((w, _)) if w == "top-nested" => levels.push(self.top_nested_level()?),
                        _ => return Err(self.expected("'top-nested' after ','")),
                    }
                }
                OperatorKind::TopNested(levels)
            }
            "top-hitters" => {
                let count = self.expr()?;
                self.expect_word("of")?;
                let of = self.expr()?;
                let by = if self.eat_word("by") {
                    Some(self.expr()?)
                } else {
                    None
                };
                OperatorKind::TopHitters { count, of, by }
            }
            "sort" | "order" => {
                let params = self.params(Params::Hints)?;
                self.expect_word("by")?;
                OperatorKind::Sort {
                    params,
                    keys: self.comma_list(|p| p.sort_key())?,
                }
            }
            "join" => self.join()?,
            "lookup" => {
                let params = self.params(Params::Named(&["kind"]))?;
                let right = self.join_right()?;
                self.expect_word("on")?;
                OperatorKind::Lookup {
                    params,
                    right,
                    on: self.comma_list(|p| p.expr())?,
                }
            }
            "union" => OperatorKind::Union(self.union_body()?),
            "mv-expand" | "mvexpand" => {
                let params =
                    self.params(Params::Named(&["bagexpansion", "with_itemindex", "kind"]))?;
                let items = self.comma_list(|p| p.mv_item())?;
                let limit = if self.eat_word("limit") {
                    Some(self.expr()?)
                } else {
                    None
                };
                OperatorKind::MvExpand {
                    params,
                    items,
                    limit,
                }
            }
            "mv-apply" | "mvapply" => self.mv_apply()?,
            "parse" | "parse-where" => self.parse_op(word == "parse-where")?,
            "parse-kv" => self.parse_kv()?,
            "evaluate" => {
                let params = self.params(Params::Hints)?;
                let call = self.plugin_call()?;
                let schema = if self.eat(TokenKind::Colon) {
                    self.expect(TokenKind::LParen, "'(' to start the output schema")?;
                    let cols = self.comma_list(|p| {
                        if p.at(TokenKind::Star) {
                            let t = p.advance();
                            return Ok(ColumnDecl {
                                name: Ident::new(OTHER_COLUMNS, t.span),
                                ty: ScalarType::Dynamic,
                            });
                        }
                        p.column_decl()
                    })?;
                    self.expect(TokenKind::RParen, "')'")?;
                    Some(cols)
                } else {
                    None
                };
                OperatorKind::Evaluate {
                    params,
                    call,
                    schema,
                }
            }
            "make-series" => self.make_series()?,
            "render" => self.render()?,
            "as" => {
                let params = self.params(Params::Hints)?;
                OperatorKind::As {
                    params,
                    name: self.name("a name after 'as'")?,
                }
            }
            "invoke" => {
                let call = self.expr()?;
                if !matches!(call.kind, ExprKind::Call { .. }) {
                    return Err(
                        self.error_at(call.span, "Syntax error: 'invoke' expects a function call")
                    );
                }
                OperatorKind::Invoke(call)
            }
            "getschema" => OperatorKind::GetSchema,
            "search" => OperatorKind::Search(self.search_body()?),
            "sample" => OperatorKind::Sample(self.expr()?),
            "sample-distinct" => {
                let count = self.expr()?;
                self.expect_word("of")?;
                OperatorKind::SampleDistinct {
                    count,
                    of: self.expr()?,
                }
            }
            "serialize" => OperatorKind::Serialize(if self.at_operator_end() {
                Vec::new()
            } else {
                self.comma_list(|p| p.named_expr())?
            }),
            "fork" => self.fork()?,
            "facet" => {
                self.expect_word("by")?;
                let columns = self.comma_list(|p| p.name("a column name"))?;
                let with = if self.eat_word("with") {
                    self.expect(TokenKind::LParen, "'(' after 'with'")?;
                    let q = self.sub_query()?;
                    self.expect(TokenKind::RParen, "')'")?;
                    Some(q)
                } else {
                    None
                };
                OperatorKind::Facet { columns, with }
            }
            "partition" => {
                let params = self.params(Params::Hints)?;
                self.expect_word("by")?;
                let by = self.name("a column name after 'by'")?;
                let close = if self.eat(TokenKind::LParen) {
                    TokenKind::RParen
                } else if self.eat(TokenKind::LBrace) {
                    TokenKind::RBrace
                } else {
                    return Err(self.expected("'(' or '{' to start the partition sub-query"));
                };
                let body = self.sub_query()?;
                self.expect(close, "the end of the partition sub-query")?;
                OperatorKind::Partition { params, by, body }
            }
            "scan" => self.scan()?,
            "consume" => OperatorKind::Consume {
                params: self.params(Params::Named(&["decodeblocks"]))?,
            },
            "reduce" => {
                let mut params = self.params(Params::Named(&["kind"]))?;
                self.expect_word("by")?;
                let by = self.expr()?;
                if self.eat_word("with") {
                    params.extend(self.comma_list(|p| p.param_any())?);
                }
                OperatorKind::Reduce { by, params }
            }
            _ => {
                return Err(self.error_at(
                    word_span,
                    format!("Syntax error: '{word}' is not a query operator"),
                ));
            }
        })
    }

    fn predicate(&mut self, op: &str) -> Result<Expr, ParseError> {
        if self.at_operator_end() {
            return Err(self.expected(&format!("a predicate after '{op}'")));
        }
        self.expr()
    }

    fn named_list(&mut self, op: &str) -> Result<Vec<NamedExpr>, ParseError> {
        if self.at_operator_end() {
            return Err(self.expected(&format!("a column expression after '{op}'")));
        }
        self.comma_list(|p| p.named_expr())
    }

    /// At the end of an operator: `|`, `;`, `)`, or the end of the query.
    pub(crate) fn at_operator_end(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Pipe
                | TokenKind::Semi
                | TokenKind::RParen
                | TokenKind::RBrace
                | TokenKind::Eof
        )
    }

    fn reorder_direction(&mut self) -> Option<String> {
        for word in ["asc", "desc"] {
            if self.eat_word(word) {
                return Some(word.into());
            }
        }
        if self.at_word("granny")
            && self.kind_at(1) == TokenKind::Minus
            && self.adjacent(0)
            && self.adjacent(1)
        {
            let dir = self.text(self.peek_at(2));
            if dir == "asc" || dir == "desc" {
                let dir = format!("granny-{dir}");
                self.advance();
                self.advance();
                self.advance();
                return Some(dir);
            }
        }
        None
    }

    /// `name=value` settings: `kind=inner`, `hint.strategy=broadcast`.
    fn params(&mut self, allowed: Params) -> Result<Vec<OpParam>, ParseError> {
        let mut params = Vec::new();
        while let Some(width) = self.param_name_width() {
            let name = self.dotted_name_text(width);
            if !allowed.allows(&name) {
                break;
            }
            params.push(self.param_after_name(width)?);
        }
        Ok(params)
    }

    /// If a `name=` or `a.b=` setting starts here, how many tokens its name takes.
    fn param_name_width(&self) -> Option<usize> {
        if self.kind() != TokenKind::Ident {
            return None;
        }
        let mut n = 1;
        while self.kind_at(n) == TokenKind::Dot && self.kind_at(n + 1) == TokenKind::Ident {
            n += 2;
        }
        (self.kind_at(n) == TokenKind::Assign).then_some(n)
    }

    fn dotted_name_text(&self, width: usize) -> String {
        let a = self.peek().span;
        let b = self.peek_at(width - 1).span;
        self.src[a.start as usize..b.end as usize].to_string()
    }

    fn param_after_name(&mut self, width: usize) -> Result<OpParam, ParseError> {
        let start = self.peek().span;
        let text = self.dotted_name_text(width);
        for _ in 0..width {
            self.advance();
        }
        let name = Ident::new(text, self.span_from(start));
        self.advance(); // =
        let value = self.param_value()?;
        Ok(OpParam { name, value })
    }

    /// A setting's value: a literal, a name, or a parenthesised list.
    fn param_value(&mut self) -> Result<Expr, ParseError> {
        if self.at_operator_end() {
            return Err(self.expected("a value after '='"));
        }
        // A bare word is a name even before `(`: `join kind=inner (T) on x`.
        let t = self.peek();
        if t.kind == TokenKind::Ident
            && !matches!(self.text(t), "dynamic" | "long" | "int" | "real" | "bool")
            || matches!(self.text(t), "true" | "false")
        {
            if let Some(b) = match self.text(t) {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            } {
                self.advance();
                return Ok(Expr::new(ExprKind::Literal(Literal::Bool(b)), t.span));
            }
            self.advance();
            return Ok(Expr::new(
                ExprKind::Name(Ident::new(self.text(t), t.span)),
                t.span,
            ));
        }
        self.unary_value()
    }

    /// A unary expression: a literal (negative ones too), a name or a call.
    fn unary_value(&mut self) -> Result<Expr, ParseError> {
        self.unary()
    }

    /// Any `name = value` pair (render properties, `with (...)` options).
    pub(crate) fn param_any(&mut self) -> Result<OpParam, ParseError> {
        match self.param_name_width() {
            Some(width) => self.param_after_name(width),
            None => Err(self.expected("'name = value'")),
        }
    }

    fn summarize(&mut self) -> Result<OperatorKind, ParseError> {
        let params = self.params(Params::Hints)?;
        let aggs = if self.at_word("by") || self.at_operator_end() {
            Vec::new()
        } else {
            self.comma_list(|p| p.named_expr())?
        };
        let by = if self.eat_word("by") {
            self.comma_list(|p| p.named_expr())?
        } else {
            Vec::new()
        };
        Ok(OperatorKind::Summarize { params, aggs, by })
    }

    fn top_nested_level(&mut self) -> Result<TopNestedLevel, ParseError> {
        let count = if self.at_word("of") {
            None
        } else {
            Some(self.expr()?)
        };
        self.expect_word("of")?;
        let of = self.named_expr()?;
        let others = if self.at_word("with") && self.is_word_at(1, "others") {
            self.advance();
            self.advance();
            self.expect(TokenKind::Assign, "'=' after 'with others'")?;
            Some(NamedExpr {
                names: Vec::new(),
                expr: self.expr()?,
            })
        } else {
            None
        };
        self.expect_word("by")?;
        let by = self.named_expr()?;
        let order = if self.eat_word("asc") {
            Some(SortOrder::Asc)
        } else if self.eat_word("desc") {
            Some(SortOrder::Desc)
        } else {
            None
        };
        Ok(TopNestedLevel {
            count,
            of,
            others,
            by,
            order,
        })
    }

    fn join(&mut self) -> Result<OperatorKind, ParseError> {
        let params = self.params(Params::Named(&["kind", "withsource"]))?;
        let right = self.join_right()?;
        let (on, predicate) = if self.eat_word("on") {
            (self.comma_list(|p| p.expr())?, None)
        } else if self.eat_word("where") {
            (Vec::new(), Some(self.expr()?))
        } else {
            return Err(self.expected("'on' or 'where' after the right side of the join"));
        };
        Ok(OperatorKind::Join {
            params,
            right,
            on,
            predicate,
        })
    }

    /// The right side of `join`/`lookup`: a name, a call or a parenthesised query.
    fn join_right(&mut self) -> Result<Expr, ParseError> {
        if self.at_word("on") || self.at_operator_end() {
            return Err(self.expected("the right side of the join"));
        }
        self.nested(|p| p.unary())
    }

    pub(crate) fn union_body(&mut self) -> Result<Union, ParseError> {
        let params = self.params(Params::Named(&["kind", "withsource", "isfuzzy"]))?;
        let tables = self.comma_list(|p| p.table_ref())?;
        Ok(Union { params, tables })
    }

    /// A table in `union`, `search in`, `find in`: a name (wildcards allowed), a call, or
    /// a parenthesised query.
    pub(crate) fn table_ref(&mut self) -> Result<Expr, ParseError> {
        let wildcard = match self.kind() {
            TokenKind::Star => true,
            TokenKind::Ident => self.kind_at(1) == TokenKind::Star && self.adjacent(0),
            _ => false,
        };
        if wildcard {
            let pattern = self.column_pattern()?;
            return Ok(Expr::new(
                ExprKind::Name(Ident::new(pattern.pattern, pattern.span)),
                pattern.span,
            ));
        }
        if self.at_operator_end() {
            return Err(self.expected("a table"));
        }
        self.nested(|p| p.unary())
    }

    fn mv_item(&mut self) -> Result<MvItem, ParseError> {
        let named = self.named_expr()?;
        if named.names.len() > 1 {
            return Err(self.error_at(
                named.expr.span,
                "Syntax error: mv-expand takes one name per column",
            ));
        }
        let to_type = if self.eat_word("to") {
            self.expect_word("typeof")?;
            self.expect(TokenKind::LParen, "'(' after 'typeof'")?;
            let ty = self.type_name()?;
            self.expect(TokenKind::RParen, "')'")?;
            Some(ty)
        } else {
            None
        };
        Ok(MvItem {
            name: named.names.into_iter().next(),
            expr: named.expr,
            to_type,
        })
    }

    fn mv_apply(&mut self) -> Result<OperatorKind, ParseError> {
        let mut params = self.params(Params::Named(&["with_itemindex", "bagexpansion", "kind"]))?;
        let items = self.comma_list(|p| p.mv_item())?;
        let limit = if self.eat_word("limit") {
            Some(self.expr()?)
        } else {
            None
        };
        params.extend(self.params(Params::Named(&["with_itemindex"]))?);
        self.expect_word("on")?;
        self.expect(TokenKind::LParen, "'(' to start the mv-apply sub-query")?;
        let body = self.sub_query()?;
        self.expect(TokenKind::RParen, "')' to close the mv-apply sub-query")?;
        Ok(OperatorKind::MvApply {
            params,
            items,
            limit,
            body,
        })
    }

    /// The inside of `fork (...)`, `facet ... with (...)`, `mv-apply ... on (...)`,
    /// `partition ... (...)`: operators applied to the outer input, or a full query.
    pub(crate) fn sub_query(&mut self) -> Result<SubQuery, ParseError> {
        self.nested(|p| {
            let t = p.peek();
            let starts_with_operator = t.kind == TokenKind::Ident
                && OPERATOR_NAMES.contains(&p.text(t))
                && !matches!(
                    p.kind_at(1),
                    TokenKind::LParen | TokenKind::Dot | TokenKind::Assign
                )
                || t.kind == TokenKind::Ident && p.operator_word_ahead();
            if starts_with_operator {
                let mut ops = vec![p.operator()?];
                while p.eat(TokenKind::Pipe) {
                    ops.push(p.operator()?);
                }
                Ok(SubQuery::Ops(ops))
            } else {
                Ok(SubQuery::Expr(p.pipe_expr()?))
            }
        })
    }

    /// A hyphenated operator name such as `mv-expand` or `project-away` is next.
    fn operator_word_ahead(&self) -> bool {
        if !(self.kind_at(1) == TokenKind::Minus
            && self.kind_at(2) == TokenKind::Ident
            && self.adjacent(0)
            && self.adjacent(1))
        {
            return false;
        }
        let word = format!("{}-{}", self.text(self.peek()), self.text(self.peek_at(2)));
        OPERATOR_NAMES.contains(&word.as_str())
    }

    fn parse_op(&mut self, where_: bool) -> Result<OperatorKind, ParseError> {
        let params = self.params(Params::Named(&["kind", "flags"]))?;
        let source = self.expr()?;
        self.expect_word("with")?;
        let mut pattern = Vec::new();
        while !self.at_operator_end() {
            let t = self.peek();
            match t.kind {
                TokenKind::String => pattern.push(ParsePart::Literal(self.string_literal()?.0)),
                TokenKind::Star => {
                    self.advance();
                    pattern.push(ParsePart::Star);
                }
                TokenKind::Ident | TokenKind::LBracket => {
                    let name = self.name("a column name")?;
                    let ty = if self.eat(TokenKind::Colon) {
                        Some(self.type_name()?)
                    } else {
                        None
                    };
                    pattern.push(ParsePart::Column { name, ty });
                }
                _ => {
                    return Err(
                        self.expected("a string, a column name or '*' in the parse pattern")
                    );
                }
            }
        }
        if pattern.is_empty() {
            return Err(self.expected("a pattern after 'with'"));
        }
        Ok(OperatorKind::Parse {
            where_,
            params,
            source,
            pattern,
        })
    }

    fn parse_kv(&mut self) -> Result<OperatorKind, ParseError> {
        let source = self.expr()?;
        self.expect_word("as")?;
        self.expect(TokenKind::LParen, "'(' to start the column list")?;
        let columns = self.column_decls()?;
        self.expect(TokenKind::RParen, "')'")?;
        let options = if self.eat_word("with") {
            self.expect(TokenKind::LParen, "'(' after 'with'")?;
            let opts = self.comma_list(|p| p.param_any())?;
            self.expect(TokenKind::RParen, "')'")?;
            opts
        } else {
            Vec::new()
        };
        Ok(OperatorKind::ParseKv {
            source,
            columns,
            options,
        })
    }

    fn plugin_call(&mut self) -> Result<Expr, ParseError> {
        let e = self.nested(|p| p.unary())?;
        if !matches!(e.kind, ExprKind::Call { .. }) {
            return Err(self.error_at(
                e.span,
                "Syntax error: 'evaluate' expects a plugin call such as bag_unpack(x)",
            ));
        }
        Ok(e)
    }

    fn make_series(&mut self) -> Result<OperatorKind, ParseError> {
        let params = self.params(Params::Named(&["kind"]))?;
        let aggs = self.comma_list(|p| {
            let agg = p.named_expr()?;
            let default = if p.at_word("default") && p.kind_at(1) == TokenKind::Assign {
                p.advance();
                p.advance();
                Some(p.unary_value()?)
            } else {
                None
            };
            Ok(MakeSeriesAgg { agg, default })
        })?;
        self.expect_word("on")?;
        let on = self.additive()?;
        let range = if self.eat_word("in") {
            self.expect_word("range")?;
            self.expect(TokenKind::LParen, "'(' after 'range'")?;
            let start = self.expr()?;
            self.expect(TokenKind::Comma, "','")?;
            let stop = self.expr()?;
            self.expect(TokenKind::Comma, "','")?;
            let step = self.expr()?;
            self.expect(TokenKind::RParen, "')'")?;
            SeriesRange::InRange { start, stop, step }
        } else {
            let from = if self.eat_word("from") {
                Some(self.additive()?)
            } else {
                None
            };
            let to = if self.eat_word("to") {
                Some(self.additive()?)
            } else {
                None
            };
            self.expect_word("step")?;
            let step = self.additive()?;
            SeriesRange::FromTo { from, to, step }
        };
        let by = if self.eat_word("by") {
            self.comma_list(|p| p.named_expr())?
        } else {
            Vec::new()
        };
        Ok(OperatorKind::MakeSeries {
            params,
            aggs,
            on,
            range,
            by,
        })
    }

    fn render(&mut self) -> Result<OperatorKind, ParseError> {
        let visualization = self.name("a visualization such as 'timechart'")?;
        let mut properties = Vec::new();
        while self.param_name_width().is_some() {
            properties.push(self.param_any()?);
        }
        if self.eat_word("with") {
            self.expect(TokenKind::LParen, "'(' after 'with'")?;
            if !self.at(TokenKind::RParen) {
                properties.extend(self.comma_list(|p| p.param_any())?);
            }
            self.expect(TokenKind::RParen, "')'")?;
        }
        Ok(OperatorKind::Render {
            visualization,
            properties,
        })
    }

    pub(crate) fn search_body(&mut self) -> Result<Search, ParseError> {
        let params = self.params(Params::Named(&["kind", "withsource"]))?;
        let tables = if self.at_word("in") && self.kind_at(1) == TokenKind::LParen {
            self.advance();
            self.advance();
            let t = self.comma_list(|p| p.table_ref())?;
            self.expect(TokenKind::RParen, "')'")?;
            t
        } else {
            Vec::new()
        };
        let predicate = self.search_predicate()?;
        Ok(Search {
            params,
            tables,
            predicate,
        })
    }

    pub(crate) fn search_predicate(&mut self) -> Result<Expr, ParseError> {
        if self.at_operator_end() {
            return Err(self.expected("a search predicate"));
        }
        let saved = self.search_mode;
        self.search_mode = true;
        let r = if self.at(TokenKind::Star) && !self.adjacent(0) {
            // `search * has "x"`: the star stands for every column.
            let t = self.advance();
            let star = Expr::new(ExprKind::Star, t.span);
            self.comparison_rest(star)
        } else {
            self.expr()
        };
        self.search_mode = saved;
        r
    }

    fn fork(&mut self) -> Result<OperatorKind, ParseError> {
        let mut branches = Vec::new();
        loop {
            let name = if self.at_name() && self.kind_at(self.name_len()) == TokenKind::Assign {
                let n = self.name("a name")?;
                self.advance();
                Some(n)
            } else {
                None
            };
            if !self.eat(TokenKind::LParen) {
                if branches.is_empty() || name.is_some() {
                    return Err(self.expected("'(' to start a fork branch"));
                }
                break;
            }
            let q = self.sub_query()?;
            self.expect(TokenKind::RParen, "')' to close the fork branch")?;
            branches.push((name, q));
        }
        Ok(OperatorKind::Fork(branches))
    }

    fn scan(&mut self) -> Result<OperatorKind, ParseError> {
        let mut params = self.params(Params::Named(&["with_match_id"]))?;
        let mut declare = Vec::new();
        if self.eat_word("declare") {
            self.expect(TokenKind::LParen, "'(' after 'declare'")?;
            declare = self.comma_list(|p| {
                let name = p.name("a column name")?;
                p.expect(TokenKind::Colon, "':' after the column name")?;
                let ty = p.type_name()?;
                let default = if p.eat(TokenKind::Assign) {
                    Some(p.unary_value()?)
                } else {
                    None
                };
                Ok((ColumnDecl { name, ty }, default))
            })?;
            self.expect(TokenKind::RParen, "')'")?;
        }
        params.extend(self.params(Params::Named(&["with_match_id"]))?);
        self.expect_word("with")?;
        self.expect(TokenKind::LParen, "'(' after 'with'")?;
        let mut steps = Vec::new();
        while self.eat_word("step") {
            let name = self.name("a step name")?;
            let output = if self.eat_word("output") {
                self.expect(TokenKind::Assign, "'=' after 'output'")?;
                Some(self.name("all, last or none")?)
            } else {
                None
            };
            self.expect(TokenKind::Colon, "':' after the step name")?;
            let condition = self.expr()?;
            let assignments = if self.eat(TokenKind::Arrow) {
                self.comma_list(|p| p.named_expr())?
            } else {
                Vec::new()
            };
            self.expect(TokenKind::Semi, "';' after the step")?;
            steps.push(ScanStep {
                name,
                output,
                condition,
                assignments,
            });
        }
        if steps.is_empty() {
            return Err(self.expected("'step'"));
        }
        self.expect(TokenKind::RParen, "')' to close the scan steps")?;
        Ok(OperatorKind::Scan {
            params,
            declare,
            steps,
        })
    }

    /// `Name:type, ...` as in `datatable`, `externaldata`, `parse-kv`.
    pub(crate) fn column_decls(&mut self) -> Result<Vec<ColumnDecl>, ParseError> {
        self.comma_list(|p| p.column_decl())
    }

    fn column_decl(&mut self) -> Result<ColumnDecl, ParseError> {
        let name = self.name("a column name")?;
        self.expect(TokenKind::Colon, "':' and a type after the column name")?;
        let ty = self.type_name()?;
        Ok(ColumnDecl { name, ty })
    }

    pub(crate) fn type_name(&mut self) -> Result<ScalarType, ParseError> {
        let t = self.peek();
        if t.kind == TokenKind::Ident
            && let Some(ty) = ScalarType::from_name(self.text(t))
        {
            self.advance();
            return Ok(ty);
        }
        if let TokenKind::Raw(_) = t.kind {
            // `datetime` / `timespan` / `guid` lexed with a following `(`: not a type here.
            return Err(self.expected("a type name"));
        }
        Err(self.expected("a type name such as string, long or datetime"))
    }
}
