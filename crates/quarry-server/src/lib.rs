//! Quarry's HTTP API: the Microsoft 365 Defender advanced hunting API (and its MDE and
//! Graph siblings) over the engine and store, with the service's rules: bearer tokens,
//! app roles and delegated scopes, device-group access, and per-tenant quotas.
//!
//! - [`config`]: TOML configuration and the embedded demo default.
//! - [`auth`]: token validation; [`idp`]: the built-in identity provider.
//! - [`rbac`]: device groups and roles; [`quota`]: calls, CPU cycles, concurrency.
//! - [`api`]: the endpoints; [`server`]: assembly, listeners, shutdown.

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod idp;
pub mod metrics;
pub mod openapi;
pub mod quota;
pub mod rbac;
pub mod server;
pub mod state;
pub mod timespan;

pub use config::Config;
pub use server::{App, ServerError, build, build_with_routes, run};
