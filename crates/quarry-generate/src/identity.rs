//! Defender for Identity and Entra ID: IdentityLogonEvents, IdentityQueryEvents,
//! IdentityDirectoryEvents and the IdentityInfo snapshots.

use crate::GenerateError;
use crate::ctx::{DayClock, HOUR, MIN};
use crate::fleet::{Device, Fleet, User, guid};
use crate::out::{Out, T};
use crate::rng::Rng;

/// An Active Directory logon seen by the domain controller.
#[allow(clippy::too_many_arguments)]
pub fn ad_logon(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    t: i64,
    user: &User,
    src: &Device,
    target: Option<&Device>,
    logon_type: &'static str,
    protocol: &'static str,
    success: bool,
) -> Result<(), GenerateError> {
    let Some(dc) = fleet.dcs.first().and_then(|i| fleet.devices.get(*i)) else {
        return Ok(());
    };
    let report = guid(rng);
    let port = rng.range(49_152, 65_535);
    let w = out.begin(T::IdentityLogonEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    r.s(
        c.ActionType,
        if success {
            "LogonSuccess"
        } else {
            "LogonFailed"
        },
    );
    r.s(c.Application, "Active Directory");
    r.s(c.LogonType, logon_type);
    r.s(c.Protocol, protocol);
    if !success {
        r.s(c.FailureReason, "WrongPassword");
    }
    r.s(c.AccountName, &user.sam);
    r.s(c.AccountDomain, &fleet.tenant.ad_domain);
    r.s(c.AccountUpn, &user.upn);
    r.s(c.AccountSid, &user.sid);
    r.s(c.AccountObjectId, &user.object_id);
    r.s(c.AccountDisplayName, &user.display);
    r.s(c.DeviceName, &src.short.to_ascii_uppercase());
    r.s(
        c.DeviceType,
        if src.is_server() { "Server" } else { "Desktop" },
    );
    r.s(c.OSPlatform, src.platform);
    r.s(c.IPAddress, &src.ip_text);
    r.n(c.Port, port);
    r.s(c.DestinationDeviceName, &dc.name);
    r.s(c.DestinationIPAddress, &dc.ip_text);
    r.n(
        c.DestinationPort,
        if protocol == "Kerberos" { 88 } else { 445 },
    );
    if let Some(tg) = target {
        r.s(c.TargetDeviceName, &tg.name);
    }
    r.s(c.ReportId, &report);
    match target {
        Some(tg) => r.f(
            c.AdditionalFields,
            format_args!(
                "{{\"Spns\":\"{}/{}\",\"Count\":\"1\"}}",
                if logon_type == "RemoteInteractive" {
                    "TERMSRV"
                } else {
                    "cifs"
                },
                tg.name
            ),
        ),
        None => r.s(c.AdditionalFields, "{\"Count\":\"1\"}"),
    }
    out.commit(T::IdentityLogonEvents)
}

/// A cloud (Entra ID) sign-in.
#[allow(clippy::too_many_arguments)]
pub fn cloud_logon(
    out: &mut Out,
    rng: &mut Rng,
    t: i64,
    user: &User,
    ip: &str,
    country: &str,
    isp: &str,
    success: bool,
) -> Result<(), GenerateError> {
    let report = guid(rng);
    let w = out.begin(T::IdentityLogonEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    r.s(
        c.ActionType,
        if success {
            "LogonSuccess"
        } else {
            "LogonFailed"
        },
    );
    r.s(c.Application, "Office 365");
    r.s(
        c.LogonType,
        if success {
            "OAuth2:Token"
        } else {
            "Login:login"
        },
    );
    if !success {
        r.s(c.FailureReason, "InvalidUserNameOrPassword");
    }
    r.s(c.AccountName, &user.sam);
    r.s(c.AccountUpn, &user.upn);
    r.s(c.AccountObjectId, &user.object_id);
    r.s(c.AccountDisplayName, &user.display);
    r.s(c.DeviceType, "Desktop");
    r.s(c.OSPlatform, "Windows10");
    r.s(c.IPAddress, ip);
    r.s(c.Location, country);
    r.s(c.Isp, isp);
    r.s(c.ReportId, &report);
    r.s(
        c.AdditionalFields,
        "{\"ARG.CLOUD_SERVICE\":\"Exchange Online\"}",
    );
    out.commit(T::IdentityLogonEvents)
}

/// An LDAP/DNS/SAMR query seen by the DC.
#[allow(clippy::too_many_arguments)]
pub fn query(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    t: i64,
    user: &User,
    src: &Device,
    action: &'static str,
    query_type: &str,
    target: &str,
    query: &str,
    protocol: &'static str,
) -> Result<(), GenerateError> {
    let Some(dc) = fleet.dcs.first().and_then(|i| fleet.devices.get(*i)) else {
        return Ok(());
    };
    let report = guid(rng);
    let w = out.begin(T::IdentityQueryEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    r.s(c.ActionType, action);
    r.s(c.Application, "Active Directory");
    r.s(c.QueryType, query_type);
    r.s(c.QueryTarget, target);
    r.s(c.Query, query);
    r.s(c.Protocol, protocol);
    r.s(c.AccountName, &user.sam);
    r.s(c.AccountDomain, &fleet.tenant.ad_domain);
    r.s(c.AccountUpn, &user.upn);
    r.s(c.AccountSid, &user.sid);
    r.s(c.AccountObjectId, &user.object_id);
    r.s(c.AccountDisplayName, &user.display);
    r.s(c.DeviceName, &src.short.to_ascii_uppercase());
    r.s(c.IPAddress, &src.ip_text);
    r.n(c.Port, rng.range(49_152, 65_535));
    r.s(c.DestinationDeviceName, &dc.name);
    r.s(c.DestinationIPAddress, &dc.ip_text);
    r.n(
        c.DestinationPort,
        match protocol {
            "Dns" => 53,
            "Samr" => 445,
            _ => 389,
        },
    );
    r.s(c.ReportId, &report);
    r.s(c.AdditionalFields, "{}");
    out.commit(T::IdentityQueryEvents)
}

/// A directory change (group membership, password...).
#[allow(clippy::too_many_arguments)]
pub fn directory(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    t: i64,
    actor: &User,
    src: &Device,
    action: &'static str,
    target: &User,
    additional: &str,
) -> Result<(), GenerateError> {
    let Some(dc) = fleet.dcs.first().and_then(|i| fleet.devices.get(*i)) else {
        return Ok(());
    };
    let report = guid(rng);
    let w = out.begin(T::IdentityDirectoryEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    r.s(c.ActionType, action);
    r.s(c.Application, "Active Directory");
    r.s(c.TargetAccountUpn, &target.upn);
    r.s(c.TargetAccountDisplayName, &target.display);
    r.s(c.DestinationDeviceName, &dc.name);
    r.s(c.DestinationIPAddress, &dc.ip_text);
    r.n(c.DestinationPort, 389);
    r.s(c.Protocol, "Ldap");
    r.s(c.AccountName, &actor.sam);
    r.s(c.AccountDomain, &fleet.tenant.ad_domain);
    r.s(c.AccountUpn, &actor.upn);
    r.s(c.AccountSid, &actor.sid);
    r.s(c.AccountObjectId, &actor.object_id);
    r.s(c.AccountDisplayName, &actor.display);
    r.s(c.DeviceName, &src.short.to_ascii_uppercase());
    r.s(c.IPAddress, &src.ip_text);
    r.n(c.Port, rng.range(49_152, 65_535));
    r.s(c.ReportId, &report);
    r.s(c.AdditionalFields, additional);
    out.commit(T::IdentityDirectoryEvents)
}

fn identity_info(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    t: i64,
    u: &User,
) -> Result<(), GenerateError> {
    let report = guid(rng);
    let manager = u.manager.and_then(|m| fleet.users.get(m));
    let w = out.begin(T::IdentityInfo);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    r.s(c.ReportId, &report);
    r.s(c.AccountObjectId, &u.object_id);
    r.s(c.AccountUpn, &u.upn);
    r.s(c.OnPremSid, &u.sid);
    r.s(c.AccountDisplayName, &u.display);
    r.s(c.AccountName, &u.sam);
    r.s(c.AccountDomain, &fleet.tenant.ad_domain);
    r.s(c.Type, "User");
    let ou = if u.is_service {
        "Service Accounts"
    } else if u.sam.starts_with("adm-") {
        "Admins"
    } else {
        "Users"
    };
    r.f(
        c.DistinguishedName,
        format_args!(
            "CN={},OU={ou},DC={},DC=local",
            u.display, fleet.tenant.short
        ),
    );
    r.f(
        c.CloudSid,
        format_args!(
            "S-1-12-1-{}-{}",
            rng.range(1_000_000_000, 4_000_000_000),
            rng.range(1_000_000_000, 4_000_000_000)
        ),
    );
    r.s(c.GivenName, u.given);
    r.s(c.Surname, u.surname);
    r.s(c.Department, u.department);
    r.s(c.JobTitle, u.title);
    r.s(c.EmailAddress, &u.upn);
    r.f(c.SipProxyAddress, format_args!("sip:{}", u.upn));
    r.s(c.City, u.city);
    r.s(c.Country, u.country);
    r.b(c.IsAccountEnabled, true);
    if let Some(m) = manager {
        r.s(c.Manager, &m.display);
    }
    r.s(c.Phone, "+1 425 555 0100");
    r.t(c.CreatedDateTime, u.created);
    r.s(c.SourceProvider, "ActiveDirectory");
    r.s(c.ChangeSource, "Sync");
    r.s(c.Tags, if u.is_admin { "[\"Sensitive\"]" } else { "[]" });
    r.s(
        c.AssignedRoles,
        if u.sam.starts_with("adm-") {
            "[\"Global Reader\",\"Security Administrator\"]"
        } else {
            "[]"
        },
    );
    r.s(c.PrivilegedEntraPimRoles, "[]");
    r.s(c.TenantId, &fleet.tenant.id);
    r.s(c.SourceSystem, "ActiveDirectory");
    out.commit(T::IdentityInfo)
}

/// The day's identity activity: Kerberos logons of the fleet, a few queries, the
/// identity snapshots, and the odd directory change.
pub fn day(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    clock: &DayClock,
    volume: f64,
) -> Result<(), GenerateError> {
    if fleet.dcs.is_empty() {
        return Ok(());
    }
    let scale = volume * clock.share;
    let weekend = clock.is_weekend();
    let file_server = fleet.devices.iter().find(|d| d.role == "file");
    for dev in &fleet.devices {
        if !dev.is_windows() || (weekend && !dev.is_server() && rng.chance(0.8)) {
            continue;
        }
        let Some(user) = fleet.users.get(dev.primary_user) else {
            continue;
        };
        let n = rng.around(6.0 * scale);
        for k in 0..n {
            let t = clock.at(rng.range(7 * HOUR, 19 * HOUR));
            let (lt, proto, target) = match k % 3 {
                0 => ("Credentials validation", "Kerberos", None),
                1 => ("Resource access", "Kerberos", file_server),
                _ => (
                    "Resource access",
                    if rng.chance(0.2) { "Ntlm" } else { "Kerberos" },
                    fleet.dcs.first().and_then(|i| fleet.devices.get(*i)),
                ),
            };
            let ok = !rng.chance(0.02);
            ad_logon(out, rng, fleet, t, user, dev, target, lt, proto, ok)?;
        }
        if rng.chance(0.3 * scale) {
            let t = clock.at(rng.range(7 * HOUR, 19 * HOUR));
            let q = format!("_ldap._tcp.{}", fleet.tenant.ad_domain);
            query(
                out,
                rng,
                fleet,
                t,
                user,
                dev,
                "DNS query",
                "Srv",
                &q,
                &q,
                "Dns",
            )?;
        }
        if rng.chance(0.15 * scale) {
            let t = clock.at(rng.range(7 * HOUR, 19 * HOUR));
            let filter = format!(
                "(&(objectCategory=person)(objectClass=user)(sAMAccountName={}))",
                user.sam
            );
            query(
                out,
                rng,
                fleet,
                t,
                user,
                dev,
                "LDAP query",
                "AllObjects",
                &user.sam,
                &filter,
                "Ldap",
            )?;
        }
        if rng.chance(0.2 * scale) {
            let t = clock.at(rng.range(8 * HOUR, 18 * HOUR));
            let ip = crate::fleet::PUBLIC_IPS[dev.primary_user % 3];
            cloud_logon(out, rng, t, user, ip, user.country, "Contoso ISP", true)?;
        }
    }
    // Directory changes: password changes, a group change now and then.
    if !weekend && rng.chance(0.6) {
        let admin = &fleet.users[*rng.pick(&fleet.admins)];
        let target = &fleet.users[rng.index(fleet.mail_users.len().max(1))];
        let src = fleet
            .devices
            .iter()
            .find(|d| d.department == "IT")
            .unwrap_or(&fleet.devices[0]);
        let t = clock.at(rng.range(9 * HOUR, 17 * HOUR) + rng.range(0, 59 * MIN));
        directory(
            out,
            rng,
            fleet,
            t,
            target,
            src,
            "Account Password changed",
            target,
            "{}",
        )?;
        if rng.chance(0.3) {
            let add = format!(
                "{{\"TO.GROUP\":\"{}\",\"GROUP.NAME\":\"{}\",\"ACTOR.DEVICE\":\"{}\"}}",
                "VPN Users",
                "VPN Users",
                src.short.to_ascii_uppercase()
            );
            directory(
                out,
                rng,
                fleet,
                t + MIN,
                admin,
                src,
                "Group Membership changed",
                target,
                &add,
            )?;
        }
    }
    // Entity snapshots: consolidated once a day.
    {
        for u in &fleet.users {
            let t = clock.at(rng.range(HOUR, 3 * HOUR));
            identity_info(out, rng, fleet, t, u)?;
        }
    }
    Ok(())
}
