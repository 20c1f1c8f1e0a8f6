//! Assembling and running the server: store, engine, identity provider, routes, the
//! request-id/panic/metrics middleware, HTTP and HTTPS listeners, background
//! maintenance, and graceful shutdown.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use futures::FutureExt;
use quarry_engine::{Engine, EngineConfig};
use quarry_store::{Store, TenantConfig};

use crate::api::{self, RequestId};
use crate::auth::Validator;
use crate::config::Config;
use crate::error::ApiError;
use crate::idp::{Idp, SigningKey};
use crate::quota::{Clock, QuotaBook, SystemClock};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{0}")]
    Setup(String),
    #[error("listener {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// The assembled application: its router and shared state.
pub struct App {
    pub router: Router,
    pub state: Arc<AppState>,
}

/// Builds the application from `config`; `clock` drives quotas (tests pass a manual one).
pub fn build(config: Config, clock: Arc<dyn Clock>) -> Result<App, ServerError> {
    build_with_routes(config, clock, Router::new())
}

/// Like [`build`], with `extra` routes merged in under the same middleware (request id,
/// panic handling, metrics) as the API's own: for embedding, and for tests that need a
/// handler the API does not have.
pub fn build_with_routes(
    config: Config,
    clock: Arc<dyn Clock>,
    extra: Router<Arc<AppState>>,
) -> Result<App, ServerError> {
    let config = Arc::new(config);
    let mut tenant_configs = std::collections::HashMap::new();
    for t in &config.tenants {
        tenant_configs.insert(
            t.id.clone(),
            TenantConfig {
                retention_days: t.retention_days,
                ..TenantConfig::default()
            },
        );
    }
    let store = Store::open_with(&config.server.data, TenantConfig::default(), tenant_configs)
        .map_err(|e| {
            ServerError::Setup(format!(
                "opening the store at {}: {e}",
                config.server.data.display()
            ))
        })?;
    for t in &config.tenants {
        store
            .tenant(&t.id)
            .map_err(|e| ServerError::Setup(e.to_string()))?;
    }
    let engine = Engine::new(EngineConfig {
        memory_limit: config.server.memory_limit_mb.max(64) << 20,
        // One share per query slot, plus one for the server's own device-inventory
        // query (for group rules), which runs outside the slots.
        max_concurrent_queries: config.server.max_concurrent_queries.max(1) + 1,
        // Requests carry their tenant's own timeout; this one is a backstop.
        timeout: Duration::from_secs(24 * 3600),
        ..EngineConfig::default()
    })
    .map_err(|e| ServerError::Setup(format!("starting the engine: {e}")))?;
    let key =
        SigningKey::load_or_create(&config.server.data.join("idp")).map_err(ServerError::Setup)?;
    let validator = Validator::new(&config, &key.jwks()).map_err(ServerError::Setup)?;
    let state = Arc::new(AppState::new(
        Arc::clone(&config),
        Arc::new(engine),
        Arc::new(store),
        validator,
        QuotaBook::new(clock),
    ));

    let queries = Router::new()
        .route("/api/advancedhunting/run", post(api::advanced_hunting))
        .route("/api/advancedqueries/run", post(api::advanced_queries))
        .route("/v1.0/security/runHuntingQuery", post(api::graph_hunting))
        .route(
            "/v1.0/security/microsoft.graph.security.runHuntingQuery",
            post(api::graph_hunting),
        )
        .route("/beta/security/runHuntingQuery", post(api::graph_hunting))
        .route(
            "/beta/security/microsoft.graph.security.runHuntingQuery",
            post(api::graph_hunting),
        )
        .layer(DefaultBodyLimit::max(4 << 20));
    let ingest = Router::new()
        .route("/api/ingest", post(api::ingest))
        .layer(DefaultBodyLimit::max(512 << 20));
    let public_url = config.public_url();
    let mut router = Router::new()
        .merge(queries)
        .merge(ingest)
        .merge(extra)
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/metrics",
            get(|State(s): State<Arc<AppState>>| async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    s.metrics.render(s.engine.reserved_memory()),
                )
            }),
        )
        .route(
            "/openapi.json",
            get(move || {
                let doc = crate::openapi::document(&public_url);
                async move { axum::Json(doc) }
            }),
        )
        .fallback(
            |Extension(rid): Extension<RequestId>, req: Request| async move {
                ApiError::not_found(format!(
                    "No endpoint at {} {}.",
                    req.method(),
                    req.uri().path()
                ))
                .with_request_id(&rid.0)
                .into_response()
            },
        )
        .with_state(Arc::clone(&state));
    if config.identity.builtin {
        router = router.merge(crate::idp::routes(Arc::new(Idp {
            config: Arc::clone(&config),
            key,
        })));
    }
    let router = router.layer(middleware::from_fn_with_state(
        Arc::clone(&state),
        request_context,
    ));
    Ok(App { router, state })
}

/// Gives each request an id (`request-id` header, error `target`), turns a panic into an
/// InternalServerError carrying that id, counts requests, and logs failures.
async fn request_context(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let rid = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(rid.clone()));
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let mut response = match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(r) => r,
        Err(_) => {
            tracing::error!(request_id = %rid, route = %route, "a handler panicked");
            ApiError::internal("An unexpected error occurred during query execution. Please try again in a few minutes.")
                .with_request_id(&rid)
                .into_response()
        }
    };
    if let Ok(v) = HeaderValue::from_str(&rid) {
        response.headers_mut().insert("request-id", v.clone());
        response.headers_mut().insert("client-request-id", v);
    }
    let status = response.status().as_u16();
    let label = if route.contains("/oauth2/")
        || route.contains("well-known")
        || route.contains("discovery")
    {
        "/{tenant}/identity".to_string()
    } else if status == 404 {
        "unmatched".to_string()
    } else {
        route
    };
    state.metrics.request(&label, status);
    response
}

/// The certificate and key for HTTPS: configured files, or a self-signed pair kept in
/// the data directory.
fn tls_files(config: &Config) -> Result<(PathBuf, PathBuf), ServerError> {
    if let (Some(c), Some(k)) = (&config.server.tls_cert, &config.server.tls_key) {
        return Ok((c.clone(), k.clone()));
    }
    let dir = config.server.data.join("tls");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| ServerError::Setup(format!("creating {}: {e}", dir.display())))?;
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if let Some(h) = config.server.https {
        names.push(h.ip().to_string());
    }
    let generated = rcgen::generate_simple_self_signed(names)
        .map_err(|e| ServerError::Setup(format!("generating a self-signed certificate: {e}")))?;
    write_file(&cert, &generated.cert.pem())?;
    write_file(&key, &generated.signing_key.serialize_pem())?;
    tracing::info!(cert = %cert.display(), "generated a self-signed certificate for HTTPS");
    Ok((cert, key))
}

fn write_file(path: &Path, text: &str) -> Result<(), ServerError> {
    std::fs::write(path, text)
        .map_err(|e| ServerError::Setup(format!("writing {}: {e}", path.display())))
}

/// Flushes in-memory tails to Parquet and runs retention and compaction, every minute.
fn spawn_maintenance(state: Arc<AppState>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            let store = Arc::clone(&state.store);
            let result = tokio::task::spawn_blocking(move || {
                store.flush_all().and_then(|_| store.maintain_all())
            })
            .await;
            match result {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "store maintenance failed"),
                Err(e) => tracing::warn!(error = %e, "store maintenance task failed"),
            }
        }
    });
}

/// Runs the server until `shutdown` resolves, then drains connections (up to 10 s).
pub async fn run(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let https = config.server.https;
    let http = config.server.http;
    let tls = match https {
        Some(_) => Some(tls_files(&config)?),
        None => None,
    };
    let app = build(config, Arc::new(SystemClock))?;
    spawn_maintenance(Arc::clone(&app.state));
    let handle = axum_server::Handle::new();
    let mut tasks = Vec::new();
    if let Some(addr) = http {
        let listener = std::net::TcpListener::bind(addr)
            .map_err(|source| ServerError::Listen { addr, source })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| ServerError::Listen { addr, source })?;
        tracing::info!(%addr, "listening (http)");
        let server = axum_server::from_tcp(listener)
            .map_err(|source| ServerError::Listen { addr, source })?
            .handle(handle.clone())
            .serve(app.router.clone().into_make_service());
        tasks.push(tokio::spawn(server));
    }
    if let (Some(addr), Some((cert, key))) = (https, tls) {
        let rustls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
            .await
            .map_err(|e| {
                ServerError::Setup(format!(
                    "loading {} and {}: {e}",
                    cert.display(),
                    key.display()
                ))
            })?;
        let listener = std::net::TcpListener::bind(addr)
            .map_err(|source| ServerError::Listen { addr, source })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| ServerError::Listen { addr, source })?;
        tracing::info!(%addr, "listening (https)");
        let server = axum_server::from_tcp_rustls(listener, rustls)
            .map_err(|source| ServerError::Listen { addr, source })?
            .handle(handle.clone())
            .serve(app.router.clone().into_make_service());
        tasks.push(tokio::spawn(server));
    }
    let h = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        h.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    for t in tasks {
        match t.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "listener failed"),
            Err(e) => tracing::error!(error = %e, "listener task failed"),
        }
    }
    let store = Arc::clone(&app.state.store);
    let _ = tokio::task::spawn_blocking(move || store.flush_all()).await;
    Ok(())
}
