//! Line functions: length, centroid, densification, interpolation, closest points,
//! simplification and intersections. Line edges are great-circle arcs.

use super::sphere::{
    V3, add, angle, arc_intersection, arc_overlap, closest_on_edge, dot, edge_normal, interpolate,
    normalize, scale, sub, to_ll, to_v3,
};
use super::{
    EARTH_RADIUS, Geometry, Line, Ll, geometry_arg, geometry_arg_uncached, num, point_args,
    point_out,
};
use crate::functions::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

/// The default tolerance (meters) of densification and simplification.
pub const DEFAULT_TOLERANCE: f64 = 10.0;
/// Densification tolerances Kusto accepts, in meters.
const DENSIFY_TOLERANCE: std::ops::RangeInclusive<f64> = 0.1..=10_000.0;

fn lines_arg(a: &[In<'_>], i: usize, s: &mut Scratch) -> Option<Vec<Line>> {
    geometry_arg(a.get(i), s)?.lines()
}

/// The line's length in meters.
pub fn length(line: &[Ll]) -> f64 {
    line.windows(2)
        .map(|w| angle(to_v3(w[0]), to_v3(w[1])))
        .sum::<f64>()
        * EARTH_RADIUS
}

/// `geo_line_length(line)`: meters (the sum over a MultiLineString).
pub fn line_length<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    Ok(lines_arg(a, 0, s).map_or(Out::Null, |ls| Out::F64(ls.iter().map(|l| length(l)).sum())))
}

/// S2's polyline centroid: each edge's midpoint weighted by its length.
pub fn centroid_vector(lines: &[Line]) -> V3 {
    let mut sum = [0.0; 3];
    for l in lines {
        for w in l.windows(2) {
            let (a, b) = (to_v3(w[0]), to_v3(w[1]));
            let vsum = add(a, b);
            let vdiff = sub(a, b);
            let cos2 = dot(vsum, vsum);
            let sin2 = dot(vdiff, vdiff);
            if cos2 > 0.0 {
                sum = add(sum, scale(vsum, (sin2 / cos2).sqrt()));
            }
        }
    }
    sum
}

/// `geo_line_centroid(line)`.
pub fn line_centroid<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    Ok(lines_arg(a, 0, s)
        .and_then(|ls| normalize(centroid_vector(&ls)))
        .map_or(Out::Null, |c| point_out(to_ll(c))))
}

/// Splits the planar (longitude/latitude) edge `a`–`b` in halves until every piece's
/// midpoint lies within `tolerance` meters of the geodesic through its ends; pushes the
/// points after `a`.
pub fn densify_edge(a: Ll, b: Ll, tolerance: f64, out: &mut Vec<Ll>, depth: u32) {
    let mid = Ll {
        lng: (a.lng + b.lng) / 2.0,
        lat: (a.lat + b.lat) / 2.0,
    };
    let geodesic_mid = normalize(add(to_v3(a), to_v3(b)));
    let deviation = geodesic_mid.map_or(0.0, |g| angle(g, to_v3(mid)) * EARTH_RADIUS);
    if deviation > tolerance && depth < 24 {
        densify_edge(a, mid, tolerance, out, depth + 1);
        densify_edge(mid, b, tolerance, out, depth + 1);
    } else {
        out.push(Ll {
            lng: wrap_longitude(b.lng),
            lat: b.lat,
        });
    }
}

fn wrap_longitude(lng: f64) -> f64 {
    if lng > 180.0 {
        lng - 360.0
    } else if lng < -180.0 {
        lng + 360.0
    } else {
        lng
    }
}

/// Densifies every planar edge of a path. With `preserve_crossing`, an edge spanning
/// more than 180° of longitude is taken across the antimeridian (the short way).
pub fn densify_path(points: &[Ll], tolerance: f64, preserve_crossing: bool) -> Vec<Ll> {
    let mut out = Vec::with_capacity(points.len());
    if let Some(&first) = points.first() {
        out.push(first);
    }
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut far = b;
        if preserve_crossing && (b.lng - a.lng).abs() > 180.0 {
            far.lng += if b.lng > a.lng { -360.0 } else { 360.0 };
        }
        densify_edge(a, far, tolerance, &mut out, 0);
        // The edge ends exactly at the input vertex.
        if let Some(last) = out.last_mut() {
            *last = b;
        }
    }
    out
}

/// The `preserve_crossing` argument of densify functions (default false).
pub fn preserve_crossing(a: Option<&In<'_>>) -> bool {
    matches!(a, Some(In::Bool(true)))
}

/// The tolerance argument of densify functions: default 10 m, null when out of range.
pub fn densify_tolerance(a: Option<&In<'_>>) -> Option<f64> {
    match a {
        None | Some(In::Null) => Some(DEFAULT_TOLERANCE),
        v => num(v).filter(|t| DENSIFY_TOLERANCE.contains(t)),
    }
}

/// `geo_line_densify(line, [tolerance = 10], [preserve_crossing = false])`.
pub fn line_densify<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(g), Some(tol)) = (geometry_arg(a.first(), s), densify_tolerance(a.get(1))) else {
        return Ok(Out::Null);
    };
    let crossing = preserve_crossing(a.get(2));
    Ok(match g {
        Geometry::LineString(l) => Geometry::LineString(densify_path(&l, tol, crossing)).out(),
        Geometry::MultiLineString(ls) => {
            Geometry::MultiLineString(ls.iter().map(|l| densify_path(l, tol, crossing)).collect())
                .out()
        }
        _ => Out::Null,
    })
}

/// `geo_line_interpolate_point(line, fraction)`: the point at that fraction of the
/// line's length.
pub fn line_interpolate_point<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(ls), Some(f)) = (lines_arg(a, 0, s), num(a.get(1))) else {
        return Ok(Out::Null);
    };
    if !(0.0..=1.0).contains(&f) {
        return Ok(Out::Null);
    }
    let Some(line) = ls.into_iter().next() else {
        return Ok(Out::Null);
    };
    let pts: Vec<V3> = line.iter().map(|p| to_v3(*p)).collect();
    let total: f64 = pts.windows(2).map(|w| angle(w[0], w[1])).sum();
    let mut target = f * total;
    for w in pts.windows(2) {
        let len = angle(w[0], w[1]);
        if target <= len && len > 0.0 {
            return Ok(point_out(to_ll(interpolate(w[0], w[1], target / len))));
        }
        target -= len;
    }
    Ok(line.last().map_or(Out::Null, |p| point_out(*p)))
}

/// `geo_line_locate_point(line, lng, lat, [use_spheroid = false])`: the fraction of the
/// line's length from its start to the point of the line closest to (lng, lat).
pub fn line_locate_point<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    if matches!(a.get(3), Some(In::Bool(true))) {
        return Err("geo_line_locate_point(): use_spheroid = true is not supported".to_string());
    }
    let (Some(ls), Some(p)) = (lines_arg(a, 0, s), point_args(a, 1)) else {
        return Ok(Out::Null);
    };
    let [line] = ls.as_slice() else {
        return Ok(Out::Null);
    };
    let x = to_v3(p);
    let pts: Vec<V3> = line.iter().map(|q| to_v3(*q)).collect();
    let mut best: Option<(f64, f64)> = None; // (distance, length before the point)
    let mut walked = 0.0;
    for w in pts.windows(2) {
        let (c, d) = closest_on_edge(x, w[0], w[1]);
        if best.is_none_or(|b| d < b.0) {
            best = Some((d, walked + angle(w[0], c)));
        }
        walked += angle(w[0], w[1]);
    }
    Ok(match best {
        Some((_, along)) if walked > 0.0 => Out::F64((along / walked).clamp(0.0, 1.0)),
        Some(_) => Out::F64(0.0),
        None => Out::Null,
    })
}

/// The closest point on any edge of `lines` to `x`, with its angular distance.
pub fn closest_on_lines(x: V3, lines: &[Line]) -> Option<(V3, f64)> {
    let mut best: Option<(V3, f64)> = None;
    for l in lines {
        for w in l.windows(2) {
            let c = closest_on_edge(x, to_v3(w[0]), to_v3(w[1]));
            if best.is_none_or(|b| c.1 < b.1) {
                best = Some(c);
            }
        }
    }
    best
}

/// `geo_distance_point_to_line(lng, lat, line)`: meters.
pub fn distance_point_to_line<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(p), Some(ls)) = (point_args(a, 0), lines_arg(a, 2, s)) else {
        return Ok(Out::Null);
    };
    Ok(closest_on_lines(to_v3(p), &ls).map_or(Out::Null, |(_, d)| Out::F64(d * EARTH_RADIUS)))
}

/// `geo_closest_point_on_line(lng, lat, line)`.
pub fn closest_point_on_line<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(p), Some(ls)) = (point_args(a, 0), lines_arg(a, 2, s)) else {
        return Ok(Out::Null);
    };
    Ok(closest_on_lines(to_v3(p), &ls).map_or(Out::Null, |(c, _)| point_out(snap(c, &ls))))
}

/// The coordinate of `v`, or the input vertex it coincides with (exact input numbers).
fn snap(v: V3, lines: &[Line]) -> Ll {
    lines
        .iter()
        .flatten()
        .find(|p| angle(to_v3(**p), v) < 1e-15)
        .copied()
        .unwrap_or_else(|| to_ll(v))
}

/// Douglas–Peucker on the sphere: keeps the ends and every vertex farther than
/// `tolerance` (radians) from the simplified arc.
pub fn simplify_path(points: &[Ll], tolerance: f64) -> Vec<Ll> {
    let n = points.len();
    if n < 3 {
        return points.to_vec();
    }
    let v: Vec<V3> = points.iter().map(|p| to_v3(*p)).collect();
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let mut stack = vec![(0usize, n - 1)];
    while let Some((s, e)) = stack.pop() {
        if e <= s + 1 {
            continue;
        }
        let mut best = (s, -1.0f64);
        for (k, p) in v.iter().enumerate().take(e).skip(s + 1) {
            let d = closest_on_edge(*p, v[s], v[e]).1;
            if d > best.1 {
                best = (k, d);
            }
        }
        if best.1 > tolerance {
            keep[best.0] = true;
            stack.push((s, best.0));
            stack.push((best.0, e));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// The tolerance argument of simplify functions: meters, default 10, not negative.
pub fn simplify_tolerance(a: Option<&In<'_>>) -> Option<f64> {
    match a {
        None | Some(In::Null) => Some(DEFAULT_TOLERANCE / EARTH_RADIUS),
        v => num(v).filter(|t| *t >= 0.0).map(|t| t / EARTH_RADIUS),
    }
}

/// `geo_line_simplify(line, [tolerance = 10])`.
pub fn line_simplify<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(g), Some(tol)) = (geometry_arg(a.first(), s), simplify_tolerance(a.get(1))) else {
        return Ok(Out::Null);
    };
    Ok(match g {
        Geometry::LineString(l) => Geometry::LineString(simplify_path(&l, tol)).out(),
        Geometry::MultiLineString(ls) => {
            Geometry::MultiLineString(ls.iter().map(|l| simplify_path(l, tol)).collect()).out()
        }
        _ => Out::Null,
    })
}

/// Every point where the two sets of lines meet, and every stretch they share.
fn line_crossings(l1: &[Line], l2: &[Line]) -> (Vec<V3>, Vec<(V3, V3)>) {
    let mut points: Vec<V3> = Vec::new();
    let mut shared: Vec<(V3, V3)> = Vec::new();
    for a in l1 {
        for e1 in a.windows(2) {
            let (p, q) = (to_v3(e1[0]), to_v3(e1[1]));
            for b in l2 {
                for e2 in b.windows(2) {
                    let (r, t) = (to_v3(e2[0]), to_v3(e2[1]));
                    if let Some(o) = arc_overlap(p, q, r, t) {
                        shared.push(o);
                    } else if let Some(x) = arc_intersection(p, q, r, t)
                        && !points.iter().any(|y| angle(*y, x) < 1e-13)
                    {
                        points.push(x);
                    }
                }
            }
        }
    }
    // Points lying on a shared stretch are part of it.
    points.retain(|x| {
        !shared
            .iter()
            .any(|(a, b)| closest_on_edge(*x, *a, *b).1 < 1e-13)
    });
    (points, shared)
}

/// `geo_intersects_2lines(line1, line2)`.
pub fn intersects_2lines<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(l1), Some(l2)) = (
        lines_arg(a, 0, s),
        geometry_arg_uncached(a.get(1)).and_then(Geometry::lines),
    ) else {
        return Ok(Out::Null);
    };
    let (p, sh) = line_crossings(&l1, &l2);
    Ok(Out::Bool(!p.is_empty() || !sh.is_empty()))
}

/// Points and stretches as one geometry: a Point, MultiPoint, LineString,
/// MultiLineString, a GeometryCollection of both kinds, or an empty collection.
pub fn collect(points: Vec<Ll>, lines: Vec<Line>) -> Geometry {
    let pg = match points.len() {
        0 => None,
        1 => Some(Geometry::Point(points[0])),
        _ => Some(Geometry::MultiPoint(points)),
    };
    let lg = match lines.len() {
        0 => None,
        1 => lines.into_iter().next().map(Geometry::LineString),
        _ => Some(Geometry::MultiLineString(lines)),
    };
    match (pg, lg) {
        (Some(p), None) => p,
        (None, Some(l)) => l,
        (Some(p), Some(l)) => Geometry::Collection(vec![p, l]),
        (None, None) => Geometry::Collection(Vec::new()),
    }
}

/// `geo_intersection_2lines(line1, line2)`.
pub fn intersection_2lines<'a>(a: &[In<'a>], s: &mut Scratch) -> R<'a> {
    let (Some(l1), Some(l2)) = (
        lines_arg(a, 0, s),
        geometry_arg_uncached(a.get(1)).and_then(Geometry::lines),
    ) else {
        return Ok(Out::Null);
    };
    let (points, lines) = boundary_contacts(&l1, &l2);
    Ok(collect(points, lines).out())
}

/// Where two sets of lines meet: the crossing points and the shared stretches (input
/// vertices keep their exact coordinates).
pub fn boundary_contacts(l1: &[Line], l2: &[Line]) -> (Vec<Ll>, Vec<Line>) {
    let all: Vec<Line> = l1.iter().chain(l2.iter()).cloned().collect();
    let (pts, shared) = line_crossings(l1, l2);
    let points = pts.into_iter().map(|v| snap(v, &all)).collect();
    let lines = merge_stretches(shared)
        .into_iter()
        .map(|l| l.into_iter().map(|v| snap(v, &all)).collect())
        .collect();
    (points, lines)
}

/// Joins stretches end to start into paths.
fn merge_stretches(stretches: Vec<(V3, V3)>) -> Vec<Vec<V3>> {
    let mut paths: Vec<Vec<V3>> = Vec::new();
    for (a, b) in stretches {
        match paths
            .iter_mut()
            .find(|p| p.last().is_some_and(|l| angle(*l, a) < 1e-13))
        {
            Some(p) => p.push(b),
            None => paths.push(vec![a, b]),
        }
    }
    paths
}

/// The points where a great-circle arc meets another arc, as fractions along the first.
pub fn crossing_fractions(a: V3, b: V3, c: V3, d: V3, out: &mut Vec<f64>) {
    let total = angle(a, b);
    if total == 0.0 {
        return;
    }
    if let Some((p, q)) = arc_overlap(a, b, c, d) {
        out.push(angle(a, p) / total);
        out.push(angle(a, q) / total);
    } else if let Some(x) = arc_intersection(a, b, c, d) {
        // Only points on a's great circle count.
        let n = edge_normal(a, b);
        if normalize(n).is_some_and(|n| dot(n, x).abs() < 1e-12) {
            out.push((angle(a, x) / total).clamp(0.0, 1.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    #[test]
    fn line_functions() {
        let line = r#"{"type":"LineString","coordinates":[[0,0],[0,1],[1,1]]}"#;
        let Ok(Out::F64(len)) = run1(line_length, &[In::Str(line)]) else {
            panic!("no length");
        };
        assert!((len - 2.0 * 111_195.08).abs() < 20.0, "{len}");
        let d = run1(
            distance_point_to_line,
            &[In::F64(0.0), In::F64(0.5), In::Str(line)],
        );
        assert!(matches!(d, Ok(Out::F64(x)) if x.abs() < 1e-6));
        let dense = run1(line_densify, &[In::Str(line), In::F64(0.0)]);
        assert_eq!(dense, Ok(Out::Null));
        let simplified = simplify_path(
            &[
                Ll { lng: 0.0, lat: 0.0 },
                Ll {
                    lng: 0.5,
                    lat: 0.000001,
                },
                Ll { lng: 1.0, lat: 0.0 },
            ],
            10.0 / EARTH_RADIUS,
        );
        assert_eq!(simplified.len(), 2);
        let other = r#"{"type":"LineString","coordinates":[[-1,0.5],[1,0.5]]}"#;
        assert_eq!(
            run1(intersects_2lines, &[In::Str(line), In::Str(other)]),
            Ok(Out::Bool(true))
        );
    }
}
