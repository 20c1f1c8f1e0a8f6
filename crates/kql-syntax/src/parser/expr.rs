//! Scalar expressions by precedence, and pipelines.
//!
//! Precedence, loosest first: `|` pipe, `or`, `and`, comparisons and string/set
//! operators, `+ -`, `* / %`, unary `- +`, postfix `.name` / `[index]`, primaries.

use super::Parser;
use crate::ast::*;
use crate::error::ParseError;
use crate::lexer::TokenKind;
use crate::span::Span;

/// Words that end an expression rather than name a column.
const RESERVED: &[&str] = &["and", "or"];

impl Parser<'_> {
    /// A tabular or scalar expression, with an optional `| operator ...` tail.
    pub(crate) fn pipe_expr(&mut self) -> Result<Expr, ParseError> {
        self.nested(|p| {
            let source = p.source_or_expr()?;
            if !p.at(TokenKind::Pipe) {
                return Ok(source);
            }
            let mut ops = Vec::new();
            while p.eat(TokenKind::Pipe) {
                ops.push(p.operator()?);
            }
            let span = p.span_from(source.span);
            Ok(Expr::new(
                ExprKind::Pipe {
                    source: Box::new(source),
                    ops,
                },
                span,
            ))
        })
    }

    /// A scalar expression (no pipes at its top level). Not a nesting level itself:
    /// every way back into it from inside passes through one.
    pub(crate) fn expr(&mut self) -> Result<Expr, ParseError> {
        self.or_expr()
    }

    fn or_expr(&mut self) -> Result<Expr, ParseError> {
        self.logical(LogicalOp::Or, "or", Self::and_expr)
    }

    fn and_expr(&mut self) -> Result<Expr, ParseError> {
        self.logical(LogicalOp::And, "and", Self::comparison)
    }

    fn logical(
        &mut self,
        op: LogicalOp,
        word: &str,
        next: fn(&mut Self) -> Result<Expr, ParseError>,
    ) -> Result<Expr, ParseError> {
        let first = next(self)?;
        if !self.at_word(word) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.at_word(word) {
            let kw = self.advance();
            if self.ends_expression() {
                return Err(self.expected(&format!("an expression after '{}'", self.text(kw))));
            }
            operands.push(next(self)?);
        }
        let span = operands[0].span.to(self.prev_span());
        Ok(Expr::new(ExprKind::Logical { op, operands }, span))
    }

    fn ends_expression(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Eof
                | TokenKind::Pipe
                | TokenKind::Semi
                | TokenKind::RParen
                | TokenKind::Comma
        )
    }

    /// A comparison or string/set operator over two additive expressions.
    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let left = self.additive()?;
        self.comparison_rest(left)
    }

    /// At most one comparison: Kusto rejects `a == b == c`.
    pub(crate) fn comparison_rest(&mut self, left: Expr) -> Result<Expr, ParseError> {
        let start_pos = self.pos;
        if let Some(op) = self.comparison_op() {
            let right = self.nested(|p| p.operand_after(start_pos))?;
            let span = left.span.to(right.span);
            return Ok(Expr::new(
                ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            ));
        }
        if let Some(op) = self.list_op() {
            return self.nested(|p| p.in_list(op, left));
        }
        if let Some(negated) = self.between_op() {
            return self.nested(|p| p.between(negated, left));
        }
        if self.search_mode
            && self.at(TokenKind::Colon)
            && let ExprKind::Name(column) = &left.kind
        {
            {
                let column = column.clone();
                self.advance();
                let term = self.nested(|p| p.additive())?;
                let span = left.span.to(term.span);
                return Ok(Expr::new(
                    ExprKind::SearchColumn {
                        column,
                        term: Box::new(term),
                    },
                    span,
                ));
            }
        }
        Ok(left)
    }

    /// Each link of an operator chain counts as one nesting level until the chain ends.
    fn chain_link(
        &mut self,
        chain: &mut u32,
        f: impl FnOnce(&mut Self) -> Result<Expr, ParseError>,
    ) -> Result<Expr, ParseError> {
        if let Err(e) = self.enter() {
            self.depth -= *chain + 1;
            return Err(e);
        }
        *chain += 1;
        match f(self) {
            Ok(e) => Ok(e),
            Err(e) => {
                self.depth -= *chain;
                Err(e)
            }
        }
    }

    /// The right operand of a binary operator whose tokens start at `op_pos`.
    fn operand_after(&mut self, op_pos: usize) -> Result<Expr, ParseError> {
        if self.ends_expression() || self.at_word("and") || self.at_word("or") {
            return Err(self.missing_operand(op_pos));
        }
        self.additive()
    }

    /// "expected an expression after '=='", pointing where the operand should be.
    fn missing_operand(&self, op_pos: usize) -> ParseError {
        let op_text =
            &self.src[self.tokens[op_pos].span.start as usize..self.prev_span().end as usize];
        let t = self.peek();
        let msg = format!("Syntax error: expected an expression after '{op_text}'");
        self.error_at(
            if t.kind == TokenKind::Eof {
                self.prev_span()
            } else {
                t.span
            },
            msg,
        )
    }

    /// Consumes a comparison or string operator, if one is next.
    fn comparison_op(&mut self) -> Option<BinaryOp> {
        let simple = match self.kind() {
            TokenKind::EqEq => Some(BinaryOp::Eq),
            TokenKind::NotEq | TokenKind::LtGt => Some(BinaryOp::NotEq),
            TokenKind::EqTilde => Some(BinaryOp::EqCi),
            TokenKind::BangTilde => Some(BinaryOp::NotEqCi),
            TokenKind::Lt => Some(BinaryOp::Lt),
            TokenKind::Le => Some(BinaryOp::Le),
            TokenKind::Gt => Some(BinaryOp::Gt),
            TokenKind::Ge => Some(BinaryOp::Ge),
            _ => None,
        };
        if simple.is_some() {
            self.advance();
            return simple;
        }
        match self.kind() {
            TokenKind::Ident => {
                let word = self.text(self.peek());
                if word == "matches" && self.is_word_at(1, "regex") {
                    self.advance();
                    self.advance();
                    return Some(BinaryOp::MatchesRegex);
                }
                let op = string_op(word, false)?;
                self.advance();
                Some(op)
            }
            TokenKind::Bang if self.adjacent(0) && self.kind_at(1) == TokenKind::Ident => {
                let word = self.text(self.peek_at(1));
                let op = string_op(word, true)?;
                self.advance();
                self.advance();
                Some(op)
            }
            _ => None,
        }
    }

    /// Consumes `in`, `!in~`, `has_any`, ... if one is next.
    fn list_op(&mut self) -> Option<ListOp> {
        let (negated, word_at) = match self.kind() {
            TokenKind::Ident => (false, 0),
            TokenKind::Bang if self.adjacent(0) && self.kind_at(1) == TokenKind::Ident => (true, 1),
            _ => return None,
        };
        let word = self.text(self.peek_at(word_at));
        let tilde = self.kind_at(word_at + 1) == TokenKind::Tilde && self.adjacent(word_at);
        let op = match (word, negated, tilde) {
            ("in", false, false) => ListOp::In,
            ("in", true, false) => ListOp::NotIn,
            ("in", false, true) => ListOp::InCi,
            ("in", true, true) => ListOp::NotInCi,
            ("has_any", false, false) => ListOp::HasAny,
            ("has_all", false, false) => ListOp::HasAll,
            _ => return None,
        };
        for _ in 0..(word_at + 1 + tilde as usize) {
            self.advance();
        }
        Some(op)
    }

    fn between_op(&mut self) -> Option<bool> {
        if self.at_word("between") {
            self.advance();
            return Some(false);
        }
        if self.at(TokenKind::Bang) && self.adjacent(0) && self.is_word_at(1, "between") {
            self.advance();
            self.advance();
            return Some(true);
        }
        if self.at_word("notbetween") {
            self.advance();
            return Some(true);
        }
        None
    }

    /// `x in (a, b)`, `x in (T | project y)`, `x has_any (list)`.
    fn in_list(&mut self, op: ListOp, left: Expr) -> Result<Expr, ParseError> {
        self.expect(TokenKind::LParen, &format!("'(' after '{}'", op.keyword()))?;
        if self.at(TokenKind::RParen) {
            return Err(self.expected("a list of values"));
        }
        let list = self.comma_list(|p| p.pipe_expr())?;
        self.expect(TokenKind::RParen, "')' to close the list")?;
        let span = self.span_from(left.span);
        Ok(Expr::new(
            ExprKind::InList {
                op,
                expr: Box::new(left),
                list,
            },
            span,
        ))
    }

    fn between(&mut self, negated: bool, left: Expr) -> Result<Expr, ParseError> {
        self.expect(TokenKind::LParen, "'(' after 'between'")?;
        let low = self.additive()?;
        self.expect(TokenKind::DotDot, "'..' between the bounds")?;
        let high = self.additive()?;
        self.expect(TokenKind::RParen, "')' to close the range")?;
        let span = self.span_from(left.span);
        Ok(Expr::new(
            ExprKind::Between {
                negated,
                expr: Box::new(left),
                low: Box::new(low),
                high: Box::new(high),
            },
            span,
        ))
    }

    pub(crate) fn additive(&mut self) -> Result<Expr, ParseError> {
        self.binary_level(Self::multiplicative, |k| match k {
            TokenKind::Plus => Some(BinaryOp::Add),
            TokenKind::Minus => Some(BinaryOp::Sub),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> Result<Expr, ParseError> {
        self.binary_level(Self::unary, |k| match k {
            TokenKind::Star => Some(BinaryOp::Mul),
            TokenKind::Slash => Some(BinaryOp::Div),
            TokenKind::Percent => Some(BinaryOp::Mod),
            _ => None,
        })
    }

    fn binary_level(
        &mut self,
        next: fn(&mut Self) -> Result<Expr, ParseError>,
        op_of: fn(TokenKind) -> Option<BinaryOp>,
    ) -> Result<Expr, ParseError> {
        let mut left = next(self)?;
        let mut chain = 0;
        while let Some(op) = op_of(self.kind()) {
            let op_pos = self.pos;
            self.advance();
            left = self.chain_link(&mut chain, |p| {
                if p.ends_expression() {
                    return Err(p.missing_operand(op_pos));
                }
                let right = next(p)?;
                let span = left.span.to(right.span);
                Ok(Expr::new(
                    ExprKind::Binary {
                        op,
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    span,
                ))
            })?;
        }
        self.depth -= chain;
        Ok(left)
    }

    pub(crate) fn unary(&mut self) -> Result<Expr, ParseError> {
        let op = match self.kind() {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Plus => UnaryOp::Plus,
            _ => return self.postfix(),
        };
        let start = self.advance().span;
        // `-5`, `-1d`: a signed literal, so that printing and re-parsing agree.
        if op == UnaryOp::Neg
            && let Some(lit) = self.negative_literal()?
        {
            return Ok(Expr::new(ExprKind::Literal(lit), self.span_from(start)));
        }
        let operand = self.nested(|p| p.unary())?;
        let span = start.to(operand.span);
        Ok(Expr::new(
            ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
            span,
        ))
    }

    /// After a `-`: a number or timespan literal becomes negative, unless a postfix follows.
    fn negative_literal(&mut self) -> Result<Option<Literal>, ParseError> {
        let t = self.peek();
        if !matches!(
            t.kind,
            TokenKind::Int | TokenKind::Real | TokenKind::Timespan
        ) {
            return Ok(None);
        }
        if matches!(self.kind_at(1), TokenKind::Dot | TokenKind::LBracket) {
            return Ok(None);
        }
        self.advance();
        let text = format!("-{}", self.text(t));
        self.number_literal(t.kind, &text, t.span).map(Some)
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.primary()?;
        let mut chain = 0;
        loop {
            match self.kind() {
                TokenKind::Dot => {
                    e = self.chain_link(&mut chain, |p| {
                        p.advance();
                        if p.at(TokenKind::LBracket) && !p.at_name() {
                            // `a.[expr]` is `a[expr]`.
                            p.advance();
                            let index = p.expr()?;
                            p.expect(TokenKind::RBracket, "']' to close the index")?;
                            let span = p.span_from(e.span);
                            return Ok(Expr::new(
                                ExprKind::Index {
                                    target: Box::new(e),
                                    index: Box::new(index),
                                },
                                span,
                            ));
                        }
                        if p.at(TokenKind::LBracket) {
                            // `a.['b c']`
                            let name = p.name("a property name after '.'")?;
                            let span = e.span.to(name.span);
                            return Ok(Expr::new(
                                ExprKind::Member {
                                    target: Box::new(e),
                                    name,
                                },
                                span,
                            ));
                        }
                        let t = p.peek();
                        if !matches!(t.kind, TokenKind::Ident | TokenKind::Int) {
                            return Err(p.expected("a property name after '.'"));
                        }
                        p.advance();
                        let name = Ident::new(p.text(t), t.span);
                        let span = e.span.to(t.span);
                        Ok(Expr::new(
                            ExprKind::Member {
                                target: Box::new(e),
                                name,
                            },
                            span,
                        ))
                    })?;
                }
                TokenKind::LBracket => {
                    e = self.chain_link(&mut chain, |p| {
                        p.advance();
                        let index = p.expr()?;
                        p.expect(TokenKind::RBracket, "']' to close the index")?;
                        let span = p.span_from(e.span);
                        Ok(Expr::new(
                            ExprKind::Index {
                                target: Box::new(e),
                                index: Box::new(index),
                            },
                            span,
                        ))
                    })?;
                }
                _ => break,
            }
        }
        self.depth -= chain;
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let t = self.peek();
        match t.kind {
            TokenKind::Int | TokenKind::Real | TokenKind::Timespan => {
                self.advance();
                let lit = self.number_literal(t.kind, self.text(t), t.span)?;
                Ok(Expr::new(ExprKind::Literal(lit), t.span))
            }
            TokenKind::String => {
                let (value, span) = self.string_literal()?;
                Ok(Expr::new(ExprKind::Literal(Literal::String(value)), span))
            }
            TokenKind::Raw(kind) => {
                self.advance();
                let lit = self.raw_literal(kind, t)?;
                Ok(Expr::new(ExprKind::Literal(lit), t.span))
            }
            TokenKind::LParen => {
                self.advance();
                // `(5)`, `(-1d)`: the printer writes `-(5)` for a negated literal, so a
                // parenthesised literal costs no nesting depth (else a query that parsed at
                // the depth limit would not parse once printed).
                let sign = usize::from(self.at(TokenKind::Minus));
                let literal_only = matches!(
                    self.kind_at(sign),
                    TokenKind::Int | TokenKind::Real | TokenKind::Timespan | TokenKind::Raw(_)
                ) && self.kind_at(sign + 1) == TokenKind::RParen;
                let inner = if literal_only {
                    self.unary()?
                } else {
                    self.pipe_expr()?
                };
                let close = self.expect(TokenKind::RParen, "')'")?;
                Ok(Expr::new(inner.kind, t.span.to(close.span)))
            }
            TokenKind::Star => {
                // `where * has "x"`: every column.
                self.advance();
                Ok(Expr::new(ExprKind::Star, t.span))
            }
            TokenKind::LBracket if self.at_name() => {
                let id = self.name("a name")?;
                let span = id.span;
                Ok(Expr::new(ExprKind::Name(id), span))
            }
            TokenKind::Ident => self.word_primary(),
            _ => Err(self.expected("an expression")),
        }
    }

    /// Adjacent string literals concatenate: `"a" 'b'` is `"ab"`.
    pub(crate) fn string_literal(&mut self) -> Result<(String, Span), ParseError> {
        let first = self.expect(TokenKind::String, "a string literal")?;
        let mut value = self.string_value(first)?;
        let mut span = first.span;
        while self.at(TokenKind::String) {
            let t = self.advance();
            value.push_str(&self.string_value(t)?);
            span = span.to(t.span);
        }
        Ok((value, span))
    }

    fn word_primary(&mut self) -> Result<Expr, ParseError> {
        let t = self.peek();
        let word = self.text(t);
        let called = self.kind_at(1) == TokenKind::LParen;
        if RESERVED.contains(&word) {
            return Err(self.expected("an expression"));
        }
        match word {
            "true" | "True" | "TRUE" => {
                self.advance();
                return Ok(Expr::new(ExprKind::Literal(Literal::Bool(true)), t.span));
            }
            "false" | "False" | "FALSE" => {
                self.advance();
                return Ok(Expr::new(ExprKind::Literal(Literal::Bool(false)), t.span));
            }
            "dynamic" if called => return self.dynamic_literal(),
            "int" | "long" | "real" | "double" | "decimal" | "bool" | "boolean" if called => {
                return self.typed_literal();
            }
            _ => {}
        }
        self.advance();
        let name = Ident::new(word, t.span);
        if !called {
            return Ok(Expr::new(ExprKind::Name(name), t.span));
        }
        self.advance();
        let args = self.nested(|p| p.call_args())?;
        Ok(Expr::new(
            ExprKind::Call { name, args },
            self.span_from(t.span),
        ))
    }

    /// After `(`: arguments up to and including `)`.
    pub(crate) fn call_args(&mut self) -> Result<Vec<Arg>, ParseError> {
        let mut args = Vec::new();
        if self.eat(TokenKind::RParen) {
            return Ok(args);
        }
        loop {
            args.push(self.arg()?);
            if self.eat(TokenKind::Comma) {
                continue;
            }
            self.expect(TokenKind::RParen, "',' or ')' in the argument list")?;
            return Ok(args);
        }
    }

    fn arg(&mut self) -> Result<Arg, ParseError> {
        let t = self.peek();
        if t.kind == TokenKind::Star
            && matches!(self.kind_at(1), TokenKind::Comma | TokenKind::RParen)
        {
            self.advance();
            return Ok(Arg {
                name: None,
                value: Expr::new(ExprKind::Star, t.span),
            });
        }
        let name_width = if self.at(TokenKind::LBracket) { 3 } else { 1 };
        if self.at_name() && self.kind_at(name_width) == TokenKind::Assign {
            let name = self.name("an argument name")?;
            self.advance();
            let value = self.pipe_expr()?;
            return Ok(Arg {
                name: Some(name),
                value,
            });
        }
        Ok(Arg {
            name: None,
            value: self.pipe_expr()?,
        })
    }

    /// `[Name =] Expr` or `(A, B) = Expr`.
    pub(crate) fn named_expr(&mut self) -> Result<NamedExpr, ParseError> {
        if let Some(names) = self.tuple_target()? {
            let expr = self.expr()?;
            return Ok(NamedExpr { names, expr });
        }
        if self.at_name() {
            let width = if self.at(TokenKind::LBracket) { 3 } else { 1 };
            if self.kind_at(width) == TokenKind::Assign {
                let name = self.name("a column name")?;
                self.advance();
                if self.ends_expression() {
                    return Err(self.expected("an expression after '='"));
                }
                let expr = self.expr()?;
                return Ok(NamedExpr {
                    names: vec![name],
                    expr,
                });
            }
        }
        Ok(NamedExpr {
            names: Vec::new(),
            expr: self.expr()?,
        })
    }

    /// `(A, B) =` ahead? Then consume it and return the names.
    fn tuple_target(&mut self) -> Result<Option<Vec<Ident>>, ParseError> {
        if !self.at(TokenKind::LParen) {
            return Ok(None);
        }
        let mut n = 1;
        loop {
            match self.kind_at(n) {
                TokenKind::Ident => n += 1,
                TokenKind::LBracket
                    if self.kind_at(n + 1) == TokenKind::String
                        && self.kind_at(n + 2) == TokenKind::RBracket =>
                {
                    n += 3
                }
                _ => return Ok(None),
            }
            match self.kind_at(n) {
                TokenKind::Comma => n += 1,
                TokenKind::RParen if self.kind_at(n + 1) == TokenKind::Assign => break,
                _ => return Ok(None),
            }
        }
        self.advance();
        let names = self.comma_list(|p| p.name("a column name"))?;
        self.expect(TokenKind::RParen, "')'")?;
        self.expect(TokenKind::Assign, "'='")?;
        Ok(Some(names))
    }

    /// A sort key: `Expr [asc|desc] [nulls first|last]`.
    pub(crate) fn sort_key(&mut self) -> Result<SortKey, ParseError> {
        let expr = self.expr()?;
        let order = if self.eat_word("asc") {
            Some(SortOrder::Asc)
        } else if self.eat_word("desc") {
            Some(SortOrder::Desc)
        } else {
            None
        };
        let nulls = if self.eat_word("nulls") {
            if self.eat_word("first") {
                Some(NullsOrder::First)
            } else if self.eat_word("last") {
                Some(NullsOrder::Last)
            } else {
                return Err(self.expected("'first' or 'last' after 'nulls'"));
            }
        } else {
            None
        };
        Ok(SortKey { expr, order, nulls })
    }
}

/// The binary operator a word spells, given whether `!` preceded it.
fn string_op(word: &str, bang: bool) -> Option<BinaryOp> {
    let (base, cs) = match word.strip_suffix("_cs") {
        Some(b) => (b, true),
        None => (word, false),
    };
    let kind = match base {
        "has" => StrOp::Has,
        "hasprefix" => StrOp::HasPrefix,
        "hassuffix" => StrOp::HasSuffix,
        "contains" => StrOp::Contains,
        "startswith" => StrOp::StartsWith,
        "endswith" => StrOp::EndsWith,
        _ if !bang => return legacy_string_op(word),
        _ => return None,
    };
    Some(BinaryOp::Str {
        kind,
        negated: bang,
        case_sensitive: cs,
    })
}

/// Older spellings Kusto still accepts: `containscs`, `notcontains`, `like`, ...
fn legacy_string_op(word: &str) -> Option<BinaryOp> {
    let (kind, negated, case_sensitive) = match word {
        "containscs" => (StrOp::Contains, false, true),
        "notcontains" => (StrOp::Contains, true, false),
        "notcontainscs" => (StrOp::Contains, true, true),
        "notstartswith" => (StrOp::StartsWith, true, false),
        "notendswith" => (StrOp::EndsWith, true, false),
        "nothas" => (StrOp::Has, true, false),
        "like" => (StrOp::Like, false, false),
        "likecs" => (StrOp::Like, false, true),
        "notlike" => (StrOp::Like, true, false),
        "notlikecs" => (StrOp::Like, true, true),
        _ => return None,
    };
    Some(BinaryOp::Str {
        kind,
        negated,
        case_sensitive,
    })
}
