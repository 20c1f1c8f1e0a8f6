//! What Windows itself records because a procedure's command ran, without the procedure
//! spelling it out: a Sysinternals tool accepting its licence writes `EulaAccepted` under
//! the user's `Software\Sysinternals` key; `schtasks /create` makes the Task Scheduler
//! service write the task file and its `TaskCache\Tree` key; `sc create` and
//! `sc config … binpath=` make services.exe write the service's `ImagePath`; a well-known
//! offensive tool gets an antivirus detection; domain discovery reaches the domain
//! controller as an LDAP or SAMR query its identity sensor records. Real sensors
//! see these rows next to the command, so the library's procedures get them for free.

use super::ttp::R;
use crate::catalog::Bin;
use crate::ctx::{Acct, Dx, Role, SEC};
use crate::devevents::{Ev, event};
use crate::files::{FileOp, RegOp, file, registry};

/// The key a Sysinternals tool stores its licence acceptance under.
fn sysinternals_key(bin: Bin) -> Option<&'static str> {
    Some(match bin {
        Bin::PsExec => "PsExec",
        Bin::Procdump => "ProcDump",
        Bin::Sdelete => "SDelete",
        Bin::PsLoggedon => "PsLoggedon",
        Bin::Accesschk => "AccessChk",
        Bin::PsSuspend => "PsSuspend",
        _ => return None,
    })
}

/// The name Microsoft Defender Antivirus gives a well-known offensive tool's file. The
/// sensor reports the detection when the tool runs; intruders who bring these tools
/// have usually weakened the antivirus first, so the process has already run.
fn detection(bin: Bin) -> Option<&'static str> {
    Some(match bin {
        Bin::Mimikatz => "HackTool:Win64/Mimikatz!pz",
        Bin::Rubeus => "HackTool:MSIL/Rubeus",
        Bin::SharpHound => "HackTool:MSIL/SharpHound",
        Bin::SafetyKatz => "HackTool:MSIL/SafetyKatz",
        Bin::LaZagne => "HackTool:Win32/LaZagne",
        Bin::NanoDump => "HackTool:Win64/NanoDump",
        Bin::WinPeas => "HackTool:MSIL/WinPEAS",
        Bin::Seatbelt => "HackTool:MSIL/Seatbelt",
        Bin::Certify => "HackTool:MSIL/Certify",
        Bin::KrbRelayUp => "HackTool:MSIL/KrbRelayUp",
        Bin::PetitPotam => "HackTool:Win64/PetitPotam",
        Bin::SpoolSample => "HackTool:MSIL/SpoolSample",
        Bin::Inveigh => "HackTool:MSIL/Inveigh",
        Bin::NoPac => "HackTool:MSIL/NoPac",
        Bin::SharpDpapi | Bin::SharpChrome => "HackTool:MSIL/SharpDPAPI",
        Bin::DControl => "HackTool:Win32/DefenderControl",
        Bin::XmrigWin => "PUA:Win32/CoinMiner",
        _ => return None,
    })
}

/// The directory query a domain controller's sensor sees for a discovery command:
/// (action, query type, target, query, protocol). `net group X /domain` and
/// `net user X /domain` go over SAMR; AD tooling and cmdlets over LDAP.
fn directory_query(
    cmd: &str,
) -> Option<(
    &'static str,
    &'static str,
    String,
    &'static str,
    &'static str,
)> {
    let lower = cmd.to_ascii_lowercase();
    let quoted = |s: &str| s.split('"').nth(1).map(str::to_string);
    if lower.contains("/domain") && lower.contains("net group") {
        let group = quoted(cmd).unwrap_or_else(|| "Domain Users".to_string());
        return Some(("SAMR query", "QueryGroup", group, "QueryGroup", "Samr"));
    }
    if lower.contains("/domain") && lower.contains("net user") {
        return Some((
            "SAMR query",
            "QueryUser",
            "Users".to_string(),
            "QueryUser",
            "Samr",
        ));
    }
    let spn = "(&(samAccountType=805306368)(servicePrincipalName=*))";
    if lower.contains("kerberoast") || lower.contains("getuserspns") || lower.contains("setspn -q")
    {
        return Some(("LDAP query", "AllObjects", "Users".to_string(), spn, "Ldap"));
    }
    if lower.contains("domain_trusts") || lower.contains("get-adtrust") {
        let q = "(objectClass=trustedDomain)";
        return Some(("LDAP query", "AllObjects", "Trusts".to_string(), q, "Ldap"));
    }
    const LDAP_TOOLS: &[&str] = &[
        "sharphound",
        "adfind",
        "get-aduser",
        "get-adcomputer",
        "get-adgroupmember",
        "get-domainuser",
        "invoke-userhunter",
        "ldifde",
        "csvde",
        "dsquery",
        "adsisearcher",
        "pingcastle",
    ];
    LDAP_TOOLS.iter().any(|t| lower.contains(t)).then(|| {
        let q = "(objectCategory=person)";
        (
            "LDAP query",
            "AllObjects",
            "AllObjects".to_string(),
            q,
            "Ldap",
        )
    })
}

/// The argument after `flag` (case-insensitive), without surrounding quotes. `flag` must
/// stand alone: `/tn` matches `/tn "x"` or `/TN x`, not `/tnx`.
pub(super) fn arg_after<'c>(cmd: &'c str, flag: &str) -> Option<&'c str> {
    let lower = cmd.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(flag) {
        let at = from + i;
        let end = at + flag.len();
        let starts = at == 0 || lower.as_bytes()[at - 1] == b' ';
        let rest = &cmd[end..];
        if starts && rest.starts_with(' ') {
            let rest = rest.trim_start();
            let value = match rest.strip_prefix('"') {
                Some(q) => q.split('"').next(),
                None => rest.split(' ').next(),
            };
            return value.filter(|v| !v.is_empty());
        }
        from = end;
    }
    None
}

/// The service name and binary of `sc create NAME binPath= X` / `sc config NAME binpath= X`.
pub(super) fn sc_service(cmd: &str) -> Option<(&str, &str)> {
    let lower = cmd.to_ascii_lowercase();
    let verb = ["create ", "config "]
        .iter()
        .find_map(|v| lower.find(v).map(|i| i + v.len()))?;
    // `sc \\server create …` changes another host's service database, not this one's.
    if cmd[..verb].contains(r"\\") {
        return None;
    }
    let name = cmd[verb..].split_whitespace().next()?.trim_matches('"');
    let b = lower.find("binpath=")? + "binpath=".len();
    let rest = cmd[b..].trim_start();
    let path = match rest.strip_prefix('"') {
        Some(q) => q.split('"').next()?,
        None => rest.split(' ').next()?,
    };
    (!name.is_empty() && !path.is_empty()).then_some((name, path))
}

fn set(dx: &mut Dx, p: usize, t: i64, key: &str, name: &str, kind: &'static str, data: &str) -> R {
    let op = RegOp {
        action: "RegistryValueSet",
        key,
        value_type: kind,
        name,
        data,
        previous_data: None,
    };
    registry(dx, p, t, &op)
}

fn key_created(dx: &mut Dx, p: usize, t: i64, key: &str) -> R {
    let op = RegOp {
        action: "RegistryKeyCreated",
        key,
        value_type: "",
        name: "",
        data: "",
        previous_data: None,
    };
    registry(dx, p, t, &op)
}

/// Records the implied events of process `p` (binary `bin`, command line `cmd`), started
/// at `t` by the user with SID `sid`. `spelled`: the procedure lists its own registry
/// writes for this step, so the task and service keys are not written a second time.
pub(super) fn implied(
    dx: &mut Dx,
    p: usize,
    t: i64,
    bin: Bin,
    cmd: &str,
    sid: &str,
    spelled: bool,
) -> R {
    if let (Some(threat), Some(def)) = (detection(bin), dx.find(Role::Defender)) {
        let path = dx.st.procs[p].path.clone();
        let category = if threat.starts_with("PUA") {
            "PotentiallyUnwantedApplication"
        } else {
            "Tool"
        };
        let add = format!(
            r#"{{"ThreatName":"{threat}","WasExecutingWhileDetected":true,"WasRemediated":false,"Category":"{category}","ReportSource":"Realtime"}}"#
        );
        let ev = Ev {
            action: "AntivirusDetection",
            file: Some(&path),
            file_bin: Some(bin),
            additional: Some(&add),
            ..Default::default()
        };
        event(dx, def, t + 2 * SEC, &ev)?;
    }
    let lower = cmd.to_ascii_lowercase();
    if dx.dev.is_windows()
        && let Some((action, qtype, target, query, protocol)) = directory_query(cmd)
    {
        let fleet = dx.fleet;
        let user = match dx.st.procs[p].acct {
            Acct::User(i) => fleet.users.get(i as usize),
            _ => fleet.users.get(dx.dev.primary_user),
        };
        if let Some(user) = user {
            let dev = dx.dev;
            crate::identity::query(
                dx.out,
                dx.rng,
                fleet,
                t + SEC,
                user,
                dev,
                action,
                qtype,
                &target,
                query,
                protocol,
            )?;
        }
    }
    if let Some(tool) = sysinternals_key(bin)
        && lower.contains("accepteula")
    {
        let hive = if dx.st.procs[p].acct == Acct::System || sid.is_empty() {
            "S-1-5-18"
        } else {
            sid
        };
        let key = format!(r"HKEY_CURRENT_USER\{hive}\Software\Sysinternals\{tool}");
        set(dx, p, t + SEC / 4, &key, "EulaAccepted", "Dword", "1")?;
    }
    if spelled {
        return Ok(());
    }
    // `schtasks /create /s server …` registers the task on another host.
    if bin == Bin::Schtasks && lower.contains("/create") && arg_after(cmd, "/s").is_none() {
        let (Some(name), Some(svc)) = (arg_after(cmd, "/tn"), dx.find(Role::SvcSchedule)) else {
            return Ok(());
        };
        let name = name.trim_start_matches('\\');
        let tree = format!(
            r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\{name}"
        );
        let id = format!("{{{}}}", crate::fleet::guid(dx.rng));
        key_created(dx, svc, t + SEC, &tree)?;
        set(dx, svc, t + SEC, &tree, "Id", "String", &id)?;
        set(dx, svc, t + SEC, &tree, "Index", "Dword", "3")?;
        let path = format!(r"C:\Windows\System32\Tasks\{name}");
        let op = FileOp {
            action: "FileCreated",
            path: &path,
            size: dx.rng.range(2_000, 5_000),
            ..Default::default()
        };
        file(dx, svc, t + SEC, &op)?;
    }
    if bin == Bin::Sc {
        let Some((name, image)) = sc_service(cmd) else {
            return Ok(());
        };
        let Some(scm) = dx.find(Role::Services) else {
            return Ok(());
        };
        let key = format!(r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\{name}");
        if lower.contains("create ") {
            key_created(dx, scm, t + SEC / 2, &key)?;
            set(dx, scm, t + SEC / 2, &key, "Type", "Dword", "16")?;
            set(dx, scm, t + SEC / 2, &key, "Start", "Dword", "3")?;
            set(
                dx,
                scm,
                t + SEC / 2,
                &key,
                "ObjectName",
                "String",
                "LocalSystem",
            )?;
        }
        set(
            dx,
            scm,
            t + SEC / 2,
            &key,
            "ImagePath",
            "ExpandString",
            image,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_names_and_service_paths_are_read_from_command_lines() {
        let c = r#"schtasks /create /sc minute /mo 30 /tn "Skype Updater" /tr "x.exe" /f"#;
        assert_eq!(arg_after(c, "/tn"), Some("Skype Updater"));
        assert_eq!(
            arg_after("schtasks /Create /TN Upd /TR a", "/tn"),
            Some("Upd")
        );
        assert_eq!(arg_after("schtasks /tnx a", "/tn"), None);
        let s = r#"sc create WinUpd binPath= "C:\ProgramData\u.exe -k" start= auto"#;
        assert_eq!(sc_service(s), Some(("WinUpd", r"C:\ProgramData\u.exe -k")));
        let s = r"sc.exe config Spooler binpath= C:\Users\Public\s.exe";
        assert_eq!(sc_service(s), Some(("Spooler", r"C:\Users\Public\s.exe")));
        assert_eq!(sc_service("sc query state= all"), None);
        let remote = r#"sc \\fs01 create upd binPath= "C:\Windows\Temp\upd.exe""#;
        assert_eq!(sc_service(remote), None);
        assert_eq!(
            arg_after("schtasks /create /s fs01 /tn x", "/s"),
            Some("fs01")
        );
        assert_eq!(arg_after("schtasks /create /sc daily /tn x", "/s"), None);
        let q = directory_query(r#"net group "Domain Admins" /domain"#).map(|q| (q.1, q.2));
        assert_eq!(q, Some(("QueryGroup", "Domain Admins".to_string())));
        assert_eq!(
            directory_query("rubeus.exe kerberoast /nowrap").map(|q| q.4),
            Some("Ldap")
        );
        assert!(directory_query("net group").is_none());
    }
}
