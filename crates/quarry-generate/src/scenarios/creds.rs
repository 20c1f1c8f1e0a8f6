//! Credential access, account manipulation and discovery scenarios.

use super::{Run, acx, ensure_session};
use crate::GenerateError;
use crate::alerts::{Alert, Evidence, Service, raise};
use crate::catalog::Bin;
use crate::ctx::{Acct, Dx, MIN, Role, SEC, Spawn};
use crate::devevents::{Ev, event};
use crate::files::{FileOp, file, image_load};
use crate::identity;

type R = Result<(), GenerateError>;

/// An elevated shell of an admin account on the device (servers: services → cmd through
/// an RDP-less admin session; workstations: from explorer).
fn admin_shell(dx: &mut Dx, t: i64) -> Result<usize, GenerateError> {
    let admin = dx.fleet.admins.first().copied().unwrap_or(0);
    let parent = if dx.dev.is_server() {
        match dx.find(Role::Explorer) {
            Some(e) if dx.st.procs[e].end > t => e,
            _ => {
                let Some(w) = dx.find(Role::Winlogon) else {
                    return Err(GenerateError::Internal("no winlogon on server"));
                };
                let o = Spawn {
                    acct: Some(Acct::User(admin as u32)),
                    integrity: Some("High"),
                    elevation: Some("TokenElevationTypeFull"),
                    logon_id: Some(dx.rng.range(1_000_000, 90_000_000)),
                    session: Some(2),
                    life: Some(2 * 3600 * SEC),
                    role: Some(Role::Explorer),
                    ..Default::default()
                };
                dx.spawn(w, Bin::Explorer, r"C:\Windows\Explorer.EXE", t - 5 * MIN, o)?
            }
        }
    } else {
        ensure_session(dx, t)?
    };
    let o = Spawn {
        integrity: Some("High"),
        elevation: Some("TokenElevationTypeFull"),
        life: Some(40 * MIN),
        role: Some(Role::Shell),
        ..Default::default()
    };
    dx.spawn(parent, Bin::Cmd, r#""C:\Windows\system32\cmd.exe" "#, t, o)
}

pub fn lsass_dump(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let cmd = admin_shell(&mut dx, t)?;
    let Some(lsass) = dx.find(Role::Lsass) else {
        return Ok(());
    };
    let lpid = dx.st.procs[lsass].pid;
    let dump = r"C:\Windows\Temp\lsass.dmp";
    let rd = dx.spawn(
        cmd,
        Bin::Rundll32,
        &format!(r"rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump {lpid} {dump} full"),
        t + 30 * SEC,
        Spawn::default(),
    )?;
    let t0 = dx.st.procs[rd].create;
    image_load(&mut dx, rd, t0 + 1, Bin::Comsvcs)?;
    image_load(&mut dx, rd, t0 + 2, Bin::Dbgcore)?;
    let add = r#"{"DesiredAccess":2097151}"#;
    event(
        &mut dx,
        rd,
        t0 + SEC,
        &Ev {
            action: "OpenProcessApiCall",
            file: Some(r"C:\Windows\System32\lsass.exe"),
            file_bin: Some(Bin::Lsass),
            target: Some(lsass),
            additional: Some(add),
            ..Default::default()
        },
    )?;
    let size = 52_428_800 + dx.rng.range(0, 9_000_000);
    file(
        &mut dx,
        rd,
        t0 + 3 * SEC,
        &FileOp {
            action: "FileCreated",
            path: dump,
            size,
            ..Default::default()
        },
    )?;
    // Then procdump, the Sysinternals way.
    let pd_path = r"C:\Users\Public\procdump64.exe";
    let h = dx.cat.hashes(Bin::Procdump).clone();
    file(
        &mut dx,
        cmd,
        t0 + 2 * MIN,
        &FileOp {
            action: "FileCreated",
            path: pd_path,
            sha1: Some(&h.sha1),
            sha256: Some(&h.sha256),
            md5: Some(&h.md5),
            size: Bin::Procdump.def().size,
            ..Default::default()
        },
    )?;
    let pd = dx.spawn(
        cmd,
        Bin::Procdump,
        r"procdump64.exe -accepteula -ma lsass.exe C:\Users\Public\ls.dmp",
        t0 + 3 * MIN,
        Spawn::default(),
    )?;
    let t1 = dx.st.procs[pd].create;
    image_load(&mut dx, pd, t1 + 1, Bin::Dbghelp)?;
    event(
        &mut dx,
        pd,
        t1 + SEC,
        &Ev {
            action: "OpenProcessApiCall",
            file: Some(r"C:\Windows\System32\lsass.exe"),
            file_bin: Some(Bin::Lsass),
            target: Some(lsass),
            additional: Some(r#"{"DesiredAccess":2035711}"#),
            ..Default::default()
        },
    )?;
    event(
        &mut dx,
        pd,
        t1 + SEC,
        &Ev {
            action: "ReadProcessMemoryApiCall",
            file: Some(r"C:\Windows\System32\lsass.exe"),
            target: Some(lsass),
            additional: Some(r#"{"TotalBytesCopied":524288}"#),
            ..Default::default()
        },
    )?;
    file(
        &mut dx,
        pd,
        t1 + 4 * SEC,
        &FileOp {
            action: "FileCreated",
            path: r"C:\Users\Public\ls.dmp",
            size: 49_283_072,
            ..Default::default()
        },
    )?;
    let dev = dx.dev;
    let (prd, ppd) = (dx.st.procs[rd].clone(), dx.st.procs[pd].clone());
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious access to LSASS service",
            category: "CredentialAccess",
            severity: "High",
            service: Service::Endpoint,
            techniques: &["LSASS Memory (T1003.001)"],
            t: t0,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Process(dev, &prd),
            Evidence::File {
                dev,
                path: dump,
                bin: None,
            },
        ],
    )?;
    raise(
        &mut cx,
        &Alert {
            title: "Process memory dump",
            category: "CredentialAccess",
            severity: "High",
            service: Service::Endpoint,
            techniques: &["LSASS Memory (T1003.001)", "Ingress Tool Transfer (T1105)"],
            t: t1,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Process(dev, &ppd),
            Evidence::File {
                dev,
                path: pd_path,
                bin: Some(Bin::Procdump),
            },
        ],
    )?;
    Ok(())
}

pub fn local_admin(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let cmd = admin_shell(&mut dx, t)?;
    let name = "support_tmp";
    let n1 = dx.spawn(
        cmd,
        Bin::Net,
        &format!("net  user {name} Winter2024! /add"),
        t + 20 * SEC,
        Spawn::default(),
    )?;
    let t0 = dx.st.procs[n1].create;
    let n1b = dx.spawn(
        n1,
        Bin::Net1,
        &format!("C:\\Windows\\system32\\net1  user {name} Winter2024! /add"),
        t0 + 1,
        Spawn::default(),
    )?;
    let machine_sid = format!(
        "S-1-5-21-{}-{}-{}-1001",
        1_000_000_000 + dx.dev.index * 7,
        2_000_000_000 + dx.dev.index * 13,
        3_000_000_000u64 + dx.dev.index as u64 * 17
    );
    let short = dx.dev.short.to_ascii_uppercase();
    event(
        &mut dx,
        n1b,
        t0 + SEC,
        &Ev {
            action: "UserAccountCreated",
            account: Some((name, &short, &machine_sid)),
            ..Default::default()
        },
    )?;
    let n2 = dx.spawn(
        cmd,
        Bin::Net,
        &format!("net  localgroup administrators {name} /add"),
        t0 + 30 * SEC,
        Spawn::default(),
    )?;
    let t1 = dx.st.procs[n2].create;
    let n2b = dx.spawn(
        n2,
        Bin::Net1,
        &format!("C:\\Windows\\system32\\net1  localgroup administrators {name} /add"),
        t1 + 1,
        Spawn::default(),
    )?;
    let add =
        r#"{"GroupName":"Administrators","GroupDomainName":"BUILTIN","GroupSid":"S-1-5-32-544"}"#;
    event(
        &mut dx,
        n2b,
        t1 + SEC,
        &Ev {
            action: "UserAccountAddedToLocalGroup",
            account: Some((name, &short, &machine_sid)),
            additional: Some(add),
            ..Default::default()
        },
    )?;
    let dev = dx.dev;
    let (a, b) = (dx.st.procs[n1].clone(), dx.st.procs[n2].clone());
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "New local admin added using Net commands",
            category: "Persistence",
            severity: "Medium",
            service: Service::Endpoint,
            techniques: &["Local Account (T1136.001)", "Account Manipulation (T1098)"],
            t: t1,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Process(dev, &a),
            Evidence::Process(dev, &b),
        ],
    )?;
    Ok(())
}

pub fn discovery(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let cmd = dx.spawn(
        explorer,
        Bin::Cmd,
        r#""C:\Windows\system32\cmd.exe" "#,
        t,
        Spawn {
            life: Some(30 * MIN),
            role: Some(Role::Shell),
            ..Default::default()
        },
    )?;
    let mut tt = dx.st.procs[cmd].create;
    let mut procs = Vec::new();
    for (bin, line) in [
        (Bin::Whoami, "whoami  /all"),
        (Bin::Net, "net  group \"Domain Admins\" /domain"),
        (Bin::Nltest, "nltest  /domain_trusts /all_trusts"),
        (Bin::Net, "net  group \"Enterprise Admins\" /domain"),
        (Bin::Systeminfo, "systeminfo"),
    ] {
        tt += dx.rng.range(5 * SEC, 40 * SEC);
        let p = dx.spawn(cmd, bin, line, tt, Spawn::default())?;
        if bin == Bin::Net {
            dx.spawn(
                p,
                Bin::Net1,
                &line.replacen("net ", "C:\\Windows\\system32\\net1 ", 1),
                tt + 1,
                Spawn::default(),
            )?;
        }
        procs.push(p);
    }
    let profile = dx.user_profile(dx.st.procs[explorer].acct).to_string();
    let adf = format!(r"C:\Users\{profile}\Downloads\AdFind.exe");
    let h = dx.cat.hashes(Bin::AdFind).clone();
    file(
        &mut dx,
        explorer,
        tt + 10 * SEC,
        &FileOp {
            action: "FileCreated",
            path: &adf,
            sha1: Some(&h.sha1),
            sha256: Some(&h.sha256),
            md5: Some(&h.md5),
            size: Bin::AdFind.def().size,
            origin_url: Some("https://www.joeware.net/downloads/files/AdFind.zip"),
            ..Default::default()
        },
    )?;
    for line in [
        r#"AdFind.exe  -f "(objectcategory=computer)" -csv name operatingSystem"#,
        "AdFind.exe  -sc trustdmp",
        r#"AdFind.exe  -f "(objectcategory=group)" -csv name"#,
    ] {
        tt += dx.rng.range(20 * SEC, 90 * SEC);
        let o = Spawn {
            path: Some(adf.clone()),
            ..Default::default()
        };
        let p = dx.spawn(cmd, Bin::AdFind, line, tt, o)?;
        procs.push(p);
    }
    let ldap = *procs.last().unwrap_or(&cmd);
    let add = r#"{"AttributeList":"[\"name\",\"operatingSystem\"]","ScopeOfSearch":"SubTree","SearchFilter":"(objectCategory=computer)","DistinguishedName":"DC=contoso,DC=local"}"#;
    event(
        &mut dx,
        ldap,
        tt + SEC,
        &Ev {
            action: "LdapSearch",
            additional: Some(add),
            ..Default::default()
        },
    )?;
    let dev = dx.dev;
    let fleet = dx.fleet;
    let Some(user) = fleet.users.get(dev.primary_user) else {
        return Ok(());
    };
    let base = format!("DC={},DC=local", fleet.tenant.short);
    identity::query(
        dx.out,
        dx.rng,
        fleet,
        tt,
        user,
        dev,
        "LDAP query",
        "AllObjects",
        &base,
        "(objectCategory=computer)",
        "Ldap",
    )?;
    identity::query(
        dx.out,
        dx.rng,
        fleet,
        tt + SEC,
        user,
        dev,
        "SAMR query",
        "QueryGroup",
        "Domain Admins",
        "QueryGroup",
        "Samr",
    )?;
    identity::query(
        dx.out,
        dx.rng,
        fleet,
        tt + 2 * SEC,
        user,
        dev,
        "LDAP query",
        "AllObjects",
        &base,
        "(objectCategory=group)",
        "Ldap",
    )?;
    let list: Vec<_> = procs.iter().map(|i| dx.st.procs[*i].clone()).collect();
    let mut cx = acx!(dx);
    let mut ev = vec![Evidence::Machine(dev), Evidence::User(user)];
    for p in &list {
        ev.push(Evidence::Process(dev, p));
    }
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious sequence of exploration activities",
            category: "Discovery",
            severity: "Medium",
            service: Service::Endpoint,
            techniques: &[
                "Domain Account (T1087.002)",
                "System Owner/User Discovery (T1033)",
                "Domain Trust Discovery (T1482)",
            ],
            t: tt,
        },
        &ev,
    )?;
    raise(
        &mut cx,
        &Alert {
            title: "Security principal reconnaissance (LDAP)",
            category: "Discovery",
            severity: "Medium",
            service: Service::Identity,
            techniques: &["Domain Account (T1087.002)"],
            t: tt,
        },
        &[Evidence::User(user), Evidence::Machine(dev)],
    )?;
    Ok(())
}
