//! Everyday Active Directory administration as Defender for Identity reports it in
//! IdentityDirectoryEvents (account settings, group changes, new and disabled
//! accounts, remote administration of the domain controllers), interactive and remote
//! desktop logons to servers in IdentityLogonEvents, and the LDAP queries that
//! management tools and scripts send to the DCs (IdentityQueryEvents).

use crate::GenerateError;
use crate::ctx::{DayClock, HOUR, MIN};
use crate::fleet::{Device, Fleet, User};
use crate::identity::{ad_logon, directory, query};
use crate::out::Out;
use crate::rng::Rng;

/// Account changes an administrator makes (ActionType, weight).
const CHANGES: &[(&str, u32)] = &[
    ("Account Password Never Expires changed", 2),
    ("Account Supported Encryption Types changed", 1),
    ("Account Disabled changed", 2),
    ("Account Unlock changed", 3),
    ("SAM Account Name changed", 1),
    ("Account Display Name changed", 2),
    ("User Account Created", 2),
    ("Group Membership changed", 6),
];

const GROUPS: &[&str] = &[
    "VPN Users",
    "Finance Share Readers",
    "Remote Desktop Users",
    "Helpdesk Operators",
    "Server Admins",
];

/// LDAP searches of management consoles and inventory scripts (filter, search scope).
const LDAP: &[(&str, &str)] = &[
    ("(objectClass=computer)", "WholeSubtree"),
    (
        "(&(objectCategory=person)(objectClass=user)(adminCount=1))",
        "WholeSubtree",
    ),
    (
        "(&(objectCategory=group)(cn=Domain Admins))",
        "WholeSubtree",
    ),
    (
        "(&(objectClass=user)(servicePrincipalName=*))",
        "WholeSubtree",
    ),
    ("(objectClass=groupPolicyContainer)", "OneLevel"),
];

fn it_device(fleet: &Fleet) -> &Device {
    fleet
        .devices
        .iter()
        .find(|d| d.department == "IT")
        .unwrap_or(&fleet.devices[0])
}

fn change_fields(rng: &mut Rng, action: &str, src: &Device) -> String {
    let dev = src.short.to_ascii_uppercase();
    match action {
        "Group Membership changed" => {
            let g = rng.pick(GROUPS);
            let dir = if rng.chance(0.7) { "TO" } else { "FROM" };
            format!(r#"{{"{dir}.GROUP":"{g}","TARGET_OBJECT.GROUP":"{g}","ACTOR.DEVICE":"{dev}"}}"#)
        }
        "Account Supported Encryption Types changed" => format!(
            r#"{{"FROM Account Supported Encryption Types":"Rc4Hmac","TO Account Supported Encryption Types":"Aes128CtsHmacSha196, Aes256CtsHmacSha196","ACTOR.DEVICE":"{dev}"}}"#
        ),
        "Account Password Never Expires changed" => format!(
            r#"{{"FROM Account Password Never Expires":"False","TO Account Password Never Expires":"True","ACTOR.DEVICE":"{dev}"}}"#
        ),
        "Account Disabled changed" => format!(
            r#"{{"FROM Account Disabled":"False","TO Account Disabled":"True","ACTOR.DEVICE":"{dev}"}}"#
        ),
        _ => format!(r#"{{"ACTOR.DEVICE":"{dev}"}}"#),
    }
}

/// The day's directory administration and server logons.
pub fn day(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    clock: &DayClock,
    volume: f64,
) -> Result<(), GenerateError> {
    if fleet.dcs.is_empty() || fleet.admins.is_empty() || fleet.mail_users.is_empty() {
        return Ok(());
    }
    if clock.is_weekend() {
        return Ok(());
    }
    let scale = volume * clock.share;
    let src = it_device(fleet);
    let total: u32 = CHANGES.iter().map(|c| c.1).sum();
    for _ in 0..rng.around(3.0 * scale) {
        let mut pick = rng.below(u64::from(total)) as u32;
        let mut action = CHANGES[0].0;
        for (a, w) in CHANGES {
            if pick < *w {
                action = *a;
                break;
            }
            pick -= w;
        }
        let admin: &User = &fleet.users[*rng.pick(&fleet.admins)];
        // Service accounts get the password and encryption settings; people the rest.
        let pool: Vec<usize> = if action.starts_with("Account Password Never")
            || action.starts_with("Account Supported")
        {
            (0..fleet.users.len())
                .filter(|i| fleet.users[*i].is_service)
                .collect()
        } else {
            fleet.mail_users.clone()
        };
        let Some(&ti) = pool.get(rng.index(pool.len().max(1))) else {
            continue;
        };
        let target = &fleet.users[ti];
        let t = clock.at(rng.range(8 * HOUR, 18 * HOUR));
        let add = change_fields(rng, action, src);
        directory(out, rng, fleet, t, admin, src, action, target, &add)?;
    }
    // Administrators manage the DCs remotely and sign in to servers.
    let servers: Vec<&Device> = fleet.devices.iter().filter(|d| d.is_server()).collect();
    for _ in 0..rng.around(2.0 * scale) {
        let admin: &User = &fleet.users[*rng.pick(&fleet.admins)];
        let t = clock.at(rng.range(8 * HOUR, 18 * HOUR));
        if let Some(target) = servers.get(rng.index(servers.len().max(1))) {
            let (lt, proto) = if rng.chance(0.6) {
                ("Remote desktop", "Kerberos")
            } else {
                ("Interactive", "Kerberos")
            };
            ad_logon(
                out,
                rng,
                fleet,
                t,
                admin,
                src,
                Some(target),
                lt,
                proto,
                true,
            )?;
        }
        if rng.chance(0.3) {
            let add = format!(
                r#"{{"ACTOR.DEVICE":"{}","PowerShell Command":"Get-ADReplicationPartnerMetadata"}}"#,
                src.short.to_ascii_uppercase()
            );
            directory(
                out,
                rng,
                fleet,
                t + 2 * MIN,
                admin,
                src,
                "PowerShell execution",
                admin,
                &add,
            )?;
        }
        let (filter, scope) = *rng.pick(LDAP);
        let q = format!(
            "Search Scope: {scope}, Base Object:DC={},DC=local, Search Filter: {filter}",
            fleet.tenant.short
        );
        query(
            out,
            rng,
            fleet,
            t + MIN,
            admin,
            src,
            "LDAP query",
            "AllObjects",
            filter,
            &q,
            "Ldap",
        )?;
    }
    Ok(())
}
