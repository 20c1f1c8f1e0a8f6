//! Attack scenarios embedded in the data, each named after its ATT&CK technique, planned
//! on chosen days and devices and raising their alerts.

mod brute;
mod creds;
mod exec;
mod impact;
mod lateral;
mod persist;
mod phish;
mod ttp;
mod ttp_implied;
mod ttp_names;
mod ttp_posix;
mod ttp_vars;

use crate::GenerateConfig;
use crate::GenerateError;
use crate::activity;
use crate::catalog::Catalog;
use crate::ctx::{DAY, DayClock, DevState, Dx, HOUR, MIN, Role};
use crate::fleet::{Fleet, Kind};
use crate::out::Out;
use crate::rng::{Rng, hash_str};

/// A documented scenario.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub name: &'static str,
    pub technique: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Workstation,
    ItWorkstation,
    Server,
}

const LIST: &[(Scenario, Needs)] = &[
    (
        Scenario {
            name: "encoded-powershell",
            technique: "T1059.001",
            description: "PowerShell started with -EncodedCommand (UTF-16LE base64) running a download cradle; PowerShellCommand events, C2 connection",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "certutil-download",
            technique: "T1105",
            description: "certutil -urlcache -split -f downloads payload.exe, which runs and beacons",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "lsass-dump",
            technique: "T1003.001",
            description: "LSASS memory dumped with comsvcs.dll MiniDump via rundll32 and with procdump; OpenProcessApiCall on lsass.exe",
        },
        Needs::Server,
    ),
    (
        Scenario {
            name: "scheduled-task-persistence",
            technique: "T1053.005",
            description: "schtasks /create of a hidden PowerShell task running as SYSTEM at logon; ScheduledTaskCreated, TaskCache registry keys",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "office-script-host",
            technique: "T1204.002",
            description: "A macro document opened from Outlook makes WINWORD.EXE start wscript.exe, which starts PowerShell; ASR audit event",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "rdp-lateral-movement",
            technique: "T1021.001",
            description: "mstsc.exe from a workstation to a server at night with an admin account; RemoteInteractive logon, remote-session processes",
        },
        Needs::ItWorkstation,
    ),
    (
        Scenario {
            name: "phishing-click-download",
            technique: "T1566.002",
            description: "Phishing email with link and attachment (T1566.001), delivered, clicked (UrlClickEvents), payload downloaded and run, then ZAP",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "ransomware-encryption",
            technique: "T1486",
            description: "Shadow copies deleted (T1490), mass FileRenamed to .lockbit, ransom notes README_RESTORE_FILES.txt",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "run-key-persistence",
            technique: "T1547.001",
            description: "reg.exe add of an HKCU Run value pointing at updater.exe in AppData, which then starts from explorer",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "wmi-remote-execution",
            technique: "T1047",
            description: "wmic /node process call create from an admin workstation; WmiPrvSE.exe children on the target",
        },
        Needs::ItWorkstation,
    ),
    (
        Scenario {
            name: "regsvr32-squiblydoo",
            technique: "T1218.010",
            description: "regsvr32 /s /n /u /i:http://... scrobj.dll fetching a remote scriptlet",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "mshta-remote-hta",
            technique: "T1218.005",
            description: "mshta.exe running a remote HTA that starts PowerShell",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "local-admin-account-created",
            technique: "T1136.001",
            description: "net user /add of a local account and net localgroup administrators /add (T1098); UserAccountCreated, UserAccountAddedToLocalGroup",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "domain-discovery",
            technique: "T1087.002",
            description: "whoami /all, net group \"Domain Admins\" /domain, nltest /domain_trusts, AdFind.exe; LDAP and SAMR queries at the DC",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "bitsadmin-rundll32",
            technique: "T1197",
            description: "bitsadmin /transfer downloads a DLL run with rundll32 through an unusual export (T1218.011)",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "inbox-rule-after-foreign-sign-in",
            technique: "T1564.008",
            description: "Sign-in from an unusual country, then New-InboxRule moving mail to RSS Feeds (CloudAppEvents)",
        },
        Needs::Workstation,
    ),
    (
        Scenario {
            name: "rdp-brute-force",
            technique: "T1110.001",
            description: "Public scanners guess common account names over exposed RDP at night: inbound 3389 connections, failed network logons from public IPs, then one success and a remote-interactive logon",
        },
        Needs::Server,
    ),
];

/// The scenarios the generator embeds (name, ATT&CK technique, description).
pub fn scenarios() -> Vec<Scenario> {
    LIST.iter().map(|(s, _)| *s).collect()
}

/// One planned occurrence.
#[derive(Debug, Clone)]
pub struct Planned {
    pub scenario: usize,
    pub day: u32,
    pub device: usize,
    pub target: usize,
    pub offset: i64,
    /// For an intrusion campaign: the procedures (indexes into the library) it runs.
    pub ttps: Vec<usize>,
}

/// Chooses the days and devices of every scenario's occurrences.
pub fn plan(cfg: &GenerateConfig, fleet: &Fleet) -> Vec<Planned> {
    let start = cfg.start_ticks();
    let first_midnight = start.div_euclid(DAY) * DAY;
    let n_days = ((cfg.end_ticks - first_midnight + DAY - 1) / DAY).max(1) as u32;
    let weekday = |d: u32| ((first_midnight / DAY + i64::from(d) + 3).rem_euclid(7)) as u32;
    let full_weekdays: Vec<u32> = (0..n_days)
        .filter(|d| weekday(*d) < 5 && *d > 0 && *d + 1 < n_days)
        .collect();
    let days: Vec<u32> = if full_weekdays.is_empty() {
        (0..n_days).collect()
    } else {
        full_weekdays
    };
    let ws: Vec<usize> = fleet
        .devices
        .iter()
        .filter(|d| d.kind == Kind::Workstation)
        .map(|d| d.index)
        .collect();
    let it: Vec<usize> = fleet
        .devices
        .iter()
        .filter(|d| d.kind == Kind::Workstation && d.department == "IT")
        .map(|d| d.index)
        .collect();
    let servers: Vec<usize> = fleet
        .devices
        .iter()
        .filter(|d| matches!(d.kind, Kind::Server | Kind::DomainController))
        .map(|d| d.index)
        .collect();
    let windows: Vec<usize> = fleet
        .devices
        .iter()
        .filter(|d| d.is_windows())
        .map(|d| d.index)
        .collect();
    let occurrences = ((cfg.devices as u64 * u64::from(cfg.days)) / 1500).clamp(1, 8) as usize;
    let mut out = Vec::new();
    for (k, (_, needs)) in LIST.iter().enumerate() {
        for j in 0..occurrences {
            let mut rng = Rng::derive(cfg.seed, &[hash_str("scenario"), k as u64, j as u64]);
            let pool: &[usize] = match needs {
                Needs::Workstation if !ws.is_empty() => &ws,
                Needs::ItWorkstation if !it.is_empty() => &it,
                Needs::ItWorkstation if !ws.is_empty() => &ws,
                Needs::Server if !servers.is_empty() => &servers,
                _ => &windows,
            };
            if pool.is_empty() {
                continue;
            }
            let device = *rng.pick(pool);
            let target_pool: &[usize] = if servers.is_empty() {
                &windows
            } else {
                &servers
            };
            let mut target = *rng.pick(target_pool);
            if target == device {
                target = *rng.pick(&windows);
            }
            let slot =
                (j * days.len()) / occurrences + rng.index((days.len() / occurrences).max(1));
            let day = days[slot.min(days.len() - 1)];
            let offset = rng.range(9 * HOUR + 30 * MIN, 16 * HOUR);
            out.push(Planned {
                scenario: k,
                day,
                device,
                target,
                offset,
                ttps: Vec::new(),
            });
        }
    }
    plan_campaigns(cfg, &days, &windows, &servers, &mut out);
    out
}

/// Intrusion campaigns and red-team exercises: every procedure of the library runs in
/// some of them (twice per 450 device-days, at least once), a handful per campaign in
/// kill-chain order, on a minority of the Windows devices.
fn plan_campaigns(
    cfg: &GenerateConfig,
    days: &[u32],
    windows: &[usize],
    servers: &[usize],
    out: &mut Vec<Planned>,
) {
    let Ok(lib) = ttp::library() else { return };
    if windows.is_empty() || days.is_empty() || lib.is_empty() {
        return;
    }
    let mut rng = Rng::derive(cfg.seed, &[hash_str("campaigns")]);
    // The devices intruders reach: about a third of the Windows fleet.
    let mut pool: Vec<usize> = windows
        .iter()
        .copied()
        .filter(|_| rng.chance(0.35))
        .collect();
    if pool.is_empty() {
        pool.push(*rng.pick(windows));
    }
    let rounds = ((cfg.devices as u64 * u64::from(cfg.days)) / 450).clamp(1, 4) as usize;
    // The last round is the intrusion still in progress when the window ends: its days
    // fall in the final working week, as an incident under investigation would (the
    // earlier rounds, spread over the whole window, are the past ones).
    let recent = &days[days.len().saturating_sub(5)..];
    for round in 0..rounds {
        let round_days = if round + 1 == rounds && !recent.is_empty() {
            recent
        } else {
            days
        };
        let mut order: Vec<usize> = (0..lib.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.index(i + 1));
        }
        for chunk in order.chunks(6) {
            let mut ttps = chunk.to_vec();
            ttps.sort_unstable();
            let device = *rng.pick(&pool);
            let target = if servers.is_empty() {
                device
            } else {
                *rng.pick(servers)
            };
            out.push(Planned {
                scenario: LIST.len(),
                day: *rng.pick(round_days),
                device,
                target,
                offset: rng.range(8 * HOUR, 18 * HOUR),
                ttps,
            });
        }
    }
}

/// Everything a scenario run can touch.
pub(crate) struct Run<'a, 's> {
    pub out: &'a mut Out<'s>,
    pub rng: &'a mut Rng,
    pub fleet: &'a Fleet,
    pub cat: &'a Catalog,
    pub states: &'a mut [DevState],
    pub clock: DayClock,
    pub p: &'a Planned,
}

impl<'a, 's> Run<'a, 's> {
    pub fn dx(&mut self, device: usize) -> Result<Dx<'_, 's>, GenerateError> {
        let dev = self
            .fleet
            .devices
            .get(device)
            .ok_or(GenerateError::Internal("scenario device"))?;
        let st = self
            .states
            .get_mut(device)
            .ok_or(GenerateError::Internal("scenario device state"))?;
        Ok(Dx {
            out: self.out,
            rng: self.rng,
            fleet: self.fleet,
            cat: self.cat,
            dev,
            st,
            clock: self.clock,
        })
    }

    /// The planned time of day as an instant.
    pub fn at(&self) -> i64 {
        self.clock.at(self.p.offset)
    }
}

pub fn run(
    p: &Planned,
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    cat: &Catalog,
    states: &mut [DevState],
    clock: DayClock,
) -> Result<(), GenerateError> {
    let mut r = Run {
        out,
        rng,
        fleet,
        cat,
        states,
        clock,
        p,
    };
    match p.scenario {
        0 => exec::encoded_powershell(&mut r),
        1 => exec::certutil_download(&mut r),
        2 => creds::lsass_dump(&mut r),
        3 => persist::scheduled_task(&mut r),
        4 => exec::office_script_host(&mut r),
        5 => lateral::rdp(&mut r),
        6 => phish::phishing(&mut r),
        7 => impact::ransomware(&mut r),
        8 => persist::run_key(&mut r),
        9 => lateral::wmi(&mut r),
        10 => exec::regsvr32(&mut r),
        11 => exec::mshta(&mut r),
        12 => creds::local_admin(&mut r),
        13 => creds::discovery(&mut r),
        14 => exec::bitsadmin_rundll32(&mut r),
        15 => phish::inbox_rule(&mut r),
        16 => brute::rdp_brute_force(&mut r),
        n if n == LIST.len() => ttp::campaign(&mut r),
        _ => Ok(()),
    }
}

/// The user's explorer.exe on the device, booting and logging on first if needed.
pub fn ensure_session(dx: &mut Dx, t: i64) -> Result<usize, GenerateError> {
    if let Some(e) = dx.find(Role::Explorer)
        && dx.st.procs[e].end > t
        && dx.st.procs[e].create < t
    {
        return Ok(e);
    }
    if dx
        .find(Role::Winlogon)
        .is_none_or(|w| dx.st.procs[w].end <= t || dx.st.procs[w].create >= t)
    {
        let boot = (t - 30 * MIN).max(dx.clock.lo);
        activity::boot_windows(dx, boot, 12 * HOUR)?;
    }
    let logon = dx
        .clock
        .clamp(t - 20 * MIN)
        .max(dx.st.procs.iter().map(|p| p.create).max().unwrap_or(t) + MIN);
    let until = logon + 8 * HOUR;
    match activity::logon_windows(dx, logon.min(t - MIN), until)? {
        Some(e) => Ok(e),
        None => Err(GenerateError::Internal("no session for scenario")),
    }
}

/// Attacker infrastructure: (host, IP).
pub const C2: (&str, &str) = ("update-cdn-check.com", "45.137.22.91");
pub const DROP: (&str, &str) = ("files-share-docs.net", "193.42.33.14");
pub const PHISH: (&str, &str) = ("msoffice365-login-verify.com", "104.234.118.12");

/// `powershell -enc` text: base64 of the UTF-16LE bytes.
pub fn encode_ps(script: &str) -> String {
    let bytes: Vec<u8> = script
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    base64(&bytes)
}

pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        s.push(A[(n >> 18) as usize & 63] as char);
        s.push(A[(n >> 12) as usize & 63] as char);
        s.push(if chunk.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        s.push(if chunk.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    s
}

/// An alerts context over a device-day context (fields borrowed separately so evidence
/// can point at the device's processes).
macro_rules! acx {
    ($dx:expr) => {
        crate::alerts::Ctx {
            out: &mut *$dx.out,
            rng: &mut *$dx.rng,
            fleet: $dx.fleet,
            cat: $dx.cat,
        }
    };
}
pub(crate) use acx;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_utf16() {
        assert_eq!(encode_ps("whoami"), "dwBoAG8AYQBtAGkA");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
