//! `geo_from_wkt`: Well-Known Text to GeoJSON.

use super::{Geometry, Line, Ll, Polygon, text};
use crate::functions::rowwise::{In, Out, Scratch};

/// A tiny WKT reader over bytes.
struct P<'s> {
    s: &'s [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn word(&mut self) -> String {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_alphabetic() {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).to_ascii_uppercase()
    }

    fn number(&mut self) -> Option<f64> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_digit() || b"+-.eE".contains(&self.s[self.i]))
        {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }

    /// `x y [z [m]]`.
    fn coord(&mut self) -> Option<Ll> {
        let x = self.number()?;
        let y = self.number()?;
        // Extra ordinates (Z, M) are read and dropped.
        loop {
            self.ws();
            match self.s.get(self.i) {
                Some(c) if c.is_ascii_digit() || *c == b'-' || *c == b'+' || *c == b'.' => {
                    self.number()?;
                }
                _ => break,
            }
        }
        Ll::new(x, y)
    }

    /// `( item, item, ... )`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        if !self.eat(b'(') {
            return None;
        }
        let mut out = vec![item(self)?];
        while self.eat(b',') {
            out.push(item(self)?);
        }
        self.eat(b')').then_some(out)
    }

    /// A coordinate, optionally parenthesised (MULTIPOINT allows both).
    fn point_item(&mut self) -> Option<Ll> {
        if self.eat(b'(') {
            let c = self.coord()?;
            return self.eat(b')').then_some(c);
        }
        self.coord()
    }

    fn line(&mut self) -> Option<Line> {
        let l = self.list(Self::coord)?;
        (l.len() >= 2).then_some(l)
    }

    fn rings(&mut self) -> Option<Polygon> {
        let rings = self.list(|p| p.list(Self::coord))?;
        rings
            .iter()
            .all(|r| r.len() >= 4 && r.first() == r.last())
            .then_some(rings)
    }

    fn geometry(&mut self) -> Option<Geometry> {
        let kind = self.word();
        // Optional dimension tags.
        let save = self.i;
        let tag = self.word();
        if !matches!(tag.as_str(), "Z" | "M" | "ZM") {
            self.i = save;
        }
        Some(match kind.as_str() {
            "POINT" => Geometry::Point(self.list(Self::coord)?.into_iter().next()?),
            "LINESTRING" => Geometry::LineString(self.line()?),
            "POLYGON" => Geometry::Polygon(self.rings()?),
            "MULTIPOINT" => Geometry::MultiPoint(self.list(Self::point_item)?),
            "MULTILINESTRING" => Geometry::MultiLineString(self.list(Self::line)?),
            "MULTIPOLYGON" => Geometry::MultiPolygon(self.list(Self::rings)?),
            "GEOMETRYCOLLECTION" => Geometry::Collection(self.list(Self::geometry)?),
            _ => return None,
        })
    }
}

/// Parses WKT text; None when malformed or a coordinate is out of range.
pub fn parse(text: &str) -> Option<Geometry> {
    let mut p = P {
        s: text.as_bytes(),
        i: 0,
    };
    let g = p.geometry()?;
    p.ws();
    if p.i != p.s.len() {
        return None;
    }
    Some(g)
}

/// `geo_from_wkt(text)`.
pub fn from_wkt<'a>(a: &[In<'a>], _: &mut Scratch) -> Result<Out<'a>, String> {
    Ok(text(a.first())
        .and_then(parse)
        .map_or(Out::Null, |g| g.out()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wkt() {
        assert_eq!(
            parse("POINT (3 4)"),
            Some(Geometry::Point(Ll { lng: 3.0, lat: 4.0 }))
        );
        assert!(matches!(
            parse("multipolygon (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))"),
            Some(Geometry::MultiPolygon(ref ps)) if ps.len() == 2
        ));
        assert!(matches!(
            parse("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))"),
            Some(Geometry::Collection(ref gs)) if gs.len() == 2
        ));
        assert_eq!(parse("LINESTRING"), None);
        assert_eq!(parse("POINT (200 1)"), None);
        assert_eq!(
            parse("POINT Z (1 2 3)"),
            Some(Geometry::Point(Ll { lng: 1.0, lat: 2.0 }))
        );
    }
}
