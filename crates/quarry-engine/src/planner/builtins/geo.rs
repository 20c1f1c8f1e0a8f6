//! Kusto's geospatial functions (`geo_*`): points, lines, polygons and the H3, S2 and
//! geohash cell systems. Kernels live in `functions::geo`; this file checks arity and
//! argument types and hands numbers over as Float64/Int64, geometries (dynamic) as
//! their JSON text and cell tokens as text.

use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{Expr, cast};

use super::core::tostring;
use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::functions::geo::{cover, geohash, h3, lines, overlay, points, polygons, s2, wkt};
use crate::functions::rowwise::{OutType, RowFn, row_udf};
use crate::planner::TypedExpr;
use crate::types::ScalarType;

/// How one argument is handed to the kernel.
#[derive(Clone, Copy, PartialEq)]
enum G {
    /// A real number (coordinates, distances, tolerances).
    Num,
    /// An integer (levels, resolutions).
    Int,
    /// Text (cell tokens, WKT).
    Text,
    /// A GeoJSON geometry (dynamic).
    Json,
    /// A bool flag.
    Flag,
}

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    use G::{Flag, Int, Json, Num, Text};
    use ScalarType::{Bool, Dynamic, Long, Real, String as S};
    // (kernel, min args, max args, argument forms, result type)
    let (kernel, min, max, how, ty): (RowFn, usize, usize, &[G], ScalarType) = match name {
        "geo_distance_2points" => (
            points::distance_2points,
            4,
            5,
            &[Num, Num, Num, Num, Flag],
            Real,
        ),
        "geo_line_locate_point" => (
            lines::line_locate_point,
            3,
            4,
            &[Json, Num, Num, Flag],
            Real,
        ),
        "geo_point_in_circle" => (points::point_in_circle, 5, 5, &[Num], Bool),
        "geo_azimuth" => (points::azimuth_k, 4, 4, &[Num], Real),
        "geo_angle" => (points::angle_k, 6, 6, &[Num], Real),
        "geo_point_to_h3cell" => (h3::point_to_h3cell, 2, 3, &[Num, Num, Int], S),
        "geo_h3cell_to_central_point" => (h3::h3cell_to_central_point, 1, 1, &[Text], Dynamic),
        "geo_h3cell_to_polygon" => (h3::h3cell_to_polygon, 1, 1, &[Text], Dynamic),
        "geo_h3cell_level" => (h3::h3cell_level, 1, 1, &[Text], Long),
        "geo_h3cell_parent" => (h3::h3cell_parent, 1, 2, &[Text, Int], S),
        "geo_h3cell_children" => (h3::h3cell_children, 1, 2, &[Text, Int], Dynamic),
        "geo_h3cell_neighbors" => (h3::h3cell_neighbors, 1, 1, &[Text], Dynamic),
        "geo_h3cell_rings" => (h3::h3cell_rings, 2, 2, &[Text, Int], Dynamic),
        "geo_point_to_s2cell" => (s2::point_to_s2cell, 2, 3, &[Num, Num, Int], S),
        "geo_s2cell_to_central_point" => (s2::s2cell_to_central_point, 1, 1, &[Text], Dynamic),
        "geo_s2cell_to_polygon" => (s2::s2cell_to_polygon, 1, 1, &[Text], Dynamic),
        "geo_s2cell_neighbors" => (s2::s2cell_neighbors, 1, 1, &[Text], Dynamic),
        "geo_point_to_geohash" => (geohash::point_to_geohash, 2, 3, &[Num, Num, Int], S),
        "geo_geohash_to_central_point" => {
            (geohash::geohash_to_central_point, 1, 1, &[Text], Dynamic)
        }
        "geo_geohash_to_polygon" => (geohash::geohash_to_polygon, 1, 1, &[Text], Dynamic),
        "geo_geohash_neighbors" => (geohash::geohash_neighbors, 1, 1, &[Text], Dynamic),
        "geo_from_wkt" => (wkt::from_wkt, 1, 1, &[Text], Dynamic),
        "geo_line_length" => (lines::line_length, 1, 1, &[Json], Real),
        "geo_line_centroid" => (lines::line_centroid, 1, 1, &[Json], Dynamic),
        "geo_line_densify" => (lines::line_densify, 1, 3, &[Json, Num, Flag], Dynamic),
        "geo_line_simplify" => (lines::line_simplify, 1, 2, &[Json, Num], Dynamic),
        "geo_line_interpolate_point" => {
            (lines::line_interpolate_point, 2, 2, &[Json, Num], Dynamic)
        }
        "geo_distance_point_to_line" => {
            (lines::distance_point_to_line, 3, 3, &[Num, Num, Json], Real)
        }
        "geo_closest_point_on_line" => (
            lines::closest_point_on_line,
            3,
            3,
            &[Num, Num, Json],
            Dynamic,
        ),
        "geo_intersects_2lines" => (lines::intersects_2lines, 2, 2, &[Json], Bool),
        "geo_intersection_2lines" => (lines::intersection_2lines, 2, 2, &[Json], Dynamic),
        "geo_polygon_area" => (polygons::polygon_area, 1, 1, &[Json], Real),
        "geo_polygon_perimeter" => (polygons::polygon_perimeter, 1, 1, &[Json], Real),
        "geo_polygon_centroid" => (polygons::polygon_centroid, 1, 1, &[Json], Dynamic),
        "geo_polygon_densify" => (polygons::polygon_densify, 1, 3, &[Json, Num, Flag], Dynamic),
        "geo_polygon_simplify" => (polygons::polygon_simplify, 1, 2, &[Json, Num], Dynamic),
        "geo_point_in_polygon" => (polygons::point_in_polygon, 3, 3, &[Num, Num, Json], Bool),
        "geo_distance_point_to_polygon" => (
            polygons::distance_point_to_polygon,
            3,
            3,
            &[Num, Num, Json],
            Real,
        ),
        "geo_closest_point_on_polygon" => (
            polygons::closest_point_on_polygon,
            3,
            3,
            &[Num, Num, Json],
            Dynamic,
        ),
        "geo_intersects_line_with_polygon" => {
            (polygons::intersects_line_with_polygon, 2, 2, &[Json], Bool)
        }
        "geo_intersection_line_with_polygon" => (
            polygons::intersection_line_with_polygon,
            2,
            2,
            &[Json],
            Dynamic,
        ),
        "geo_intersects_2polygons" => (polygons::intersects_2polygons, 2, 2, &[Json], Bool),
        "geo_intersection_2polygons" => (overlay::intersection_2polygons, 2, 2, &[Json], Dynamic),
        "geo_union_polygons_array" => (overlay::union_polygons_array, 1, 1, &[Json], Dynamic),
        "geo_simplify_polygons_array" => (
            overlay::simplify_polygons_array,
            1,
            2,
            &[Json, Num],
            Dynamic,
        ),
        "geo_polygon_to_s2cells" => (cover::polygon_to_s2cells, 1, 3, &[Json, Int, Num], Dynamic),
        "geo_line_to_s2cells" => (cover::line_to_s2cells, 1, 3, &[Json, Int, Num], Dynamic),
        "geo_polygon_to_h3cells" => (cover::polygon_to_h3cells, 1, 3, &[Json, Int, Num], Dynamic),
        "geo_point_buffer" => (overlay::point_buffer, 3, 4, &[Num], Dynamic),
        "geo_line_buffer" => (overlay::line_buffer, 2, 3, &[Json, Num, Num], Dynamic),
        "geo_polygon_buffer" => (overlay::polygon_buffer, 2, 3, &[Json, Num, Num], Dynamic),
        _ => return Ok(None),
    };
    args.expect_between(min, max)?;
    let mut prepared = Vec::with_capacity(args.len());
    for (i, v) in args.values.iter().enumerate() {
        let h = how.get(i).or(how.last()).copied().unwrap_or(Text);
        prepared.push(prepare(v.clone(), h, name, cx)?);
    }
    let udf = row_udf(&format!("kql_{name}"), kernel, out_type(ty));
    Ok(Some(TypedExpr::new(udf.call(prepared), ty)))
}

fn out_type(ty: ScalarType) -> OutType {
    match ty {
        ScalarType::Long => OutType::Int64,
        ScalarType::Real => OutType::Float64,
        ScalarType::Bool => OutType::Boolean,
        _ => OutType::Utf8,
    }
}

fn prepare(v: TypedExpr, how: G, name: &str, cx: &CallCtx) -> Result<Expr> {
    use ScalarType as T;
    let wrong = |expected: &str| {
        QueryError::semantic(
            format!(
                "'{}' operator: {name}(): argument of type '{}' where {expected} is expected",
                cx.operator,
                type_name(v.ty)
            ),
            cx.span,
        )
    };
    Ok(match how {
        G::Num | G::Int => match v.ty {
            T::Real if how == G::Num => v.expr,
            T::Int | T::Long | T::Real | T::Decimal => cast(
                v.expr,
                if how == G::Num {
                    DataType::Float64
                } else {
                    DataType::Int64
                },
            ),
            // A dynamic number arrives as its JSON text, which the kernel reads.
            T::Dynamic => v.expr,
            _ => return Err(wrong("a number")),
        },
        G::Text => match v.ty {
            T::String => v.expr,
            T::Dynamic => tostring(v).expr,
            _ => return Err(wrong("a string")),
        },
        G::Json => match v.ty {
            T::Dynamic => v.expr,
            _ => return Err(wrong("a dynamic value")),
        },
        G::Flag => match v.ty {
            T::Bool => v.expr,
            _ => return Err(wrong("a bool")),
        },
    })
}

fn type_name(t: ScalarType) -> &'static str {
    match t {
        ScalarType::Bool => "bool",
        ScalarType::Int => "int",
        ScalarType::Long => "long",
        ScalarType::Real => "real",
        ScalarType::Decimal => "decimal",
        ScalarType::String => "string",
        ScalarType::Guid => "guid",
        ScalarType::Dynamic => "dynamic",
        ScalarType::DateTime => "datetime",
        ScalarType::Timespan => "timespan",
    }
}
