//! Point functions: distance, circle membership, azimuth and angle.

use super::sphere::{azimuth, distance};
use super::{ellipsoid, num, point_args};
use crate::functions::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

/// `geo_distance_2points(lng1, lat1, lng2, lat2, [use_spheroid = false])`: meters on
/// the sphere, or on the WGS-84 ellipsoid.
pub fn distance_2points<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some(p), Some(q)) = (point_args(a, 0), point_args(a, 2)) else {
        return Ok(Out::Null);
    };
    match a.get(4) {
        Some(In::Bool(true)) => ellipsoid::distance(p, q).map(Out::F64).ok_or_else(|| {
            "geo_distance_2points(): the spheroid distance between nearly antipodal points \
             is not supported"
                .to_string()
        }),
        _ => Ok(Out::F64(distance(p, q))),
    }
}

/// `geo_point_in_circle(lng, lat, center_lng, center_lat, radius)`.
pub fn point_in_circle<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some(p), Some(c), Some(r)) = (point_args(a, 0), point_args(a, 2), num(a.get(4))) else {
        return Ok(Out::Null);
    };
    if r < 0.0 {
        return Ok(Out::Null);
    }
    Ok(Out::Bool(distance(p, c) <= r))
}

/// `geo_azimuth(lng1, lat1, lng2, lat2)`: radians clockwise from north, [0, 2π).
pub fn azimuth_k<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(match (point_args(a, 0), point_args(a, 2)) {
        (Some(p), Some(q)) => azimuth(p, q).map_or(Out::Null, Out::F64),
        _ => Out::Null,
    })
}

/// `geo_angle(p1, p2, p3)` (six numbers): the clockwise angle at p2 from the line
/// p2→p1 to the line p2→p3, in [0, 2π].
pub fn angle_k<'a>(a: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some(p1), Some(p2), Some(p3)) = (point_args(a, 0), point_args(a, 2), point_args(a, 4))
    else {
        return Ok(Out::Null);
    };
    Ok(match (azimuth(p2, p1), azimuth(p2, p3)) {
        (Some(b1), Some(b3)) => Out::F64((b3 - b1).rem_euclid(std::f64::consts::TAU)),
        _ => Out::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    fn f(o: Result<Out<'static>, String>) -> f64 {
        match o {
            Ok(Out::F64(v)) => v,
            _ => f64::NAN,
        }
    }

    #[test]
    fn point_functions() {
        let d = f(run1(
            distance_2points,
            &[In::F64(0.0), In::F64(0.0), In::F64(0.0), In::F64(1.0)],
        ));
        assert!((d - 111_195.08).abs() < 0.1, "{d}");
        assert_eq!(
            run1(
                distance_2points,
                &[In::F64(181.0), In::F64(0.0), In::F64(0.0), In::F64(1.0)]
            ),
            Ok(Out::Null)
        );
        let inside = run1(
            point_in_circle,
            &[
                In::F64(0.0),
                In::F64(0.0),
                In::F64(0.0),
                In::F64(0.001),
                In::F64(200.0),
            ],
        );
        assert_eq!(inside, Ok(Out::Bool(true)));
        let south = f(run1(
            azimuth_k,
            &[In::F64(2.0), In::F64(2.0), In::F64(2.0), In::F64(1.0)],
        ));
        assert!((south - std::f64::consts::PI).abs() < 1e-12);
        let right = f(run1(
            angle_k,
            &[
                In::F64(0.0),
                In::F64(1.0),
                In::F64(0.0),
                In::F64(0.0),
                In::F64(1.0),
                In::F64(0.0),
            ],
        ));
        assert!(
            (right - std::f64::consts::FRAC_PI_2).abs() < 1e-9,
            "{right}"
        );
    }
}
