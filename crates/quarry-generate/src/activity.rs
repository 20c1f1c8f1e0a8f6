//! The process trees of a device's day: boot chain, user logon and applications.
//! Background processes and admin tooling are in `tools.rs`, Linux and macOS in `posix.rs`.

use crate::GenerateError;
use crate::catalog::Bin;
use crate::ctx::{Acct, Dx, HOUR, MIN, Role, SEC, Spawn};
use crate::fleet::Kind;
use crate::logon;

type R<T = ()> = Result<T, GenerateError>;

const SVCHOSTS: &[(&str, Acct, Role)] = &[
    (
        r"C:\Windows\system32\svchost.exe -k DcomLaunch -p",
        Acct::System,
        Role::SvcDcom,
    ),
    (
        r"C:\Windows\system32\svchost.exe -k RPCSS -p",
        Acct::NetworkService,
        Role::Plain,
    ),
    (
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
        Acct::System,
        Role::SvcSchedule,
    ),
    (
        r"C:\Windows\System32\svchost.exe -k NetworkService -p -s Dnscache",
        Acct::NetworkService,
        Role::SvcNet,
    ),
    (
        r"C:\Windows\System32\svchost.exe -k LocalServiceNetworkRestricted -p -s EventLog",
        Acct::LocalService,
        Role::Plain,
    ),
    (
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s gpsvc",
        Acct::System,
        Role::SvcNetsvcs,
    ),
    (
        r"C:\Windows\System32\svchost.exe -k termsvcs -s TermService",
        Acct::NetworkService,
        Role::SvcTerm,
    ),
    (
        r"C:\Windows\system32\svchost.exe -k LocalSystemNetworkRestricted -p -s SysMain",
        Acct::System,
        Role::Plain,
    ),
    (
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv",
        Acct::System,
        Role::SvcNet,
    ),
    (
        r"C:\Windows\System32\svchost.exe -k LocalService -p -s BthAvctpSvc",
        Acct::LocalService,
        Role::Plain,
    ),
];

/// Boots a Windows device at `t`: System → smss → csrss/wininit/winlogon → services → ...
pub fn boot_windows(dx: &mut Dx, t: i64, life: i64) -> R {
    dx.st.procs.clear();
    dx.st.session = None;
    let sys = dx.root(Bin::System, 4, t, life, Role::Plain);
    let long = Spawn {
        life: Some(life),
        ..Default::default()
    };
    let smss = dx.spawn(
        sys,
        Bin::Smss,
        r"\SystemRoot\System32\smss.exe",
        t + 2 * SEC,
        Spawn {
            role: Some(Role::Smss),
            ..long.clone()
        },
    )?;
    dx.spawn(smss, Bin::Csrss, r"%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16", t + 3 * SEC, long.clone())?;
    let wininit = dx.spawn(
        smss,
        Bin::Wininit,
        "wininit.exe",
        t + 3 * SEC,
        Spawn {
            role: Some(Role::Wininit),
            ..long.clone()
        },
    )?;
    let winlogon = dx.spawn(
        smss,
        Bin::Winlogon,
        "winlogon.exe",
        t + 4 * SEC,
        Spawn {
            role: Some(Role::Winlogon),
            ..long.clone()
        },
    )?;
    let dwm = Spawn {
        acct: Some(Acct::Dwm),
        ..long.clone()
    };
    dx.spawn(winlogon, Bin::Dwm, r#""dwm.exe""#, t + 5 * SEC, dwm)?;
    let services = dx.spawn(
        wininit,
        Bin::Services,
        r"C:\Windows\system32\services.exe",
        t + 5 * SEC,
        Spawn {
            role: Some(Role::Services),
            ..long.clone()
        },
    )?;
    dx.spawn(
        wininit,
        Bin::Lsass,
        r"C:\Windows\system32\lsass.exe",
        t + 5 * SEC,
        Spawn {
            role: Some(Role::Lsass),
            ..long.clone()
        },
    )?;
    for (k, (cmd, acct, role)) in SVCHOSTS.iter().enumerate() {
        let o = Spawn {
            acct: Some(*acct),
            role: Some(*role),
            ..long.clone()
        };
        dx.spawn(services, Bin::Svchost, cmd, t + (6 + k as i64) * SEC, o)?;
    }
    dx.spawn(
        services,
        Bin::MsMpEng,
        r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe""#,
        t + 9 * SEC,
        Spawn {
            role: Some(Role::Defender),
            ..long.clone()
        },
    )?;
    dx.spawn(
        services,
        Bin::MsSense,
        r#""C:\Program Files\Windows Defender Advanced Threat Protection\MsSense.exe""#,
        t + 10 * SEC,
        Spawn {
            role: Some(Role::Sense),
            ..long.clone()
        },
    )?;
    dx.spawn(
        services,
        Bin::Spoolsv,
        r"C:\Windows\System32\spoolsv.exe",
        t + 11 * SEC,
        long.clone(),
    )?;
    let search = dx.spawn(
        services,
        Bin::SearchIndexer,
        r"C:\Windows\system32\SearchIndexer.exe /Embedding",
        t + 14 * SEC,
        long.clone(),
    )?;
    if dx.dev.kind == Kind::Workstation {
        dx.spawn(search, Bin::SearchProtocolHost, r#""C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe5_ Global\UsGthrCtrlFltPipeMssGthrPipe5 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 6.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon""#, t + 2 * MIN, Spawn::default())?;
    }
    match dx.dev.kind {
        Kind::DomainController => {
            let o = Spawn {
                role: Some(Role::Server),
                ..long.clone()
            };
            dx.spawn(
                services,
                Bin::Dns,
                r"C:\Windows\system32\dns.exe",
                t + 12 * SEC,
                o.clone(),
            )?;
            dx.spawn(
                services,
                Bin::Dfsrs,
                r"C:\Windows\system32\DFSRs.exe",
                t + 13 * SEC,
                o,
            )?;
        }
        Kind::Server => match dx.dev.role {
            "sql" => {
                let svc = sql_account(dx);
                let o = Spawn {
                    acct: Some(svc),
                    integrity: Some("High"),
                    role: Some(Role::Server),
                    ..long.clone()
                };
                dx.spawn(services, Bin::Sqlservr, r#""C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER"#, t + 15 * SEC, o)?;
            }
            "web" | "app" => {
                let o = Spawn {
                    acct: Some(Acct::NetworkService),
                    role: Some(Role::Server),
                    ..long.clone()
                };
                let svc = dx.find(Role::SvcNetsvcs).unwrap_or(services);
                dx.spawn(svc, Bin::W3wp, r#"c:\windows\system32\inetsrv\w3wp.exe -ap "DefaultAppPool" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm8f2a4c1e-5b3d-4f0e-9a61-2d7c8e0b4a57 -h "C:\inetpub\temp\apppools\DefaultAppPool\DefaultAppPool.config" -w "" -m 0"#, t + 40 * SEC, o)?;
            }
            _ => {}
        },
        _ => {}
    }
    dx.st.booted_until = t + life;
    Ok(())
}

fn sql_account(dx: &Dx) -> Acct {
    dx.fleet
        .users
        .iter()
        .position(|u| u.sam == "svc-sql")
        .map(|i| Acct::User(i as u32))
        .unwrap_or(Acct::NetworkService)
}

/// Interactive logon of the primary user at `t`: winlogon → userinit → explorer.
pub fn logon_windows(dx: &mut Dx, t: i64, until: i64) -> R<Option<usize>> {
    let Some(winlogon) = dx.find(Role::Winlogon) else {
        return Ok(None);
    };
    let user = dx.dev.primary_user;
    let is_admin = dx
        .fleet
        .users
        .get(user)
        .map(|u| u.is_admin)
        .unwrap_or(false);
    let logon_id = dx.rng.range(1_000_000, 90_000_000);
    let session = 1 + dx.rng.below(2) as i64;
    dx.st.session = Some((logon_id, session));
    if dx.rng.chance(0.06) {
        logon::device_logon(
            dx,
            t - 40 * SEC,
            "LogonFailed",
            "Interactive",
            user,
            None,
            Some("InvalidUserNameOrPassword"),
            winlogon,
        )?;
    }
    logon::device_logon(
        dx,
        t,
        "LogonSuccess",
        "Interactive",
        user,
        None,
        None,
        winlogon,
    )?;
    let o = Spawn {
        acct: Some(Acct::User(user as u32)),
        integrity: Some("Medium"),
        elevation: Some(if is_admin {
            "TokenElevationTypeLimited"
        } else {
            "TokenElevationTypeDefault"
        }),
        logon_id: Some(logon_id),
        session: Some(session),
        life: Some(20 * SEC),
        role: None,
        path: None,
        remote: None,
    };
    let userinit = dx.spawn(
        winlogon,
        Bin::Userinit,
        r"C:\Windows\system32\userinit.exe",
        t + 3 * SEC,
        o.clone(),
    )?;
    let ulife = Spawn {
        life: Some((until - t).max(HOUR)),
        ..o.clone()
    };
    let explorer = dx.spawn(
        userinit,
        Bin::Explorer,
        r"C:\Windows\Explorer.EXE",
        t + 4 * SEC,
        Spawn {
            role: Some(Role::Explorer),
            ..ulife.clone()
        },
    )?;
    if dx.rng.chance(0.3) {
        let script = format!(
            r#""C:\Windows\System32\WScript.exe" "\\{}\SysVol\{}\scripts\logon.vbs""#,
            dx.fleet.tenant.ad_domain, dx.fleet.tenant.ad_domain
        );
        dx.spawn(userinit, Bin::Wscript, &script, t + 5 * SEC, o.clone())?;
    }
    if let Some(dcom) = dx.find(Role::SvcDcom) {
        dx.spawn(
            dcom,
            Bin::RuntimeBroker,
            r"C:\Windows\System32\RuntimeBroker.exe -Embedding",
            t + 9 * SEC,
            ulife.clone(),
        )?;
    }
    if let Some(sched) = dx.find(Role::SvcSchedule) {
        dx.spawn(
            sched,
            Bin::Taskhostw,
            "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}",
            t + 10 * SEC,
            ulife.clone(),
        )?;
        dx.spawn(sched, Bin::Sihost, "sihost.exe", t + 6 * SEC, ulife.clone())?;
    }
    let profile = dx.user_profile(Acct::User(user as u32)).to_string();
    let od = format!(
        r#""C:\Users\{profile}\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background"#
    );
    dx.spawn(
        explorer,
        Bin::OneDrive,
        &od,
        t + 30 * SEC,
        Spawn {
            role: Some(Role::Sync),
            ..ulife.clone()
        },
    )?;
    let teams = format!(
        r#""C:\Users\{profile}\AppData\Local\Microsoft\Teams\current\Teams.exe" --process-start-args "--system-initiated""#
    );
    let tm = dx.spawn(
        explorer,
        Bin::Teams,
        &teams,
        t + 35 * SEC,
        Spawn {
            role: Some(Role::Chat),
            ..ulife.clone()
        },
    )?;
    let child = format!(
        r#""C:\Users\{profile}\AppData\Local\Microsoft\Teams\current\Teams.exe" --type=renderer --autoplay-policy=no-user-gesture-required --disable-background-timer-throttling --field-trial-handle=1736,i,{},{},131072 --lang=en-US --app-path="C:\Users\{profile}\AppData\Local\Microsoft\Teams\current\resources\app.asar" --renderer-client-id=5"#,
        dx.rng.next_u64() % 10_000_000_000_000_000,
        dx.rng.next_u64() % 10_000_000_000_000_000
    );
    dx.spawn(
        tm,
        Bin::Teams,
        &child,
        t + 38 * SEC,
        Spawn {
            role: Some(Role::Chat),
            ..ulife.clone()
        },
    )?;
    Ok(Some(explorer))
}

const DOCS: &[&str] = &[
    "Q3 Budget.xlsx",
    "Project Plan.docx",
    "Board Deck.pptx",
    "Vendor Contract.docx",
    "Sales Pipeline.xlsx",
    "Onboarding Checklist.docx",
    "Expense Report.xlsx",
    "Roadmap 2025.pptx",
    "Meeting Notes.docx",
    "Headcount.xlsx",
    "Invoice Tracker.xlsx",
    "Policy Draft v3.docx",
    "Customer List.xlsx",
    "Architecture Overview.docx",
];

/// The user's applications through the working day.
pub fn user_apps(dx: &mut Dx, explorer: usize, start: i64, end: i64) -> R {
    let user = dx.dev.primary_user;
    let profile = dx.user_profile(Acct::User(user as u32)).to_string();
    let span = (end - start).max(HOUR);
    let life = Spawn {
        life: Some(span),
        ..Default::default()
    };
    dx.spawn(
        explorer,
        Bin::Outlook,
        r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" "#,
        start + 2 * MIN,
        Spawn {
            role: Some(Role::Mail),
            ..life.clone()
        },
    )?;
    let use_chrome = dx.rng.chance(0.6);
    let (bin, cmd) = if use_chrome {
        (
            Bin::Chrome,
            r#""C:\Program Files\Google\Chrome\Application\chrome.exe" "#,
        )
    } else {
        (
            Bin::Msedge,
            r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --profile-directory=Default"#,
        )
    };
    let b = dx.spawn(
        explorer,
        bin,
        cmd,
        start + 4 * MIN,
        Spawn {
            role: Some(Role::Browser),
            ..life.clone()
        },
    )?;
    let exe = if use_chrome {
        r"C:\Program Files\Google\Chrome\Application\chrome.exe"
    } else {
        r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"
    };
    let net = format!(
        r#""{exe}" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=2104 --field-trial-handle=1960,i,{},{},262144 /prefetch:3"#,
        dx.rng.next_u64() % 1_000_000_000_000_000,
        dx.rng.next_u64() % 1_000_000_000_000_000
    );
    dx.spawn(
        b,
        bin,
        &net,
        start + 4 * MIN + 2 * SEC,
        Spawn {
            role: Some(Role::Browser),
            ..life.clone()
        },
    )?;
    for k in 0..dx.rng.range(2, 6) {
        let tab = format!(
            r#""{exe}" --type=renderer --lang=en-US --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id={} --time-ticks-at-unix-epoch=-{} --launch-time-ticks={} --field-trial-handle=1960,i,{},{},262144 /prefetch:1"#,
            7 + k,
            1_700_000_000_000_000 + dx.rng.below(10_000_000_000) as i64,
            dx.rng.below(100_000_000_000),
            dx.rng.next_u64() % 1_000_000_000_000_000,
            dx.rng.next_u64() % 1_000_000_000_000_000
        );
        let t = start + 5 * MIN + dx.rng.below(span as u64 / 2) as i64;
        let l = dx.rng.range(10 * MIN, 4 * HOUR);
        dx.spawn(
            b,
            bin,
            &tab,
            t,
            Spawn {
                role: Some(Role::Browser),
                life: Some(l),
                ..Default::default()
            },
        )?;
    }
    for _ in 0..dx.rng.range(1, 5) {
        let doc = *dx.rng.pick(DOCS);
        let folder = *dx.rng.pick(&[
            "Documents",
            "Downloads",
            "Desktop",
            "OneDrive - Contoso\\Documents",
        ]);
        let (bin, name) = if doc.ends_with("xlsx") {
            (Bin::Excel, "EXCEL.EXE")
        } else if doc.ends_with("pptx") {
            (Bin::Powerpnt, "POWERPNT.EXE")
        } else {
            (Bin::Winword, "WINWORD.EXE")
        };
        let cmd = if bin == Bin::Winword {
            format!(
                r#""C:\Program Files\Microsoft Office\root\Office16\{name}" /n "C:\Users\{profile}\{folder}\{doc}" /o """#
            )
        } else {
            format!(
                r#""C:\Program Files\Microsoft Office\root\Office16\{name}" "C:\Users\{profile}\{folder}\{doc}""#
            )
        };
        let t = start + dx.rng.below(span as u64) as i64;
        let l = dx.rng.range(5 * MIN, 3 * HOUR);
        dx.spawn(
            explorer,
            bin,
            &cmd,
            t,
            Spawn {
                role: Some(Role::Office),
                life: Some(l),
                ..Default::default()
            },
        )?;
    }
    if dx.dev.department == "Engineering" || dx.dev.department == "IT" {
        let cmd =
            format!(r#""C:\Users\{profile}\AppData\Local\Programs\Microsoft VS Code\Code.exe" "#);
        let t = start + dx.rng.below(span as u64 / 3) as i64;
        let code = dx.spawn(
            explorer,
            Bin::Code,
            &cmd,
            t,
            Spawn {
                life: Some(span / 2),
                ..Default::default()
            },
        )?;
        let ps = r#"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe -noexit -command "try { . \"c:\Users\PROFILE\AppData\Local\Programs\Microsoft VS Code\resources\app\out\vs\workbench\contrib\terminal\common\scripts\shellIntegration.ps1\" } catch {}""#.replace("PROFILE", &profile);
        let t2 = t + dx.rng.range(MIN, HOUR);
        dx.spawn(
            code,
            Bin::Powershell,
            &ps,
            t2,
            Spawn {
                role: Some(Role::Shell),
                life: Some(HOUR),
                ..Default::default()
            },
        )?;
    }
    if dx.rng.chance(0.25) {
        let t = start + dx.rng.below(span as u64) as i64;
        dx.spawn(
            explorer,
            Bin::Notepad,
            &format!(r#""C:\Windows\system32\NOTEPAD.EXE" C:\Users\{profile}\Desktop\notes.txt"#),
            t,
            Spawn::default(),
        )?;
    }
    Ok(())
}

pub use crate::posix::{linux_day, mac_day};
pub use crate::tools::{admin_tools, background, periodic};
