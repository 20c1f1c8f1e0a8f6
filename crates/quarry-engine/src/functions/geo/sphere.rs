//! Unit-vector geometry on the sphere: distances, great-circle arcs, signed areas,
//! centroids and containment, in the way the S2 library computes them.

use super::{EARTH_RADIUS, Ll};

pub type V3 = [f64; 3];

pub fn to_v3(p: Ll) -> V3 {
    let (lng, lat) = (p.lng.to_radians(), p.lat.to_radians());
    [lat.cos() * lng.cos(), lat.cos() * lng.sin(), lat.sin()]
}

/// The coordinate of a (not necessarily unit) non-zero vector.
pub fn to_ll(v: V3) -> Ll {
    let lat = v[2].atan2((v[0] * v[0] + v[1] * v[1]).sqrt());
    let lng = v[1].atan2(v[0]);
    Ll {
        lng: lng.to_degrees(),
        lat: lat.to_degrees(),
    }
}

pub fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

pub fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

pub fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub fn scale(a: V3, k: f64) -> V3 {
    [a[0] * k, a[1] * k, a[2] * k]
}

pub fn norm(a: V3) -> f64 {
    dot(a, a).sqrt()
}

/// A normal of the great circle through `a` and `b` (twice `a × b`), computed as
/// `(a + b) × (b − a)`, which loses far less precision for nearby points.
pub fn edge_normal(a: V3, b: V3) -> V3 {
    cross(add(a, b), sub(b, a))
}

/// The unit vector along `a`, or None for the zero vector.
pub fn normalize(a: V3) -> Option<V3> {
    let n = norm(a);
    (n > 0.0 && n.is_finite()).then(|| scale(a, 1.0 / n))
}

/// The angle between two unit vectors, in radians (accurate for tiny and large angles).
pub fn angle(a: V3, b: V3) -> f64 {
    norm(cross(a, b)).atan2(dot(a, b))
}

/// The great-circle distance in meters.
pub fn distance(a: Ll, b: Ll) -> f64 {
    angle(to_v3(a), to_v3(b)) * EARTH_RADIUS
}

/// The initial bearing from `a` to `b`, clockwise from north, in [0, 2π); None when the
/// points coincide.
pub fn azimuth(a: Ll, b: Ll) -> Option<f64> {
    let (l1, p1) = (a.lng.to_radians(), a.lat.to_radians());
    let (l2, p2) = (b.lng.to_radians(), b.lat.to_radians());
    let y = (l2 - l1).sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * (l2 - l1).cos();
    if (y == 0.0 && x == 0.0) || angle(to_v3(a), to_v3(b)) == 0.0 {
        return None;
    }
    Some(y.atan2(x).rem_euclid(std::f64::consts::TAU))
}

/// The point at fraction `t` of the arc from `a` to `b` (unit vectors).
pub fn interpolate(a: V3, b: V3, t: f64) -> V3 {
    let theta = angle(a, b);
    if theta == 0.0 {
        return a;
    }
    let s = theta.sin();
    if s.abs() < 1e-15 {
        return normalize(add(scale(a, 1.0 - t), scale(b, t))).unwrap_or(a);
    }
    let ka = ((1.0 - t) * theta).sin() / s;
    let kb = (t * theta).sin() / s;
    add(scale(a, ka), scale(b, kb))
}

/// The closest point to `x` on the arc `a`–`b`, and its angular distance.
pub fn closest_on_edge(x: V3, a: V3, b: V3) -> (V3, f64) {
    let n = edge_normal(a, b);
    let nn = dot(n, n);
    if nn > 0.0 && dot(cross(n, a), x) > 0.0 && dot(cross(b, n), x) > 0.0 {
        let proj = sub(x, scale(n, dot(x, n) / nn));
        if let Some(p) = normalize(proj) {
            return (p, angle(x, p));
        }
    }
    let (da, db) = (angle(x, a), angle(x, b));
    if da <= db { (a, da) } else { (b, db) }
}

/// Whether `x` (on the great circle of `a`–`b`, or near it) lies within the arc.
fn within_arc(x: V3, a: V3, b: V3, n: V3) -> bool {
    const EPS: f64 = 1e-15;
    dot(cross(n, a), x) >= -EPS && dot(cross(b, n), x) >= -EPS
}

/// Where the arcs `a`–`b` and `c`–`d` cross, if they do at a single point (shared
/// vertices count); collinear overlaps are reported by [`arc_overlap`].
pub fn arc_intersection(a: V3, b: V3, c: V3, d: V3) -> Option<V3> {
    for (p, q) in [(a, c), (a, d), (b, c), (b, d)] {
        if angle(p, q) < 1e-15 {
            return Some(p);
        }
    }
    let n1 = edge_normal(a, b);
    let n2 = edge_normal(c, d);
    let x = normalize(cross(n1, n2))?;
    for cand in [x, scale(x, -1.0)] {
        if within_arc(cand, a, b, n1) && within_arc(cand, c, d, n2) {
            return Some(cand);
        }
    }
    // An endpoint lying on the other arc.
    for (p, (s, e, n)) in [
        (a, (c, d, n2)),
        (b, (c, d, n2)),
        (c, (a, b, n1)),
        (d, (a, b, n1)),
    ] {
        if closest_on_edge(p, s, e).1 < 1e-13 && within_arc(p, s, e, n) {
            return Some(p);
        }
    }
    None
}

/// The part two arcs share when they lie on the same great circle.
pub fn arc_overlap(a: V3, b: V3, c: V3, d: V3) -> Option<(V3, V3)> {
    let n1 = edge_normal(a, b);
    let n1n = normalize(n1)?;
    if dot(n1n, c).abs() > 1e-12 || dot(n1n, d).abs() > 1e-12 {
        return None;
    }
    let on = |p: V3| within_arc(p, a, b, n1);
    let n2 = edge_normal(c, d);
    let on2 = |p: V3| within_arc(p, c, d, n2);
    let mut pts: Vec<V3> = Vec::new();
    for p in [c, d] {
        if on(p) {
            pts.push(p);
        }
    }
    for p in [a, b] {
        if on2(p) && !pts.iter().any(|q| angle(*q, p) < 1e-15) {
            pts.push(p);
        }
    }
    if pts.len() < 2 {
        return None;
    }
    // Order along a→b.
    pts.sort_by(|p, q| angle(a, *p).total_cmp(&angle(a, *q)));
    let (first, last) = (pts[0], pts[pts.len() - 1]);
    (angle(first, last) > 1e-15).then_some((first, last))
}

/// The signed area (steradians) of the spherical triangle `a b c`: positive when
/// counter-clockwise.
pub fn signed_triangle_area(a: V3, b: V3, c: V3) -> f64 {
    let num = dot(a, cross(b, c));
    let den = 1.0 + dot(a, b) + dot(b, c) + dot(c, a);
    2.0 * num.atan2(den)
}

/// The signed area of a closed ring (last vertex repeating the first): positive when
/// counter-clockwise.
pub fn ring_signed_area(ring: &[V3]) -> f64 {
    let n = ring.len().saturating_sub(1);
    if n < 3 {
        return 0.0;
    }
    let o = ring[0];
    (1..n - 1)
        .map(|i| signed_triangle_area(o, ring[i], ring[i + 1]))
        .sum()
}

/// S2's true centroid of the triangle `a b c`, scaled by its area (signed by orientation).
pub fn triangle_centroid(a: V3, b: V3, c: V3) -> V3 {
    let (aa, ab, ac) = (angle(b, c), angle(c, a), angle(a, b));
    let r = |t: f64| if t == 0.0 { 1.0 } else { t / t.sin() };
    let (ra, rb, rc) = (r(aa), r(ab), r(ac));
    let x = [a[0], b[0] - a[0], c[0] - a[0]];
    let y = [a[1], b[1] - a[1], c[1] - a[1]];
    let z = [a[2], b[2] - a[2], c[2] - a[2]];
    let rr = [ra, rb - ra, rc - ra];
    scale(
        [
            dot(cross(y, z), rr),
            dot(cross(rr, z), x),
            dot(cross(rr, x), y),
        ],
        0.5,
    )
}

/// The area-weighted centroid vector of a closed ring (signed by orientation).
pub fn ring_centroid(ring: &[V3]) -> V3 {
    let n = ring.len().saturating_sub(1);
    let mut sum = [0.0; 3];
    if n < 3 {
        return sum;
    }
    let o = ring[0];
    for i in 1..n - 1 {
        sum = add(sum, triangle_centroid(o, ring[i], ring[i + 1]));
    }
    sum
}

/// Twice the winding of a closed ring around `x`, in radians: ±2π when the ring
/// separates `x` from its antipode, 0 when it does not.
fn winding(x: V3, ring: &[V3]) -> f64 {
    ring.windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let s = dot(x, cross(a, b));
            let c = dot(a, b) - dot(x, a) * dot(x, b);
            s.atan2(c)
        })
        .sum()
}

/// Whether `x` is inside the closed ring, taken as the smaller of the two regions it
/// bounds (Kusto's shells are the side of less than a hemisphere).
pub fn ring_contains(x: V3, ring: &[V3]) -> bool {
    if winding(x, ring).abs() < std::f64::consts::PI {
        return false;
    }
    // The ring separates x from -x: x is inside when it lies on the ring's side.
    let centroid = ring_centroid(ring);
    let sign = if ring_signed_area(ring) >= 0.0 {
        1.0
    } else {
        -1.0
    };
    dot(x, scale(centroid, sign)) > 0.0
}

/// The distance in radians from `x` to the nearest edge of a ring, with that point.
pub fn closest_on_ring(x: V3, ring: &[V3]) -> Option<(V3, f64)> {
    ring.windows(2)
        .map(|w| closest_on_edge(x, w[0], w[1]))
        .min_by(|p, q| p.1.total_cmp(&q.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ll(lng: f64, lat: f64) -> Ll {
        Ll { lng, lat }
    }

    #[test]
    fn distances_and_bearings() {
        // A quarter of the equator.
        let d = distance(ll(0.0, 0.0), ll(90.0, 0.0));
        assert!((d - EARTH_RADIUS * std::f64::consts::FRAC_PI_2).abs() < 1e-6);
        let east = azimuth(ll(0.0, 0.0), ll(1.0, 0.0)).unwrap_or(f64::NAN);
        assert!((east - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
        assert_eq!(azimuth(ll(3.0, 4.0), ll(3.0, 4.0)), None);
    }

    #[test]
    fn areas_and_containment() {
        let ring: Vec<V3> = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
            .iter()
            .map(|&(a, b)| to_v3(ll(a, b)))
            .collect();
        let area = ring_signed_area(&ring) * EARTH_RADIUS * EARTH_RADIUS;
        // About 111.2 km × 111.2 km.
        assert!((area / 1e9 - 12.36).abs() < 0.05, "{area}");
        assert!(ring_contains(to_v3(ll(0.5, 0.5)), &ring));
        assert!(!ring_contains(to_v3(ll(1.5, 0.5)), &ring));
        assert!(!ring_contains(to_v3(ll(-179.5, -0.5)), &ring));
        let reversed: Vec<V3> = ring.iter().rev().copied().collect();
        assert!(ring_contains(to_v3(ll(0.5, 0.5)), &reversed));
    }

    #[test]
    fn arcs_cross() {
        let p = |a, b| to_v3(ll(a, b));
        let x = arc_intersection(p(0.0, -1.0), p(0.0, 1.0), p(-1.0, 0.0), p(1.0, 0.0));
        let got = x.map(to_ll).unwrap_or(ll(9.0, 9.0));
        assert!(got.lng.abs() < 1e-12 && got.lat.abs() < 1e-12);
        assert!(arc_intersection(p(0.0, 1.0), p(0.0, 2.0), p(-1.0, 0.0), p(1.0, 0.0)).is_none());
    }
}
