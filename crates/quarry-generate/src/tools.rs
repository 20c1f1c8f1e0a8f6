//! Background maintenance processes, the stream of short-lived helpers, admin tooling.

use crate::GenerateError;
use crate::admincmds::{ADMIN_CMDS, ADMIN_PS, expand};
use crate::catalog::Bin;
use crate::ctx::{Acct, DAY, Dx, HOUR, MIN, Role, SEC, Spawn};

type R<T = ()> = Result<T, GenerateError>;

/// Scheduled maintenance and system background processes.
pub fn background(dx: &mut Dx) -> R {
    let day_lo = dx.clock.lo;
    let sched = dx.find(Role::SvcSchedule);
    let dcom = dx.find(Role::SvcDcom);
    let sense = dx.find(Role::Sense);
    if let Some(s) = sched {
        for (bin, cmd, n) in [
            (
                Bin::MpCmdRun,
                r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe" -IdleTask -TaskName WdCacheMaintenance"#,
                1,
            ),
            (
                Bin::MpCmdRun,
                r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe" SignaturesUpdateService -ScheduleJob -UnmanagedUpdate"#,
                3,
            ),
            (
                Bin::EdgeUpdate,
                r#""C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /ua /installsource scheduler"#,
                2,
            ),
            (
                Bin::CompatTelRunner,
                r"C:\Windows\system32\compattelrunner.exe -m:appraiser.dll -f:DoScheduledTelemetryRun -cv:Gk0MvZ8hYkWbL8v1.2",
                1,
            ),
            (Bin::Taskhostw, "taskhostw.exe Install $(Arg0)", 1),
            (Bin::Gpupdate, "gpupdate.exe /target:computer", 1),
        ] {
            for _ in 0..n {
                let t = dx.clock.at(dx.rng.below(DAY as u64) as i64);
                dx.spawn(
                    s,
                    bin,
                    cmd,
                    t.max(day_lo),
                    Spawn {
                        acct: Some(Acct::System),
                        integrity: Some("System"),
                        ..Default::default()
                    },
                )?;
            }
        }
    }
    if let Some(d) = dcom {
        for _ in 0..dx.rng.range(2, 6) {
            let t = dx.clock.at(dx.rng.below(DAY as u64) as i64);
            let o = Spawn {
                acct: Some(Acct::NetworkService),
                integrity: Some("System"),
                role: Some(Role::Plain),
                life: Some(dx.rng.range(MIN, HOUR)),
                ..Default::default()
            };
            dx.spawn(
                d,
                Bin::WmiPrvSE,
                r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
                t,
                o,
            )?;
        }
        let t = dx.clock.at(dx.rng.below(DAY as u64) as i64);
        dx.spawn(
            d,
            Bin::Dllhost,
            r"C:\Windows\system32\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}",
            t,
            Spawn::default(),
        )?;
    }
    if let Some(s) = sense {
        // The EDR sensor's own PowerShell collection scripts.
        for _ in 0..dx.rng.range(0, 2) {
            let t = dx.clock.at(dx.rng.below(DAY as u64) as i64);
            let guid = crate::fleet::guid(dx.rng);
            let cmd = format!(
                r#"powershell.exe -ExecutionPolicy AllSigned -NoProfile -NonInteractive -Command "& {{$OutputEncoding = [Console]::OutputEncoding =[System.Text.Encoding]::UTF8;$scriptFileStream = [System.IO.File]::Open('C:\ProgramData\Microsoft\Windows Defender Advanced Threat Protection\DataCollection\8754.{n}.0.{n}-{guid}\{guid}.ps1', [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]::Read);$calculatedHash = Microsoft.PowerShell.Utility\Get-FileHash 'C:\ProgramData\Microsoft\Windows Defender Advanced Threat Protection\DataCollection\8754.{n}.0.{n}-{guid}\{guid}.ps1' -Algorithm SHA256;if (!($calculatedHash.Hash -eq '{h}')) {{ exit 323;}}; . 'C:\ProgramData\Microsoft\Windows Defender Advanced Threat Protection\DataCollection\8754.{n}.0.{n}-{guid}\{guid}.ps1' }}""#,
                n = 9_735_932 + dx.rng.below(1000),
                h = crate::fleet::hex(dx.rng, 64)
            );
            let ps = dx.spawn(
                s,
                Bin::Powershell,
                &cmd,
                t,
                Spawn {
                    life: Some(40 * SEC),
                    ..Default::default()
                },
            )?;
            let t2 = dx.st.procs[ps].create + SEC;
            dx.spawn(
                ps,
                Bin::Conhost,
                r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
                t2,
                Spawn::default(),
            )?;
        }
    }
    if dx.clock.weekday == 1 && dx.rng.chance(0.5) {
        // Patch Tuesday: the servicing stack runs.
        if let Some(svc) = dx.find(Role::Services) {
            let t = dx.clock.at(3 * HOUR + dx.rng.below(HOUR as u64) as i64);
            let ti = dx.spawn(
                svc,
                Bin::TrustedInstaller,
                r"C:\Windows\servicing\TrustedInstaller.exe",
                t,
                Spawn {
                    life: Some(HOUR),
                    ..Default::default()
                },
            )?;
            let tw = r"C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.5247_none_7e2a2b7b9b1a5c71\TiWorker.exe -Embedding";
            dx.spawn(
                ti,
                Bin::TiWorker,
                tw,
                t + MIN,
                Spawn {
                    life: Some(HOUR),
                    ..Default::default()
                },
            )?;
        }
    }
    Ok(())
}

/// Short-lived processes services and applications start all day long:
/// (parent role, binary, command line, weight).
const PERIODIC: &[(Role, Bin, &str, u32)] = &[
    (
        Role::SvcDcom,
        Bin::RuntimeBroker,
        r"C:\Windows\System32\RuntimeBroker.exe -Embedding",
        10,
    ),
    (
        Role::SvcDcom,
        Bin::Dllhost,
        r"C:\Windows\system32\DllHost.exe /Processid:{973D20D7-562D-44B9-B70B-5A0F49CCDF3F}",
        8,
    ),
    (
        Role::SvcDcom,
        Bin::WmiPrvSE,
        r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
        4,
    ),
    (
        Role::SvcSchedule,
        Bin::Taskhostw,
        "taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly",
        6,
    ),
    (
        Role::SvcSchedule,
        Bin::MpCmdRun,
        r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe" -wdenable"#,
        2,
    ),
    (
        Role::SvcSchedule,
        Bin::EdgeUpdate,
        r#""C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /c"#,
        2,
    ),
    (
        Role::Services,
        Bin::Svchost,
        r"C:\Windows\System32\svchost.exe -k netsvcs -p -s BITS",
        3,
    ),
    (
        Role::Services,
        Bin::Svchost,
        r"C:\Windows\System32\svchost.exe -k wusvcs -p -s WaaSMedicSvc",
        2,
    ),
    (
        Role::Services,
        Bin::Svchost,
        r"C:\Windows\system32\svchost.exe -k LocalService -p -s fdPHost",
        2,
    ),
    (
        Role::Services,
        Bin::Svchost,
        r"C:\Windows\System32\svchost.exe -k LocalSystemNetworkRestricted -p -s TrkWks",
        2,
    ),
    (Role::Browser, Bin::Chrome, "", 14),
    (
        Role::Shell,
        Bin::Conhost,
        r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
        3,
    ),
    (
        Role::Office,
        Bin::Splwow64,
        r#""C:\Windows\splwow64.exe" 8192"#,
        3,
    ),
];

/// The day's stream of short-lived helper processes (`n` of them).
pub fn periodic(dx: &mut Dx, n: usize) -> R {
    let lo = dx.clock.lo;
    let weights: Vec<((Role, Bin, &str), u32)> = PERIODIC
        .iter()
        .filter(|(role, bin, _, _)| {
            dx.find(*role).is_some() && !(*bin == Bin::SearchProtocolHost && dx.dev.is_server())
        })
        .map(|(role, bin, cmd, w)| ((*role, *bin, *cmd), *w))
        .collect();
    if weights.is_empty() {
        return Ok(());
    }
    for _ in 0..n {
        let (role, bin, cmd) = *dx.rng.weighted(&weights);
        // Pick one of the live processes of that role.
        let live: Vec<usize> = dx
            .st
            .procs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.role == role && p.end > lo && p.ppid != 0)
            .map(|(i, _)| i)
            .collect();
        let Some(&parent) = live.get(dx.rng.index(live.len().max(1))) else {
            continue;
        };
        let t = dx.time_in(parent);
        let life = Spawn {
            life: Some(dx.rng.range(2 * SEC, 10 * MIN)),
            ..Default::default()
        };
        match (role, bin) {
            (Role::Browser, _) => {
                let pb = dx.st.procs[parent].bin;
                let exe = dx.st.procs[parent].path.clone();
                let line = format!(
                    r#""{exe}" --type=renderer --lang=en-US --js-flags=--ms-user-locale= --device-scale-factor=1 --num-raster-threads=4 --renderer-client-id={} --launch-time-ticks={} --field-trial-handle=1960,i,{},{},262144 /prefetch:1"#,
                    dx.rng.range(10, 400),
                    dx.rng.below(100_000_000_000),
                    dx.rng.next_u64() % 1_000_000_000_000_000,
                    dx.rng.next_u64() % 1_000_000_000_000_000
                );
                dx.spawn(
                    parent,
                    pb,
                    &line,
                    t,
                    Spawn {
                        role: Some(Role::Browser),
                        ..life
                    },
                )?;
            }
            (Role::Services, _) => {
                let acct = if cmd.contains("LocalService") {
                    Acct::LocalService
                } else {
                    Acct::System
                };
                dx.spawn(
                    parent,
                    bin,
                    cmd,
                    t,
                    Spawn {
                        acct: Some(acct),
                        integrity: Some("System"),
                        ..life
                    },
                )?;
            }
            _ => {
                dx.spawn(parent, bin, cmd, t, life)?;
            }
        }
    }
    Ok(())
}

/// A few admin sessions: a shell (cmd or PowerShell) and commands run from it.
pub fn admin_tools(dx: &mut Dx, parent: usize, sessions: usize, elevated: bool) -> R {
    let acct = dx
        .st
        .procs
        .get(parent)
        .map(|p| p.acct)
        .unwrap_or(Acct::System);
    let profile = dx.user_profile(acct).to_string();
    for _ in 0..sessions {
        let t = dx.time_in(parent);
        let o = if elevated {
            Spawn {
                integrity: Some("High"),
                elevation: Some("TokenElevationTypeFull"),
                life: Some(30 * MIN),
                ..Default::default()
            }
        } else {
            Spawn {
                life: Some(30 * MIN),
                ..Default::default()
            }
        };
        if elevated && let Some(appinfo) = dx.find(Role::SvcNetsvcs) {
            let o2 = Spawn {
                acct: Some(Acct::System),
                integrity: Some("System"),
                life: Some(10 * SEC),
                ..Default::default()
            };
            let line = format!(
                "consent.exe {} 302 0000021A4F3C8E20",
                dx.st.procs[parent].pid
            );
            dx.spawn(appinfo, Bin::Consent, &line, t - 5 * SEC, o2)?;
        }
        if dx.rng.chance(0.5) {
            let shell = dx.spawn(
                parent,
                Bin::Cmd,
                r#""C:\Windows\system32\cmd.exe" "#,
                t,
                Spawn {
                    role: Some(Role::Shell),
                    ..o
                },
            )?;
            let t1 = dx.st.procs[shell].create + SEC;
            dx.spawn(
                shell,
                Bin::Conhost,
                r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
                t1,
                Spawn {
                    life: Some(30 * MIN),
                    ..Default::default()
                },
            )?;
            let mut tt = t1;
            for _ in 0..dx.rng.range(1, 4) {
                let (bin, tpl) = *dx.rng.pick(ADMIN_CMDS);
                let cmd = expand(dx, tpl, &profile);
                tt += dx.rng.range(10 * SEC, 5 * MIN);
                let child = dx.spawn(shell, bin, &cmd, tt, Spawn::default())?;
                if bin == Bin::Net && cmd.contains("/domain") {
                    let t2 = dx.st.procs[child].create + SEC / 5;
                    let c1 = cmd.replacen("net ", "net1 ", 1);
                    dx.spawn(child, Bin::Net1, &c1, t2, Spawn::default())?;
                }
            }
        } else {
            let tpl = *dx.rng.pick(ADMIN_PS);
            let cmd = expand(dx, tpl, &profile);
            let ps = dx.spawn(
                parent,
                Bin::Powershell,
                &cmd,
                t,
                Spawn {
                    role: Some(Role::Shell),
                    ..o
                },
            )?;
            let t1 = dx.st.procs[ps].create + SEC;
            dx.spawn(
                ps,
                Bin::Conhost,
                r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
                t1,
                Spawn::default(),
            )?;
            let command = cmd
                .split('"')
                .nth(1)
                .unwrap_or("Get-Service")
                .split(' ')
                .next()
                .unwrap_or("Get-Service")
                .to_string();
            crate::devevents::powershell_command(dx, ps, &command)?;
        }
    }
    Ok(())
}
