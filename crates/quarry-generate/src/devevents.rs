//! DeviceEvents: the many sensor and security-control event types, each with the
//! `AdditionalFields` JSON it carries.

use crate::GenerateError;
use crate::catalog::Bin;
use crate::ctx::{Dx, Role, SEC, fill_device, fill_initiating, fill_process};
use crate::json::push_escaped;
use crate::out::T;

/// One DeviceEvents row; everything but `action` optional.
#[derive(Debug, Clone, Default)]
pub struct Ev<'a> {
    pub action: &'static str,
    /// A file the event is about: full path, and the binary if it is a known one.
    pub file: Option<&'a str>,
    pub file_bin: Option<Bin>,
    /// A process the event is about (index into the device's processes).
    pub target: Option<usize>,
    pub remote_url: Option<&'a str>,
    pub remote_ip: Option<&'a str>,
    pub remote_port: Option<i64>,
    pub local_port: Option<i64>,
    pub account: Option<(&'a str, &'a str, &'a str)>,
    pub registry: Option<(&'a str, &'a str, &'a str)>,
    pub origin_url: Option<&'a str>,
    pub additional: Option<&'a str>,
}

pub fn event(dx: &mut Dx, p: usize, t: i64, ev: &Ev) -> Result<(), GenerateError> {
    let rid = dx.report_id();
    let t = dx.clock.clamp(t);
    let (fleet, cat, dev) = (dx.fleet, dx.cat, dx.dev);
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    let target = ev.target.and_then(|i| dx.st.procs.get(i));
    let w = dx.out.begin(T::DeviceEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(c.ActionType, ev.action);
    if let Some(tp) = target {
        fill_process(r, c, fleet, cat, dev, tp);
    }
    if let Some(path) = ev.file {
        let name = path.rsplit(['\\', '/']).next().unwrap_or(path);
        r.s(c.FileName, name);
        r.s(c.FolderPath, path);
        if let Some(b) = ev.file_bin {
            let h = cat.hashes(b);
            r.s(c.SHA1, &h.sha1);
            r.s(c.SHA256, &h.sha256);
            r.s(c.MD5, &h.md5);
            r.n(c.FileSize, b.def().size);
        }
    }
    if let Some(u) = ev.remote_url {
        r.s(c.RemoteUrl, u);
    }
    if let Some(ip) = ev.remote_ip {
        r.s(c.RemoteIP, ip);
        r.s(c.LocalIP, &dev.ip_text);
    }
    if let Some(port) = ev.remote_port {
        r.n(c.RemotePort, port);
    }
    if let Some(port) = ev.local_port {
        r.n(c.LocalPort, port);
    }
    if let Some((name, domain, sid)) = ev.account {
        r.s(c.AccountName, name);
        r.s(c.AccountDomain, domain);
        r.s(c.AccountSid, sid);
    }
    if let Some((key, name, data)) = ev.registry {
        r.s(c.RegistryKey, key);
        r.s(c.RegistryValueName, name);
        r.s(c.RegistryValueData, data);
    }
    if let Some(u) = ev.origin_url {
        r.s(c.FileOriginUrl, u);
    }
    fill_initiating(r, c, fleet, cat, dev, pr);
    r.n(c.ReportId, rid);
    if let Some(a) = ev.additional {
        r.s(c.AdditionalFields, a);
    }
    dx.out.commit(T::DeviceEvents)
}

/// A `PowerShellCommand` event per cmdlet the script ran.
pub fn powershell_command(dx: &mut Dx, ps: usize, command: &str) -> Result<(), GenerateError> {
    let mut add = String::with_capacity(command.len() + 16);
    add.push_str("{\"Command\":\"");
    push_escaped(&mut add, command);
    add.push_str("\"}");
    let t = dx
        .st
        .procs
        .get(ps)
        .map(|p| p.create + 2 * SEC)
        .unwrap_or(dx.clock.lo);
    event(
        dx,
        ps,
        t,
        &Ev {
            action: "PowerShellCommand",
            additional: Some(&add),
            ..Default::default()
        },
    )
}

const PIPES: &[&str] = &[
    "srvsvc",
    "wkssvc",
    "lsarpc",
    "samr",
    "spoolss",
    "winreg",
    "mojo.5688.9144.1170925",
    "PSHost.133744.5520.DefaultAppDomain.powershell",
    "eventlog",
];

/// Everyday sensor events of a process (named pipes, shell links, browser launches...).
pub fn background_event(dx: &mut Dx, p: usize) -> Result<(), GenerateError> {
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    if pr.bin.is_posix() {
        return Ok(());
    }
    let role = pr.role;
    let profile = dx.user_profile(pr.acct).to_string();
    let t = dx.time_in(p);
    match role {
        Role::Explorer => {
            let doc = *dx.rng.pick(&[
                "Project Plan.docx",
                "Q3 Budget.xlsx",
                "Downloads",
                "Board Deck.pptx",
            ]);
            let path =
                format!(r"C:\Users\{profile}\AppData\Roaming\Microsoft\Windows\Recent\{doc}.lnk");
            let add = format!(
                r#"{{"ShellLinkCommandLine":"","ShellLinkIconPath":"","ShellLinkShowCommand":"1","ShellLinkWorkingDirectory":"C:\\Users\\{profile}\\Documents"}}"#
            );
            event(
                dx,
                p,
                t,
                &Ev {
                    action: "ShellLinkCreateFileEvent",
                    file: Some(&path),
                    additional: Some(&add),
                    ..Default::default()
                },
            )
        }
        Role::Mail | Role::Chat => {
            let (host, _, _) = *dx.rng.pick(crate::network::BROWSING);
            let url = format!("https://{host}/");
            if dx.rng.chance(0.7) {
                event(
                    dx,
                    p,
                    t,
                    &Ev {
                        action: "BrowserLaunchedToOpenUrl",
                        remote_url: Some(&url),
                        ..Default::default()
                    },
                )
            } else {
                event(
                    dx,
                    p,
                    t,
                    &Ev {
                        action: "GetClipboardData",
                        ..Default::default()
                    },
                )
            }
        }
        Role::Browser if dx.rng.chance(0.05) => {
            let add = r#"{"Experience":"Untrusted","ApplicationName":"","IsUserOverride":false}"#;
            event(
                dx,
                p,
                t,
                &Ev {
                    action: "SmartScreenUrlWarning",
                    remote_url: Some("http://free-pdf-converter.click/download"),
                    additional: Some(add),
                    ..Default::default()
                },
            )
        }
        Role::SvcNet if dx.rng.chance(0.5) => {
            let src = format!(
                "{}.{}.{}.{}",
                10,
                dx.rng.range(1, 30),
                dx.rng.range(1, 30),
                dx.rng.range(2, 250)
            );
            let port = *dx.rng.pick(&[137i64, 5353, 1900, 3702]);
            let add = r#"{"Profile":"Domain"}"#;
            event(
                dx,
                p,
                t,
                &Ev {
                    action: "FirewallInboundConnectionBlocked",
                    remote_ip: Some(&src),
                    remote_port: Some(port),
                    local_port: Some(port),
                    additional: Some(add),
                    ..Default::default()
                },
            )
        }
        _ => {
            let pipe = *dx.rng.pick(PIPES);
            let remote = pipe.len() <= 8;
            let add = format!(
                r#"{{"DesiredAccess":{},"FileOperation":"File opened","IsRemoteSession":false,"NamedPipeEnd":"Client","PipeName":"\\Device\\NamedPipe\\{pipe}","RemoteClientsAccess":"{}","SessionId":0,"ShareName":"{}","ThreadId":{}}}"#,
                1_180_063,
                if remote {
                    "AcceptRemote"
                } else {
                    "RejectRemote"
                },
                if remote { "IPC$" } else { "" },
                dx.rng.range(1000, 30000)
            );
            let path = format!(r"\Device\NamedPipe\{pipe}");
            event(
                dx,
                p,
                t,
                &Ev {
                    action: "NamedPipeEvent",
                    file: Some(&path),
                    additional: Some(&add),
                    ..Default::default()
                },
            )
        }
    }
}

/// Once-a-day and rare events of a Windows device.
pub fn daily(dx: &mut Dx, booted_today: bool) -> Result<(), GenerateError> {
    let Some(def) = dx.find(Role::Defender) else {
        return Ok(());
    };
    let t = dx.time_in(def);
    let add = r#"{"ScanTypeIndex":1,"ScanTypeName":"Quick","ScanParametersIndex":1,"ScanParametersName":"Quick scan"}"#;
    event(
        dx,
        def,
        t,
        &Ev {
            action: "AntivirusScanCompleted",
            additional: Some(add),
            ..Default::default()
        },
    )?;
    if booted_today {
        let Some(sense) = dx.find(Role::Sense) else {
            return Ok(());
        };
        let t = dx.time_in(sense);
        let add = r#"{"SystemGuardSecurityLevel":"Supported","ReportValidity":true,"BootDebugging":false,"KernelDebugging":false,"TestSigning":false,"FlightSigning":false,"HvciPolicy":"Enforced","SecureBoot":true,"IsEarlyLaunchAntiMalwareEnabled":true}"#;
        event(
            dx,
            sense,
            t,
            &Ev {
                action: "DeviceBootAttestationInfo",
                additional: Some(add),
                ..Default::default()
            },
        )?;
    }
    if dx.dev.kind == crate::fleet::Kind::Workstation && dx.rng.chance(0.04) {
        // A USB stick.
        let Some(ex) = dx.find(Role::Explorer) else {
            return Ok(());
        };
        let t = dx.time_in(ex);
        let serial = crate::fleet::hex(dx.rng, 16).to_ascii_uppercase();
        let pnp = format!(
            r#"{{"ClassName":"USB","DeviceDescription":"USB Mass Storage Device","DeviceId":"USB\\VID_0781&PID_5583\\{serial}","VendorIds":"USB\\VID_0781&PID_5583&REV_0100"}}"#
        );
        event(
            dx,
            ex,
            t,
            &Ev {
                action: "PnpDeviceConnected",
                additional: Some(&pnp),
                ..Default::default()
            },
        )?;
        let mount = format!(
            r#"{{"DriveLetter":"E:","BusType":7,"Manufacturer":"SanDisk","ProductName":"Ultra Fit","ProductRevision":"1.00","SerialNumber":"{serial}","Volume":"\\\\?\\Volume{{{}}}"}}"#,
            crate::fleet::guid(dx.rng)
        );
        event(
            dx,
            ex,
            t + 2 * SEC,
            &Ev {
                action: "UsbDriveMounted",
                additional: Some(&mount),
                ..Default::default()
            },
        )?;
    }
    if dx.rng.chance(0.02) {
        // A potentially unwanted application caught in Downloads.
        let Some(ex) = dx.find(Role::Explorer) else {
            return Ok(());
        };
        let t = dx.time_in(ex);
        let profile = dx.user_profile(dx.st.procs[ex].acct).to_string();
        let path = format!(r"C:\Users\{profile}\Downloads\FreePDFConverterSetup.exe");
        let add = r#"{"ThreatName":"PUA:Win32/Presenoker","WasExecutingWhileDetected":false,"WasRemediated":true,"Category":"PotentiallyUnwantedApplication","ReportSource":"Realtime"}"#;
        event(
            dx,
            def,
            t,
            &Ev {
                action: "AntivirusDetection",
                file: Some(&path),
                additional: Some(add),
                ..Default::default()
            },
        )?;
        let dev = dx.dev;
        let mut cx = crate::scenarios::acx!(dx);
        let alert = crate::alerts::Alert {
            title: "'Presenoker' unwanted software was prevented",
            category: "UnwantedSoftware",
            severity: "Low",
            service: crate::alerts::Service::EndpointAv,
            techniques: &[],
            t,
        };
        crate::alerts::raise(
            &mut cx,
            &alert,
            &[
                crate::alerts::Evidence::Machine(dev),
                crate::alerts::Evidence::File {
                    dev,
                    path: &path,
                    bin: None,
                },
            ],
        )?;
    }
    Ok(())
}
