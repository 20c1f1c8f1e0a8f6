//! One device's day: its processes (activity.rs), then the events they cause, drawn
//! from the live processes in proportion to what each kind of process does.

use crate::GenerateError;
use crate::activity;
use crate::ctx::{Acct, DAY, Dx, HOUR, MIN, Proc, Role};
use crate::fleet::Kind;
use crate::{devevents, files, inventory, logon, network};

/// Events per device per day at volume 1.0 (weekday, before the random spread).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub net: f64,
    pub file: f64,
    pub reg: f64,
    pub img: f64,
    pub ev: f64,
}

fn budget(kind: Kind) -> Budget {
    match kind {
        Kind::Workstation => Budget {
            net: 840.0,
            file: 440.0,
            reg: 265.0,
            img: 265.0,
            ev: 100.0,
        },
        Kind::Server => Budget {
            net: 770.0,
            file: 290.0,
            reg: 220.0,
            img: 175.0,
            ev: 66.0,
        },
        Kind::DomainController => Budget {
            net: 990.0,
            file: 220.0,
            reg: 240.0,
            img: 175.0,
            ev: 77.0,
        },
        Kind::Linux => Budget {
            net: 570.0,
            file: 240.0,
            reg: 0.0,
            img: 0.0,
            ev: 0.0,
        },
        Kind::Mac => Budget {
            net: 460.0,
            file: 175.0,
            reg: 0.0,
            img: 0.0,
            ev: 0.0,
        },
    }
}

/// Cumulative weights over live processes, for O(log n) weighted picks.
struct Pool {
    idx: Vec<usize>,
    cum: Vec<u64>,
}

impl Pool {
    fn build(procs: &[Proc], lo: i64, hi: i64, weight: impl Fn(&Proc) -> u32) -> Pool {
        let mut idx = Vec::new();
        let mut cum = Vec::new();
        let mut total = 0u64;
        for (i, p) in procs.iter().enumerate() {
            // Roots (System, systemd, launchd) have no creation event: leave them out.
            if p.end <= lo || p.create >= hi || p.ppid == 0 {
                continue;
            }
            let w = weight(p);
            if w == 0 {
                continue;
            }
            total += u64::from(w);
            idx.push(i);
            cum.push(total);
        }
        Pool { idx, cum }
    }

    fn pick(&self, dx: &mut Dx) -> Option<usize> {
        let total = *self.cum.last()?;
        let r = dx.rng.below(total);
        let k = self.cum.partition_point(|c| *c <= r);
        self.idx.get(k).copied()
    }
}

fn file_weight(p: &Proc) -> u32 {
    match p.role {
        Role::Browser => 6,
        Role::Office | Role::Sync => 10,
        Role::Mail | Role::Explorer => 8,
        Role::Defender | Role::Server => 8,
        Role::Chat => 4,
        Role::Shell => 2,
        Role::Daemon => 4,
        _ => 1,
    }
}

fn reg_weight(p: &Proc) -> u32 {
    match p.role {
        Role::Explorer => 12,
        Role::Office | Role::Browser => 6,
        Role::Sync | Role::Chat | Role::Defender | Role::Sense => 3,
        Role::SvcNetsvcs | Role::Services => 6,
        _ => 1,
    }
}

fn img_weight(p: &Proc) -> u32 {
    match p.role {
        Role::Browser | Role::Office | Role::Mail => 6,
        Role::Shell => 8,
        _ => 1,
    }
}

fn ev_weight(p: &Proc) -> u32 {
    match p.role {
        Role::Explorer => 6,
        Role::Mail | Role::Chat => 4,
        Role::Browser => 3,
        Role::SvcNet => 4,
        _ => 1,
    }
}

/// Generates the device's day into `dx.out`.
pub fn device_day(dx: &mut Dx, volume: f64) -> Result<(), GenerateError> {
    let kind = dx.dev.kind;
    let lo = dx.clock.lo;
    let mut activity_scale = 1.0;
    let mut booted_today = false;
    let (online_from, online_to);
    match kind {
        Kind::Linux => {
            let boot = dx.st.booted_until <= lo;
            activity::linux_day(dx, boot)?;
            online_from = lo;
            online_to = dx.clock.hi;
        }
        Kind::Mac => {
            let boot = dx.st.booted_until <= lo;
            activity::mac_day(dx, boot)?;
            online_from = lo;
            online_to = dx.clock.hi;
            if dx.clock.is_weekend() {
                activity_scale = 0.2;
            }
        }
        Kind::Workstation => {
            let weekend = dx.clock.is_weekend();
            if weekend && dx.rng.chance(0.8) {
                return Ok(());
            }
            let start = dx.clock.at(7 * HOUR + dx.rng.range(0, 2 * HOUR));
            let stop = dx.clock.at(17 * HOUR + dx.rng.range(0, 3 * HOUR));
            if stop <= start {
                return Ok(());
            }
            activity::boot_windows(dx, start, stop - start)?;
            booted_today = true;
            let logon_at = start + dx.rng.range(MIN, 6 * MIN);
            if dx.rng.chance(0.96)
                && let Some(explorer) = activity::logon_windows(dx, logon_at, stop - 5 * MIN)?
            {
                activity::user_apps(dx, explorer, logon_at + MIN, stop - 10 * MIN)?;
                let is_it = dx.dev.department == "IT";
                let sessions = if is_it {
                    dx.rng.range(1, 4) as usize
                } else {
                    usize::from(dx.rng.chance(0.1))
                };
                activity::admin_tools(dx, explorer, sessions, false)?;
                if is_it {
                    let elevated = dx.rng.range(0, 2) as usize;
                    activity::admin_tools(dx, explorer, elevated, true)?;
                }
            }
            activity::background(dx)?;
            if weekend {
                activity_scale = 0.3;
            }
            online_from = start;
            online_to = stop;
        }
        Kind::Server | Kind::DomainController => {
            if dx.st.booted_until <= lo {
                let t = if dx.clock.index == 0 {
                    lo + dx.rng.range(0, 10 * MIN)
                } else {
                    dx.clock.at(3 * HOUR + dx.rng.range(0, HOUR))
                };
                let life = 7 * DAY + dx.rng.range(0, DAY);
                activity::boot_windows(dx, t, life)?;
                booted_today = true;
            }
            activity::background(dx)?;
            if dx.rng.chance(0.3) {
                admin_rdp(dx)?;
            }
            online_from = lo;
            online_to = dx.clock.hi;
        }
    }
    let scale = volume * activity_scale * dx.clock.share;
    if dx.dev.is_windows() {
        let n = dx.rng.around(165.0 * scale);
        activity::periodic(dx, n)?;
    }
    inventory::snapshots(dx, online_from, online_to)?;
    let b = budget(kind);
    let (lo, hi) = (dx.clock.lo, dx.clock.hi);
    let net_pool = Pool::build(&dx.st.procs, lo, hi, |p| network::weight(p.role));
    for _ in 0..dx.rng.around(b.net * scale) {
        if let Some(p) = net_pool.pick(dx) {
            network::background_conn(dx, p)?;
        }
    }
    if dx.dev.is_server() {
        let n = dx.rng.around(b.net * 0.15 * scale);
        network::inbound(dx, n)?;
    } else if dx.dev.is_windows() {
        network::inbound(dx, 1)?;
    }
    let file_pool = Pool::build(&dx.st.procs, lo, hi, file_weight);
    for _ in 0..dx.rng.around(b.file * scale) {
        if let Some(p) = file_pool.pick(dx) {
            files::background_file(dx, p)?;
        }
    }
    if dx.dev.is_windows() {
        let reg_pool = Pool::build(&dx.st.procs, lo, hi, reg_weight);
        for _ in 0..dx.rng.around(b.reg * scale) {
            if let Some(p) = reg_pool.pick(dx) {
                files::background_registry(dx, p)?;
            }
        }
        let img_pool = Pool::build(&dx.st.procs, lo, hi, img_weight);
        for _ in 0..dx.rng.around(b.img * scale) {
            if let Some(p) = img_pool.pick(dx) {
                files::background_image(dx, p)?;
            }
        }
        let ev_pool = Pool::build(&dx.st.procs, lo, hi, ev_weight);
        for _ in 0..dx.rng.around(b.ev * scale) {
            if let Some(p) = ev_pool.pick(dx) {
                devevents::background_event(dx, p)?;
            }
        }
        devevents::daily(dx, booted_today)?;
        crate::devevents_more::daily(dx)?;
        logon::daily_logons(dx, volume * activity_scale * dx.clock.share)?;
    }
    // Certificates of the signed binaries that ran today.
    let ran: Vec<(crate::catalog::Bin, i64)> = dx
        .st
        .procs
        .iter()
        .filter(|p| p.create >= lo)
        .map(|p| (p.bin, p.create))
        .collect();
    for (bin, t) in ran {
        inventory::certificate(dx, bin, t)?;
    }
    Ok(())
}

/// An administrator connects to the server over RDP for routine work.
fn admin_rdp(dx: &mut Dx) -> Result<(), GenerateError> {
    let src = dx
        .fleet
        .devices
        .iter()
        .find(|d| d.department == "IT" && d.kind == Kind::Workstation);
    let Some(src) = src else {
        return Ok(());
    };
    let Some(admin) = dx.fleet.users.iter().position(|u| {
        u.sam
            == format!(
                "adm-{}",
                dx.fleet
                    .users
                    .get(src.primary_user)
                    .map(|u| u.sam.as_str())
                    .unwrap_or("")
            )
    }) else {
        return Ok(());
    };
    let t = dx.clock.at(dx.rng.range(9 * HOUR, 17 * HOUR));
    let from = logon::From {
        device: Some(src.index),
        ip: src.ip_text.clone(),
        port: 0,
    };
    let Some(term) = dx.find(Role::SvcTerm) else {
        return Ok(());
    };
    logon::device_logon(
        dx,
        t,
        "LogonSuccess",
        "RemoteInteractive",
        admin,
        Some(&from),
        None,
        term,
    )?;
    let Some(winlogon) = dx.find(Role::Winlogon) else {
        return Ok(());
    };
    let logon_id = dx.rng.range(1_000_000, 90_000_000);
    let o = crate::ctx::Spawn {
        acct: Some(Acct::User(admin as u32)),
        integrity: Some("High"),
        elevation: Some("TokenElevationTypeFull"),
        logon_id: Some(logon_id),
        session: Some(2),
        life: Some(40 * MIN),
        role: Some(Role::Explorer),
        path: None,
        remote: Some((src.index, src.ip_text.clone())),
    };
    let ex = dx.spawn(
        winlogon,
        crate::catalog::Bin::Explorer,
        r"C:\Windows\Explorer.EXE",
        t + 20 * crate::ctx::SEC,
        o.clone(),
    )?;
    dx.spawn(
        ex,
        crate::catalog::Bin::Rdpclip,
        "rdpclip",
        t + 22 * crate::ctx::SEC,
        crate::ctx::Spawn {
            role: Some(Role::Plain),
            ..o
        },
    )?;
    let n = dx.rng.range(1, 3) as usize;
    activity::admin_tools(dx, ex, n, true)?;
    Ok(())
}
