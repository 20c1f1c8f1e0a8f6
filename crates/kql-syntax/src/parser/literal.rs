//! Literals: numbers, timespans, `datetime()`/`timespan()`/`guid()`, typed literals such
//! as `long(null)`, and `dynamic(...)`.

use super::Parser;
use crate::ast::*;
use crate::error::ParseError;
use crate::lexer::{RawKind, Token, TokenKind, timespan_literal_ticks};
use crate::span::Span;
use crate::time;

impl Parser<'_> {
    /// Decodes an Int, Real or Timespan token's text (possibly with a leading `-`).
    pub(crate) fn number_literal(
        &self,
        kind: TokenKind,
        text: &str,
        span: Span,
    ) -> Result<Literal, ParseError> {
        let bad = || {
            self.error_at(
                span,
                format!("Syntax error: invalid numeric literal '{text}'"),
            )
        };
        match kind {
            TokenKind::Int => {
                let (neg, digits) = match text.strip_prefix('-') {
                    Some(d) => (true, d),
                    None => (false, text),
                };
                let magnitude = match digits
                    .strip_prefix("0x")
                    .or_else(|| digits.strip_prefix("0X"))
                {
                    Some(hex) => i128::from_str_radix(hex, 16).ok(),
                    None => digits.parse::<i128>().ok(),
                };
                let m = magnitude.ok_or_else(bad)?;
                let v = if neg { -m } else { m };
                // Beyond 64 bits Kusto reads the number as a real.
                Ok(i64::try_from(v)
                    .map(Literal::Long)
                    .unwrap_or(Literal::Real(v as f64)))
            }
            TokenKind::Real => text.parse::<f64>().map(Literal::Real).map_err(|_| bad()),
            TokenKind::Timespan => timespan_literal_ticks(text)
                .map(Literal::Timespan)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// `datetime(...)`, `timespan(...)`, `guid(...)`: the token holds the whole form.
    pub(crate) fn raw_literal(&self, kind: RawKind, t: Token) -> Result<Literal, ParseError> {
        let text = self.text(t);
        let open = text.find('(').unwrap_or(0);
        let inner = text[open + 1..text.len() - 1].trim();
        let (ty, what) = match kind {
            RawKind::DateTime => (ScalarType::DateTime, "datetime"),
            RawKind::Timespan => (ScalarType::Timespan, "timespan"),
            RawKind::Guid => (ScalarType::Guid, "guid"),
        };
        if inner == "null" {
            return Ok(Literal::Null(ty));
        }
        let value = match kind {
            RawKind::DateTime => time::parse_datetime_literal(inner).map(Literal::DateTime),
            RawKind::Timespan => time::parse_timespan(inner).map(Literal::Timespan),
            RawKind::Guid => time::parse_guid(inner).map(Literal::Guid),
        };
        value.ok_or_else(|| {
            self.error_at(
                t.span,
                format!("Syntax error: '{inner}' is not a valid {what} literal"),
            )
        })
    }

    /// `long(5)`, `int(-1)`, `real(nan)`, `decimal(1.5)`, `bool(true)`, `long(null)`.
    pub(crate) fn typed_literal(&mut self) -> Result<Expr, ParseError> {
        let name = self.advance();
        let ty = ScalarType::from_name(self.text(name)).unwrap_or(ScalarType::Long);
        self.advance(); // (
        let neg = self.eat(TokenKind::Minus);
        if !neg {
            self.eat(TokenKind::Plus);
        }
        let t = self.advance();
        let word = if t.kind == TokenKind::Ident {
            self.text(t)
        } else {
            ""
        };
        let bad = |p: &Self| {
            p.error_at(
                t.span,
                format!(
                    "Syntax error: {} is not a valid {} literal",
                    p.describe(t),
                    ty.name()
                ),
            )
        };
        let lit = if word == "null" && !neg {
            Literal::Null(ty)
        } else {
            match ty {
                ScalarType::Bool => match word {
                    "true" | "True" | "TRUE" if !neg => Literal::Bool(true),
                    "false" | "False" | "FALSE" if !neg => Literal::Bool(false),
                    _ if t.kind == TokenKind::Int && !neg => Literal::Bool(self.text(t) != "0"),
                    _ => return Err(bad(self)),
                },
                ScalarType::Real => match (t.kind, word) {
                    (TokenKind::Ident, "nan") => Literal::Real(f64::NAN),
                    (TokenKind::Ident, "inf") => Literal::Real(if neg {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    }),
                    (TokenKind::Int | TokenKind::Real, _) => {
                        let v: f64 = self.text(t).parse().map_err(|_| bad(self))?;
                        Literal::Real(if neg { -v } else { v })
                    }
                    _ => return Err(bad(self)),
                },
                ScalarType::Decimal if matches!(t.kind, TokenKind::Int | TokenKind::Real) => {
                    let text = self.text(t);
                    Literal::Decimal(if neg {
                        format!("-{text}")
                    } else {
                        text.to_string()
                    })
                }
                ScalarType::Int | ScalarType::Long if t.kind == TokenKind::Int => {
                    let text = if neg {
                        format!("-{}", self.text(t))
                    } else {
                        self.text(t).to_string()
                    };
                    match self.number_literal(TokenKind::Int, &text, t.span)? {
                        Literal::Long(v) if ty == ScalarType::Int => {
                            Literal::Int(i32::try_from(v).map_err(|_| bad(self))?)
                        }
                        Literal::Long(v) => Literal::Long(v),
                        _ => return Err(bad(self)),
                    }
                }
                _ => return Err(bad(self)),
            }
        };
        self.expect(TokenKind::RParen, "')' to close the literal")?;
        Ok(Expr::new(ExprKind::Literal(lit), self.span_from(name.span)))
    }

    /// `dynamic(...)`: JSON, with Kusto literals allowed as values.
    pub(crate) fn dynamic_literal(&mut self) -> Result<Expr, ParseError> {
        let start = self.advance().span;
        self.advance(); // (
        let value = self.dyn_value()?;
        self.expect(TokenKind::RParen, "')' to close 'dynamic('")?;
        Ok(Expr::new(
            ExprKind::Literal(Literal::Dynamic(value)),
            self.span_from(start),
        ))
    }

    fn dyn_value(&mut self) -> Result<DynValue, ParseError> {
        self.nested(|p| p.dyn_value_inner())
    }

    fn dyn_value_inner(&mut self) -> Result<DynValue, ParseError> {
        let t = self.peek();
        match t.kind {
            TokenKind::LBracket => {
                self.advance();
                let mut items = Vec::new();
                if !self.at(TokenKind::RBracket) {
                    items = self.comma_list(|p| p.dyn_value())?;
                }
                self.expect(TokenKind::RBracket, "',' or ']' in the array")?;
                Ok(DynValue::Array(items))
            }
            TokenKind::LBrace => {
                self.advance();
                let mut fields = Vec::new();
                if !self.at(TokenKind::RBrace) {
                    fields = self.comma_list(|p| {
                        if !p.at(TokenKind::String) {
                            return Err(p.expected("a quoted property name"));
                        }
                        let key = p.string_literal()?.0;
                        p.expect(TokenKind::Colon, "':' after the property name")?;
                        Ok((key, p.dyn_value()?))
                    })?;
                }
                self.expect(TokenKind::RBrace, "',' or '}' in the property bag")?;
                Ok(DynValue::Object(fields))
            }
            TokenKind::String => Ok(DynValue::String(self.string_literal()?.0)),
            TokenKind::Int
            | TokenKind::Real
            | TokenKind::Timespan
            | TokenKind::Minus
            | TokenKind::Plus => {
                let neg = self.eat(TokenKind::Minus);
                if !neg {
                    self.eat(TokenKind::Plus);
                }
                let n = self.peek();
                if !matches!(
                    n.kind,
                    TokenKind::Int | TokenKind::Real | TokenKind::Timespan
                ) {
                    return Err(self.expected("a number"));
                }
                self.advance();
                let text = if neg {
                    format!("-{}", self.text(n))
                } else {
                    self.text(n).to_string()
                };
                Ok(match self.number_literal(n.kind, &text, n.span)? {
                    Literal::Long(v) => DynValue::Long(v),
                    Literal::Real(v) => DynValue::Real(v),
                    Literal::Timespan(v) => DynValue::Timespan(v),
                    _ => DynValue::Null,
                })
            }
            TokenKind::Raw(kind) => {
                self.advance();
                Ok(match self.raw_literal(kind, t)? {
                    Literal::DateTime(v) => DynValue::DateTime(v),
                    Literal::Timespan(v) => DynValue::Timespan(v),
                    Literal::Guid(v) => DynValue::Guid(v),
                    _ => DynValue::Null,
                })
            }
            TokenKind::Ident => {
                let word = self.text(t);
                let called = self.kind_at(1) == TokenKind::LParen;
                if called && word == "dynamic" {
                    // `dynamic({...})` nested in a dynamic literal is the inner value.
                    self.advance();
                    self.advance();
                    let inner = self.dyn_value()?;
                    self.expect(TokenKind::RParen, "')' to close 'dynamic('")?;
                    return Ok(inner);
                }
                if called
                    && matches!(
                        word,
                        "int" | "long" | "real" | "double" | "bool" | "boolean" | "decimal"
                    )
                {
                    let e = self.typed_literal()?;
                    return Ok(match e.kind {
                        ExprKind::Literal(Literal::Int(v)) => DynValue::Long(v as i64),
                        ExprKind::Literal(Literal::Long(v)) => DynValue::Long(v),
                        ExprKind::Literal(Literal::Real(v)) => DynValue::Real(v),
                        ExprKind::Literal(Literal::Bool(v)) => DynValue::Bool(v),
                        ExprKind::Literal(Literal::Decimal(v)) => {
                            v.parse().map(DynValue::Real).unwrap_or(DynValue::Null)
                        }
                        _ => DynValue::Null,
                    });
                }
                self.advance();
                match word {
                    "null" => Ok(DynValue::Null),
                    "true" => Ok(DynValue::Bool(true)),
                    "false" => Ok(DynValue::Bool(false)),
                    _ => Err(self.error_at(
                        t.span,
                        format!(
                            "Syntax error: '{word}' is not a constant; dynamic() takes JSON values"
                        ),
                    )),
                }
            }
            _ => Err(self.expected("a value in dynamic()")),
        }
    }
}
