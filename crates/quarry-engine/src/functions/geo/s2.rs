//! S2 cells (Google's hierarchical cells on a cube projected onto the sphere), written
//! from the S2 library's definitions: six faces, the quadratic (u,v)↔(s,t) transform,
//! 30 levels of a Hilbert curve. A token is the 64-bit cell id in hex without its
//! trailing zeros, as `S2CellId::ToToken` writes it.

use super::sphere::{V3, normalize, to_ll, to_v3};
use super::{Geometry, Ll, int, point_args, point_out, string_array, text};
use crate::functions::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

pub const MAX_LEVEL: u32 = 30;
const MAX_SIZE: i64 = 1 << MAX_LEVEL;
const POS_BITS: u32 = 2 * MAX_LEVEL + 1;
const SWAP: u8 = 1;
const INVERT: u8 = 2;
/// Hilbert position of the sub-cell (i,j) (index `i << 1 | j`) per orientation.
const IJ_TO_POS: [[u8; 4]; 4] = [[0, 1, 3, 2], [0, 3, 1, 2], [2, 3, 1, 0], [2, 1, 3, 0]];
/// The (i,j) of the sub-cell at a Hilbert position per orientation.
const POS_TO_IJ: [[u8; 4]; 4] = [[0, 1, 3, 2], [0, 2, 3, 1], [3, 2, 0, 1], [3, 1, 0, 2]];
const POS_TO_ORIENTATION: [u8; 4] = [SWAP, 0, 0, INVERT | SWAP];

/// An S2 cell id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellId(pub u64);

fn face_uv_to_xyz(face: u8, u: f64, v: f64) -> V3 {
    match face {
        0 => [1.0, u, v],
        1 => [-u, 1.0, v],
        2 => [-u, -v, 1.0],
        3 => [-1.0, -v, -u],
        4 => [v, -1.0, -u],
        _ => [v, u, -1.0],
    }
}

fn xyz_to_face_uv(p: V3) -> (u8, f64, f64) {
    let (ax, ay, az) = (p[0].abs(), p[1].abs(), p[2].abs());
    let mut face = if ax >= ay && ax >= az {
        0
    } else if ay >= az {
        1
    } else {
        2
    };
    if p[face as usize] < 0.0 {
        face += 3;
    }
    let (x, y, z) = (p[0], p[1], p[2]);
    let (u, v) = match face {
        0 => (y / x, z / x),
        1 => (-x / y, z / y),
        2 => (-x / z, -y / z),
        3 => (z / x, y / x),
        4 => (z / y, -x / y),
        _ => (-y / z, -x / z),
    };
    (face, u, v)
}

fn st_to_uv(s: f64) -> f64 {
    if s >= 0.5 {
        (1.0 / 3.0) * (4.0 * s * s - 1.0)
    } else {
        (1.0 / 3.0) * (1.0 - 4.0 * (1.0 - s) * (1.0 - s))
    }
}

fn uv_to_st(u: f64) -> f64 {
    if u >= 0.0 {
        0.5 * (1.0 + 3.0 * u).sqrt()
    } else {
        1.0 - 0.5 * (1.0 - 3.0 * u).sqrt()
    }
}

fn st_to_ij(s: f64) -> i64 {
    ((MAX_SIZE as f64 * s).floor() as i64).clamp(0, MAX_SIZE - 1)
}

impl CellId {
    /// The leaf cell at face `face`, leaf coordinates (i, j).
    pub fn from_face_ij(face: u8, i: i64, j: i64) -> CellId {
        let mut pos: u64 = 0;
        let mut orientation = face & SWAP;
        for level in (0..MAX_LEVEL).rev() {
            let ib = ((i >> level) & 1) as usize;
            let jb = ((j >> level) & 1) as usize;
            let p = IJ_TO_POS[orientation as usize][(ib << 1) | jb];
            pos = (pos << 2) | u64::from(p);
            orientation ^= POS_TO_ORIENTATION[p as usize];
        }
        CellId((u64::from(face) << POS_BITS) | (pos << 1) | 1)
    }

    /// The leaf cell at (i, j) of `face`, wrapped onto the adjacent face when outside.
    fn from_face_ij_wrap(face: u8, i: i64, j: i64) -> CellId {
        let i = i.clamp(-1, MAX_SIZE);
        let j = j.clamp(-1, MAX_SIZE);
        let scale = 1.0 / MAX_SIZE as f64;
        let limit = 1.0 + f64::EPSILON;
        let u = (scale * (2 * (i - MAX_SIZE / 2) + 1) as f64).clamp(-limit, limit);
        let v = (scale * (2 * (j - MAX_SIZE / 2) + 1) as f64).clamp(-limit, limit);
        let (f, u, v) = xyz_to_face_uv(face_uv_to_xyz(face, u, v));
        CellId::from_face_ij(f, st_to_ij(0.5 * (u + 1.0)), st_to_ij(0.5 * (v + 1.0)))
    }

    fn from_face_ij_same(face: u8, i: i64, j: i64, same: bool) -> CellId {
        if same {
            CellId::from_face_ij(face, i, j)
        } else {
            CellId::from_face_ij_wrap(face, i, j)
        }
    }

    /// The leaf cell containing a point (any non-zero vector).
    pub fn from_point(p: V3) -> CellId {
        let (face, u, v) = xyz_to_face_uv(p);
        CellId::from_face_ij(face, st_to_ij(uv_to_st(u)), st_to_ij(uv_to_st(v)))
    }

    pub fn face(self) -> u8 {
        (self.0 >> POS_BITS) as u8
    }

    fn lsb_for_level(level: u32) -> u64 {
        1u64 << (2 * (MAX_LEVEL - level))
    }

    pub fn level(self) -> u32 {
        MAX_LEVEL - self.0.trailing_zeros() / 2
    }

    pub fn is_valid(self) -> bool {
        self.face() < 6 && self.0 != 0 && self.0.trailing_zeros().is_multiple_of(2)
    }

    /// The ancestor at `level` (not above this cell's level).
    pub fn parent(self, level: u32) -> CellId {
        let lsb = CellId::lsb_for_level(level);
        CellId((self.0 & lsb.wrapping_neg()) | lsb)
    }

    /// The face and leaf (i, j) of the cell's lower-left leaf, and the cell's size in
    /// leaf units.
    fn face_ij(self) -> (u8, i64, i64, i64) {
        let face = self.face();
        let mut orientation = face & SWAP;
        let (mut i, mut j) = (0i64, 0i64);
        for level in 0..MAX_LEVEL {
            let p = ((self.0 >> (POS_BITS - 1 - 2 * level - 1)) & 3) as usize;
            let ij = POS_TO_IJ[orientation as usize][p];
            i = (i << 1) | i64::from(ij >> 1);
            j = (j << 1) | i64::from(ij & 1);
            orientation ^= POS_TO_ORIENTATION[p];
        }
        let size = 1i64 << (MAX_LEVEL - self.level());
        (face, i & -size, j & -size, size)
    }

    pub fn token(self) -> String {
        if self.0 == 0 {
            return "X".to_string();
        }
        let hex = format!("{:016x}", self.0);
        hex.trim_end_matches('0').to_string()
    }

    pub fn from_token(token: &str) -> Option<CellId> {
        let t = token.trim();
        if t.is_empty() || t.len() > 16 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let id = u64::from_str_radix(&format!("{t:0<16}"), 16).ok()?;
        let c = CellId(id);
        c.is_valid().then_some(c)
    }

    /// The cell's four corners (unit vectors), counter-clockwise from (u_lo, v_lo).
    pub fn vertices(self) -> [V3; 4] {
        let (face, i, j, size) = self.face_ij();
        let m = MAX_SIZE as f64;
        let (u0, u1) = (st_to_uv(i as f64 / m), st_to_uv((i + size) as f64 / m));
        let (v0, v1) = (st_to_uv(j as f64 / m), st_to_uv((j + size) as f64 / m));
        let unit = |p: V3| normalize(p).unwrap_or(p);
        [
            unit(face_uv_to_xyz(face, u0, v0)),
            unit(face_uv_to_xyz(face, u1, v0)),
            unit(face_uv_to_xyz(face, u1, v1)),
            unit(face_uv_to_xyz(face, u0, v1)),
        ]
    }

    /// The cell's center in (s, t) space, on the sphere.
    pub fn center(self) -> V3 {
        let (face, i, j, size) = self.face_ij();
        let m = MAX_SIZE as f64;
        let s = (2 * i + size) as f64 / (2.0 * m);
        let t = (2 * j + size) as f64 / (2.0 * m);
        let p = face_uv_to_xyz(face, st_to_uv(s), st_to_uv(t));
        normalize(p).unwrap_or(p)
    }

    /// The eight cells of the same level around this one, in S2's
    /// `AppendAllNeighbors` order.
    pub fn all_neighbors(self) -> Vec<CellId> {
        let level = self.level();
        let (face, i, j, size) = self.face_ij();
        let mut out = Vec::with_capacity(8);
        let mut k = -size;
        loop {
            let same_face = if k < 0 {
                j + k >= 0
            } else if k >= size {
                j + k < MAX_SIZE
            } else {
                out.push(
                    CellId::from_face_ij_same(face, i + k, j - size, j - size >= 0).parent(level),
                );
                out.push(
                    CellId::from_face_ij_same(face, i + k, j + size, j + size < MAX_SIZE)
                        .parent(level),
                );
                true
            };
            out.push(
                CellId::from_face_ij_same(face, i - size, j + k, same_face && i - size >= 0)
                    .parent(level),
            );
            out.push(
                CellId::from_face_ij_same(face, i + size, j + k, same_face && i + size < MAX_SIZE)
                    .parent(level),
            );
            if k >= size {
                break;
            }
            k += size;
        }
        out
    }

    /// The cell's boundary as a closed ring of coordinates.
    pub fn ring(self) -> Vec<Ll> {
        let v = self.vertices();
        let mut ring: Vec<Ll> = v.iter().map(|p| to_ll(*p)).collect();
        ring.push(ring[0]);
        ring
    }
}

/// Kusto's level argument: 0..=30.
fn level_arg(a: &[In<'_>], i: usize, default: i64) -> Option<u32> {
    let l = match a.get(i) {
        None => default,
        v => int(v)?,
    };
    u32::try_from(l).ok().filter(|l| *l <= MAX_LEVEL)
}

/// `geo_point_to_s2cell(lng, lat, [level = 11])`.
pub fn point_to_s2cell<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some(p), Some(level)) = (point_args(a, 0), level_arg(a, 2, 11)) else {
        return Ok(Out::Null);
    };
    Ok(Out::owned(
        CellId::from_point(to_v3(p)).parent(level).token(),
    ))
}

fn cell_arg(a: &[In<'_>]) -> Option<CellId> {
    CellId::from_token(text(a.first())?)
}

/// `geo_s2cell_to_central_point(token)`.
pub fn s2cell_to_central_point<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(cell_arg(a).map_or(Out::Null, |c| point_out(to_ll(c.center()))))
}

/// `geo_s2cell_to_polygon(token)`.
pub fn s2cell_to_polygon<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(cell_arg(a).map_or(Out::Null, |c| Geometry::Polygon(vec![c.ring()]).out()))
}

/// `geo_s2cell_neighbors(token)`.
pub fn s2cell_neighbors<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(cell_arg(a).map_or(Out::Null, |c| {
        string_array(c.all_neighbors().into_iter().map(CellId::token))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_levels_and_round_trips() {
        let p = to_v3(Ll {
            lng: 2.35,
            lat: 48.85,
        });
        let leaf = CellId::from_point(p);
        assert_eq!(leaf.level(), 30);
        let c = leaf.parent(11);
        assert_eq!(c.level(), 11);
        assert_eq!(CellId::from_token(&c.token()), Some(c));
        // The face cells' tokens.
        assert_eq!(CellId::from_face_ij(0, 0, 0).parent(0).token(), "1");
        assert_eq!(CellId::from_token("a"), None);
        // The center lies in the cell.
        assert_eq!(CellId::from_point(c.center()).parent(11), c);
        // Neighbors are distinct cells of the same level.
        let n = c.all_neighbors();
        assert_eq!(n.len(), 8);
        assert!(n.iter().all(|x| x.level() == 11 && *x != c));
    }
}
