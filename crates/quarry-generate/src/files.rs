//! DeviceFileEvents, DeviceRegistryEvents and DeviceImageLoadEvents.

use crate::GenerateError;
use crate::catalog::Bin;
use crate::ctx::{Acct, Dx, Role, fill_device, fill_initiating};
use crate::fleet::hex;
use crate::out::T;

/// One file operation to record.
#[derive(Debug, Clone, Default)]
pub struct FileOp<'a> {
    pub action: &'static str,
    /// Full path including the file name.
    pub path: &'a str,
    pub sha1: Option<&'a str>,
    pub sha256: Option<&'a str>,
    pub md5: Option<&'a str>,
    pub size: i64,
    pub origin_url: Option<&'a str>,
    pub referrer: Option<&'a str>,
    pub origin_ip: Option<&'a str>,
    pub previous_path: Option<&'a str>,
    pub share: Option<(&'a str, &'a str)>,
    pub additional: Option<&'a str>,
}

fn split_path(path: &str) -> (&str, &str) {
    match path.rfind(['\\', '/']) {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// One DeviceFileEvents row by process `p`.
pub fn file(dx: &mut Dx, p: usize, t: i64, op: &FileOp) -> Result<(), GenerateError> {
    let rid = dx.report_id();
    let t = dx.clock.clamp(t);
    let random_hashes = op.sha1.is_none() && op.action != "FileDeleted";
    let (h1, h256) = if random_hashes {
        (hex(dx.rng, 40), hex(dx.rng, 64))
    } else {
        (String::new(), String::new())
    };
    let (fleet, cat, dev) = (dx.fleet, dx.cat, dx.dev);
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    let w = dx.out.begin(T::DeviceFileEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(c.ActionType, op.action);
    let (_, name) = split_path(op.path);
    r.s(c.FileName, name);
    r.s(c.FolderPath, op.path);
    if random_hashes {
        r.s(c.SHA1, &h1);
        r.s(c.SHA256, &h256);
    } else {
        if let Some(v) = op.sha1 {
            r.s(c.SHA1, v);
        }
        if let Some(v) = op.sha256 {
            r.s(c.SHA256, v);
        }
        if let Some(v) = op.md5 {
            r.s(c.MD5, v);
        }
    }
    if let Some(u) = op.origin_url {
        r.s(c.FileOriginUrl, u);
    }
    if let Some(u) = op.referrer {
        r.s(c.FileOriginReferrerUrl, u);
    }
    if let Some(u) = op.origin_ip {
        r.s(c.FileOriginIP, u);
    }
    if let Some(prev) = op.previous_path {
        let (folder, pname) = split_path(prev);
        r.s(c.PreviousFolderPath, folder);
        r.s(c.PreviousFileName, pname);
    }
    if op.size > 0 {
        r.n(c.FileSize, op.size);
    }
    fill_initiating(r, c, fleet, cat, dev, pr);
    if let Some((proto, src)) = op.share {
        r.s(c.RequestProtocol, proto);
        r.s(c.RequestSourceIP, src);
        r.n(c.RequestSourcePort, 0);
        r.s(c.ShareName, "shared");
    } else {
        r.s(c.RequestProtocol, "Local");
    }
    let (an, ad, asid, _, _) = crate::ctx::acct_fields(fleet, dev, pr.acct);
    r.s(c.RequestAccountName, an);
    r.s(c.RequestAccountDomain, ad);
    if let Some(s) = asid {
        r.s(c.RequestAccountSid, s);
    }
    r.b(c.IsAzureInfoProtectionApplied, false);
    r.n(c.ReportId, rid);
    if let Some(a) = op.additional {
        r.s(c.AdditionalFields, a);
    }
    dx.out.commit(T::DeviceFileEvents)
}

const DL_EXT: &[(&str, i64)] = &[
    (".pdf", 240_000),
    (".docx", 80_000),
    (".xlsx", 60_000),
    (".zip", 2_400_000),
    (".msi", 19_000_000),
    (".png", 300_000),
    (".csv", 12_000),
];
const DL_NAMES: &[&str] = &[
    "report",
    "statement_2024",
    "quote",
    "presentation",
    "brochure",
    "setup",
    "export",
    "invoice",
    "datasheet",
    "agenda",
];

/// A background file operation by process `p`, shaped by its role.
pub fn background_file(dx: &mut Dx, p: usize) -> Result<(), GenerateError> {
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    let role = pr.role;
    let bin = pr.bin;
    let prof = dx.user_profile(pr.acct).to_string();
    let t = dx.time_in(p);
    let roll = dx.rng.f64();
    let action = if roll < 0.55 {
        "FileCreated"
    } else if roll < 0.85 {
        "FileModified"
    } else if roll < 0.93 {
        "FileRenamed"
    } else {
        "FileDeleted"
    };
    let n = dx.rng.below(1 << 24);
    let path = match role {
        Role::Browser if !bin.is_posix() => {
            let (ext, size) = *dx.rng.pick(DL_EXT);
            let name = *dx.rng.pick(DL_NAMES);
            let (host, _, _) = *dx.rng.pick(crate::network::BROWSING);
            let path = format!(r"C:\Users\{prof}\Downloads\{name}{ext}");
            let url = format!("https://{host}/files/{name}{ext}");
            let referrer = format!("https://{host}/");
            let zone = format!(
                r#"{{"FileType":"{}"}}"#,
                ext.trim_start_matches('.').to_ascii_uppercase()
            );
            let op = FileOp {
                action: "FileCreated",
                path: &path,
                size: size + dx.rng.range(0, size / 2),
                origin_url: Some(&url),
                referrer: Some(&referrer),
                additional: Some(&zone),
                ..Default::default()
            };
            return file(dx, p, t, &op);
        }
        Role::Office => format!(
            r"C:\Users\{prof}\AppData\Local\Microsoft\Windows\INetCache\Content.MSO\{:08X}.tmp",
            n
        ),
        Role::Mail => format!(
            r"C:\Users\{prof}\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\{}\{}",
            hex(dx.rng, 8).to_ascii_uppercase(),
            dx.rng.pick(&[
                "invoice.pdf",
                "agenda.docx",
                "image001.png",
                "Q3 figures.xlsx",
                "signature.jpg"
            ])
        ),
        Role::Sync => format!(
            r"C:\Users\{prof}\OneDrive - Contoso\Documents\{}",
            dx.rng.pick(&[
                "Project Plan.docx",
                "Budget.xlsx",
                "notes.txt",
                "Team Photo.jpg",
                "Roadmap.pptx"
            ])
        ),
        Role::Chat => format!(
            r"C:\Users\{prof}\AppData\Roaming\Microsoft\Teams\Cache\f_{:06x}",
            n
        ),
        Role::Defender => format!(
            r"C:\ProgramData\Microsoft\Windows Defender\Scans\History\Service\DetectionHistory\{:02}\{}",
            n % 30,
            hex(dx.rng, 32).to_ascii_uppercase()
        ),
        Role::Explorer => format!(
            r"C:\Users\{prof}\AppData\Roaming\Microsoft\Windows\Recent\{}.lnk",
            dx.rng.pick(&[
                "Project Plan.docx",
                "Downloads",
                "Q3 Budget.xlsx",
                "shared (\\\\srv-file-01) (Z)"
            ])
        ),
        Role::Server if bin == Bin::Sqlservr => format!(
            r"D:\Backup\{}_{}.bak",
            dx.rng.pick(&["CRM", "HR", "Finance"]),
            n % 1000
        ),
        Role::Server if bin == Bin::W3wp => format!(
            r"C:\inetpub\logs\LogFiles\W3SVC1\u_ex{}.log",
            240_000 + n % 1000
        ),
        Role::Server | Role::Daemon if bin.is_posix() => {
            format!("/var/log/nginx/access.log.{}", n % 10)
        }
        Role::Shell if bin.is_posix() => format!("/tmp/tmp.{}", hex(dx.rng, 10)),
        _ if bin.is_posix() => format!("/var/lib/mdatp/{}.bin", hex(dx.rng, 12)),
        _ => {
            let exe = dx.rng.pick(&[
                "CHROME.EXE-5FE9909D",
                "SVCHOST.EXE-7AC4F1D2",
                "OUTLOOK.EXE-2CBF5A9E",
                "TEAMS.EXE-8B1D0C4F",
                "CMD.EXE-0BD30981",
                "POWERSHELL.EXE-59FC8F3D",
            ]);
            if dx.rng.chance(0.6) {
                format!(r"C:\Windows\Prefetch\{exe}.pf")
            } else {
                format!(
                    r"C:\Windows\Temp\{}.tmp",
                    hex(dx.rng, 8).to_ascii_uppercase()
                )
            }
        }
    };
    let prev;
    let previous = if action == "FileRenamed" {
        prev = format!("{path}~RF{:x}.TMP", n);
        Some(prev.as_str())
    } else {
        None
    };
    let size = if action == "FileDeleted" {
        0
    } else {
        dx.rng.range(1_000, 2_000_000)
    };
    let op = FileOp {
        action,
        path: &path,
        size,
        previous_path: previous,
        ..Default::default()
    };
    file(dx, p, t, &op)
}

/// One registry operation to record.
#[derive(Debug, Clone, Copy)]
pub struct RegOp<'a> {
    pub action: &'static str,
    pub key: &'a str,
    pub value_type: &'static str,
    pub name: &'a str,
    pub data: &'a str,
    pub previous_data: Option<&'a str>,
}

pub fn registry(dx: &mut Dx, p: usize, t: i64, op: &RegOp) -> Result<(), GenerateError> {
    let rid = dx.report_id();
    let t = dx.clock.clamp(t);
    let (fleet, cat, dev) = (dx.fleet, dx.cat, dx.dev);
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    let w = dx.out.begin(T::DeviceRegistryEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(c.ActionType, op.action);
    r.s(c.RegistryKey, op.key);
    if op.action.contains("Value") {
        r.s(c.RegistryValueType, op.value_type);
        r.s(c.RegistryValueName, op.name);
        r.s(c.RegistryValueData, op.data);
    }
    if let Some(prev) = op.previous_data {
        r.s(c.PreviousRegistryKey, op.key);
        r.s(c.PreviousRegistryValueName, op.name);
        r.s(c.PreviousRegistryValueData, prev);
    }
    fill_initiating(r, c, fleet, cat, dev, pr);
    r.n(c.ReportId, rid);
    dx.out.commit(T::DeviceRegistryEvents)
}

/// A background registry write by process `p`.
pub fn background_registry(dx: &mut Dx, p: usize) -> Result<(), GenerateError> {
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    let role = pr.role;
    let bin = pr.bin;
    let acct = pr.acct;
    let sid = match acct {
        Acct::User(i) => dx
            .fleet
            .users
            .get(i as usize)
            .map(|u| u.sid.clone())
            .unwrap_or_default(),
        _ => String::from("S-1-5-18"),
    };
    let hkcu = format!(r"HKEY_CURRENT_USER\{sid}");
    let t = dx.time_in(p);
    let n = dx.rng.below(100_000);
    let (key, vtype, name, data): (String, &str, String, String) = match role {
        Role::Explorer => (
            format!(r"{hkcu}\SOFTWARE\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\{}", dx.rng.pick(&[".docx", ".xlsx", ".pdf", "Folder"])),
            "Binary",
            "MRUListEx".into(),
            format!("{:02X}000000FFFFFFFF", n % 40),
        ),
        Role::Office => (
            format!(r"{hkcu}\SOFTWARE\Microsoft\Office\16.0\{}\Resiliency\StartupItems", dx.rng.pick(&["Word", "Excel", "PowerPoint"])),
            "Binary",
            format!("{:x}", n),
            hex(dx.rng, 24),
        ),
        Role::Sync => (
            format!(r"{hkcu}\SOFTWARE\Microsoft\Windows\CurrentVersion\Run"),
            "String",
            "OneDrive".into(),
            format!(r#""C:\Users\{}\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background"#, dx.user_profile(acct)),
        ),
        Role::Chat => (
            format!(r"{hkcu}\SOFTWARE\Microsoft\Office\Teams"),
            "Dword",
            "LoggedInOnce".into(),
            "1".into(),
        ),
        Role::Browser => (
            format!(r"{hkcu}\SOFTWARE\{}\PreferenceMACs\Default", if bin == Bin::Chrome { r"Google\Chrome" } else { r"Microsoft\Edge" }),
            "String",
            "homepage".into(),
            hex(dx.rng, 64).to_ascii_uppercase(),
        ),
        Role::Defender => (
            r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Defender\Signature Updates".into(),
            "String",
            "AVSignatureVersion".into(),
            format!("1.421.{}.0", 1000 + n % 900),
        ),
        Role::Sense => (
            r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Advanced Threat Protection\Status".into(),
            "Qword",
            "LastConnected".into(),
            format!("{}", 133_700_000_000_000_000u64 + dx.rng.below(100_000_000_000)),
        ),
        Role::SvcNetsvcs => (
            r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Group Policy\State\Machine\Extension-List\{00000000-0000-0000-0000-000000000000}".into(),
            "Dword",
            "EndTimeLo".into(),
            format!("{}", dx.rng.below(4_000_000_000)),
        ),
        _ => {
            let exe = *dx.rng.pick(&[r"\Device\HarddiskVolume3\Windows\System32\cmd.exe", r"\Device\HarddiskVolume3\Program Files\Google\Chrome\Application\chrome.exe", r"\Device\HarddiskVolume3\Windows\explorer.exe", r"\Device\HarddiskVolume3\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"]);
            let user_sid = dx.fleet.users.get(dx.dev.primary_user).map(|u| u.sid.clone()).unwrap_or_default();
            if dx.rng.chance(0.5) {
                (format!(r"HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\bam\State\UserSettings\{user_sid}"), "Binary", exe.into(), hex(dx.rng, 48).to_ascii_uppercase())
            } else {
                (
                    format!(r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\Microsoft\Windows\{}", dx.rng.pick(&["UpdateOrchestrator\\Schedule Scan", "WindowsUpdate\\Scheduled Start", "Defrag\\ScheduledDefrag"])),
                    "Binary",
                    "SD".into(),
                    hex(dx.rng, 40).to_ascii_uppercase(),
                )
            }
        }
    };
    let roll = dx.rng.f64();
    let action = if roll < 0.78 {
        "RegistryValueSet"
    } else if roll < 0.9 {
        "RegistryKeyCreated"
    } else if roll < 0.97 {
        "RegistryValueDeleted"
    } else {
        "RegistryKeyDeleted"
    };
    let op = RegOp {
        action,
        key: &key,
        value_type: vtype,
        name: &name,
        data: &data,
        previous_data: None,
    };
    registry(dx, p, t, &op)
}

pub fn image_load(dx: &mut Dx, p: usize, t: i64, dll: Bin) -> Result<(), GenerateError> {
    image_load_from(dx, p, t, dll, None)
}

/// Like [`image_load`], but `planted` is the full path of a lookalike copy outside the
/// DLL's own folder (DLL side-loading, search-order hijacking): same file name, its own
/// unsigned contents, so hashes derived from the path rather than the genuine binary's.
pub fn image_load_from(
    dx: &mut Dx,
    p: usize,
    t: i64,
    dll: Bin,
    planted: Option<&str>,
) -> Result<(), GenerateError> {
    let rid = dx.report_id();
    let t = dx.clock.clamp(t);
    let (fleet, cat, dev) = (dx.fleet, dx.cat, dx.dev);
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    let w = dx.out.begin(T::DeviceImageLoadEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(c.ActionType, "ImageLoaded");
    let d = dll.def();
    match planted {
        Some(path) => {
            let mut rng = crate::rng::Rng::new(crate::rng::hash_str(path));
            r.s(c.FileName, d.name);
            r.s(c.FolderPath, path);
            r.s(c.SHA1, &hex(&mut rng, 40));
            r.s(c.SHA256, &hex(&mut rng, 64));
            r.s(c.MD5, &hex(&mut rng, 32));
            r.n(c.FileSize, rng.range(60_000, 400_000));
        }
        None => {
            let h = cat.hashes(dll);
            r.s(c.FileName, d.name);
            r.with(c.FolderPath, |b| dll.path_into("", b));
            r.s(c.SHA1, &h.sha1);
            r.s(c.SHA256, &h.sha256);
            r.s(c.MD5, &h.md5);
            r.n(c.FileSize, d.size);
        }
    }
    fill_initiating(r, c, fleet, cat, dev, pr);
    r.n(c.ReportId, rid);
    dx.out.commit(T::DeviceImageLoadEvents)
}

/// The DLLs a process of this kind loads (that the sensor reports).
pub fn dlls_for(bin: Bin, role: Role) -> &'static [Bin] {
    match (bin, role) {
        (Bin::Powershell, _) => &[Bin::Amsi, Bin::Clr, Bin::Mscoree, Bin::Sma, Bin::Bcrypt],
        (Bin::Chrome, _) => &[Bin::ChromeElf, Bin::ChromeDll, Bin::Ws2_32, Bin::Crypt32],
        (Bin::Msedge, _) => &[Bin::MsedgeDll, Bin::Ws2_32, Bin::Crypt32],
        (_, Role::Office) | (_, Role::Mail) => &[Bin::Mso, Bin::Mpoav, Bin::Urlmon, Bin::Wininet],
        (Bin::WmiPrvSE, _) => &[Bin::Wmiutils, Bin::Combase, Bin::Amsi],
        (Bin::Wscript, _) | (Bin::Cscript, _) => &[Bin::Vbscript, Bin::Jscript, Bin::Amsi],
        (Bin::Mshta, _) => &[Bin::Vbscript, Bin::Jscript, Bin::Urlmon],
        (Bin::Sqlservr, _) => &[Bin::SqlSrvDll, Bin::Bcrypt],
        (Bin::Svchost, _) => &[Bin::Taskschd, Bin::Winhttp, Bin::Combase],
        (Bin::Lsass, _) => &[Bin::Samlib, Bin::Vaultcli, Bin::Bcrypt],
        (Bin::MsMpEng, _) | (Bin::MsSense, _) => &[Bin::Winhttp, Bin::Crypt32],
        _ => &[
            Bin::Kernel32,
            Bin::KernelBase,
            Bin::Ntdll,
            Bin::User32,
            Bin::Advapi32,
        ],
    }
}

/// An image load by process `p` (one of the DLLs its kind loads).
pub fn background_image(dx: &mut Dx, p: usize) -> Result<(), GenerateError> {
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    if pr.bin.is_posix() {
        return Ok(());
    }
    let list = dlls_for(pr.bin, pr.role);
    let dll = *dx.rng.pick(list);
    let t = if dx.rng.chance(0.5) {
        dx.clock.clamp(pr.create + dx.rng.range(1, 20_000_000))
    } else {
        dx.time_in(p)
    };
    image_load(dx, p, t, dll)
}
