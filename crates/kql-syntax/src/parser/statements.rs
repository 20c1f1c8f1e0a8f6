//! Statements: `let`, `set`, `declare query_parameters`, and query expressions.

use super::Parser;
use crate::ast::*;
use crate::error::ParseError;
use crate::lexer::TokenKind;

impl Parser<'_> {
    pub(crate) fn query(&mut self) -> Result<Query, ParseError> {
        let start = self.peek().span;
        if self.at(TokenKind::Eof) {
            return Err(self.error_at(start, "Syntax error: the query is empty"));
        }
        let statements = self.statements(TokenKind::Eof)?;
        self.expect(TokenKind::Eof, "';' or '|' or the end of the query")?;
        Ok(Query {
            statements,
            span: self.span_from(start),
        })
    }

    /// Statements separated by `;` until `end` (not consumed). Trailing `;` are allowed.
    fn statements(&mut self, end: TokenKind) -> Result<Vec<Statement>, ParseError> {
        let mut statements = Vec::new();
        loop {
            if self.at(end) && !statements.is_empty() {
                break;
            }
            statements.push(self.statement()?);
            if !self.eat(TokenKind::Semi) {
                break;
            }
        }
        if statements.is_empty() {
            return Err(self.expected("a query"));
        }
        Ok(statements)
    }

    fn statement(&mut self) -> Result<Statement, ParseError> {
        let t = self.peek();
        if t.kind == TokenKind::Ident {
            match self.text(t) {
                "let"
                    if self.kind_at(1) == TokenKind::Ident
                        || self.kind_at(1) == TokenKind::LBracket =>
                {
                    return self.let_statement();
                }
                "set" if self.kind_at(1) == TokenKind::Ident => return self.set_statement(),
                "declare" if self.is_word_at(1, "query_parameters") => {
                    return self.declare_statement();
                }
                _ => {}
            }
        }
        Ok(Statement::Expr(self.pipe_expr()?))
    }

    fn let_statement(&mut self) -> Result<Statement, ParseError> {
        let start = self.advance().span;
        let name = self.name("a name after 'let'")?;
        self.expect(TokenKind::Assign, "'=' after the name")?;
        if self.at(TokenKind::Semi) || self.at(TokenKind::Eof) {
            return Err(self.expected("a value after '='"));
        }
        let value = if self.at_word("view") && self.kind_at(1) == TokenKind::LParen {
            self.advance();
            LetValue::View(self.function_def()?)
        } else if self.function_def_ahead() {
            LetValue::Function(self.function_def()?)
        } else {
            LetValue::Expr(self.pipe_expr()?)
        };
        Ok(Statement::Let(LetStatement {
            name,
            value,
            span: self.span_from(start),
        }))
    }

    /// `(` starts a parameter list (not a parenthesised expression) when it is `()`
    /// followed by `{`, or its first item is `name:`.
    fn function_def_ahead(&self) -> bool {
        if !self.at(TokenKind::LParen) {
            return false;
        }
        match self.kind_at(1) {
            TokenKind::RParen => self.kind_at(2) == TokenKind::LBrace,
            TokenKind::Ident => self.kind_at(2) == TokenKind::Colon,
            TokenKind::LBracket => self.kind_at(4) == TokenKind::Colon,
            _ => false,
        }
    }

    fn function_def(&mut self) -> Result<FunctionDef, ParseError> {
        let start = self
            .expect(TokenKind::LParen, "'(' to start the parameters")?
            .span;
        let params = if self.at(TokenKind::RParen) {
            Vec::new()
        } else {
            self.comma_list(|p| p.param())?
        };
        self.expect(TokenKind::RParen, "')' to close the parameters")?;
        self.expect(TokenKind::LBrace, "'{' to start the function body")?;
        let body = self.nested(|p| p.statements(TokenKind::RBrace))?;
        self.expect(TokenKind::RBrace, "'}' to close the function body")?;
        Ok(FunctionDef {
            params,
            body,
            span: self.span_from(start),
        })
    }

    /// `name:type [= default]` or `name:(schema)`.
    fn param(&mut self) -> Result<Param, ParseError> {
        let name = self.name("a parameter name")?;
        self.expect(TokenKind::Colon, "':' and a type after the parameter name")?;
        let ty = if self.eat(TokenKind::LParen) {
            let mut columns = Vec::new();
            let mut open = false;
            loop {
                if self.eat(TokenKind::Star) {
                    open = true;
                } else {
                    let name = self.name("a column name or '*'")?;
                    self.expect(TokenKind::Colon, "':' after the column name")?;
                    columns.push(ColumnDecl {
                        name,
                        ty: self.type_name()?,
                    });
                }
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            self.expect(TokenKind::RParen, "')' to close the table schema")?;
            ParamType::Tabular { columns, open }
        } else {
            ParamType::Scalar(self.type_name()?)
        };
        let default = if self.eat(TokenKind::Assign) {
            Some(self.expr()?)
        } else {
            None
        };
        Ok(Param { name, ty, default })
    }

    fn set_statement(&mut self) -> Result<Statement, ParseError> {
        let start = self.advance().span;
        let first = self.advance();
        let mut name = self.text(first).to_string();
        while self.at(TokenKind::Dot) && self.kind_at(1) == TokenKind::Ident {
            self.advance();
            name.push('.');
            let part = self.advance();
            name.push_str(self.text(part));
        }
        let value = if self.eat(TokenKind::Assign) {
            Some(self.expr()?)
        } else {
            None
        };
        Ok(Statement::Set {
            name,
            value,
            span: self.span_from(start),
        })
    }

    fn declare_statement(&mut self) -> Result<Statement, ParseError> {
        let start = self.advance().span;
        self.advance(); // query_parameters
        self.expect(TokenKind::LParen, "'(' after 'query_parameters'")?;
        let params = if self.at(TokenKind::RParen) {
            Vec::new()
        } else {
            self.comma_list(|p| p.param())?
        };
        self.expect(TokenKind::RParen, "')'")?;
        Ok(Statement::DeclareParameters {
            params,
            span: self.span_from(start),
        })
    }
}
