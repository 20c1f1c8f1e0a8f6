//! Realistic, deterministic Microsoft Defender advanced hunting telemetry for one tenant.
//!
//! [`generate`] builds a fleet (devices, users), then walks the days of the window: each
//! device boots, its user logs on and works, services and maintenance run, and the
//! processes that exist cause network, file, registry, image-load and sensor events.
//! Mail, identity and cloud-app activity follow the users. Attack scenarios
//! ([`scenarios()`]) are embedded on chosen days and devices, each with its alerts.
//!
//! Every record goes to a [`Sink`] as a [`Row`] (one value per column of the table's
//! `all_columns()`); [`EnvelopeSink`] writes the streaming-export envelope and
//! [`NdjsonSink`] one table as NDJSON. The same configuration gives the same output,
//! byte for byte: all randomness comes from [`rng::Rng`] streams derived from the seed.

mod activity;
mod admincmds;
mod alerts;
mod catalog;
mod cloud;
mod cloud_admin;
mod cols;
mod ctx;
mod day;
mod devevents;
mod devevents_more;
mod discovered;
mod email;
mod email_threats;
mod files;
mod fleet;
mod identity;
mod identity_ops;
mod inventory;
mod json;
mod logon;
mod network;
mod out;
mod posix;
pub mod rng;
mod row;
mod scenarios;
pub mod sink;
mod tools;
mod tvm_more;

pub use cols::Cols;
pub use row::{Row, Value};
pub use scenarios::{Scenario, scenarios};
pub use sink::{EnvelopeSink, NdjsonSink, NullSink, Sink};

use ctx::{DAY, DayClock, DevState, Dx};
use rng::{Rng, hash_str};

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("writing output: {0}")]
    Io(#[from] std::io::Error),
    #[error("the schema has no table {0}")]
    Schema(String),
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateConfig {
    /// Tenant name (`contoso`) or tenant id (a GUID).
    pub tenant: String,
    pub devices: usize,
    pub days: u32,
    pub seed: u64,
    /// End of the window (ticks since the Unix epoch): the last events are just before it.
    pub end_ticks: i64,
    /// Events per device per day relative to the default (about 1,600 on a working day).
    pub volume: f64,
}

impl GenerateConfig {
    pub fn new(
        tenant: &str,
        devices: usize,
        days: u32,
        seed: u64,
        end_ticks: i64,
    ) -> GenerateConfig {
        GenerateConfig {
            tenant: tenant.to_string(),
            devices,
            days,
            seed,
            end_ticks,
            volume: 1.0,
        }
    }

    /// The tenant id the envelope carries (the tenant itself when it is a GUID).
    pub fn tenant_id(&self) -> String {
        fleet::Tenant::new(&self.tenant).id
    }

    pub fn start_ticks(&self) -> i64 {
        self.end_ticks - i64::from(self.days) * DAY
    }

    fn validate(&self) -> Result<(), GenerateError> {
        if self.devices == 0 {
            return Err(GenerateError::Config("--devices must be at least 1".into()));
        }
        if self.days == 0 {
            return Err(GenerateError::Config("--days must be at least 1".into()));
        }
        if !(self.volume.is_finite() && self.volume >= 0.0) {
            return Err(GenerateError::Config(
                "volume must be a non-negative number".into(),
            ));
        }
        if self.devices > 100_000 {
            return Err(GenerateError::Config("at most 100000 devices".into()));
        }
        Ok(())
    }
}

/// Records written per table.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub tables: Vec<(&'static str, u64)>,
    pub total: u64,
}

/// Generates the tenant's telemetry into `sink` (and calls `sink.finish()`).
pub fn generate(cfg: &GenerateConfig, sink: &mut dyn Sink) -> Result<Summary, GenerateError> {
    cfg.validate()?;
    let start = cfg.start_ticks();
    let end = cfg.end_ticks;
    let fleet = fleet::Fleet::new(&cfg.tenant, cfg.devices, cfg.seed, start);
    let cat = catalog::Catalog::new();
    let mut out = out::Out::new(sink)?;
    let mut seed_rng = Rng::derive(cfg.seed, &[hash_str("state")]);
    let mut states: Vec<DevState> = (0..fleet.devices.len())
        .map(|_| DevState {
            report_id: seed_rng.range(1_000, 90_000),
            ..Default::default()
        })
        .collect();
    let plan = scenarios::plan(cfg, &fleet);
    let first_midnight = start.div_euclid(DAY) * DAY;
    let mut midnight = first_midnight;
    let mut index = 0u32;
    while midnight < end {
        let clock = DayClock::new(midnight, start, end, index);
        if clock.hi > clock.lo {
            for (dev, st) in fleet.devices.iter().zip(states.iter_mut()) {
                let mut rng = Rng::derive(cfg.seed, &[dev.index as u64, u64::from(index), 1]);
                let mut dx = Dx {
                    out: &mut out,
                    rng: &mut rng,
                    fleet: &fleet,
                    cat: &cat,
                    dev,
                    st,
                    clock,
                };
                day::device_day(&mut dx, cfg.volume)?;
            }
            let mut rng = Rng::derive(cfg.seed, &[u64::from(index), 2]);
            email::day(&mut out, &mut rng, &fleet, &clock, cfg.volume)?;
            identity::day(&mut out, &mut rng, &fleet, &clock, cfg.volume)?;
            cloud::day(&mut out, &mut rng, &fleet, &clock, cfg.volume)?;
            let mut rng = Rng::derive(cfg.seed, &[u64::from(index), 4]);
            email_threats::day(&mut out, &mut rng, &fleet, &clock, cfg.volume)?;
            cloud_admin::day(&mut out, &mut rng, &fleet, &clock, cfg.volume)?;
            identity_ops::day(&mut out, &mut rng, &fleet, &clock, cfg.volume)?;
            for p in plan.iter().filter(|p| p.day == index) {
                let mut rng = Rng::derive(
                    cfg.seed,
                    &[u64::from(index), 3, p.scenario as u64, p.device as u64],
                );
                scenarios::run(p, &mut out, &mut rng, &fleet, &cat, &mut states, clock)?;
            }
        }
        midnight += DAY;
        index += 1;
    }
    let mut rng = Rng::derive(cfg.seed, &[hash_str("tvm")]);
    let tvm_time = end - rng.range(DAY / 4, DAY / 2);
    inventory::tvm(&mut out, &fleet, &mut rng, tvm_time)?;
    tvm_more::tvm_more(&mut out, &fleet, cfg.seed, tvm_time)?;
    discovered::discovered(&mut out, &fleet, start, end)?;
    out.finish()?;
    let tables: Vec<(&'static str, u64)> = out::T::ALL
        .iter()
        .map(|t| (t.name(), out.counts[*t as usize]))
        .collect();
    let total = tables.iter().map(|(_, n)| n).sum();
    Ok(Summary { tables, total })
}
