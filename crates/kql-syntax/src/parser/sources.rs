//! Forms that start a pipeline without an input: `print`, `range`, `datatable`,
//! `externaldata`, `union`, `search`, `find`, `evaluate`.

use super::Parser;
use crate::ast::*;
use crate::error::ParseError;
use crate::lexer::TokenKind;

impl Parser<'_> {
    /// The start of a pipeline: a tabular source form, or any expression.
    pub(crate) fn source_or_expr(&mut self) -> Result<Expr, ParseError> {
        let t = self.peek();
        if t.kind != TokenKind::Ident {
            return self.expr();
        }
        let next = self.kind_at(1);
        let bracketed_name_next = next == TokenKind::LBracket
            && self.kind_at(2) == TokenKind::String
            && self.kind_at(3) == TokenKind::RBracket;
        let source = match self.text(t) {
            "print" => {
                self.advance();
                if self.at_operator_end() {
                    return Err(self.expected("an expression after 'print'"));
                }
                Source::Print(self.comma_list(|p| p.named_expr())?)
            }
            "range" if next == TokenKind::Ident || bracketed_name_next => {
                self.advance();
                let column = self.name("a column name after 'range'")?;
                self.expect_word("from")?;
                let from = self.expr()?;
                self.expect_word("to")?;
                let to = self.expr()?;
                self.expect_word("step")?;
                let step = self.expr()?;
                Source::Range {
                    column,
                    from,
                    to,
                    step,
                }
            }
            "datatable" if next == TokenKind::LParen => {
                self.advance();
                let columns = self.schema_in_parens()?;
                self.expect(TokenKind::LBracket, "'[' to start the values")?;
                let values = self.bracketed_values()?;
                Source::Datatable { columns, values }
            }
            "externaldata" if next == TokenKind::LParen => {
                self.advance();
                let columns = self.schema_in_parens()?;
                self.expect(TokenKind::LBracket, "'[' and the data URIs")?;
                let uris = self.bracketed_values()?;
                let options = if self.eat_word("with") {
                    self.expect(TokenKind::LParen, "'(' after 'with'")?;
                    let opts = if self.at(TokenKind::RParen) {
                        Vec::new()
                    } else {
                        self.comma_list(|p| p.param_any())?
                    };
                    self.expect(TokenKind::RParen, "')'")?;
                    opts
                } else {
                    Vec::new()
                };
                Source::ExternalData {
                    columns,
                    uris,
                    options,
                }
            }
            "union"
                if !matches!(
                    next,
                    TokenKind::Pipe | TokenKind::Dot | TokenKind::Eof | TokenKind::Semi
                ) =>
            {
                self.advance();
                Source::Union(self.union_body()?)
            }
            "search"
                if !matches!(
                    next,
                    TokenKind::Pipe | TokenKind::Dot | TokenKind::Eof | TokenKind::Semi
                ) =>
            {
                self.advance();
                Source::Search(self.search_body()?)
            }
            "find"
                if !matches!(
                    next,
                    TokenKind::Pipe | TokenKind::Dot | TokenKind::Eof | TokenKind::Semi
                ) =>
            {
                self.advance();
                self.find()?
            }
            "evaluate" if next == TokenKind::Ident => {
                self.advance();
                let params = self.params_any_hints()?;
                let call = self.unary()?;
                if !matches!(call.kind, ExprKind::Call { .. }) {
                    return Err(
                        self.error_at(call.span, "Syntax error: 'evaluate' expects a plugin call")
                    );
                }
                Source::Evaluate { params, call }
            }
            _ => return self.expr(),
        };
        Ok(Expr::new(
            ExprKind::Source(Box::new(source)),
            self.span_from(t.span),
        ))
    }

    fn params_any_hints(&mut self) -> Result<Vec<OpParam>, ParseError> {
        let mut params = Vec::new();
        while self.at(TokenKind::Ident)
            && self.text(self.peek()) == "hint"
            && self.kind_at(1) == TokenKind::Dot
        {
            params.push(self.param_any()?);
        }
        Ok(params)
    }

    fn schema_in_parens(&mut self) -> Result<Vec<ColumnDecl>, ParseError> {
        self.expect(TokenKind::LParen, "'(' to start the schema")?;
        let cols = self.column_decls()?;
        self.expect(TokenKind::RParen, "')' to close the schema")?;
        Ok(cols)
    }

    /// After `[`: comma-separated values up to `]`; a trailing comma is allowed.
    fn bracketed_values(&mut self) -> Result<Vec<Expr>, ParseError> {
        let mut values = Vec::new();
        while !self.at(TokenKind::RBracket) {
            values.push(self.expr()?);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RBracket, "',' or ']' in the values")?;
        Ok(values)
    }

    fn find(&mut self) -> Result<Source, ParseError> {
        let mut params = Vec::new();
        while self.at_word("withsource") || self.at_word("kind") || self.at_word("hint") {
            params.push(self.param_any()?);
        }
        let tables = if self.eat_word("in") {
            self.expect(TokenKind::LParen, "'(' after 'in'")?;
            let t = self.comma_list(|p| p.table_ref())?;
            self.expect(TokenKind::RParen, "')'")?;
            t
        } else {
            Vec::new()
        };
        self.expect_word("where")?;
        let predicate = self.search_predicate()?;
        let projection = if self.at_word("project")
            && self.kind_at(1) == TokenKind::Minus
            && self.is_word_at(2, "smart")
        {
            self.advance();
            self.advance();
            self.advance();
            Some(FindProjection::Smart)
        } else if self.at_word("project")
            && self.kind_at(1) == TokenKind::Minus
            && self.is_word_at(2, "away")
        {
            self.advance();
            self.advance();
            self.advance();
            Some(FindProjection::Away(
                self.comma_list(|p| p.column_pattern())?,
            ))
        } else if self.eat_word("project") {
            Some(FindProjection::Columns(
                self.comma_list(|p| p.name("a column name"))?,
            ))
        } else {
            None
        };
        Ok(Source::Find {
            params,
            tables,
            predicate,
            projection,
        })
    }
}
