//! Polygon functions: area, perimeter, centroid, containment, distances,
//! densification, simplification and line intersections. Each ring bounds the smaller of
//! the two regions it divides the sphere into; holes are subtracted from their shell.

use super::lines::{
    closest_on_lines, collect, crossing_fractions, densify_path, densify_tolerance,
    preserve_crossing, simplify_path, simplify_tolerance,
};
use super::sphere::{
    V3, add, interpolate, normalize, ring_centroid, ring_contains, ring_signed_area, scale, to_ll,
    to_v3,
};
use super::{
    EARTH_RADIUS, Geometry, Line, Ll, Polygon, geometry_arg, geometry_arg_uncached, point_args,
    point_out,
};
use crate::functions::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

fn polygons_arg(a: &[In<'_>], i: usize, s: &mut Scratch) -> Option<Vec<Polygon>> {
    geometry_arg(a.get(i), s)?.polygons()
}

/// The polygons with overlapping members of a multipolygon merged, for measures.
fn merged_arg(a: &[In<'_>], i: usize, s: &mut Scratch) -> Option<Vec<Polygon>> {
    polygons_arg(a, i, s).map(super::overlay::normalized)
}

fn ring_v3(ring: &[Ll]) -> Vec<V3> {
    ring.iter().map(|p| to_v3(*p)).collect()
}

/// A ring's area (steradians) and its area-weighted centroid vector, orientation-free.
fn ring_measure(ring: &[Ll]) -> (f64, V3) {
    let v = ring_v3(ring);
    let area = ring_signed_area(&v);
    let sign = if area < 0.0 { -1.0 } else { 1.0 };
    (area.abs(), scale(ring_centroid(&v), sign))
}

/// The polygons' total area (steradians) and centroid vector.
fn measure(polys: &[Polygon]) -> (f64, V3) {
    let mut area = 0.0;
    let mut centroid = [0.0; 3];
    for p in polys {
        for (k, ring) in p.iter().enumerate() {
            let (a, c) = ring_measure(ring);
            let s = if k == 0 { 1.0 } else { -1.0 };
            area += s * a;
            centroid = add(centroid, scale(c, s));
        }
    }
    (area, centroid)
}

/// `geo_polygon_area(polygon)`: square meters.
pub fn polygon_area<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    Ok(merged_arg(a, 0, s).map_or(Out::Null, |ps| {
        Out::F64(measure(&ps).0 * EARTH_RADIUS * EARTH_RADIUS)
    }))
}

/// `geo_polygon_perimeter(polygon)`: meters, all rings.
pub fn polygon_perimeter<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    Ok(merged_arg(a, 0, s).map_or(Out::Null, |ps| {
        Out::F64(ps.iter().flatten().map(|r| super::lines::length(r)).sum())
    }))
}

/// `geo_polygon_centroid(polygon)`.
pub fn polygon_centroid<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    Ok(merged_arg(a, 0, s)
        .and_then(|ps| normalize(measure(&ps).1))
        .map_or(Out::Null, |c| point_out(to_ll(c))))
}

/// Whether `x` is inside any of the polygons (inside a shell and outside its holes).
pub fn contains(polys: &[Polygon], x: V3) -> bool {
    polys.iter().any(|p| {
        let mut rings = p.iter().map(|r| ring_contains(x, &ring_v3(r)));
        rings.next().unwrap_or(false) && !rings.any(|inside| inside)
    })
}

/// `geo_point_in_polygon(lng, lat, polygon)`.
pub fn point_in_polygon<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(p), Some(ps)) = (point_args(a, 0), polygons_arg(a, 2, s)) else {
        return Ok(Out::Null);
    };
    Ok(Out::Bool(contains(&ps, to_v3(p))))
}

fn all_rings(polys: &[Polygon]) -> Vec<Line> {
    polys.iter().flatten().cloned().collect()
}

/// `geo_distance_point_to_polygon(lng, lat, polygon)`: 0 inside, else meters to the
/// nearest edge.
pub fn distance_point_to_polygon<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(p), Some(ps)) = (point_args(a, 0), polygons_arg(a, 2, s)) else {
        return Ok(Out::Null);
    };
    let x = to_v3(p);
    if contains(&ps, x) {
        return Ok(Out::F64(0.0));
    }
    Ok(closest_on_lines(x, &all_rings(&ps)).map_or(Out::Null, |(_, d)| Out::F64(d * EARTH_RADIUS)))
}

/// `geo_closest_point_on_polygon(lng, lat, polygon)`: the point itself when inside.
pub fn closest_point_on_polygon<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(p), Some(ps)) = (point_args(a, 0), polygons_arg(a, 2, s)) else {
        return Ok(Out::Null);
    };
    let x = to_v3(p);
    if contains(&ps, x) {
        return Ok(point_out(p));
    }
    Ok(closest_on_lines(x, &all_rings(&ps)).map_or(Out::Null, |(c, _)| point_out(to_ll(c))))
}

/// `geo_polygon_densify(polygon, [tolerance = 10], [preserve_crossing = false])`.
pub fn polygon_densify<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(g), Some(tol)) = (geometry_arg(a.first(), s), densify_tolerance(a.get(1))) else {
        return Ok(Out::Null);
    };
    let crossing = preserve_crossing(a.get(2));
    let densify =
        |p: &Polygon| -> Polygon { p.iter().map(|r| densify_path(r, tol, crossing)).collect() };
    Ok(match g {
        Geometry::Polygon(p) => Geometry::Polygon(densify(&p)).out(),
        Geometry::MultiPolygon(ps) => {
            Geometry::MultiPolygon(ps.iter().map(densify).collect()).out()
        }
        _ => Out::Null,
    })
}

/// A simplified ring, or None when it collapses.
fn simplify_ring(ring: &[Ll], tolerance: f64) -> Option<Vec<Ll>> {
    let r = simplify_path(ring, tolerance);
    (r.len() >= 4).then_some(r)
}

/// `geo_polygon_simplify(polygon, [tolerance = 10])`: null when the shell collapses;
/// collapsed holes are dropped.
pub fn polygon_simplify<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(ps), Some(tol)) = (polygons_arg(a, 0, s), simplify_tolerance(a.get(1))) else {
        return Ok(Out::Null);
    };
    let multi =
        ps.len() > 1 || matches!(geometry_arg(a.first(), s), Some(Geometry::MultiPolygon(_)));
    let mut out: Vec<Polygon> = Vec::new();
    for p in &ps {
        let Some(shell) = p.first().and_then(|r| simplify_ring(r, tol)) else {
            continue;
        };
        let mut poly = vec![shell];
        poly.extend(p.iter().skip(1).filter_map(|h| simplify_ring(h, tol)));
        out.push(poly);
    }
    Ok(match (out.len(), multi) {
        (0, _) => Out::Null,
        (1, false) => Geometry::Polygon(out.remove(0)).out(),
        _ => Geometry::MultiPolygon(out).out(),
    })
}

/// The pieces of `lines` inside the polygons.
fn clip_lines(lines: &[Line], polys: &[Polygon]) -> Vec<Line> {
    let rings = all_rings(polys);
    let mut pieces: Vec<Line> = Vec::new();
    for line in lines {
        let mut current: Vec<Ll> = Vec::new();
        for w in line.windows(2) {
            let (a, b) = (to_v3(w[0]), to_v3(w[1]));
            let mut ts = vec![0.0, 1.0];
            for r in &rings {
                for e in r.windows(2) {
                    crossing_fractions(a, b, to_v3(e[0]), to_v3(e[1]), &mut ts);
                }
            }
            ts.sort_by(f64::total_cmp);
            ts.dedup_by(|x, y| (*x - *y).abs() < 1e-12);
            let at = |t: f64| -> Ll {
                if t <= 0.0 {
                    w[0]
                } else if t >= 1.0 {
                    w[1]
                } else {
                    to_ll(interpolate(a, b, t))
                }
            };
            for seg in ts.windows(2) {
                let mid = interpolate(a, b, (seg[0] + seg[1]) / 2.0);
                if contains(polys, mid) {
                    let (p, q) = (at(seg[0]), at(seg[1]));
                    if current.last() != Some(&p) {
                        if current.len() >= 2 {
                            pieces.push(std::mem::take(&mut current));
                        }
                        current.clear();
                        current.push(p);
                    }
                    current.push(q);
                } else if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                } else {
                    current.clear();
                }
            }
        }
        if current.len() >= 2 {
            pieces.push(current);
        }
    }
    pieces
}

fn line_and_polygon<'a>(a: &[In<'a>], s: &mut Scratch) -> Option<(Vec<Line>, Vec<Polygon>)> {
    let lines = geometry_arg(a.first(), s)?.lines()?;
    let polys = geometry_arg_uncached(a.get(1))?.polygons()?;
    Some((lines, polys))
}

/// Whether a line touches the polygons: a vertex inside, or an edge crossing a ring.
fn line_meets(lines: &[Line], polys: &[Polygon]) -> bool {
    if lines.iter().flatten().any(|p| contains(polys, to_v3(*p))) {
        return true;
    }
    let rings = all_rings(polys);
    lines.iter().any(|l| {
        l.windows(2).any(|w| {
            let (a, b) = (to_v3(w[0]), to_v3(w[1]));
            rings.iter().any(|r| {
                r.windows(2).any(|e| {
                    super::sphere::arc_intersection(a, b, to_v3(e[0]), to_v3(e[1])).is_some()
                })
            })
        })
    })
}

/// `geo_intersects_line_with_polygon(line, polygon)`.
pub fn intersects_line_with_polygon<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    Ok(line_and_polygon(a, s).map_or(Out::Null, |(l, p)| Out::Bool(line_meets(&l, &p))))
}

/// `geo_intersection_line_with_polygon(line, polygon)`.
pub fn intersection_line_with_polygon<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    Ok(line_and_polygon(a, s).map_or(Out::Null, |(l, p)| {
        collect(Vec::new(), clip_lines(&l, &p)).out()
    }))
}

/// `geo_intersects_2polygons(polygon1, polygon2)`.
pub fn intersects_2polygons<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(p1), Some(p2)) = (
        polygons_arg(a, 0, s),
        geometry_arg_uncached(a.get(1)).and_then(Geometry::polygons),
    ) else {
        return Ok(Out::Null);
    };
    let meets = line_meets(&all_rings(&p1), &p2)
        || all_rings(&p2)
            .iter()
            .flatten()
            .any(|v| contains(&p1, to_v3(*v)));
    Ok(Out::Bool(meets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;

    #[test]
    fn polygon_measures() {
        let Ok(Out::F64(area)) = run1(polygon_area, &[In::Str(SQUARE)]) else {
            panic!("no area");
        };
        assert!((area / 1e9 - 12.36).abs() < 0.05, "{area}");
        let Ok(Out::F64(per)) = run1(polygon_perimeter, &[In::Str(SQUARE)]) else {
            panic!("no perimeter");
        };
        assert!((per / 1000.0 - 444.76).abs() < 0.5, "{per}");
        assert_eq!(
            run1(
                point_in_polygon,
                &[In::F64(0.5), In::F64(0.5), In::Str(SQUARE)]
            ),
            Ok(Out::Bool(true))
        );
        let Ok(Out::F64(d)) = run1(
            distance_point_to_polygon,
            &[In::F64(0.5), In::F64(2.0), In::Str(SQUARE)],
        ) else {
            panic!("no distance");
        };
        assert!((d - 111_195.08).abs() < 100.0, "{d}");
        let line = r#"{"type":"LineString","coordinates":[[-1,0.5],[2,0.5]]}"#;
        let Ok(Out::Str(clip)) = run1(
            intersection_line_with_polygon,
            &[In::Str(line), In::Str(SQUARE)],
        ) else {
            panic!("no clip");
        };
        assert!(clip.contains("LineString"), "{clip}");
    }
}
