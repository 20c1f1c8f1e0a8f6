//! Password guessing against a server whose remote desktop is reachable from the internet
//! (T1110.001): a few scanning hosts try common account names for most of an hour at
//! night; every attempt is an inbound RDP connection and, because Network Level
//! Authentication checks the password first, a failed *network* logon with a public
//! source address. One guess against the real administrator account succeeds and is
//! followed by a remote-interactive logon from the same address.

use super::ttp::R;
use super::{Run, acx};
use crate::alerts::{Alert, Evidence, Service, raise};
use crate::ctx::{Dx, HOUR, MIN, Role, SEC, fill_device, fill_initiating};
use crate::logon::{From, device_logon};
use crate::network::{Conn, net};
use crate::out::T;

/// Hosts of the kind that scan for open RDP (public addresses, hosting ranges).
const SCANNERS: &[&str] = &[
    "185.156.73.54",
    "45.141.84.126",
    "193.142.146.212",
    "80.94.95.112",
];

/// The account names such tools try first.
const GUESSES: &[&str] = &[
    "administrator",
    "Administrator",
    "admin",
    "user",
    "test",
    "guest",
    "backup",
    "scanner",
    "support",
    "sql",
    "remote",
    "user1",
];

/// A failed network logon for an account name that may not exist (no SID).
fn failed_guess(dx: &mut Dx, t: i64, name: &str, ip: &str, lsass: usize) -> R {
    let rid = dx.report_id();
    let t = dx.clock.clamp(t);
    let (fleet, cat, dev) = (dx.fleet, dx.cat, dx.dev);
    let Some(pr) = dx.st.procs.get(lsass) else {
        return Ok(());
    };
    let w = dx.out.begin(T::DeviceLogonEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(c.ActionType, "LogonFailed");
    r.s(c.LogonType, "Network");
    r.s(c.AccountDomain, &dev.short.to_ascii_uppercase());
    r.s(c.AccountName, name);
    r.s(c.Protocol, "NTLM");
    r.s(c.FailureReason, "InvalidUserNameOrPassword");
    r.b(c.IsLocalAdmin, false);
    r.s(c.RemoteIP, ip);
    r.s(c.RemoteIPType, "Public");
    r.n(c.RemotePort, 0);
    fill_initiating(r, c, fleet, cat, dev, pr);
    r.n(c.ReportId, rid);
    r.s(c.AdditionalFields, "{\"IsLocalLogon\":false}");
    dx.out.commit(T::DeviceLogonEvents)
}

pub fn rdp_brute_force(r: &mut Run) -> R {
    let t0 = r.clock.at(HOUR + r.rng.range(0, 2 * HOUR));
    let target = r.p.target;
    let admin = r.fleet.admins.first().copied().unwrap_or(0);
    let n_scanners = 2 + r.rng.index(2);
    let attempts = 60 + r.rng.index(60);
    let mut dx = r.dx(target)?;
    let (Some(term), Some(lsass)) = (dx.find(Role::SvcTerm), dx.find(Role::Lsass)) else {
        return Ok(());
    };
    let mut t = t0;
    for k in 0..attempts {
        let ip = SCANNERS[k % n_scanners];
        let port = dx.rng.range(49_152, 65_535);
        let conn = Conn {
            action: "InboundConnectionAccepted",
            remote_ip: ip,
            remote_port: port,
            url: "",
            local_port: 3389,
            protocol: "Tcp",
            additional: "",
        };
        net(&mut dx, term, t, &conn)?;
        let name = GUESSES[dx.rng.index(GUESSES.len())];
        failed_guess(&mut dx, t + SEC, name, ip, lsass)?;
        t += dx.rng.range(5 * SEC, 50 * SEC);
    }
    // The guess that worked: the real administrator, from the last scanner, a few
    // minutes later over an interactive session.
    let ip = SCANNERS[(attempts - 1) % n_scanners];
    let from = From {
        device: None,
        ip: ip.to_string(),
        port: dx.rng.range(49_152, 65_535),
    };
    let t_ok = t + 2 * MIN;
    device_logon(
        &mut dx,
        t_ok,
        "LogonSuccess",
        "Network",
        admin,
        Some(&from),
        None,
        lsass,
    )?;
    let conn = Conn {
        action: "InboundConnectionAccepted",
        remote_ip: ip,
        remote_port: from.port,
        url: "",
        local_port: 3389,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, term, t_ok - SEC, &conn)?;
    if let Some(winlogon) = dx.find(Role::Winlogon) {
        device_logon(
            &mut dx,
            t_ok + 4 * SEC,
            "LogonSuccess",
            "RemoteInteractive",
            admin,
            Some(&from),
            None,
            winlogon,
        )?;
    }
    let dev = dx.dev;
    let user = dx.fleet.users.get(admin);
    let mut cx = acx!(dx);
    let mut ev = vec![Evidence::Machine(dev), Evidence::Ip(ip)];
    if let Some(u) = user {
        ev.push(Evidence::User(u));
    }
    raise(
        &mut cx,
        &Alert {
            title: "Successful logon after many failed remote desktop attempts",
            category: "CredentialAccess",
            severity: "High",
            service: Service::Endpoint,
            techniques: &[
                "Password Guessing (T1110.001)",
                "Remote Desktop Protocol (T1021.001)",
            ],
            t: t_ok + 5 * SEC,
        },
        &ev,
    )?;
    Ok(())
}
