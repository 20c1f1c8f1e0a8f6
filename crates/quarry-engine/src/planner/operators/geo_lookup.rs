//! `evaluate geo_polygon_lookup(...)` and `evaluate geo_line_lookup(...)`: each input row
//! (a longitude/latitude) joined with the rows of a lookup table whose polygon holds it
//! (or lies within a radius of it), or whose line lies within a radius of it.

use datafusion::common::{Column, ScalarValue};
use datafusion::logical_expr::{Expr, JoinType, LogicalPlan, LogicalPlanBuilder, Operator};
use kql_syntax::Span;
use kql_syntax::ast::Arg;

use crate::error::{QueryError, Result};
use crate::planner::builtins::{CallCtx, plan_builtin};
use crate::planner::naming::unique_name;
use crate::planner::{Planner, TypedExpr, column_names};

use super::plugins::{arg, bool_arg, column_arg, semantic};

const LEFT: &str = "__geol";
const RIGHT: &str = "__geor";

/// Plans the geo lookup plugins; None for other names.
pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    name: &str,
    args: &[Arg],
    span: Span,
) -> Result<Option<LogicalPlan>> {
    let lines = match name {
        "geo_polygon_lookup" => false,
        "geo_line_lookup" => true,
        _ => return Ok(None),
    };
    lookup(planner, input, name, lines, args, span).map(Some)
}

fn radius_arg(planner: &mut Planner<'_>, plugin: &str, a: &Arg) -> Result<f64> {
    let v = planner.constant_value(&a.value, "evaluate")?;
    let r = match v {
        ScalarValue::Int64(Some(n)) => n as f64,
        ScalarValue::Int32(Some(n)) => f64::from(n),
        ScalarValue::Float64(Some(x)) => x,
        _ => f64::NAN,
    };
    if r.is_finite() && r >= 0.0 {
        Ok(r)
    } else {
        Err(semantic(
            plugin,
            "expected a non-negative constant radius in meters",
            a.value.span,
        ))
    }
}

fn qualified(side: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(side), name))
}

fn lookup(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    plugin: &str,
    lines: bool,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let table = arg(args, 0, "LookupTable")
        .ok_or_else(|| semantic(plugin, "expected a lookup table", span))?;
    let table = planner.plan_tabular(&table.value)?;
    let key_name = if lines {
        "LookupLineKey"
    } else {
        "LookupPolygonKey"
    };
    let key = column_arg(plugin, arg(args, 1, key_name), "the shape column", span)?;
    let lng = column_arg(
        plugin,
        arg(args, 2, "longitude"),
        "the longitude column",
        span,
    )?;
    let lat = column_arg(
        plugin,
        arg(args, 3, "latitude"),
        "the latitude column",
        span,
    )?;
    let radius = match arg(args, 4, "radius") {
        Some(a) => Some(radius_arg(planner, plugin, a)?),
        None if lines => return Err(semantic(plugin, "expected a radius", span)),
        None => None,
    };
    let unmatched = bool_arg(plugin, arg(args, 5, "return_unmatched"))?;
    if let Some(a) = arg(args, 6, "lookup_area_radius") {
        radius_arg(planner, plugin, a)?;
    }
    let return_key = bool_arg(plugin, arg(args, 7, "return_lookup_key"))?;

    let left_names = column_names(&input);
    let right_names = column_names(&table);
    for (c, side, names) in [
        (&lng, "input", &left_names),
        (&lat, "input", &left_names),
        (&key, "lookup table", &right_names),
    ] {
        if !names.contains(c) {
            return Err(semantic(
                plugin,
                format!("no column '{c}' in the {side}"),
                span,
            ));
        }
    }
    let left = LogicalPlanBuilder::from(input).alias(LEFT)?.build()?;
    let right = LogicalPlanBuilder::from(table).alias(RIGHT)?.build()?;
    let both = left.schema().join(right.schema())?;
    let call = |name: &str, args: Vec<TypedExpr>| -> Result<TypedExpr> {
        let cx = CallCtx {
            name,
            operator: "evaluate",
            span,
            schema: &both,
            now_ns: planner.now_ns(),
        };
        plan_builtin(args, &cx)?.ok_or_else(|| QueryError::not_supported(plugin))
    };
    let point = vec![
        TypedExpr::derive(qualified(LEFT, &lng), &both)?,
        TypedExpr::derive(qualified(LEFT, &lat), &both)?,
        TypedExpr::derive(qualified(RIGHT, &key), &both)?,
    ];
    let condition = match (lines, radius) {
        (false, None) => call("geo_point_in_polygon", point)?.expr,
        (false, Some(r)) => within(call("geo_distance_point_to_polygon", point)?.expr, r),
        (true, r) => within(
            call("geo_distance_point_to_line", point)?.expr,
            r.unwrap_or(0.0),
        ),
    };
    let kind = if unmatched {
        JoinType::Left
    } else {
        JoinType::Inner
    };
    let joined = LogicalPlanBuilder::from(left)
        .join_on(right, kind, vec![condition])?
        .build()?;
    let mut projection = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for n in &left_names {
        projection.push(qualified(LEFT, n).alias(n));
        taken.push(n.clone());
    }
    for n in &right_names {
        if *n == key && !return_key {
            continue;
        }
        let out = unique_name(n, &|c| taken.iter().any(|t| t == c));
        projection.push(qualified(RIGHT, n).alias(&out));
        taken.push(out);
    }
    Ok(LogicalPlanBuilder::from(joined)
        .project(projection)?
        .build()?)
}

/// `distance <= radius`.
fn within(distance: Expr, radius: f64) -> Expr {
    datafusion::logical_expr::binary_expr(
        distance,
        Operator::LtEq,
        Expr::Literal(ScalarValue::Float64(Some(radius)), None),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::Value;

    use crate::catalog::MemCatalog;
    use crate::error::QueryError;
    use crate::session::{Engine, EngineConfig};

    async fn results(query: &str) -> Result<Value, QueryError> {
        let engine = Engine::new(EngineConfig::default())?;
        let body = engine
            .run(query, Arc::new(MemCatalog::new()))
            .await?
            .to_json()?;
        Ok(body["Results"].clone())
    }

    const AREAS: &str = r#"let areas = datatable(area:string, shape:dynamic)
        [
            "square", dynamic({"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}),
            "far", dynamic({"type":"Polygon","coordinates":[[[50,50],[51,50],[51,51],[50,51],[50,50]]]}),
        ];
        let spots = datatable(spot:string, lng:real, lat:real)
        [ "in", 10.5, 10.5, "near", 11.001, 10.5, "out", 20.0, 20.0 ];"#;

    #[tokio::test]
    async fn polygon_lookup_joins_points_with_their_polygons() -> Result<(), QueryError> {
        let r = results(&format!(
            "{AREAS} spots | evaluate geo_polygon_lookup(areas, shape, lng, lat) | project spot, area"
        ))
        .await?;
        assert_eq!(r, serde_json::json!([{"spot": "in", "area": "square"}]));
        // A radius takes in the nearby point; unmatched rows keep empty lookup columns;
        // the key column is left out unless asked for.
        let r = results(&format!(
            "{AREAS} spots | evaluate geo_polygon_lookup(areas, shape, lng, lat, radius = 500, \
             return_unmatched = true) | sort by spot asc"
        ))
        .await?;
        let rows = r.as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1]["area"], "square");
        assert_eq!(rows[2]["area"], Value::Null);
        assert!(rows[0].get("shape").is_none());
        Ok(())
    }

    #[tokio::test]
    async fn line_lookup_needs_a_radius() -> Result<(), QueryError> {
        let roads = r#"let roads = datatable(road:string, path:dynamic)
            [ "r1", dynamic({"type":"LineString","coordinates":[[10,10],[10,11]]}) ];
            let spots = datatable(spot:string, lng:real, lat:real) [ "a", 10.001, 10.5, "b", 12.0, 10.5 ];"#;
        let r = results(&format!(
            "{roads} spots | evaluate geo_line_lookup(roads, path, lng, lat, 200, \
             return_lookup_key = true) | project spot, road"
        ))
        .await?;
        assert_eq!(r, serde_json::json!([{"spot": "a", "road": "r1"}]));
        let err = results(&format!(
            "{roads} spots | evaluate geo_line_lookup(roads, path, lng, lat)"
        ))
        .await;
        assert!(matches!(err, Err(QueryError::Semantic { .. })));
        Ok(())
    }

    #[tokio::test]
    async fn geo_functions_type_their_results_and_check_arguments() -> Result<(), QueryError> {
        let r = results(
            r#"print p = geo_h3cell_to_central_point(geo_point_to_h3cell(2.35, 48.85, 7)),
                     d = geo_distance_2points(0, 0, 0, 1), bad = geo_point_to_s2cell(200, 0)"#,
        )
        .await?;
        assert_eq!(r[0]["p"]["type"], "Point");
        assert!(
            r[0]["d"]
                .as_f64()
                .is_some_and(|d| (d - 111_195.1).abs() < 1.0)
        );
        assert!(r[0]["bad"].is_null() || r[0]["bad"] == "");
        let err = results(r#"print geo_line_length("not dynamic")"#).await;
        assert!(matches!(err, Err(QueryError::Semantic { .. })));
        Ok(())
    }
}
