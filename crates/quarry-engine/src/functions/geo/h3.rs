//! H3 cells (Uber's hexagonal grid) through `h3o`: tokens are the cell index in
//! lower-case hex, as Kusto writes them.

use h3o::{CellIndex, LatLng, Resolution};
use serde_json::Value;

use super::{Geometry, Ll, int, point_args, point_out, string_array, text};
use crate::functions::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

/// Kusto's largest `geo_h3cell_rings` distance.
const MAX_RING_DISTANCE: i64 = 142;
/// The most levels `geo_h3cell_children` descends.
const MAX_CHILD_LEVELS: u8 = 5;

fn cell(a: Option<&In<'_>>) -> Option<CellIndex> {
    text(a)?.trim().parse().ok()
}

fn resolution(v: i64) -> Option<Resolution> {
    u8::try_from(v)
        .ok()
        .and_then(|r| Resolution::try_from(r).ok())
}

/// The optional resolution argument `i`: `default` when absent, None when invalid.
fn resolution_arg(a: &[In<'_>], i: usize, default: Option<i64>) -> Option<Resolution> {
    match a.get(i) {
        None => resolution(default?),
        Some(v) => resolution(int(Some(v))?),
    }
}

/// `geo_point_to_h3cell(lng, lat, [resolution = 6])`.
pub fn point_to_h3cell<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some(p), Some(res)) = (point_args(a, 0), resolution_arg(a, 2, Some(6))) else {
        return Ok(Out::Null);
    };
    Ok(match LatLng::new(p.lat, p.lng) {
        Ok(ll) => Out::owned(ll.to_cell(res).to_string()),
        Err(_) => Out::Null,
    })
}

fn ll_of(c: LatLng) -> Ll {
    Ll {
        lng: c.lng(),
        lat: c.lat(),
    }
}

/// `geo_h3cell_to_central_point(cell)`.
pub fn h3cell_to_central_point<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(cell(a.first()).map_or(Out::Null, |c| point_out(ll_of(LatLng::from(c)))))
}

/// A cell's boundary as a closed ring, counter-clockwise.
pub fn cell_ring(c: CellIndex) -> Vec<Ll> {
    let mut ring: Vec<Ll> = c.boundary().iter().map(|v| ll_of(*v)).collect();
    if let Some(&first) = ring.first() {
        ring.push(first);
    }
    ring
}

/// `geo_h3cell_to_polygon(cell)`.
pub fn h3cell_to_polygon<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(cell(a.first()).map_or(Out::Null, |c| Geometry::Polygon(vec![cell_ring(c)]).out()))
}

/// `geo_h3cell_level(cell)`.
pub fn h3cell_level<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(cell(a.first()).map_or(Out::Null, |c| Out::I64(i64::from(u8::from(c.resolution())))))
}

/// `geo_h3cell_parent(cell, [resolution = level - 1])`.
pub fn h3cell_parent<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(c) = cell(a.first()) else {
        return Ok(Out::Null);
    };
    let level = i64::from(u8::from(c.resolution()));
    let Some(res) = resolution_arg(a, 1, Some(level - 1)) else {
        return Ok(Out::Null);
    };
    Ok(c.parent(res)
        .map_or(Out::Null, |p| Out::owned(p.to_string())))
}

/// `geo_h3cell_children(cell, [resolution = level + 1])`.
pub fn h3cell_children<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(c) = cell(a.first()) else {
        return Ok(Out::Null);
    };
    let level = u8::from(c.resolution());
    let Some(res) = resolution_arg(a, 1, Some(i64::from(level) + 1)) else {
        return Ok(Out::Null);
    };
    let r = u8::from(res);
    if r < level || r - level > MAX_CHILD_LEVELS {
        return Ok(Out::Null);
    }
    Ok(string_array(c.children(res).map(|x| x.to_string())))
}

/// `geo_h3cell_neighbors(cell)`: the cells around it, in H3's `gridDisk` order.
pub fn h3cell_neighbors<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(c) = cell(a.first()) else {
        return Ok(Out::Null);
    };
    let disk: Vec<(CellIndex, u32)> = c.grid_disk_distances::<Vec<_>>(1);
    Ok(string_array(
        disk.into_iter()
            .filter(|(_, d)| *d == 1)
            .map(|(x, _)| x.to_string()),
    ))
}

/// `geo_h3cell_rings(cell, distance)`: an array of rings, ring 0 being the cell.
pub fn h3cell_rings<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some(c), Some(k)) = (cell(a.first()), int(a.get(1))) else {
        return Ok(Out::Null);
    };
    if !(0..=MAX_RING_DISTANCE).contains(&k) {
        return Ok(Out::Null);
    }
    let Ok(k) = u32::try_from(k) else {
        return Ok(Out::Null);
    };
    let mut rings: Vec<Vec<String>> = vec![Vec::new(); k as usize + 1];
    for (x, d) in c.grid_disk_distances::<Vec<_>>(k) {
        if let Some(r) = rings.get_mut(d as usize) {
            r.push(x.to_string());
        }
    }
    let v = Value::Array(
        rings
            .into_iter()
            .map(|r| Value::Array(r.into_iter().map(Value::String).collect()))
            .collect(),
    );
    Ok(Out::owned(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    #[test]
    fn cells_round_trip() {
        let Ok(Out::Str(token)) = run1(
            point_to_h3cell,
            &[In::F64(2.35), In::F64(48.85), In::I64(9)],
        ) else {
            panic!("no cell");
        };
        assert_eq!(run1(h3cell_level, &[In::Str(&token)]), Ok(Out::I64(9)));
        let parent = run1(h3cell_parent, &[In::Str(&token)]);
        assert!(matches!(parent, Ok(Out::Str(ref p)) if p.starts_with('8')));
        assert_eq!(
            run1(point_to_h3cell, &[In::F64(1.0), In::F64(1.0), In::I64(16)]),
            Ok(Out::Null)
        );
        assert_eq!(run1(h3cell_level, &[In::Str("xyz")]), Ok(Out::Null));
        let Ok(Out::Str(kids)) = run1(h3cell_children, &[In::Str(&token)]) else {
            panic!("no children");
        };
        assert_eq!(kids.matches(',').count(), 6);
    }
}
