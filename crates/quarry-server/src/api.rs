//! The hunting endpoints: Defender's `/api/advancedhunting/run`, MDE's
//! `/api/advancedqueries/run`, Graph's `runHuntingQuery`, and the ingest endpoint.
//!
//! Every request goes through the same steps: token, permission, tenant, user roles
//! (delegated tokens), body, quotas, then the query under the tenant's timeout, with the
//! row cap and result-size limit applied to the answer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quarry_engine::{Catalog, QueryError, QueryMeter, error_body};
use quarry_store::{Format, RowFilter, TenantRouting};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::auth::{Api, Principal, PrincipalKind};
use crate::config::TenantSection;
use crate::error::ApiError;
use crate::rbac::{self, DeviceFilter, DeviceScope};
use crate::state::AppState;
use crate::timespan::{self, AllOf, TimeWindow};

/// The request id, set by the outermost middleware.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// How long a query waits for a running slot before a 429.
const SLOT_WAIT: Duration = Duration::from_secs(30);

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Token, permission and tenant checks; the caller's principal and tenant settings.
fn authenticate<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
    api: Api,
) -> Result<(Principal, &'s TenantSection), ApiError> {
    let token = bearer(headers).ok_or_else(|| {
        ApiError::unauthorized("Missing bearer token (Authorization: Bearer <token>).")
    })?;
    let principal = state
        .validator
        .validate(token)
        .map_err(ApiError::unauthorized)?;
    principal
        .check_permission(api)
        .map_err(ApiError::forbidden)?;
    let tenant = state.config.tenant(&principal.tenant).ok_or_else(|| {
        ApiError::forbidden(format!("Tenant {} is not served here.", principal.tenant))
    })?;
    Ok((principal, tenant))
}

/// The rows a principal may see: everything for apps; their device groups for users.
async fn device_filter(
    state: &AppState,
    principal: &Principal,
    tenant: &TenantSection,
) -> Result<Option<Arc<dyn RowFilter>>, ApiError> {
    let PrincipalKind::Delegated { user, .. } = &principal.kind else {
        return Ok(None);
    };
    let groups: Vec<String> = state
        .config
        .identity
        .users
        .iter()
        .find(|u| u.upn.eq_ignore_ascii_case(user) && u.tenant == tenant.id)
        .map(|u| u.groups.clone())
        .unwrap_or_default();
    let scope = rbac::user_scope(tenant, &groups)
        .map_err(|e| ApiError::forbidden(format!("Access denied: {e}.")))?;
    match scope {
        DeviceScope::AllDevices => Ok(None),
        DeviceScope::Groups(g) => {
            let devices = state.devices(&tenant.id).await.map_err(|e| {
                ApiError::internal(format!("Could not evaluate device groups: {e}"))
            })?;
            let allowed = rbac::allowed_devices(tenant, &devices, &g);
            Ok(Some(Arc::new(DeviceFilter::new(allowed))))
        }
    }
}

/// Which response shape an endpoint answers with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Defender,
    Mde,
    Graph,
}

/// The query (and Graph timespan) from the request body.
fn read_body(body: &[u8], shape: Shape) -> Result<(String, Option<String>), ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid_body(format!("Invalid request body: {e}.")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| ApiError::invalid_body("Invalid request body: expected a JSON object."))?;
    let get = |names: &[&str]| names.iter().find_map(|n| obj.get(*n));
    // Defender documents body parameters as case-sensitive; Graph accepts both casings.
    let query_names: &[&str] = if shape == Shape::Graph {
        &["Query", "query"]
    } else {
        &["Query"]
    };
    let query = match get(query_names) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | None => return Err(ApiError::missing_parameter("Query")),
        Some(_) => {
            return Err(ApiError::invalid_body(
                "Invalid request body: Query must be a string.",
            ));
        }
    };
    let timespan = match (shape, get(&["Timespan", "timespan"])) {
        (Shape::Graph, Some(Value::String(s))) => Some(s.clone()),
        (Shape::Graph, Some(Value::Null)) | (_, None) | (Shape::Defender | Shape::Mde, Some(_)) => {
            None
        }
        (Shape::Graph, Some(_)) => {
            return Err(ApiError::invalid_body(
                "Invalid request body: Timespan must be a string.",
            ));
        }
    };
    Ok((query, timespan))
}

fn query_hash(q: &str) -> String {
    Sha256::digest(q.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn run_query(
    state: Arc<AppState>,
    rid: RequestId,
    headers: HeaderMap,
    body: Bytes,
    api: Api,
    shape: Shape,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let rid = rid.0;
    let (principal, tenant) =
        authenticate(&state, &headers, api).map_err(|e| e.with_request_id(&rid))?;
    let (query, timespan) = read_body(&body, shape).map_err(|e| e.with_request_id(&rid))?;
    let mut filters: Vec<Arc<dyn RowFilter>> = Vec::new();
    if let Some(f) = device_filter(&state, &principal, tenant)
        .await
        .map_err(|e| e.with_request_id(&rid))?
    {
        filters.push(f);
    }
    if let Some(ts) = &timespan {
        let iv = timespan::parse_interval(ts, quarry_store::clock::now_ticks())
            .map_err(|e| ApiError::bad_request(e).with_request_id(&rid))?;
        filters.push(Arc::new(TimeWindow(iv)));
    }
    let quotas = &tenant.quotas;
    let semaphore = state.quotas.admit_call(&tenant.id, quotas).map_err(|r| {
        state.metrics.quota_refusal();
        ApiError::too_many_requests(r.message(), r.retry_after_secs()).with_request_id(&rid)
    })?;
    let _tenant_slot =
        crate::quota::QuotaBook::run_slot(semaphore, SLOT_WAIT, quotas.max_concurrent_queries)
            .await
            .map_err(|r| {
                ApiError::too_many_requests(r.message(), r.retry_after_secs()).with_request_id(&rid)
            })?;
    let _global_slot = tokio::time::timeout(SLOT_WAIT, Arc::clone(&state.slots).acquire_owned())
        .await
        .map_err(|_| {
            ApiError::too_many_requests(
                "The server is busy: too many concurrent queries. Try again shortly.",
                5,
            )
            .with_request_id(&rid)
        })?
        .map_err(|_| ApiError::internal("the server is shutting down").with_request_id(&rid))?;

    let row_filter: Option<Arc<dyn RowFilter>> = match filters.len() {
        0 => None,
        1 => filters.pop(),
        _ => Some(Arc::new(AllOf(filters))),
    };
    let catalog: Arc<dyn Catalog> = Arc::new(
        state
            .store
            .catalog(&tenant.id, row_filter)
            .map_err(|e| ApiError::internal(e.to_string()).with_request_id(&rid))?,
    );
    let meter = QueryMeter::default();
    let outcome = tokio::time::timeout(
        quotas.timeout(),
        state.engine.run_metered(&query, catalog, &meter),
    )
    .await;
    // Charged whatever the outcome: a query that fails or times out used CPU too. An
    // answered query is charged exactly what its Stats report.
    let cpu = match &outcome {
        Ok(Ok(o)) => o.stats.cpu_user + o.stats.cpu_kernel,
        _ => meter.cpu(),
    };
    state.quotas.charge_cpu(&tenant.id, cpu.as_secs_f64());
    let output = match outcome {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            state.metrics.query_failed();
            tracing::info!(request_id = %rid, tenant = %tenant.id, query = %query_hash(&query), error = %e, "query failed");
            return Err(ApiError::from_query_body(
                &error_body(&e, &query, &rid),
                &rid,
            ));
        }
        Err(_) => {
            state.metrics.query_failed();
            let e = QueryError::Timeout;
            return Err(ApiError::from_query_body(
                &error_body(&e, &query, &rid),
                &rid,
            ));
        }
    };

    let total_rows = output.row_count();
    let mut rows = quarry_engine::response::result_rows(&output.batches, &output.schema)
        .map_err(|e| ApiError::internal(e.to_string()).with_request_id(&rid))?;
    let truncated = rows.len() > quotas.max_rows;
    rows.truncate(quotas.max_rows);
    let schema = quarry_engine::response::schema_json(&output.schema);
    let body = match shape {
        Shape::Defender | Shape::Mde => {
            let mut stats = quarry_engine::response::stats_json(&output.stats);
            if let Some(s) = stats.as_object_mut()
                && truncated
            {
                s.insert("result_truncated".into(), json!(true));
                s.insert("result_row_limit".into(), json!(quotas.max_rows));
                s.insert("result_total_rows".into(), json!(total_rows));
            }
            if shape == Shape::Defender {
                json!({"Stats": stats, "Schema": schema, "Results": rows})
            } else {
                json!({"Schema": schema, "Results": rows})
            }
        }
        Shape::Graph => {
            let schema: Vec<Value> = schema
                .as_array()
                .map(|cols| {
                    cols.iter()
                        .map(|c| json!({"name": c["Name"], "type": c["Type"]}))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",
                "schema": schema,
                "results": rows,
            })
        }
    };
    let bytes = serde_json::to_vec(&body)
        .map_err(|e| ApiError::internal(e.to_string()).with_request_id(&rid))?;
    if bytes.len() > quotas.max_result_bytes {
        return Err(ApiError::bad_request(
            "Query execution has exceeded the allowed result size. Optimize your query by limiting the number of results and try again",
        )
        .with_request_id(&rid));
    }
    state.metrics.query_done(started.elapsed(), rows.len());
    tracing::info!(
        request_id = %rid, tenant = %tenant.id, query = %query_hash(&query),
        duration_ms = started.elapsed().as_millis() as u64, rows = rows.len(), truncated, "query"
    );
    Ok((
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        bytes,
    )
        .into_response())
}

pub async fn advanced_hunting(
    State(s): State<Arc<AppState>>,
    Extension(rid): Extension<RequestId>,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    run_query(s, rid, h, b, Api::AdvancedHunting, Shape::Defender)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub async fn advanced_queries(
    State(s): State<Arc<AppState>>,
    Extension(rid): Extension<RequestId>,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    run_query(s, rid, h, b, Api::AdvancedQueries, Shape::Mde)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub async fn graph_hunting(
    State(s): State<Arc<AppState>>,
    Extension(rid): Extension<RequestId>,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    run_query(s, rid, h, b, Api::Graph, Shape::Graph)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

#[derive(serde::Deserialize)]
pub struct IngestParams {
    table: Option<String>,
}

/// `POST /api/ingest[?table=T]`: streaming-export envelopes, or NDJSON of `table`, into
/// the caller's tenant. Answered only after the accepted records are durable.
pub async fn ingest(
    State(state): State<Arc<AppState>>,
    Extension(rid): Extension<RequestId>,
    UrlQuery(params): UrlQuery<IngestParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rid = rid.0;
    let result = async {
        let (principal, tenant) = authenticate(&state, &headers, Api::Ingest)?;
        let text = String::from_utf8(body.to_vec()).map_err(|_| ApiError::invalid_body("The body is not UTF-8."))?;
        let format = match &params.table {
            Some(t) => Format::Ndjson(quarry_store::schema::table(t).ok_or_else(|| ApiError::bad_request(format!("Unknown table '{t}'.")))?),
            None => Format::Envelope,
        };
        let store = Arc::clone(&state.store);
        let routing = TenantRouting::Require(tenant.id.clone());
        let _ = principal;
        let report = tokio::task::spawn_blocking(move || store.ingest(&text, format, &routing))
            .await
            .map_err(|e| ApiError::internal(format!("ingest task failed: {e}")))?
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let rejected: Vec<Value> = report
            .rejections
            .iter()
            .map(|r| json!({"position": r.position.to_string(), "line": r.position.line, "reason": r.reason}))
            .collect();
        let status = if report.accepted_total() == 0 && report.rejected_count > 0 { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        Ok::<_, ApiError>((
            status,
            Json(json!({
                "accepted": report.accepted_total(),
                "acceptedByTable": report.accepted,
                "rejectedCount": report.rejected_count,
                "rejected": rejected,
                "keptInAdditionalFields": report.kept_in_additional_fields,
            })),
        )
            .into_response())
    }
    .await;
    result.unwrap_or_else(|e| e.with_request_id(&rid).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_by_api() {
        assert_eq!(
            read_body(br#"{"Query":"T"}"#, Shape::Defender)
                .expect("ok")
                .0,
            "T"
        );
        let e = read_body(br#"{"query":"T"}"#, Shape::Defender).expect_err("case-sensitive");
        assert_eq!(e.code, "MissingRequiredParameter");
        let (q, ts) = read_body(br#"{"query":"T","timespan":"P1D"}"#, Shape::Graph).expect("graph");
        assert_eq!((q.as_str(), ts.as_deref()), ("T", Some("P1D")));
        assert_eq!(
            read_body(b"{not json", Shape::Graph).err().map(|e| e.code),
            Some("InvalidRequestBody")
        );
        assert_eq!(
            read_body(br#"{"Query":5}"#, Shape::Mde)
                .err()
                .map(|e| e.code),
            Some("InvalidRequestBody")
        );
        assert_eq!(
            read_body(br#"[]"#, Shape::Mde).err().map(|e| e.code),
            Some("InvalidRequestBody")
        );
    }
}
