//! Geohash: base-32 text naming a longitude/latitude box by bisection (longitude bits
//! first). Kusto accepts accuracies 1..=18 and defaults to 5.

use super::{Geometry, Ll, int, point_args, point_out, string_array, text};
use crate::functions::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
const MAX_ACCURACY: i64 = 18;

/// A geohash box: west, south, east, north.
#[derive(Debug, Clone, Copy, PartialEq)]
struct GeoBox {
    w: f64,
    s: f64,
    e: f64,
    n: f64,
}

fn encode(p: Ll, len: usize) -> String {
    let (mut lng, mut lat) = ((-180.0f64, 180.0f64), (-90.0f64, 90.0f64));
    let mut out = String::with_capacity(len);
    let mut even = true;
    for _ in 0..len {
        let mut v = 0usize;
        for _ in 0..5 {
            let (range, x) = if even {
                (&mut lng, p.lng)
            } else {
                (&mut lat, p.lat)
            };
            let mid = (range.0 + range.1) / 2.0;
            v <<= 1;
            if x >= mid {
                v |= 1;
                range.0 = mid;
            } else {
                range.1 = mid;
            }
            even = !even;
        }
        out.push(char::from(ALPHABET[v]));
    }
    out
}

fn decode(hash: &str) -> Option<GeoBox> {
    if hash.is_empty() || hash.len() > MAX_ACCURACY as usize {
        return None;
    }
    let (mut lng, mut lat) = ((-180.0f64, 180.0f64), (-90.0f64, 90.0f64));
    let mut even = true;
    for ch in hash.bytes() {
        let v = ALPHABET
            .iter()
            .position(|&c| c == ch.to_ascii_lowercase())?;
        for bit in (0..5).rev() {
            let range = if even { &mut lng } else { &mut lat };
            let mid = (range.0 + range.1) / 2.0;
            if (v >> bit) & 1 == 1 {
                range.0 = mid;
            } else {
                range.1 = mid;
            }
            even = !even;
        }
    }
    Some(GeoBox {
        w: lng.0,
        s: lat.0,
        e: lng.1,
        n: lat.1,
    })
}

/// `geo_point_to_geohash(lng, lat, [accuracy = 5])`.
pub fn point_to_geohash<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let accuracy = match a.get(2) {
        None => Some(5),
        v => int(v),
    };
    let (Some(p), Some(acc)) = (point_args(a, 0), accuracy) else {
        return Ok(Out::Null);
    };
    if !(1..=MAX_ACCURACY).contains(&acc) {
        return Ok(Out::Null);
    }
    Ok(Out::owned(encode(p, acc as usize)))
}

fn center(b: GeoBox) -> Ll {
    Ll {
        lng: (b.w + b.e) / 2.0,
        lat: (b.s + b.n) / 2.0,
    }
}

/// `geo_geohash_to_central_point(hash)`.
pub fn geohash_to_central_point<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(text(a.first())
        .and_then(decode)
        .map_or(Out::Null, |b| point_out(center(b))))
}

/// `geo_geohash_to_polygon(hash)`: the box, counter-clockwise from its south-west corner.
pub fn geohash_to_polygon<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(text(a.first()).and_then(decode).map_or(Out::Null, |b| {
        let ll = |lng, lat| Ll { lng, lat };
        let ring = vec![
            ll(b.w, b.s),
            ll(b.e, b.s),
            ll(b.e, b.n),
            ll(b.w, b.n),
            ll(b.w, b.s),
        ];
        Geometry::Polygon(vec![ring]).out()
    }))
}

/// `geo_geohash_neighbors(hash)`: the eight surrounding hashes of the same accuracy,
/// in the order Kusto lists them: SW, NW, SE, N, W, NE, E, S (across the antimeridian longitude wraps;
/// beyond a pole there is no neighbor).
pub fn geohash_neighbors<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(hash) = text(a.first()) else {
        return Ok(Out::Null);
    };
    let Some(b) = decode(hash) else {
        return Ok(Out::Null);
    };
    let (dw, dh) = (b.e - b.w, b.n - b.s);
    let c = center(b);
    let mut out = Vec::with_capacity(8);
    for (dx, dy) in [
        (-1.0, -1.0),
        (-1.0, 1.0),
        (1.0, -1.0),
        (0.0, 1.0),
        (-1.0, 0.0),
        (1.0, 1.0),
        (1.0, 0.0),
        (0.0, -1.0),
    ] {
        let lat = c.lat + dy * dh;
        if !(-90.0..=90.0).contains(&lat) {
            continue;
        }
        let mut lng = c.lng + dx * dw;
        if lng > 180.0 {
            lng -= 360.0;
        } else if lng < -180.0 {
            lng += 360.0;
        }
        out.push(encode(Ll { lng, lat }, hash.len()));
    }
    Ok(string_array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    #[test]
    fn encodes_and_decodes() {
        let p = Ll {
            lng: -5.6,
            lat: 42.6,
        };
        assert_eq!(encode(p, 5), "ezs42");
        let b = decode("ezs42").unwrap_or(GeoBox {
            w: 0.0,
            s: 0.0,
            e: 0.0,
            n: 0.0,
        });
        assert!(b.w <= p.lng && p.lng <= b.e && b.s <= p.lat && p.lat <= b.n);
        assert_eq!(decode("a"), None);
        assert_eq!(
            run1(point_to_geohash, &[In::F64(1.0), In::F64(1.0), In::I64(19)]),
            Ok(Out::Null)
        );
        let Ok(Out::Str(n)) = run1(geohash_neighbors, &[In::Str("ezs42")]) else {
            panic!("no neighbors");
        };
        assert_eq!(n.matches(',').count(), 7);
    }
}
