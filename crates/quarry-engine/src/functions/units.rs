//! `convert_angle/energy/force/length/mass/speed/temperature/volume(value, from, to)`
//! and `tohex()`.
//!
//! Each unit is a linear map to its quantity's base unit (`base = value * scale +
//! offset`; only temperatures have an offset). An unknown unit gives null, as in Kusto.

use std::f64::consts::PI;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::ScalarUDF;

use super::array_udf::{array_udf, f64s, i64s, opt_f64};

/// A quantity whose units `convert_*` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Angle,
    Energy,
    Force,
    Length,
    Mass,
    Speed,
    Temperature,
    Volume,
}

impl Quantity {
    pub fn from_function(name: &str) -> Option<Quantity> {
        Some(match name {
            "convert_angle" => Quantity::Angle,
            "convert_energy" => Quantity::Energy,
            "convert_force" => Quantity::Force,
            "convert_length" => Quantity::Length,
            "convert_mass" => Quantity::Mass,
            "convert_speed" => Quantity::Speed,
            "convert_temperature" => Quantity::Temperature,
            "convert_volume" => Quantity::Volume,
            _ => return None,
        })
    }

    fn code(self) -> &'static str {
        match self {
            Quantity::Angle => "angle",
            Quantity::Energy => "energy",
            Quantity::Force => "force",
            Quantity::Length => "length",
            Quantity::Mass => "mass",
            Quantity::Speed => "speed",
            Quantity::Temperature => "temperature",
            Quantity::Volume => "volume",
        }
    }

    fn from_code(code: &str) -> Option<Quantity> {
        Quantity::from_function(&format!("convert_{code}"))
    }
}

const DEG: f64 = PI / 180.0;
const FOOT: f64 = 0.3048;
const US_SURVEY_FOOT: f64 = 1200.0 / 3937.0;
const INCH: f64 = 0.0254;
const YARD: f64 = 0.9144;
const MILE: f64 = 1609.344;
const LIGHT_YEAR: f64 = 9.46073047258e15;
const PARSEC: f64 = 3.08567758128e16;
const CUBIC_FOOT: f64 = 0.028316846592;
const US_GALLON: f64 = 0.003785411784;
const IMPERIAL_GALLON: f64 = 0.00454609;
const BTU: f64 = 1055.05585262;
const POUND_FORCE: f64 = 4.4482216152605;
const GRAVITY: f64 = 9.80665;

/// `(scale, offset)` of `unit` to the base unit of `q`.
pub fn unit_factor(q: Quantity, unit: &str) -> Option<(f64, f64)> {
    let linear = |s: f64| Some((s, 0.0));
    match q {
        Quantity::Angle => match unit {
            "Arcminute" => linear(DEG / 60.0),
            "Arcsecond" => linear(DEG / 3600.0),
            "Centiradian" => linear(1e-2),
            "Deciradian" => linear(1e-1),
            "Degree" => linear(DEG),
            "Gradian" => linear(PI / 200.0),
            "Microdegree" => linear(DEG * 1e-6),
            "Microradian" => linear(1e-6),
            "Millidegree" => linear(DEG * 1e-3),
            "Milliradian" => linear(1e-3),
            "Nanodegree" => linear(DEG * 1e-9),
            "Nanoradian" => linear(1e-9),
            "NatoMil" => linear(2.0 * PI / 6400.0),
            "Radian" => linear(1.0),
            "Revolution" => linear(2.0 * PI),
            _ => None,
        },
        Quantity::Energy => match unit {
            "BritishThermalUnit" => linear(BTU),
            "Calorie" => linear(4.184),
            "DecathermEc" => linear(1.05505585262e9),
            "DecathermImperial" => linear(1.05505585257348e9),
            "DecathermUs" => linear(1.054804e9),
            "ElectronVolt" => linear(1.602176634e-19),
            "Erg" => linear(1e-7),
            "FootPound" => linear(1.355817948),
            "GigabritishThermalUnit" => linear(BTU * 1e9),
            "GigaelectronVolt" => linear(1.602176634e-10),
            "Gigajoule" => linear(1e9),
            "GigawattDay" => linear(8.64e13),
            "GigawattHour" => linear(3.6e12),
            "HorsepowerHour" => linear(2.6845195377e6),
            "Joule" => linear(1.0),
            "KilobritishThermalUnit" => linear(BTU * 1e3),
            "Kilocalorie" => linear(4184.0),
            "KiloelectronVolt" => linear(1.602176634e-16),
            "Kilojoule" => linear(1e3),
            "KilowattDay" => linear(8.64e7),
            "KilowattHour" => linear(3.6e6),
            "MegabritishThermalUnit" => linear(BTU * 1e6),
            "Megacalorie" => linear(4.184e6),
            "MegaelectronVolt" => linear(1.602176634e-13),
            "Megajoule" => linear(1e6),
            "MegawattDay" => linear(8.64e10),
            "MegawattHour" => linear(3.6e9),
            "Millijoule" => linear(1e-3),
            "TeraelectronVolt" => linear(1.602176634e-7),
            "TerawattDay" => linear(8.64e16),
            "TerawattHour" => linear(3.6e15),
            "ThermEc" => linear(1.05505585262e8),
            "ThermImperial" => linear(1.05505585257348e8),
            "ThermUs" => linear(1.054804e8),
            "WattDay" => linear(86400.0),
            "WattHour" => linear(3600.0),
            _ => None,
        },
        Quantity::Force => match unit {
            "Decanewton" => linear(10.0),
            "Dyn" => linear(1e-5),
            "KilogramForce" | "KiloPond" => linear(GRAVITY),
            "Kilonewton" => linear(1e3),
            "KilopoundForce" => linear(POUND_FORCE * 1e3),
            "Meganewton" => linear(1e6),
            "Micronewton" => linear(1e-6),
            "Millinewton" => linear(1e-3),
            "Newton" => linear(1.0),
            "OunceForce" => linear(POUND_FORCE / 16.0),
            "Poundal" => linear(0.138254954376),
            "PoundForce" => linear(POUND_FORCE),
            "ShortTonForce" => linear(POUND_FORCE * 2000.0),
            "TonneForce" => linear(GRAVITY * 1e3),
            _ => None,
        },
        Quantity::Length => length_factor(unit).map(|s| (s, 0.0)),
        Quantity::Mass => match unit {
            "Microgram" => linear(1e-9),
            "Milligram" => linear(1e-6),
            "Centigram" => linear(1e-5),
            "Decigram" => linear(1e-4),
            "Gram" => linear(1e-3),
            "Decagram" => linear(1e-2),
            "Hectogram" => linear(1e-1),
            "Kilogram" => linear(1.0),
            "Tonne" => linear(1e3),
            "Kilotonne" => linear(1e6),
            "Megatonne" => linear(1e9),
            "Nanogram" => linear(1e-12),
            "Grain" => linear(6.479891e-5),
            "Ounce" => linear(0.028349523125),
            "Pound" => linear(0.45359237),
            "Kilopound" => linear(453.59237),
            "Megapound" => linear(453_592.37),
            "Stone" => linear(6.35029318),
            "ShortTon" => linear(907.18474),
            "LongTon" => linear(1016.0469088),
            "Slug" => linear(14.593903),
            _ => None,
        },
        Quantity::Speed => speed_factor(unit).map(|s| (s, 0.0)),
        Quantity::Temperature => match unit {
            "Kelvin" => Some((1.0, 0.0)),
            "DegreeCelsius" => Some((1.0, 273.15)),
            "MillidegreeCelsius" => Some((1e-3, 273.15)),
            "DegreeDelisle" => Some((-2.0 / 3.0, 373.15)),
            "DegreeFahrenheit" => Some((5.0 / 9.0, 459.67 * 5.0 / 9.0)),
            "DegreeNewton" => Some((100.0 / 33.0, 273.15)),
            "DegreeRankine" => Some((5.0 / 9.0, 0.0)),
            "DegreeReaumur" => Some((5.0 / 4.0, 273.15)),
            "DegreeRoemer" => Some((40.0 / 21.0, 273.15 - 7.5 * 40.0 / 21.0)),
            "SolarTemperature" => Some((5778.0, 0.0)),
            _ => None,
        },
        Quantity::Volume => volume_factor(unit).map(|s| (s, 0.0)),
    }
}

fn length_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "Angstrom" => 1e-10,
        "AstronomicalUnit" => 1.495978707e11,
        "Centimeter" => 1e-2,
        "Chain" => 20.1168,
        "DataMile" => 1828.8,
        "Decameter" => 10.0,
        "Decimeter" => 0.1,
        "DtpPica" => INCH / 6.0,
        "DtpPoint" => INCH / 72.0,
        "Fathom" => 1.8288,
        "Foot" => FOOT,
        "Hand" => 0.1016,
        "Hectometer" => 100.0,
        "Inch" => INCH,
        "KilolightYear" => LIGHT_YEAR * 1e3,
        "Kilometer" => 1e3,
        "Kiloparsec" => PARSEC * 1e3,
        "LightYear" => LIGHT_YEAR,
        "MegalightYear" => LIGHT_YEAR * 1e6,
        "Megaparsec" => PARSEC * 1e6,
        "Meter" => 1.0,
        "Microinch" => INCH * 1e-6,
        "Micrometer" => 1e-6,
        "Mil" => INCH * 1e-3,
        "Mile" => MILE,
        "Millimeter" => 1e-3,
        "Nanometer" => 1e-9,
        "NauticalMile" => 1852.0,
        "Parsec" => PARSEC,
        "PrinterPica" => INCH / 6.0225,
        "PrinterPoint" => INCH * 0.013837,
        "Shackle" => 27.432,
        "SolarRadius" => 6.9551e8,
        "Twip" => INCH / 1440.0,
        "UsSurveyFoot" => US_SURVEY_FOOT,
        "Yard" => YARD,
        _ => return None,
    })
}

fn speed_factor(unit: &str) -> Option<f64> {
    if unit == "Knot" {
        return Some(1852.0 / 3600.0);
    }
    if unit == "MilePerHour" {
        return Some(MILE / 3600.0);
    }
    let (length, per) = unit.split_once("Per")?;
    let distance = length_factor(length)?;
    let seconds = match per {
        "Second" => 1.0,
        "Minute" => 60.0,
        "Hour" => 3600.0,
        _ => return None,
    };
    Some(distance / seconds)
}

fn volume_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "AcreFoot" => 1233.48183754752,
        "AuTablespoon" => 2e-5,
        "BoardFoot" => CUBIC_FOOT / 12.0,
        "Centiliter" => 1e-5,
        "CubicCentimeter" => 1e-6,
        "CubicDecimeter" => 1e-3,
        "CubicFoot" => CUBIC_FOOT,
        "CubicHectometer" => 1e6,
        "CubicInch" => 1.6387064e-5,
        "CubicKilometer" => 1e9,
        "CubicMeter" => 1.0,
        "CubicMicrometer" => 1e-18,
        "CubicMile" => 4.168_181_825_440_58e9,
        "CubicMillimeter" => 1e-9,
        "CubicYard" => 0.764554857984,
        "Decaliter" => 1e-2,
        "DecausGallon" => US_GALLON * 10.0,
        "Deciliter" => 1e-4,
        "DeciusGallon" => US_GALLON / 10.0,
        "HectocubicFoot" => CUBIC_FOOT * 100.0,
        "HectocubicMeter" => 100.0,
        "Hectoliter" => 0.1,
        "HectousGallon" => US_GALLON * 100.0,
        "ImperialBeerBarrel" => 0.16365924,
        "ImperialGallon" => IMPERIAL_GALLON,
        "ImperialOunce" => 2.84130625e-5,
        "ImperialPint" => 5.6826125e-4,
        "KilocubicFoot" => CUBIC_FOOT * 1e3,
        "KilocubicMeter" => 1e3,
        "KiloimperialGallon" => IMPERIAL_GALLON * 1e3,
        "Kiloliter" => 1.0,
        "KilousGallon" => US_GALLON * 1e3,
        "Liter" => 1e-3,
        "MegacubicFoot" => CUBIC_FOOT * 1e6,
        "MegaimperialGallon" => IMPERIAL_GALLON * 1e6,
        "Megaliter" => 1e3,
        "MegausGallon" => US_GALLON * 1e6,
        "MetricCup" => 2.5e-4,
        "MetricTeaspoon" => 5e-6,
        "Microliter" => 1e-9,
        "Milliliter" => 1e-6,
        "OilBarrel" => 0.158987294928,
        "UkTablespoon" => 1.5e-5,
        "UsBeerBarrel" => 0.1173477658,
        "UsCustomaryCup" => 2.365882365e-4,
        "UsGallon" => US_GALLON,
        "UsLegalCup" => 2.4e-4,
        "UsOunce" => 2.95735295625e-5,
        "UsPint" => 4.73176473e-4,
        "UsQuart" => 9.46352946e-4,
        "UsTablespoon" => 1.478676478125e-5,
        "UsTeaspoon" => 4.92892159375e-6,
        _ => return None,
    })
}

/// `value` in `from` units, converted to `to` units of `q`; None for an unknown unit.
pub fn convert(q: Quantity, value: f64, from: &str, to: &str) -> Option<f64> {
    let (s1, o1) = unit_factor(q, from)?;
    let (s2, o2) = unit_factor(q, to)?;
    Some((value * s1 + o1 - o2) / s2)
}

fn strings(a: &ArrayRef) -> DfResult<StringArray> {
    Ok(cast(a, &DataType::Utf8)?.as_string::<i32>().clone())
}

/// `kql_convert_units(value, from, to, quantity_code)`.
pub fn convert_udf() -> Arc<ScalarUDF> {
    array_udf("kql_convert_units", 4, DataType::Float64, |args| {
        let value = f64s(&args[0])?;
        let (from, to, q) = (strings(&args[1])?, strings(&args[2])?, strings(&args[3])?);
        Ok(Arc::new(
            (0..value.len())
                .map(|i| {
                    let v = opt_f64(&value, i)?;
                    if from.is_null(i) || to.is_null(i) || q.is_null(i) {
                        return None;
                    }
                    let q = Quantity::from_code(q.value(i))?;
                    convert(q, v, from.value(i), to.value(i))
                })
                .collect::<Float64Array>(),
        ))
    })
}

/// The literal that tells [`convert_udf`] which quantity it converts.
pub fn quantity_code(q: Quantity) -> &'static str {
    q.code()
}

/// Lower-case hexadecimal of a two's complement integer of `bits` bits, left-padded
/// with zeros to `min_len`.
pub fn to_hex(v: i64, bits: u32, min_len: usize) -> String {
    let text = if bits == 32 {
        format!("{:x}", v as i32)
    } else {
        format!("{v:x}")
    };
    format!("{text:0>min_len$}")
}

/// `kql_tohex(value, bits, min_len)`: `bits` is 32 for int arguments, 64 for long.
pub fn tohex_udf() -> Arc<ScalarUDF> {
    array_udf("kql_tohex", 3, DataType::Utf8, |args| {
        let (v, bits, len) = (i64s(&args[0])?, i64s(&args[1])?, i64s(&args[2])?);
        Ok(Arc::new(
            (0..v.len())
                .map(|i| {
                    if v.is_null(i) {
                        return None;
                    }
                    let bits = if !bits.is_null(i) && bits.value(i) == 32 {
                        32
                    } else {
                        64
                    };
                    let len = if len.is_null(i) { 0 } else { len.value(i) };
                    let len = usize::try_from(len).unwrap_or(0).min(64);
                    Some(to_hex(v.value(i), bits, len))
                })
                .collect::<StringArray>(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
    }

    #[test]
    fn linear_units_convert_through_the_base_unit() {
        assert!(close(convert(Quantity::Length, 2.0, "Foot", "Inch"), 24.0));
        assert!(close(
            convert(Quantity::Angle, 0.5, "Revolution", "Degree"),
            180.0
        ));
        assert!(close(
            convert(Quantity::Speed, 1.0, "KilometerPerHour", "MeterPerSecond"),
            1.0 / 3.6
        ));
        assert!(close(
            convert(Quantity::Volume, 3.0, "Liter", "Milliliter"),
            3000.0
        ));
        assert!(close(
            convert(Quantity::Force, 5.0, "Kilonewton", "Newton"),
            5000.0
        ));
        assert_eq!(convert(Quantity::Length, 1.0, "Meter", "Furlong"), None);
    }

    #[test]
    fn temperatures_have_offsets() {
        assert!(close(
            convert(
                Quantity::Temperature,
                100.0,
                "DegreeCelsius",
                "DegreeFahrenheit"
            ),
            212.0
        ));
        assert!(close(
            convert(Quantity::Temperature, 0.0, "DegreeCelsius", "Kelvin"),
            273.15
        ));
    }

    #[test]
    fn hex_follows_the_argument_width() {
        assert_eq!(to_hex(255, 64, 0), "ff");
        assert_eq!(to_hex(-1, 64, 0), "ffffffffffffffff");
        assert_eq!(to_hex(-2, 32, 0), "fffffffe");
        assert_eq!(to_hex(10, 64, 4), "000a");
    }
}
