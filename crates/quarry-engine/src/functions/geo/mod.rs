//! Kusto's geospatial (`geo_*`) functions.
//!
//! Kusto computes on a sphere of radius 6 371 010 m (the S2 library's Earth), with
//! edges that are great-circle arcs (geodesics); coordinates are WGS-84 longitude and
//! latitude in degrees, longitude first. Geometries are GeoJSON held in dynamic values
//! (compact JSON text). Invalid input (coordinates out of range, malformed GeoJSON,
//! out-of-range parameters) gives null, as Kusto does.
//!
//! This file holds what the sub-families share: GeoJSON parsing and writing, unit-vector
//! math on the sphere, and argument readers. The kernels are [`RowFn`]s in `points`,
//! `lines`, `polygons`, `h3`, `s2`, `geohash` and `wkt`.
//!
//! [`RowFn`]: crate::functions::rowwise::RowFn

pub mod canon;
pub mod cover;
pub mod ellipsoid;
pub mod geohash;
pub mod h3;
pub mod lines;
pub mod overlay;
pub mod points;
pub mod polygons;
pub mod s2;
pub mod sphere;
pub mod wkt;

use serde_json::{Value, json};

use crate::functions::rowwise::{In, Out, Scratch};

/// The Earth's radius Kusto measures with, in meters.
pub const EARTH_RADIUS: f64 = 6_371_010.0;

/// A coordinate: longitude and latitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ll {
    pub lng: f64,
    pub lat: f64,
}

impl Ll {
    /// A valid coordinate, or None (non-finite or out of range).
    pub fn new(lng: f64, lat: f64) -> Option<Ll> {
        let ok = lng.is_finite()
            && lat.is_finite()
            && (-180.0..=180.0).contains(&lng)
            && (-90.0..=90.0).contains(&lat);
        ok.then_some(Ll { lng, lat })
    }

    /// `[lng, lat]`; integral values are written without a fraction, as Kusto does.
    pub fn json(self) -> Value {
        Value::Array(vec![number(self.lng), number(self.lat)])
    }
}

/// A JSON number, integral values written as integers.
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

/// A line: its vertices, at least two.
pub type Line = Vec<Ll>;
/// A polygon: its shell then its holes, each ring closed (first vertex repeated last).
pub type Polygon = Vec<Vec<Ll>>;

/// A parsed GeoJSON geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Point(Ll),
    MultiPoint(Vec<Ll>),
    LineString(Line),
    MultiLineString(Vec<Line>),
    Polygon(Polygon),
    MultiPolygon(Vec<Polygon>),
    Collection(Vec<Geometry>),
}

impl Geometry {
    pub fn json(&self) -> Value {
        let line = |l: &Line| Value::Array(l.iter().map(|p| p.json()).collect());
        let poly = |p: &Polygon| Value::Array(p.iter().map(line).collect());
        match self {
            Geometry::Point(p) => json!({"type": "Point", "coordinates": p.json()}),
            Geometry::MultiPoint(ps) => {
                json!({"type": "MultiPoint", "coordinates": line(ps)})
            }
            Geometry::LineString(l) => json!({"type": "LineString", "coordinates": line(l)}),
            Geometry::MultiLineString(ls) => json!({
                "type": "MultiLineString",
                "coordinates": Value::Array(ls.iter().map(line).collect())
            }),
            Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": poly(p)}),
            Geometry::MultiPolygon(ps) => json!({
                "type": "MultiPolygon",
                "coordinates": Value::Array(ps.iter().map(poly).collect())
            }),
            Geometry::Collection(gs) => json!({
                "type": "GeometryCollection",
                "geometries": Value::Array(gs.iter().map(Geometry::json).collect())
            }),
        }
    }

    /// The geometry as a dynamic result.
    pub fn out<'a>(&self) -> Out<'a> {
        Out::owned(self.json().to_string())
    }

    /// A GeoJSON geometry, or None when it is malformed or a coordinate is invalid.
    pub fn parse(v: &Value) -> Option<Geometry> {
        let obj = v.as_object()?;
        let kind = obj.get("type")?.as_str()?;
        if kind == "GeometryCollection" {
            let gs = obj.get("geometries")?.as_array()?;
            return gs
                .iter()
                .map(Geometry::parse)
                .collect::<Option<Vec<_>>>()
                .map(Geometry::Collection);
        }
        let c = obj.get("coordinates")?;
        Some(match kind {
            "Point" => Geometry::Point(coord(c)?),
            "MultiPoint" => Geometry::MultiPoint(coords(c)?),
            "LineString" => Geometry::LineString(line(c)?),
            "MultiLineString" => {
                Geometry::MultiLineString(c.as_array()?.iter().map(line).collect::<Option<_>>()?)
            }
            "Polygon" => Geometry::Polygon(polygon(c)?),
            "MultiPolygon" => Geometry::MultiPolygon(
                c.as_array()?
                    .iter()
                    .map(polygon)
                    .collect::<Option<Vec<_>>>()?,
            ),
            _ => return None,
        })
    }

    /// The lines of a LineString or MultiLineString.
    pub fn lines(self) -> Option<Vec<Line>> {
        match self {
            Geometry::LineString(l) => Some(vec![l]),
            Geometry::MultiLineString(ls) if !ls.is_empty() => Some(ls),
            _ => None,
        }
    }

    /// The polygons of a Polygon or MultiPolygon.
    pub fn polygons(self) -> Option<Vec<Polygon>> {
        match self {
            Geometry::Polygon(p) => Some(vec![p]),
            Geometry::MultiPolygon(ps) if !ps.is_empty() => Some(ps),
            _ => None,
        }
    }
}

/// `[lng, lat]` (extra members such as an altitude are ignored).
pub fn coord(v: &Value) -> Option<Ll> {
    let a = v.as_array()?;
    if a.len() < 2 {
        return None;
    }
    Ll::new(a[0].as_f64()?, a[1].as_f64()?)
}

fn coords(v: &Value) -> Option<Vec<Ll>> {
    v.as_array()?.iter().map(coord).collect()
}

/// A line string: at least two coordinates.
fn line(v: &Value) -> Option<Line> {
    let l = coords(v)?;
    (l.len() >= 2).then_some(l)
}

/// A polygon: closed rings of at least four coordinates with three distinct vertices.
fn polygon(v: &Value) -> Option<Polygon> {
    let rings = v
        .as_array()?
        .iter()
        .map(coords)
        .collect::<Option<Vec<_>>>()?;
    if rings.is_empty() {
        return None;
    }
    for r in &rings {
        if r.len() < 4 || r.first() != r.last() || distinct_vertices(r) < 3 {
            return None;
        }
    }
    Some(rings)
}

/// How many vertices of a closed ring remain once consecutive repeats are dropped.
fn distinct_vertices(ring: &[Ll]) -> usize {
    let mut n = 0;
    for w in ring.windows(2) {
        if w[0] != w[1] {
            n += 1;
        }
    }
    n
}

/// A finite number argument.
pub fn num(a: Option<&In<'_>>) -> Option<f64> {
    a.and_then(|v| v.f64()).filter(|x| x.is_finite())
}

/// An integer argument (a real is truncated).
pub fn int(a: Option<&In<'_>>) -> Option<i64> {
    match a {
        Some(In::F64(v)) if v.is_finite() => Some(*v as i64),
        Some(v) => v.i64(),
        None => None,
    }
}

/// The coordinate given as two arguments (longitude, latitude) starting at `i`.
pub fn point_args(a: &[In<'_>], i: usize) -> Option<Ll> {
    Ll::new(num(a.get(i))?, num(a.get(i + 1))?)
}

/// The geometry given as a dynamic argument.
pub fn geometry_arg(a: Option<&In<'_>>, scratch: &mut Scratch) -> Option<Geometry> {
    match a? {
        In::Str(text) if !text.is_empty() => Geometry::parse(scratch.json(text)),
        _ => None,
    }
}

/// Like [`geometry_arg`], without the single-entry cache (for a second geometry).
pub fn geometry_arg_uncached(a: Option<&In<'_>>) -> Option<Geometry> {
    match a? {
        In::Str(text) if !text.is_empty() => {
            Geometry::parse(&serde_json::from_str::<Value>(text).ok()?)
        }
        _ => None,
    }
}

/// A text argument (None when null or empty).
pub fn text<'a>(a: Option<&In<'a>>) -> Option<&'a str> {
    match a? {
        In::Str(s) if !s.is_empty() => Some(s),
        _ => None,
    }
}

/// A dynamic array of strings as a result.
pub fn string_array<'a>(items: impl IntoIterator<Item = String>) -> Out<'a> {
    Out::owned(Value::Array(items.into_iter().map(Value::String).collect()).to_string())
}

/// A GeoJSON Point as a result.
pub fn point_out<'a>(p: Ll) -> Out<'a> {
    Geometry::Point(p).out()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates_geojson() {
        let v: Value =
            serde_json::from_str(r#"{"type":"Polygon","coordinates":[[[0,0],[3,0],[0,3],[0,0]]]}"#)
                .unwrap_or(Value::Null);
        assert!(matches!(Geometry::parse(&v), Some(Geometry::Polygon(_))));
        let open: Value =
            serde_json::from_str(r#"{"type":"Polygon","coordinates":[[[0,0],[3,0],[0,3],[1,1]]]}"#)
                .unwrap_or(Value::Null);
        assert_eq!(Geometry::parse(&open), None);
        let bad: Value = serde_json::from_str(r#"{"type":"Point","coordinates":[190,1]}"#)
            .unwrap_or(Value::Null);
        assert_eq!(Geometry::parse(&bad), None);
        let short: Value = serde_json::from_str(r#"{"type":"LineString","coordinates":[[1,1]]}"#)
            .unwrap_or(Value::Null);
        assert_eq!(Geometry::parse(&short), None);
    }
}
