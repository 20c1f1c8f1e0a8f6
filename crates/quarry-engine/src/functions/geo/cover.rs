//! Coverings: the S2 cells (of one level) and H3 cells that cover a line or a polygon,
//! optionally grown by a radius. Kusto's join helpers `geo_polygon_to_s2cells`,
//! `geo_line_to_s2cells` and `geo_polygon_to_h3cells`.

use std::collections::{HashSet, VecDeque};

use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, Resolution};

use super::polygons::contains;
use super::s2::{CellId, MAX_LEVEL};
use super::sphere::{V3, arc_intersection, closest_on_edge, ring_contains, to_v3};
use super::{EARTH_RADIUS, Geometry, Line, Polygon, geometry_arg, int, num, string_array};
use crate::functions::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

/// The most cells a covering may hold (Kusto's limit); larger coverings are null.
const MAX_CELLS: usize = 65_536;

/// A shape to cover: its edges (as unit vectors), and its polygons when it has an
/// interior.
struct Shape {
    paths: Vec<Vec<V3>>,
    polygons: Vec<Polygon>,
}

impl Shape {
    fn lines(lines: &[Line]) -> Shape {
        Shape {
            paths: lines
                .iter()
                .map(|l| l.iter().map(|p| to_v3(*p)).collect())
                .collect(),
            polygons: Vec::new(),
        }
    }

    fn polygons(polys: Vec<Polygon>) -> Shape {
        Shape {
            paths: polys
                .iter()
                .flatten()
                .map(|r| r.iter().map(|p| to_v3(*p)).collect())
                .collect(),
            polygons: polys,
        }
    }

    fn vertices(&self) -> impl Iterator<Item = V3> + '_ {
        self.paths.iter().flatten().copied()
    }

    /// The distance (radians) from `x` to the shape: 0 inside a polygon.
    fn distance(&self, x: V3) -> f64 {
        if contains(&self.polygons, x) {
            return 0.0;
        }
        self.paths
            .iter()
            .flat_map(|p| p.windows(2))
            .map(|e| closest_on_edge(x, e[0], e[1]).1)
            .fold(f64::INFINITY, f64::min)
    }

    /// Whether the shape comes within `radius` (radians) of the cell with corners `ring`
    /// (closed).
    fn near(&self, ring: &[V3], radius: f64) -> bool {
        if ring.iter().any(|v| contains(&self.polygons, *v)) {
            return true;
        }
        if self.vertices().any(|v| ring_contains(v, ring)) {
            return true;
        }
        let mut best = f64::INFINITY;
        for path in &self.paths {
            for e in path.windows(2) {
                for c in ring.windows(2) {
                    if arc_intersection(e[0], e[1], c[0], c[1]).is_some() {
                        return true;
                    }
                }
                if radius > 0.0 {
                    for c in ring {
                        best = best.min(closest_on_edge(*c, e[0], e[1]).1);
                    }
                }
            }
        }
        if radius > 0.0 {
            for v in self.vertices() {
                for c in ring.windows(2) {
                    best = best.min(closest_on_edge(v, c[0], c[1]).1);
                }
            }
        }
        best <= radius
    }
}

/// The S2 cells of `level` the shape comes within `radius` of, sorted; None when more
/// than [`MAX_CELLS`].
fn s2_cover(shape: &Shape, level: u32, radius: f64) -> Option<Vec<CellId>> {
    let mut seen: HashSet<CellId> = HashSet::new();
    let mut queue: VecDeque<CellId> = VecDeque::new();
    for v in shape.vertices() {
        let c = CellId::from_point(v).parent(level);
        if seen.insert(c) {
            queue.push_back(c);
        }
    }
    let mut out = Vec::new();
    while let Some(c) = queue.pop_front() {
        let mut ring: Vec<V3> = c.vertices().to_vec();
        ring.push(ring[0]);
        if !shape.near(&ring, radius) {
            continue;
        }
        out.push(c);
        if out.len() > MAX_CELLS {
            return None;
        }
        if level == 0 {
            // Face cells: every face may be reached through the neighbors below.
            for f in 0..6u8 {
                let face = CellId::from_face_ij(f, 0, 0).parent(0);
                if seen.insert(face) {
                    queue.push_back(face);
                }
            }
            continue;
        }
        for n in c.all_neighbors() {
            if seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    out.sort();
    Some(out)
}

/// `level` (default 11) and `radius` (meters, default 0) arguments at `i`, `i + 1`.
fn level_and_radius(a: &[In<'_>], i: usize) -> Option<(u32, f64)> {
    let level = match a.get(i) {
        None => 11,
        v => int(v)?,
    };
    let level = u32::try_from(level).ok().filter(|l| *l <= MAX_LEVEL)?;
    let radius = match a.get(i + 1) {
        None => 0.0,
        v => num(v).filter(|r| *r >= 0.0)?,
    };
    Some((level, radius / EARTH_RADIUS))
}

fn tokens<'a>(cells: Option<Vec<CellId>>) -> Out<'a> {
    cells.map_or(Out::Null, |cs| {
        string_array(cs.into_iter().map(CellId::token))
    })
}

/// `geo_polygon_to_s2cells(polygon, [level = 11], [radius = 0])`.
pub fn polygon_to_s2cells<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(ps), Some((level, radius))) = (
        geometry_arg(a.first(), s).and_then(Geometry::polygons),
        level_and_radius(a, 1),
    ) else {
        return Ok(Out::Null);
    };
    Ok(tokens(s2_cover(&Shape::polygons(ps), level, radius)))
}

/// `geo_line_to_s2cells(line, [level = 11], [radius = 0])`.
pub fn line_to_s2cells<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(ls), Some((level, radius))) = (
        geometry_arg(a.first(), s).and_then(Geometry::lines),
        level_and_radius(a, 1),
    ) else {
        return Ok(Out::Null);
    };
    Ok(tokens(s2_cover(&Shape::lines(&ls), level, radius)))
}

/// `geo_polygon_to_h3cells(polygon, [resolution = 6], [radius = 0])`: the H3 cells whose
/// center lies in the polygon (grown by `radius` meters).
pub fn polygon_to_h3cells<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let Some(ps) = geometry_arg(a.first(), s).and_then(Geometry::polygons) else {
        return Ok(Out::Null);
    };
    let res = match a.get(1) {
        None => Some(6),
        v => int(v),
    };
    let Some(res) = res
        .and_then(|r| u8::try_from(r).ok())
        .and_then(|r| Resolution::try_from(r).ok())
    else {
        return Ok(Out::Null);
    };
    let radius = match a.get(2) {
        None => Some(0.0),
        v => num(v).filter(|r| *r >= 0.0),
    };
    let Some(radius) = radius else {
        return Ok(Out::Null);
    };
    let shape = Shape::polygons(ps.clone());
    let mut tiler = TilerBuilder::new(res)
        .containment_mode(ContainmentMode::ContainsCentroid)
        .build();
    for p in &ps {
        let ring = |r: &Vec<super::Ll>| {
            geo::LineString::new(
                r.iter()
                    .map(|c| geo::Coord { x: c.lng, y: c.lat })
                    .collect(),
            )
        };
        let mut rings = p.iter().map(ring);
        let Some(shell) = rings.next() else {
            continue;
        };
        if tiler
            .add(geo::Polygon::new(shell, rings.collect()))
            .is_err()
        {
            return Ok(Out::Null);
        }
    }
    let mut cells: Vec<CellIndex> = Vec::new();
    let mut seen: HashSet<CellIndex> = HashSet::new();
    for c in tiler.into_coverage() {
        if seen.insert(c) {
            cells.push(c);
        }
    }
    // Grow by the radius: the cells whose center lies within it, found by walking out
    // from the polygon through the cells that touch the grown area.
    if radius > 0.0 {
        let r = radius / EARTH_RADIUS;
        let mut visited: HashSet<CellIndex> = seen.clone();
        let mut queue: VecDeque<CellIndex> = cells.iter().copied().collect();
        for v in shape.vertices() {
            let p = super::sphere::to_ll(v);
            if let Ok(ll) = h3o::LatLng::new(p.lat, p.lng) {
                let c = ll.to_cell(res);
                if visited.insert(c) {
                    queue.push_back(c);
                }
            }
        }
        while let Some(c) = queue.pop_front() {
            let center = h3o::LatLng::from(c);
            let x = to_v3(super::Ll {
                lng: center.lng(),
                lat: center.lat(),
            });
            if !seen.contains(&c) && shape.distance(x) <= r {
                seen.insert(c);
                cells.push(c);
                if cells.len() > MAX_CELLS {
                    return Ok(Out::Null);
                }
            }
            for n in c.grid_disk::<Vec<_>>(1) {
                if visited.contains(&n) {
                    continue;
                }
                let ring: Vec<V3> = super::h3::cell_ring(n).iter().map(|p| to_v3(*p)).collect();
                if shape.near(&ring, r) {
                    visited.insert(n);
                    queue.push_back(n);
                    if visited.len() > 16 * MAX_CELLS {
                        return Ok(Out::Null);
                    }
                }
            }
        }
    }
    if cells.len() > MAX_CELLS {
        return Ok(Out::Null);
    }
    Ok(string_array(cells.into_iter().map(|c| c.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    #[test]
    fn covers_shapes() {
        let poly = r#"{"type":"Polygon","coordinates":[[[2.0,48.0],[2.2,48.0],[2.2,48.2],[2.0,48.2],[2.0,48.0]]]}"#;
        let Ok(Out::Str(cells)) = run1(polygon_to_s2cells, &[In::Str(poly), In::I64(10)]) else {
            panic!("no covering");
        };
        assert!(cells.matches(',').count() >= 3, "{cells}");
        // Every cell of the covering intersects the polygon; a far cell is absent.
        let far = CellId::from_point(to_v3(super::super::Ll {
            lng: 3.0,
            lat: 48.1,
        }))
        .parent(10);
        assert!(!cells.contains(&far.token()));
        assert_eq!(
            run1(polygon_to_s2cells, &[In::Str(poly), In::I64(30)]),
            Ok(Out::Null)
        );
        let line = r#"{"type":"LineString","coordinates":[[2.0,48.0],[2.5,48.0]]}"#;
        assert!(matches!(
            run1(line_to_s2cells, &[In::Str(line)]),
            Ok(Out::Str(_))
        ));
        let Ok(Out::Str(h3)) = run1(polygon_to_h3cells, &[In::Str(poly)]) else {
            panic!("no h3 covering");
        };
        assert!(h3.starts_with("[\"86"), "{h3}");
    }
}
