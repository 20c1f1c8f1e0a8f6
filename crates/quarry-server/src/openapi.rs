//! The OpenAPI document served at `/openapi.json`.

use serde_json::{Value, json};

fn query_operation(
    summary: &str,
    body_schema: &str,
    response_schema: &str,
    permission: &str,
) -> Value {
    json!({
        "summary": summary,
        "security": [{"bearer": []}],
        "description": format!("Requires the `{permission}` permission."),
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body_schema}")}}}},
        "responses": {
            "200": {"description": "The query's results.", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{response_schema}")}}}},
            "400": {"description": "BadRequest, InvalidRequestBody or MissingRequiredParameter; query errors carry details.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "401": {"description": "Unauthorized: missing, invalid or expired token."},
            "403": {"description": "Forbidden: the token lacks the permission, or the user has no role with View Data."},
            "429": {"description": "A quota was reached (calls per minute, CPU per cycle, concurrency); see Retry-After."}
        }
    })
}

pub fn document(public_url: &str) -> Value {
    let defender = query_operation(
        "Run an advanced hunting query (Microsoft Defender XDR API)",
        "DefenderQuery",
        "DefenderResults",
        "AdvancedHunting.Read.All / AdvancedHunting.Read",
    );
    let mde = query_operation(
        "Run an advanced query (Microsoft Defender for Endpoint API)",
        "DefenderQuery",
        "MdeResults",
        "AdvancedQuery.Read.All / AdvancedQuery.Read",
    );
    let graph = query_operation(
        "Run a hunting query (Microsoft Graph security API)",
        "GraphQuery",
        "GraphResults",
        "ThreatHunting.Read.All",
    );
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Quarry advanced hunting API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Self-hosted Microsoft 365 Defender advanced hunting: the Defender, MDE and Graph hunting endpoints."},
        "servers": [{"url": public_url}],
        "paths": {
            "/api/advancedhunting/run": {"post": defender},
            "/api/advancedqueries/run": {"post": mde},
            "/v1.0/security/runHuntingQuery": {"post": graph.clone()},
            "/v1.0/security/microsoft.graph.security.runHuntingQuery": {"post": graph.clone()},
            "/beta/security/runHuntingQuery": {"post": graph.clone()},
            "/beta/security/microsoft.graph.security.runHuntingQuery": {"post": graph},
            "/api/ingest": {"post": {
                "summary": "Ingest streaming-export envelopes (or NDJSON of one table with ?table=) into the caller's tenant",
                "security": [{"bearer": []}],
                "parameters": [{"name": "table", "in": "query", "required": false, "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}, "application/x-ndjson": {"schema": {"type": "string"}}}},
                "responses": {"200": {"description": "Accepted records are durable; rejected ones are listed with position and reason."}}
            }},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "OK"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "Text exposition format"}}}},
            "/{tenant}/oauth2/v2.0/token": {"post": {"summary": "Built-in identity provider: client credentials or password grant (v2)", "responses": {"200": {"description": "Token"}}}},
            "/{tenant}/oauth2/token": {"post": {"summary": "Built-in identity provider: client credentials or password grant (v1)", "responses": {"200": {"description": "Token"}}}},
            "/{tenant}/v2.0/.well-known/openid-configuration": {"get": {"summary": "OpenID configuration", "responses": {"200": {"description": "Document"}}}},
            "/{tenant}/discovery/v2.0/keys": {"get": {"summary": "Signing keys (JWKS)", "responses": {"200": {"description": "JWKS"}}}},
            "/metadata/endpoints": {"get": {"summary": "Azure cloud metadata (login endpoint)", "responses": {"200": {"description": "Document"}}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {
                "DefenderQuery": {"type": "object", "required": ["Query"], "properties": {"Query": {"type": "string"}}},
                "GraphQuery": {"type": "object", "properties": {"Query": {"type": "string"}, "query": {"type": "string"}, "Timespan": {"type": "string", "description": "ISO 8601: P30D, start/end, P30D/end, start/P30D, or a start"}, "timespan": {"type": "string"}}},
                "Column": {"type": "object", "properties": {"Name": {"type": "string"}, "Type": {"type": "string"}}},
                "DefenderResults": {"type": "object", "properties": {"Stats": {"type": "object"}, "Schema": {"type": "array", "items": {"$ref": "#/components/schemas/Column"}}, "Results": {"type": "array", "items": {"type": "object"}}}},
                "MdeResults": {"type": "object", "properties": {"Schema": {"type": "array", "items": {"$ref": "#/components/schemas/Column"}}, "Results": {"type": "array", "items": {"type": "object"}}}},
                "GraphResults": {"type": "object", "properties": {"@odata.context": {"type": "string"}, "schema": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "type": {"type": "string"}}}}, "results": {"type": "array", "items": {"type": "object"}}}},
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "target": {"type": "string"}, "details": {"type": "array", "items": {"type": "object"}}}}}}
            }
        }
    })
}
