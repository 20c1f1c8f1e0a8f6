//! The API against a real server on a loopback port: endpoint shapes, error codes, token
//! rejections, permissions, quotas, truncation, the identity provider and ingestion.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use serde_json::{Value, json};

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn defender_endpoint_answers_stats_schema_results() {
    let s = start().await;
    let (status, body) = s
        .hunt(&s.token_a(), "DeviceProcessEvents | where FileName =~ 'CMD.EXE' | project Timestamp, FileName | order by Timestamp desc | limit 2")
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["Stats"]["ExecutionTime"].as_f64().is_some());
    assert!(
        body["Stats"]["resource_usage"]["cpu"]["total cpu"]
            .as_str()
            .is_some()
    );
    assert_eq!(
        body["Schema"],
        json!([{"Name": "Timestamp", "Type": "DateTime"}, {"Name": "FileName", "Type": "String"}])
    );
    let rows = body["Results"].as_array().expect("results");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["FileName"], "cmd.exe");
    let ts = rows[0]["Timestamp"].as_str().expect("timestamp");
    assert!(ts.ends_with('Z') && ts.len() == 28, "{ts}");
}

#[tokio::test]
async fn mde_and_graph_endpoints_have_their_own_shapes() {
    let s = start().await;
    let body = json!({"Query": "DeviceInfo | count"}).to_string();
    let (status, v, _) = s
        .post("/api/advancedqueries/run", Some(&s.token_a()), &body)
        .await;
    assert_eq!(status, 200, "{v}");
    assert!(
        v.get("Stats").is_none()
            && v["Schema"][0]["Name"] == "Count"
            && v["Results"][0]["Count"] == 4
    );
    let graph = s.app_token("app-a", "https://graph.microsoft.com");
    for path in [
        "/v1.0/security/runHuntingQuery",
        "/v1.0/security/microsoft.graph.security.runHuntingQuery",
        "/beta/security/runHuntingQuery",
        "/beta/security/microsoft.graph.security.runHuntingQuery",
    ] {
        let body = json!({"query": "DeviceInfo | count", "timespan": "P1D"}).to_string();
        let (status, v, _) = s.post(path, Some(&graph), &body).await;
        assert_eq!(status, 200, "{path}: {v}");
        assert!(
            v["@odata.context"]
                .as_str()
                .is_some_and(|c| c.contains("huntingQueryResults"))
        );
        assert_eq!(v["schema"], json!([{"name": "Count", "type": "Int64"}]));
        assert_eq!(v["results"][0]["Count"], 4);
    }
    // A timespan in the past excludes everything generated just now.
    let body =
        json!({"Query": "DeviceInfo | count", "Timespan": "2020-01-01T00:00:00Z/P1D"}).to_string();
    let (_, v, _) = s
        .post("/v1.0/security/runHuntingQuery", Some(&graph), &body)
        .await;
    assert_eq!(v["results"][0]["Count"], 0);
}

#[tokio::test]
async fn query_errors_are_bad_requests_with_details_and_the_request_id() {
    let s = start().await;
    let (status, v) = s
        .hunt(&s.token_a(), "DeviceProcessEvents | where FileName ==")
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&v), "BadRequest");
    assert_eq!(v["error"]["details"][0]["code"], "SyntaxError");
    assert!(v["error"]["target"].as_str().is_some_and(|t| t.len() >= 32));
    let (status, v) = s
        .hunt(&s.token_a(), "DeviceProcessEvents | project NoSuchColumn")
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["details"][0]["code"], "SemanticError");
    let (status, v, headers) = s
        .post("/api/advancedhunting/run", Some(&s.token_a()), "{not json")
        .await;
    assert_eq!((status, error_code(&v)), (400, "InvalidRequestBody"));
    assert_eq!(
        headers.get("request-id").and_then(|h| h.to_str().ok()),
        v["error"]["target"].as_str()
    );
    let (status, v, _) = s
        .post(
            "/api/advancedhunting/run",
            Some(&s.token_a()),
            r#"{"Qeury":"x"}"#,
        )
        .await;
    assert_eq!((status, error_code(&v)), (400, "MissingRequiredParameter"));
    let (status, v, _) = s.post("/api/nothing/here", Some(&s.token_a()), "{}").await;
    assert_eq!((status, error_code(&v)), (404, "NotFound"));
}

fn forge(header: Value, payload: Value, signature: &[u8]) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        enc(&header),
        enc(&payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

#[tokio::test]
async fn bad_tokens_are_401_with_the_reason() {
    let s = start().await;
    let (status, v) = s.hunt("", "print 1").await;
    assert_eq!((status, error_code(&v)), (401, "Unauthorized"));
    let good = s.token_a();
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(good.split('.').nth(1).expect("payload"))
            .expect("b64"),
    )
    .expect("json");
    let cases = [
        (
            forge(json!({"alg": "none", "typ": "JWT"}), payload.clone(), b""),
            "alg none",
        ),
        (
            forge(
                json!({"alg": "HS256", "kid": s.key.kid}),
                payload.clone(),
                b"x",
            ),
            "HS256",
        ),
        (
            forge(
                json!({"alg": "ES256", "kid": "unknown-kid"}),
                payload.clone(),
                b"x",
            ),
            "unknown signing key",
        ),
    ];
    for (token, reason) in cases {
        let (status, v) = s.hunt(&token, "print 1").await;
        assert_eq!(status, 401, "{reason}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(reason)),
            "{reason}: {v}"
        );
    }
    // HS256 signed with the public key bytes (the classic key-confusion attack).
    let jwk = serde_json::to_vec(&s.key.jwks()).expect("jwks");
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: Some(s.key.kid.clone()),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &payload,
        &jsonwebtoken::EncodingKey::from_secret(&jwk),
    )
    .expect("hs256");
    let (status, v) = s.hunt(&hs, "print 1").await;
    assert_eq!(status, 401, "{v}");
    // Expired, wrong audience, wrong issuer: properly signed but refused.
    let mut expired = payload.clone();
    expired["exp"] = json!(1_000);
    expired["nbf"] = json!(0);
    let (status, v) = s
        .hunt(&s.key.sign(&expired).expect("sign"), "print 1")
        .await;
    assert_eq!(status, 401);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired"))
    );
    let wrong_aud = s.app_token("app-a", "https://management.azure.com");
    let (status, v) = s.hunt(&wrong_aud, "print 1").await;
    assert_eq!(status, 401);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("audience"))
    );
    let mut wrong_iss = payload.clone();
    wrong_iss["iss"] = json!("https://evil.example/tenant-a/v2.0");
    let (status, _) = s
        .hunt(&s.key.sign(&wrong_iss).expect("sign"), "print 1")
        .await;
    assert_eq!(status, 401);
    let mut tampered = good.clone();
    tampered.pop();
    tampered.push(if good.ends_with('A') { 'B' } else { 'A' });
    let (status, _) = s.hunt(&tampered, "print 1").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn permissions_and_roles_are_403() {
    let s = start().await;
    let noperm = s.app_token("app-noperm", "https://api.security.microsoft.com");
    let (status, v) = s.hunt(&noperm, "print 1").await;
    assert_eq!((status, error_code(&v)), (403, "Forbidden"));
    // An app with AdvancedHunting only may not use the MDE endpoint.
    let b = s.app_token("app-b", "https://api.security.microsoft.com");
    let (status, _, _) = s
        .post(
            "/api/advancedqueries/run",
            Some(&b),
            r#"{"Query":"print 1"}"#,
        )
        .await;
    assert_eq!(status, 403);
    // A delegated user whose groups carry no View Data role.
    let (status, v) = s.hunt(&s.user_token("nobody@a.test"), "print 1").await;
    assert_eq!(status, 403);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("View Data"))
    );
    // A delegated token lacking the MDE scope.
    let (status, _, _) = s
        .post(
            "/api/advancedqueries/run",
            Some(&s.user_token("ws-analyst@a.test")),
            r#"{"Query":"print 1"}"#,
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn delegated_users_see_only_their_device_groups() {
    let s = start().await;
    let q = "DeviceProcessEvents | summarize by DeviceId | order by DeviceId asc";
    let (_, all) = s.hunt(&s.token_a(), q).await;
    assert_eq!(all["Results"].as_array().map(|r| r.len()), Some(4));
    let (status, ws) = s.hunt(&s.user_token("ws-analyst@a.test"), q).await;
    assert_eq!(status, 200, "{ws}");
    assert_eq!(
        ws["Results"],
        json!([{"DeviceId": "a-ws1"}, {"DeviceId": "a-ws2"}])
    );
    let (_, admin) = s.hunt(&s.user_token("admin@a.test"), q).await;
    assert_eq!(admin["Results"], all["Results"]);
    // Rows without a device (email) stay visible; joins cannot route around the filter.
    let (_, mail) = s
        .hunt(&s.user_token("ws-analyst@a.test"), "EmailEvents | count")
        .await;
    assert_eq!(mail["Results"][0]["Count"], 4);
    let sneaky = "DeviceInfo | join kind=inner (DeviceProcessEvents) on DeviceId | union (DeviceNetworkEvents) | distinct DeviceId";
    let (_, v) = s.hunt(&s.user_token("ws-analyst@a.test"), sneaky).await;
    let ids: Vec<&str> = v["Results"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["DeviceId"].as_str())
        .collect();
    assert!(ids.iter().all(|d| d.starts_with("a-ws")), "{ids:?}");
}

#[tokio::test]
async fn the_sixteenth_call_in_a_minute_is_a_429_with_retry_after() {
    let s =
        start_with(&CONFIG.replacen("calls_per_minute = 1000", "calls_per_minute = 15", 1)).await;
    let token = s.token_a();
    for i in 0..15 {
        let (status, v) = s.hunt(&token, "print 1").await;
        assert_eq!(status, 200, "call {i}: {v}");
        s.clock.advance(Duration::from_secs(2));
    }
    let body = json!({"Query": "print 1"}).to_string();
    let (status, v, headers) = s
        .post("/api/advancedhunting/run", Some(&token), &body)
        .await;
    assert_eq!(status, 429);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("15 calls per minute")),
        "{v}"
    );
    let retry: u64 = headers
        .get("retry-after")
        .and_then(|h| h.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert_eq!(retry, 30);
    s.clock.advance(Duration::from_secs(retry));
    assert_eq!(s.hunt(&token, "print 1").await.0, 200);
}

#[tokio::test]
async fn cpu_over_budget_blocks_until_the_next_cycle() {
    let config = CONFIG.replacen(
        "calls_per_minute = 1000",
        "calls_per_minute = 1000\ncpu_seconds_per_cycle = 0.000001",
        1,
    );
    let s = start_with(&config).await;
    let token = s.token_a();
    assert_eq!(
        s.hunt(
            &token,
            "DeviceProcessEvents | summarize count() by FileName"
        )
        .await
        .0,
        200
    );
    let (status, v) = s.hunt(&token, "print 1").await;
    assert_eq!(status, 429);
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.starts_with("You have exceeded processing resources allocated to this tenant. You can run queries again in")), "{v}");
    s.clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(s.hunt(&token, "print 1").await.0, 200);
}

#[tokio::test]
async fn long_queries_time_out_and_free_their_memory() {
    let config = CONFIG.replacen("max_rows = 1000", "max_rows = 1000\ntimeout_seconds = 1", 1);
    let s = start_with(&config).await;
    let (status, v) = s
        .hunt(
            &s.token_a(),
            "range x from 1 to 30000 step 1 | extend k = 1 | join kind=inner (range y from 1 to 30000 step 1 | extend k = 1) on k | count",
        )
        .await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["error"]["message"], "Query exceeded the timeout period.");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        s.state.engine.reserved_memory(),
        0,
        "the cancelled query released its memory"
    );
    // The work done before the timeout is charged to the tenant's CPU cycle, or
    // queries that time out would be free.
    let charged = s.state.quotas.cpu_used("tenant-a");
    assert!(charged > 0.01, "a timed-out query charged only {charged} s");
}

#[tokio::test]
async fn results_over_the_row_cap_are_truncated_and_say_so() {
    let s = start().await;
    let (status, v) = s.hunt(&s.token_a(), "range x from 1 to 2500 step 1").await;
    assert_eq!(status, 200);
    assert_eq!(v["Results"].as_array().map(|r| r.len()), Some(1000));
    assert_eq!(v["Stats"]["result_truncated"], true);
    assert_eq!(v["Stats"]["result_total_rows"], 2500);
}

#[tokio::test]
async fn the_identity_provider_issues_tokens_the_api_accepts() {
    let s = start().await;
    // Client credentials (v2), form body without a Content-Type header.
    let resp = s
        .client
        .post(format!("{}/tenant-a/oauth2/v2.0/token", s.base))
        .body("grant_type=client_credentials&client_id=app-a&client_secret=secret-a&scope=https%3A%2F%2Fapi.security.microsoft.com%2F.default")
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status().as_u16(), 200);
    let t: Value = resp.json().await.expect("json");
    assert_eq!(t["token_type"], "Bearer");
    let token = t["access_token"].as_str().expect("token").to_string();
    assert_eq!(s.hunt(&token, "print 1").await.0, 200);
    // v1 with resource=, and the password grant for a delegated token.
    let form = [
        ("grant_type", "password"),
        ("username", "ws-analyst@a.test"),
        ("password", "pw"),
        ("client_id", "app-a"),
        ("resource", "https://api.security.microsoft.com"),
    ];
    let t: Value = s
        .client
        .post(format!("{}/tenant-a/oauth2/token", s.base))
        .form(&form)
        .send()
        .await
        .expect("v1")
        .json()
        .await
        .expect("json");
    let token = t["access_token"].as_str().expect("token").to_string();
    let (status, v) = s.hunt(&token, "DeviceInfo | count").await;
    assert_eq!((status, v["Results"][0]["Count"].as_i64()), (200, Some(2)));
    // Wrong secret, unknown grant.
    let bad = s
        .client
        .post(format!("{}/tenant-a/oauth2/v2.0/token", s.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "app-a"),
            ("client_secret", "no"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .expect("bad");
    assert_eq!(bad.status().as_u16(), 401);
    let cfg: Value = s
        .client
        .get(format!(
            "{}/tenant-a/v2.0/.well-known/openid-configuration",
            s.base
        ))
        .send()
        .await
        .expect("oidc")
        .json()
        .await
        .expect("json");
    assert_eq!(cfg["issuer"], format!("{}/tenant-a/v2.0", s.base));
    let jwks: Value = s
        .client
        .get(cfg["jwks_uri"].as_str().expect("jwks_uri"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    assert_eq!(jwks["keys"][0]["kid"], s.key.kid);
    let meta: Value = s
        .client
        .get(format!("{}/metadata/endpoints?api-version=latest", s.base))
        .send()
        .await
        .expect("meta")
        .json()
        .await
        .expect("json");
    assert_eq!(
        meta["authentication"]["loginEndpoint"],
        format!("{}/", s.base)
    );
}

/// The claims of a JWT, unverified.
fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("json")
}

#[tokio::test]
async fn a_password_sign_in_asking_for_openid_gets_an_id_token_for_the_app() {
    // MSAL's username/password flow (azure-identity's UsernamePasswordCredential) asks
    // for `openid profile offline_access` and `client_info=1`, and builds its account
    // from the ID token and client_info of the answer.
    let s = start().await;
    let token = |form: Vec<(&'static str, &'static str)>| {
        let (client, url) = (
            s.client.clone(),
            format!("{}/tenant-a/oauth2/v2.0/token", s.base),
        );
        async move {
            let resp = client.post(url).form(&form).send().await.expect("token");
            assert_eq!(resp.status().as_u16(), 200);
            resp.json::<Value>().await.expect("json")
        }
    };
    let user = vec![
        ("grant_type", "password"),
        ("username", "ws-analyst@a.test"),
        ("password", "pw"),
        ("client_id", "app-a"),
        ("client_info", "1"),
        (
            "scope",
            "https://graph.microsoft.com/.default openid profile offline_access",
        ),
    ];
    let t = token(user.clone()).await;
    let id = jwt_claims(t["id_token"].as_str().expect("id_token"));
    assert_eq!(id["aud"], "app-a");
    assert_eq!(id["iss"], format!("{}/tenant-a/v2.0", s.base));
    assert_eq!(id["tid"], "tenant-a");
    assert_eq!(id["preferred_username"], "ws-analyst@a.test");
    assert_eq!(id["ver"], "2.0");
    assert_eq!(id["sub"], id["oid"]);
    let access = jwt_claims(t["access_token"].as_str().expect("access_token"));
    assert_eq!(id["oid"], access["oid"]);
    assert!(id["exp"].as_u64() > id["iat"].as_u64());
    let info: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(t["client_info"].as_str().expect("client_info"))
            .expect("base64url"),
    )
    .expect("json");
    assert_eq!(info, json!({"uid": id["oid"], "utid": "tenant-a"}));
    // The access token works; the ID token is for the app, not the API.
    let access = t["access_token"].as_str().expect("access_token");
    assert_eq!(s.hunt(access, "print 1").await.0, 200);
    let (status, v) = s.hunt(t["id_token"].as_str().expect("id"), "print 1").await;
    assert_eq!((status, error_code(&v)), (401, "Unauthorized"), "{v}");
    // No ID token without openid, and none for an app.
    let mut no_openid = user.clone();
    no_openid.retain(|(k, _)| *k != "scope" && *k != "client_info");
    no_openid.push(("scope", "https://graph.microsoft.com/.default"));
    let t = token(no_openid).await;
    assert!(
        t.get("id_token").is_none() && t.get("client_info").is_none(),
        "{t}"
    );
    let t = token(vec![
        ("grant_type", "client_credentials"),
        ("client_id", "app-a"),
        ("client_secret", "secret-a"),
        ("client_info", "1"),
        ("scope", "https://graph.microsoft.com/.default openid"),
    ])
    .await;
    assert!(
        t.get("id_token").is_none() && t.get("client_info").is_none(),
        "{t}"
    );
}

#[tokio::test]
async fn ingest_lands_durably_in_the_callers_tenant_with_rejects() {
    let s = start().await;
    let t = kql_syntax::time::format_datetime(quarry_store::clock::now_ticks());
    let good = format!(
        r#"{{"time":"{t}","tenantId":"tenant-a","category":"AdvancedHunting-DeviceNetworkEvents","properties":{{"Timestamp":"{t}","DeviceId":"a-ws1","RemotePort":443}}}}"#
    );
    let other = good.replace("\"tenantId\":\"tenant-a\"", "\"tenantId\":\"tenant-b\"");
    // Only the port: the timestamps may contain the digits 443 too.
    let broken = good.replace("\"RemotePort\":443", "\"RemotePort\":\"https\"");
    let body = format!("{{\"records\":[{good},{other},{broken}]}}");
    let (status, v, _) = s.post("/api/ingest", Some(&s.token_a()), &body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["accepted"], 1);
    assert_eq!(v["rejectedCount"], 2);
    let (_, v) = s.hunt(&s.token_a(), "DeviceNetworkEvents | count").await;
    assert_eq!(v["Results"][0]["Count"], 1);
    let b = s.app_token("app-b", "https://api.security.microsoft.com");
    assert_eq!(s.post("/api/ingest", Some(&b), &body).await.0, 403);
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let s = start().await;
    let h = s
        .client
        .get(format!("{}/healthz", s.base))
        .send()
        .await
        .expect("health");
    assert_eq!(h.status().as_u16(), 200);
    s.hunt(&s.token_a(), "print 1").await;
    let m = s
        .client
        .get(format!("{}/metrics", s.base))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        m.contains(
            "quarry_http_requests_total{route=\"/api/advancedhunting/run\",status=\"200\"} 1"
        ),
        "{m}"
    );
    let o: Value = s
        .client
        .get(format!("{}/openapi.json", s.base))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    assert_eq!(o["openapi"], "3.0.3");
    assert!(o["paths"]["/api/advancedhunting/run"]["post"].is_object());
}

/// Seconds in a .NET `hh:mm:ss.fffffff` CPU figure.
fn timespan_secs(v: &Value) -> f64 {
    let text = v.as_str().unwrap_or_else(|| panic!("not a timespan: {v}"));
    let parts: Vec<f64> = text
        .split(':')
        .map(|p| p.parse().unwrap_or_else(|_| panic!("bad timespan {text}")))
        .collect();
    assert_eq!(parts.len(), 3, "{text}");
    parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_queries_are_charged_their_own_cpu() {
    let s = start().await;
    let token = s.token_a();
    let heavy = "range x from 1 to 2000000 step 1 | summarize c = count() by k = x % 1000 | count";
    let ((hs, heavy), (ts, tiny)) = tokio::join!(s.hunt(&token, heavy), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        s.hunt(&token, "print 1").await
    });
    assert_eq!((hs, ts), (200, 200), "{heavy} {tiny}");
    let cpu = |body: &Value| {
        let c = &body["Stats"]["resource_usage"]["cpu"];
        let (user, kernel, total) = (
            timespan_secs(&c["user"]),
            timespan_secs(&c["kernel"]),
            timespan_secs(&c["total cpu"]),
        );
        assert!((user + kernel - total).abs() < 1e-6, "{c}");
        total
    };
    let (heavy_cpu, tiny_cpu) = (cpu(&heavy), cpu(&tiny));
    assert!(
        tiny_cpu * 10.0 < heavy_cpu,
        "tiny {tiny_cpu} s, heavy {heavy_cpu} s"
    );
    // The tenant's cycle was charged exactly what the two answers reported.
    let charged = s.state.quotas.cpu_used("tenant-a");
    assert!(
        (charged - (heavy_cpu + tiny_cpu)).abs() < 1e-6,
        "charged {charged}, reported {heavy_cpu} + {tiny_cpu}"
    );
}

#[tokio::test]
async fn stats_report_the_footer_cache_per_query() {
    let s = start().await;
    let store = std::sync::Arc::clone(&s.state.store);
    tokio::task::spawn_blocking(move || store.flush_all())
        .await
        .expect("join")
        .expect("flush");
    let token = s.token_a();
    let query = "DeviceProcessEvents | summarize count() by FileName";
    let (_, first) = s.hunt(&token, query).await;
    let (_, second) = s.hunt(&token, query).await;
    let memory = |v: &Value| v["Stats"]["resource_usage"]["cache"]["memory"].clone();
    let files = memory(&first)["misses"].as_u64().expect("misses");
    assert!(files > 0, "{first}");
    assert_eq!(
        memory(&first),
        json!({"hits": 0, "misses": files, "total": files})
    );
    assert_eq!(
        memory(&second),
        json!({"hits": files, "misses": 0, "total": files})
    );
    let disk = &second["Stats"]["resource_usage"]["cache"]["disk"];
    assert!(disk["hits"].as_u64().is_some_and(|h| h > 0), "{disk}");
}

#[tokio::test]
async fn a_panicking_handler_is_an_internal_server_error_with_the_request_id() {
    async fn boom() -> &'static str {
        panic!("a handler bug")
    }
    let s = start_with_routes(
        CONFIG,
        axum::Router::new().route("/test/boom", axum::routing::get(boom)),
    )
    .await;
    let resp = s
        .client
        .get(format!("{}/test/boom", s.base))
        .header("client-request-id", "panic-test-1")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 500);
    assert_eq!(
        resp.headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok()),
        Some("panic-test-1")
    );
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "InternalServerError", "{body}");
    assert_eq!(body["error"]["target"], "panic-test-1", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    // Without a client id, the generated one is both the header and the target.
    let resp = s
        .client
        .get(format!("{}/test/boom", s.base))
        .send()
        .await
        .expect("send");
    let rid = resp
        .headers()
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .expect("request id");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["target"], rid.as_str());
    // The server goes on serving.
    assert_eq!(s.hunt(&s.token_a(), "print 1").await.0, 200);
}
