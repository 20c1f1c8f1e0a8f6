//! The vertex order of overlay results, as S2's builder leaves it (Kusto's overlays are
//! S2's): a loop is traced from its vertex with the smallest S2 cell id, then rotated so
//! that it ends with the edge that came from the highest-numbered input edge (input
//! edges numbered through the operands in order, loop by loop) — S2Builder's
//! `CanonicalizeLoopOrder`, which keeps the input's cyclic order where it survives.

use super::s2::CellId;
use super::sphere::{V3, add, closest_on_edge, normalize, to_v3};
use super::{Ll, Polygon};

/// The planar distance (degrees) from `p` to the segment `a`–`b`.
pub fn planar_distance(p: Ll, a: Ll, b: Ll) -> f64 {
    let (dx, dy) = (b.lng - a.lng, b.lat - a.lat);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.lng - a.lng) * dx + (p.lat - a.lat) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (a.lng + t * dx - p.lng, a.lat + t * dy - p.lat);
    (x * x + y * y).sqrt()
}

/// The input edges, numbered: every ring of every polygon of every operand, in order.
fn input_edges(operands: &[&[Polygon]]) -> Vec<(V3, V3)> {
    operands
        .iter()
        .flat_map(|polys| polys.iter())
        .flatten()
        .flat_map(|r| r.windows(2).map(|w| (to_v3(w[0]), to_v3(w[1]))))
        .collect()
}

/// The smallest id of an input edge (a great-circle arc) the output edge `a`–`b` lies on.
fn edge_id(a: Ll, b: Ll, edges: &[(V3, V3)]) -> usize {
    const ON: f64 = 1e-10;
    let (va, vb) = (to_v3(a), to_v3(b));
    let mid = normalize(add(va, vb)).unwrap_or(va);
    edges
        .iter()
        .position(|(p, q)| {
            [mid, va, vb]
                .iter()
                .all(|x| closest_on_edge(*x, *p, *q).1 < ON)
        })
        .unwrap_or(usize::MAX)
}

/// Reorders every closed ring of `out` as S2 would output it.
pub fn canonicalize(out: &mut [Polygon], operands: &[&[Polygon]]) {
    let edges = input_edges(operands);
    for ring in out.iter_mut().flatten() {
        let n = ring.len().saturating_sub(1);
        if n < 3 {
            continue;
        }
        ring.truncate(n);
        // Traced from the vertex with the smallest cell id.
        let keys: Vec<u64> = ring
            .iter()
            .map(|p| CellId::from_point(to_v3(*p)).0)
            .collect();
        let start = (0..n).min_by_key(|&i| keys[i]).unwrap_or(0);
        ring.rotate_left(start);
        // Then ended with the highest-numbered input edge.
        let ids: Vec<usize> = (0..n)
            .map(|i| edge_id(ring[i], ring[(i + 1) % n], &edges))
            .collect();
        let mut pos = 0;
        let mut saw_gap = false;
        for i in 1..n {
            if ids[i] < ids[pos] {
                saw_gap = true;
            } else if ids[i] > ids[pos] || !saw_gap {
                pos = i;
                saw_gap = false;
            }
        }
        ring.rotate_left((pos + 1) % n);
        ring.push(ring[0]);
    }
    // Polygons keep the order of the input they come from.
    out.sort_by_key(|p| {
        p.first()
            .map(|r| {
                r.windows(2)
                    .map(|w| edge_id(w[0], w[1], &edges))
                    .min()
                    .unwrap_or(usize::MAX)
            })
            .unwrap_or(usize::MAX)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_end_with_the_last_input_edge() {
        let ll = |lng, lat| Ll { lng, lat };
        let input: Vec<Polygon> = vec![vec![vec![
            ll(0.0, 0.0),
            ll(2.0, 0.0),
            ll(2.0, 2.0),
            ll(0.0, 2.0),
            ll(0.0, 0.0),
        ]]];
        let mut out = vec![vec![vec![
            ll(2.0, 2.0),
            ll(0.0, 2.0),
            ll(0.0, 0.0),
            ll(2.0, 0.0),
            ll(2.0, 2.0),
        ]]];
        canonicalize(&mut out, &[&input]);
        assert_eq!(out, input);
    }
}
