//! DeviceLogonEvents: interactive, network, remote-interactive, service and batch logons.

use crate::GenerateError;
use crate::ctx::{Dx, HOUR, SEC, fill_device, fill_initiating};
use crate::out::T;

/// Where a logon came from: device index (if one of ours) and IP.
#[derive(Debug, Clone)]
pub struct From {
    pub device: Option<usize>,
    pub ip: String,
    pub port: i64,
}

/// One DeviceLogonEvents row. `user` indexes `fleet.users`.
#[allow(clippy::too_many_arguments)]
pub fn device_logon(
    dx: &mut Dx,
    t: i64,
    action: &'static str,
    logon_type: &'static str,
    user: usize,
    from: Option<&From>,
    failure: Option<&'static str>,
    initiating: usize,
) -> Result<(), GenerateError> {
    let rid = dx.report_id();
    let logon_id = if action == "LogonSuccess" {
        dx.rng.range(1_000_000, 90_000_000)
    } else {
        0
    };
    let t = dx.clock.clamp(t);
    let (fleet, cat, dev) = (dx.fleet, dx.cat, dx.dev);
    let Some(u) = fleet.users.get(user) else {
        return Ok(());
    };
    let Some(ip) = dx.st.procs.get(initiating) else {
        return Ok(());
    };
    let w = dx.out.begin(T::DeviceLogonEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(c.ActionType, action);
    r.s(c.LogonType, logon_type);
    r.s(c.AccountDomain, &fleet.tenant.short);
    r.s(c.AccountName, &u.sam);
    r.s(c.AccountSid, &u.sid);
    let protocol = match logon_type {
        "Network" => {
            if u.is_service {
                "NTLM"
            } else {
                "Kerberos"
            }
        }
        "Interactive" | "RemoteInteractive" | "Unlock" | "CachedInteractive" => "Negotiate",
        _ => "Negotiate",
    };
    r.s(c.Protocol, protocol);
    if let Some(f) = failure {
        r.s(c.FailureReason, f);
    }
    let is_local_admin = u.is_admin && !u.is_service && dev.is_windows();
    r.b(c.IsLocalAdmin, is_local_admin);
    if logon_id != 0 {
        r.n(c.LogonId, logon_id);
    }
    match from {
        Some(f) => {
            if let Some(d) = f.device.and_then(|i| fleet.devices.get(i)) {
                r.s(c.RemoteDeviceName, &d.short.to_ascii_uppercase());
            }
            r.s(c.RemoteIP, &f.ip);
            r.s(
                c.RemoteIPType,
                if f.ip.starts_with("10.") {
                    "Private"
                } else {
                    "Public"
                },
            );
            r.n(c.RemotePort, f.port);
        }
        None => {
            r.s(c.RemoteIP, "127.0.0.1");
            r.s(c.RemoteIPType, "Loopback");
            r.n(c.RemotePort, 0);
        }
    }
    fill_initiating(r, c, fleet, cat, dev, ip);
    r.n(c.ReportId, rid);
    r.with(c.AdditionalFields, |b| {
        b.push_str(if from.is_none() {
            "{\"IsLocalLogon\":true}"
        } else {
            "{\"IsLocalLogon\":false}"
        });
    });
    dx.out.commit(T::DeviceLogonEvents)
}

/// The day's background logons: network logons from other devices (file server, DCs),
/// service and batch logons, unlocks of the workstation.
pub fn daily_logons(dx: &mut Dx, volume: f64) -> Result<(), GenerateError> {
    let Some(lsass) = dx.find(crate::ctx::Role::Lsass) else {
        return Ok(());
    };
    let n_dev = dx.fleet.devices.len();
    let n = dx.rng.around(if dx.dev.is_server() {
        30.0 * volume
    } else {
        4.0 * volume
    });
    for _ in 0..n {
        let t = dx.time_in(lsass);
        let src_i = dx.rng.index(n_dev);
        let Some(src) = dx.fleet.devices.get(src_i) else {
            continue;
        };
        if src_i == dx.dev.index || !src.is_windows() {
            continue;
        }
        let user = src.primary_user;
        let from = From {
            device: Some(src_i),
            ip: src.ip_text.clone(),
            port: 0,
        };
        let fail = dx.rng.chance(0.03);
        device_logon(
            dx,
            t,
            if fail { "LogonFailed" } else { "LogonSuccess" },
            "Network",
            user,
            Some(&from),
            if fail {
                Some("InvalidUserNameOrPassword")
            } else {
                None
            },
            lsass,
        )?;
    }
    if let Some((_, _)) = dx.st.session
        && let Some(winlogon) = dx.find(crate::ctx::Role::Winlogon)
    {
        for _ in 0..dx.rng.range(0, 4) {
            let t = dx.time_in(winlogon);
            let user = dx.dev.primary_user;
            device_logon(dx, t, "LogonSuccess", "Unlock", user, None, None, winlogon)?;
        }
    }
    if let Some(svc) = dx.find(crate::ctx::Role::Services) {
        let backup = dx.fleet.users.iter().position(|u| u.sam == "svc-backup");
        if let Some(b) = backup
            && dx.dev.is_server()
        {
            let t = dx.clock.at(2 * HOUR + dx.rng.below(HOUR as u64) as i64);
            device_logon(dx, t, "LogonSuccess", "Service", b, None, None, svc)?;
            device_logon(dx, t + 3 * SEC, "LogonSuccess", "Batch", b, None, None, svc)?;
        }
    }
    Ok(())
}
