//! Polygon overlays (union, intersection) and buffers.
//!
//! Overlays run on longitude/latitude as planar coordinates through `geo`'s boolean
//! operations. Kusto's edges are geodesics; for the polygons overlays are used on
//! (city-sized, far from the poles and the antimeridian) the two differ by far less than
//! the precision of the coordinates involved. Measures of the results (area, perimeter,
//! centroid) are then taken on the sphere.

use geo::orient::{Direction, Orient};
use geo::{BooleanOps, Coord, LineString, MultiPolygon, Polygon as GeoPolygon};
use serde_json::Value;

use super::canon::{canonicalize, planar_distance};
use super::lines::{collect, simplify_path, simplify_tolerance};
use super::sphere::{angle, to_v3};
use super::{Geometry, Line, Ll, Polygon, geometry_arg, geometry_arg_uncached, num, point_args};
use crate::functions::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

fn to_geo(p: &Polygon) -> GeoPolygon<f64> {
    let ring = |r: &Vec<Ll>| -> LineString<f64> {
        LineString::new(r.iter().map(|c| Coord { x: c.lng, y: c.lat }).collect())
    };
    let mut rings = p.iter().map(ring);
    let shell = rings.next().unwrap_or_else(|| LineString::new(Vec::new()));
    GeoPolygon::new(shell, rings.collect()).orient(Direction::Default)
}

fn from_geo(mp: &MultiPolygon<f64>) -> Vec<Polygon> {
    let ring = |r: &LineString<f64>| -> Vec<Ll> {
        r.0.iter().map(|c| Ll { lng: c.x, lat: c.y }).collect()
    };
    mp.0.iter()
        .filter(|p| p.exterior().0.len() >= 4)
        .map(|p| {
            let mut rings = vec![ring(p.exterior())];
            rings.extend(p.interiors().iter().map(ring));
            rings
        })
        .collect()
}

/// The union of polygons (each given as shell and holes).
pub fn union(polys: &[Polygon]) -> Vec<Polygon> {
    let geo: Vec<GeoPolygon<f64>> = polys.iter().map(to_geo).collect();
    let mut acc = MultiPolygon::new(Vec::new());
    for p in &geo {
        acc = acc.union(p);
    }
    let mut out = from_geo(&acc);
    refine(&mut out, polys);
    out
}

/// The union of two operands (each a set of polygons), in S2's vertex order.
fn union_pair(a: &[Polygon], b: &[Polygon]) -> Vec<Polygon> {
    let ga = MultiPolygon::new(a.iter().map(to_geo).collect());
    let gb = MultiPolygon::new(b.iter().map(to_geo).collect());
    let mut out = from_geo(&ga.union(&gb));
    let all: Vec<Polygon> = a.iter().chain(b).cloned().collect();
    refine(&mut out, &all);
    canonicalize(&mut out, &[a, b]);
    out
}

/// The union of many operands the way S2's `DestructiveUnion` goes: repeatedly the two
/// with the fewest vertices (ties in order), the result queued back by its size.
pub fn destructive_union(operands: Vec<Vec<Polygon>>) -> Vec<Polygon> {
    let size = |ps: &[Polygon]| -> usize { ps.iter().flatten().map(|r| r.len() - 1).sum() };
    // (vertex count, insertion sequence, operand)
    let mut queue: Vec<(usize, usize, Vec<Polygon>)> = Vec::new();
    let mut seq = 0;
    for op in operands {
        queue.push((size(&op), seq, op));
        seq += 1;
    }
    loop {
        queue.sort_by_key(|(n, s, _)| (*n, *s));
        if queue.len() < 2 {
            break;
        }
        let (_, _, a) = queue.remove(0);
        let (_, _, b) = queue.remove(0);
        let u = union_pair(&a, &b);
        queue.push((size(&u), seq, u));
        seq += 1;
    }
    queue.pop().map(|(_, _, u)| u).unwrap_or_default()
}

/// Puts the overlay's vertices back on the sphere: input vertices get their exact
/// input coordinates, and new vertices (where input edges cross) are recomputed as the
/// crossing of the two geodesic edges.
fn refine(out: &mut [Polygon], input: &[Polygon]) {
    const SAME: f64 = 1e-9;
    const ON_EDGE: f64 = 1e-7;
    let edges: Vec<(Ll, Ll)> = input
        .iter()
        .flatten()
        .flat_map(|r| r.windows(2).map(|w| (w[0], w[1])))
        .collect();
    let vertices: Vec<Ll> = input.iter().flatten().flatten().copied().collect();
    for v in out.iter_mut().flatten().flatten() {
        if let Some(exact) = vertices
            .iter()
            .find(|u| (u.lng - v.lng).abs() < SAME && (u.lat - v.lat).abs() < SAME)
        {
            *v = *exact;
            continue;
        }
        let near: Vec<&(Ll, Ll)> = edges
            .iter()
            .filter(|(a, b)| planar_distance(*v, *a, *b) < ON_EDGE)
            .collect();
        'pairs: for (i, e1) in near.iter().enumerate() {
            for e2 in &near[i + 1..] {
                let x = super::sphere::arc_intersection(
                    to_v3(e1.0),
                    to_v3(e1.1),
                    to_v3(e2.0),
                    to_v3(e2.1),
                );
                if let Some(x) = x {
                    let p = super::sphere::to_ll(x);
                    if (p.lng - v.lng).abs() < 1e-4 && (p.lat - v.lat).abs() < 1e-4 {
                        *v = p;
                        break 'pairs;
                    }
                }
            }
        }
    }
    // Drop vertices the moves made repeat, and keep rings closed.
    for ring in out.iter_mut().flatten() {
        ring.dedup();
        if let Some(&first) = ring.first()
            && let Some(last) = ring.last_mut()
        {
            *last = first;
        }
    }
}

/// Overlapping parts of a multipolygon merged (a single polygon is left as it is).
pub fn normalized(polys: Vec<Polygon>) -> Vec<Polygon> {
    if polys.len() < 2 {
        return polys;
    }
    union(&polys)
}

/// Polygons as a Polygon or MultiPolygon geometry (an empty collection when none).
pub fn polygons_geometry(mut polys: Vec<Polygon>) -> Geometry {
    match polys.len() {
        0 => Geometry::Collection(Vec::new()),
        1 => Geometry::Polygon(polys.remove(0)),
        _ => Geometry::MultiPolygon(polys),
    }
}

/// The polygons of a dynamic array of Polygon/MultiPolygon values; None when any is
/// invalid or the array is empty.
fn polygon_array(a: Option<&In<'_>>, s: &mut Scratch) -> Option<Vec<Vec<Polygon>>> {
    let In::Str(text) = a? else {
        return None;
    };
    let Value::Array(items) = s.json(text).clone() else {
        return None;
    };
    let out = items
        .iter()
        .map(|item| Geometry::parse(item)?.polygons())
        .collect::<Option<Vec<_>>>()?;
    (!out.is_empty()).then_some(out)
}

/// `geo_union_polygons_array(array)`.
pub fn union_polygons_array<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    Ok(polygon_array(a.first(), s).map_or(Out::Null, |ps| {
        polygons_geometry(destructive_union(ps)).out()
    }))
}

/// Simplifies every ring; drops collapsed holes and polygons whose shell collapses.
pub fn simplify_polygons(ps: &[Polygon], tolerance: f64) -> Vec<Polygon> {
    let ring = |r: &Vec<Ll>| {
        let out = simplify_path(r, tolerance);
        (out.len() >= 4).then_some(out)
    };
    ps.iter()
        .filter_map(|p| {
            let shell = ring(p.first()?)?;
            let mut poly = vec![shell];
            poly.extend(p.iter().skip(1).filter_map(ring));
            Some(poly)
        })
        .collect()
}

/// `geo_simplify_polygons_array(array, [tolerance = 10])`: the union, simplified.
pub fn simplify_polygons_array<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(ps), Some(tol)) = (polygon_array(a.first(), s), simplify_tolerance(a.get(1))) else {
        return Ok(Out::Null);
    };
    let simplified = simplify_polygons(&destructive_union(ps), tol);
    Ok(if simplified.is_empty() {
        Out::Null
    } else {
        polygons_geometry(simplified).out()
    })
}

/// `geo_intersection_2polygons(polygon1, polygon2)`: the shared area, or where the
/// boundaries touch when the areas do not overlap.
pub fn intersection_2polygons<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(p1), Some(p2)) = (
        geometry_arg(a.first(), s).and_then(Geometry::polygons),
        geometry_arg_uncached(a.get(1)).and_then(Geometry::polygons),
    ) else {
        return Ok(Out::Null);
    };
    let g1: MultiPolygon<f64> = MultiPolygon::new(p1.iter().map(to_geo).collect());
    let g2: MultiPolygon<f64> = MultiPolygon::new(p2.iter().map(to_geo).collect());
    let mut area = from_geo(&g1.intersection(&g2));
    let mut all = p1.clone();
    all.extend(p2.iter().cloned());
    refine(&mut area, &all);
    canonicalize(&mut area, &[&p1, &p2]);
    if !area.is_empty() {
        return Ok(polygons_geometry(area).out());
    }
    // Only boundaries can meet: shared vertices or edges.
    let rings1: Vec<Line> = p1.iter().flatten().cloned().collect();
    let rings2: Vec<Line> = p2.iter().flatten().cloned().collect();
    let (points, lines) = super::lines::boundary_contacts(&rings1, &rings2);
    Ok(collect(points, lines).out())
}

/// Kusto's tolerance argument of buffers: meters, default 0.1, in [0.0001, 1].
fn buffer_tolerance(a: Option<&In<'_>>) -> Option<f64> {
    match a {
        None | Some(In::Null) => Some(0.1),
        v => num(v).filter(|t| (0.000_01..=1.0).contains(t)),
    }
}

/// The ring around `c` at `radius` meters, with enough vertices that the chord sags
/// less than `tolerance` meters, counter-clockwise.
fn circle(c: Ll, radius: f64, tolerance: f64) -> Vec<Ll> {
    let r = radius / super::EARTH_RADIUS;
    let rt = r.max(f64::MIN_POSITIVE);
    let sag = (tolerance / super::EARTH_RADIUS).min(rt);
    let step = 2.0 * (1.0 - sag / rt).clamp(-1.0, 1.0).acos();
    let n = ((std::f64::consts::TAU / step).ceil() as usize).clamp(8, 1024);
    let (lat, lng) = (c.lat.to_radians(), c.lng.to_radians());
    let mut ring = Vec::with_capacity(n + 1);
    for k in 0..n {
        // Bearings counter-clockwise seen from above: decreasing azimuth.
        let brg = -(k as f64) * std::f64::consts::TAU / n as f64;
        let lat2 = (lat.sin() * r.cos() + lat.cos() * r.sin() * brg.cos()).asin();
        let lng2 = lng + (brg.sin() * r.sin() * lat.cos()).atan2(r.cos() - lat.sin() * lat2.sin());
        let mut p = Ll {
            lng: lng2.to_degrees(),
            lat: lat2.to_degrees(),
        };
        if p.lng > 180.0 {
            p.lng -= 360.0;
        } else if p.lng < -180.0 {
            p.lng += 360.0;
        }
        ring.push(p);
    }
    if let Some(&first) = ring.first() {
        ring.push(first);
    }
    ring
}

/// `geo_point_buffer(lng, lat, radius, [tolerance = 0.1])`.
pub fn point_buffer<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some(c), Some(r), Some(tol)) =
        (point_args(a, 0), num(a.get(2)), buffer_tolerance(a.get(3)))
    else {
        return Ok(Out::Null);
    };
    if r <= 0.0 {
        return Ok(Out::Null);
    }
    Ok(Geometry::Polygon(vec![circle(c, r, tol)]).out())
}

/// The buffer of a set of paths: circles at the vertices and corridors along edges,
/// merged.
fn path_buffer(paths: &[Line], r: f64, tol: f64) -> Vec<Polygon> {
    let mut parts: Vec<Polygon> = Vec::new();
    for path in paths {
        for p in path {
            parts.push(vec![circle(*p, r, tol)]);
        }
        for w in path.windows(2) {
            let (a, b) = (w[0], w[1]);
            if angle(to_v3(a), to_v3(b)) == 0.0 {
                continue;
            }
            let ca = circle(a, r, tol);
            let cb = circle(b, r, tol);
            // The corridor: the hull of the two circles' extreme points across the edge.
            let az = super::sphere::azimuth(a, b).unwrap_or(0.0);
            let side = |ring: &[Ll], c: Ll, bearing: f64| -> Ll {
                ring.iter()
                    .copied()
                    .max_by(|p, q| {
                        let f = |x: &Ll| {
                            super::sphere::azimuth(c, *x).map_or(f64::MAX, |t| {
                                let d = (t - bearing).rem_euclid(std::f64::consts::TAU);
                                -d.min(std::f64::consts::TAU - d)
                            })
                        };
                        f(p).total_cmp(&f(q))
                    })
                    .unwrap_or(c)
            };
            let right = az + std::f64::consts::FRAC_PI_2;
            let left = az - std::f64::consts::FRAC_PI_2;
            let quad = vec![
                side(&ca, a, right),
                side(&cb, b, right),
                side(&cb, b, left),
                side(&ca, a, left),
                side(&ca, a, right),
            ];
            parts.push(vec![quad]);
        }
    }
    union(&parts)
}

/// `geo_line_buffer(line, radius, [tolerance = 0.1])`.
pub fn line_buffer<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(ls), Some(r), Some(tol)) = (
        geometry_arg(a.first(), s).and_then(Geometry::lines),
        num(a.get(1)),
        buffer_tolerance(a.get(2)),
    ) else {
        return Ok(Out::Null);
    };
    if r <= 0.0 {
        return Ok(Out::Null);
    }
    Ok(polygons_geometry(path_buffer(&ls, r, tol)).out())
}

/// `geo_polygon_buffer(polygon, radius, [tolerance = 0.1])`: grown by `radius` meters
/// (a negative radius shrinks it).
pub fn polygon_buffer<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(ps), Some(r), Some(tol)) = (
        geometry_arg(a.first(), s).and_then(Geometry::polygons),
        num(a.get(1)),
        buffer_tolerance(a.get(2)),
    ) else {
        return Ok(Out::Null);
    };
    if r == 0.0 {
        return Ok(polygons_geometry(normalized(ps)).out());
    }
    let rings: Vec<Line> = ps.iter().flatten().cloned().collect();
    let band = path_buffer(&rings, r.abs(), tol);
    let base: MultiPolygon<f64> = MultiPolygon::new(ps.iter().map(to_geo).collect());
    let band: MultiPolygon<f64> = MultiPolygon::new(band.iter().map(to_geo).collect());
    let result = if r > 0.0 {
        base.union(&band)
    } else {
        base.difference(&band)
    };
    let out = from_geo(&result);
    Ok(if out.is_empty() {
        Out::Null
    } else {
        polygons_geometry(out).out()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sq(x: f64, y: f64, d: f64) -> Polygon {
        let ll = |lng, lat| Ll { lng, lat };
        vec![vec![
            ll(x, y),
            ll(x + d, y),
            ll(x + d, y + d),
            ll(x, y + d),
            ll(x, y),
        ]]
    }

    #[test]
    fn unions_and_buffers() {
        let u = union(&[sq(0.0, 0.0, 1.0), sq(0.5, 0.5, 1.0)]);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0][0].len(), 9);
        // S2's order: the ring ends with the piece of the last input edge, the second
        // square's (0.5, 1.5)→(0.5, 0.5), so it starts where that edge leaves the union.
        let u = destructive_union(vec![vec![sq(0.0, 0.0, 1.0)], vec![sq(0.5, 0.5, 1.0)]]);
        let first = u[0][0][0];
        assert!(
            (first.lng - 0.5).abs() < 1e-9 && (first.lat - 1.0).abs() < 1e-3,
            "{first:?}"
        );
        assert_eq!(u[0][0][u[0][0].len() - 2], Ll { lng: 0.5, lat: 1.5 });
        let apart = union(&[sq(0.0, 0.0, 1.0), sq(5.0, 5.0, 1.0)]);
        assert_eq!(apart.len(), 2);
        let c = circle(
            Ll {
                lng: 10.0,
                lat: 20.0,
            },
            1000.0,
            0.1,
        );
        let d = super::super::sphere::distance(
            Ll {
                lng: 10.0,
                lat: 20.0,
            },
            c[3],
        );
        assert!((d - 1000.0).abs() < 1e-6, "{d}");
    }
}
