//! Distances on the WGS-84 ellipsoid (Kusto's `use_spheroid = true`), by Vincenty's
//! inverse formula (accurate to well under a millimeter).

use super::Ll;

const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;
const B: f64 = A * (1.0 - F);

/// The geodesic distance in meters between two coordinates on the WGS-84 ellipsoid;
/// None for nearly antipodal points, where the iteration does not converge.
pub fn distance(p: Ll, q: Ll) -> Option<f64> {
    if p == q {
        return Some(0.0);
    }
    let l = (q.lng - p.lng).to_radians();
    let u1 = ((1.0 - F) * p.lat.to_radians().tan()).atan();
    let u2 = ((1.0 - F) * q.lat.to_radians().tan()).atan();
    let (sin_u1, cos_u1) = u1.sin_cos();
    let (sin_u2, cos_u2) = u2.sin_cos();
    let mut lambda = l;
    for _ in 0..200 {
        let (sin_l, cos_l) = lambda.sin_cos();
        let sin_sigma =
            ((cos_u2 * sin_l).powi(2) + (cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_l).powi(2)).sqrt();
        if sin_sigma == 0.0 {
            return Some(0.0);
        }
        let cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_l;
        let sigma = sin_sigma.atan2(cos_sigma);
        let sin_alpha = cos_u1 * cos_u2 * sin_l / sin_sigma;
        let cos2_alpha = 1.0 - sin_alpha * sin_alpha;
        let cos_2sm = if cos2_alpha == 0.0 {
            0.0
        } else {
            cos_sigma - 2.0 * sin_u1 * sin_u2 / cos2_alpha
        };
        let c = F / 16.0 * cos2_alpha * (4.0 + F * (4.0 - 3.0 * cos2_alpha));
        let prev = lambda;
        lambda = l
            + (1.0 - c)
                * F
                * sin_alpha
                * (sigma
                    + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
        if (lambda - prev).abs() < 1e-13 {
            let u_sq = cos2_alpha * (A * A - B * B) / (B * B);
            let a_ =
                1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)));
            let b_ = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)));
            let d_sigma = b_
                * sin_sigma
                * (cos_2sm
                    + b_ / 4.0
                        * (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)
                            - b_ / 6.0
                                * cos_2sm
                                * (-3.0 + 4.0 * sin_sigma * sin_sigma)
                                * (-3.0 + 4.0 * cos_2sm * cos_2sm)));
            return Some(B * a_ * (sigma - d_sigma));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vincenty_reference_distance() {
        // One degree of longitude on the equator: a * π / 180.
        let d = distance(Ll { lng: 0.0, lat: 0.0 }, Ll { lng: 1.0, lat: 0.0 }).unwrap_or(0.0);
        assert!((d - 111_319.490_793).abs() < 1e-3, "{d}");
        // One degree of latitude from the equator: 110 574.389 m on WGS-84.
        let d = distance(Ll { lng: 0.0, lat: 0.0 }, Ll { lng: 0.0, lat: 1.0 }).unwrap_or(0.0);
        assert!((d - 110_574.389).abs() < 1e-2, "{d}");
    }
}
