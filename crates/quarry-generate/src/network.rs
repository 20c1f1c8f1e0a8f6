//! DeviceNetworkEvents: connections made, accepted and listened for by the device's
//! processes, with the remote endpoints each kind of process talks to.

use crate::GenerateError;
use crate::ctx::{Dx, Role, fill_device, fill_initiating};
use crate::out::T;

/// A remote endpoint: host name, its addresses, port.
pub type Endpoint = (&'static str, &'static [&'static str], i64);

pub const BROWSING: &[Endpoint] = &[
    (
        "www.google.com",
        &["142.250.181.228", "142.250.179.196"],
        443,
    ),
    ("www.bing.com", &["13.107.21.200", "204.79.197.200"], 443),
    ("www.microsoft.com", &["23.35.229.160"], 443),
    ("www.linkedin.com", &["13.107.42.14"], 443),
    ("github.com", &["140.82.121.4", "140.82.121.3"], 443),
    ("stackoverflow.com", &["104.18.32.7"], 443),
    ("www.youtube.com", &["142.250.185.110"], 443),
    ("www.bbc.co.uk", &["151.101.0.81"], 443),
    ("www.reuters.com", &["23.212.249.7"], 443),
    ("fonts.gstatic.com", &["142.250.185.163"], 443),
    ("ajax.googleapis.com", &["142.250.186.138"], 443),
    ("cdn.jsdelivr.net", &["151.101.1.229"], 443),
    ("www.office.com", &["52.98.87.226"], 443),
    (
        "login.microsoftonline.com",
        &["20.190.159.2", "40.126.32.136"],
        443,
    ),
    ("aadcdn.msftauth.net", &["152.199.4.33"], 443),
    ("docs.google.com", &["142.250.186.46"], 443),
    ("web.whatsapp.com", &["157.240.247.60"], 443),
    ("www.amazon.com", &["54.239.28.85"], 443),
    ("update.googleapis.com", &["142.250.184.227"], 443),
    ("edge.microsoft.com", &["13.107.6.158"], 443),
    ("zoom.us", &["170.114.52.2"], 443),
    ("www.salesforce.com", &["104.109.10.129"], 443),
    ("slack.com", &["3.67.17.200"], 443),
    ("ocsp.digicert.com", &["192.229.211.108"], 80),
];
const MAIL: &[Endpoint] = &[
    (
        "outlook.office365.com",
        &["52.97.146.178", "40.99.204.34"],
        443,
    ),
    ("outlook.office.com", &["52.96.164.178"], 443),
    ("substrate.office.com", &["52.97.201.226"], 443),
    ("autodiscover.outlook.com", &["52.96.111.82"], 443),
    ("login.microsoftonline.com", &["20.190.159.2"], 443),
    ("nexusrules.officeapps.live.com", &["52.111.236.22"], 443),
];
const CHAT: &[Endpoint] = &[
    ("teams.microsoft.com", &["52.113.194.132"], 443),
    ("presence.teams.microsoft.com", &["52.112.238.153"], 443),
    (
        "trouter-neu-a.trouter.teams.microsoft.com",
        &["52.114.128.43"],
        443,
    ),
    ("statics.teams.cdn.office.net", &["13.107.246.40"], 443),
    (
        "api.flightproxy.teams.microsoft.com",
        &["52.112.121.5"],
        3478,
    ),
];
const SYNC: &[Endpoint] = &[
    (
        "contoso-my.sharepoint.com",
        &["13.107.136.9", "13.107.138.9"],
        443,
    ),
    ("contoso.sharepoint.com", &["13.107.136.9"], 443),
    ("oneclient.sfx.ms", &["13.107.6.171"], 443),
    ("g.live.com", &["13.107.42.13"], 443),
];
const OFFICE: &[Endpoint] = &[
    ("officeclient.microsoft.com", &["52.109.8.89"], 443),
    ("roaming.officeapps.live.com", &["52.109.76.243"], 443),
    ("ecs.office.com", &["52.113.194.133"], 443),
    ("contoso.sharepoint.com", &["13.107.136.9"], 443),
];
const DEFENDER: &[Endpoint] = &[
    ("wdcp.microsoft.com", &["20.54.24.148"], 443),
    ("wdcpalt.microsoft.com", &["20.54.88.152"], 443),
    ("definitionupdates.microsoft.com", &["13.107.4.50"], 443),
];
const SENSE: &[Endpoint] = &[
    ("winatp-gw-eus.microsoft.com", &["20.42.73.29"], 443),
    ("us-v20.events.data.microsoft.com", &["20.189.173.2"], 443),
    (
        "automatedirstrprdeus.blob.core.windows.net",
        &["20.150.89.4"],
        443,
    ),
];
const WINDOWS: &[Endpoint] = &[
    (
        "settings-win.data.microsoft.com",
        &["20.42.65.85", "51.104.136.2"],
        443,
    ),
    ("v10.events.data.microsoft.com", &["20.42.65.88"], 443),
    ("login.live.com", &["20.190.160.17"], 443),
    ("ctldl.windowsupdate.com", &["93.184.221.240"], 80),
    ("crl.microsoft.com", &["23.215.0.136"], 80),
    ("2.tlu.dl.delivery.mp.microsoft.com", &["152.195.38.76"], 80),
    ("fe3cr.delivery.mp.microsoft.com", &["20.12.23.50"], 443),
    ("time.windows.com", &["168.61.215.74"], 123),
];
const LINUX: &[Endpoint] = &[
    ("archive.ubuntu.com", &["91.189.91.82"], 80),
    ("security.ubuntu.com", &["185.125.190.39"], 80),
    ("packages.microsoft.com", &["13.80.99.124"], 443),
    ("hc-ping.com", &["104.21.8.102"], 443),
];

/// One connection to record.
#[derive(Debug, Clone, Copy)]
pub struct Conn<'a> {
    pub action: &'static str,
    pub remote_ip: &'a str,
    pub remote_port: i64,
    pub url: &'a str,
    pub local_port: i64,
    pub protocol: &'static str,
    pub additional: &'a str,
}

fn ip_type(ip: &str) -> &'static str {
    if ip.starts_with("10.")
        || ip.starts_with("192.168.")
        || ip.starts_with("172.16.")
        || ip.starts_with("fe80:")
    {
        "Private"
    } else if ip.starts_with("127.") || ip == "::1" {
        "Loopback"
    } else if ip == "0.0.0.0" || ip == "::" {
        "Reserved"
    } else {
        "Public"
    }
}

/// One DeviceNetworkEvents row from process `p` at `t`.
pub fn net(dx: &mut Dx, p: usize, t: i64, conn: &Conn) -> Result<(), GenerateError> {
    let rid = dx.report_id();
    let t = dx.clock.clamp(t);
    let (fleet, cat, dev) = (dx.fleet, dx.cat, dx.dev);
    let Some(proc_) = dx.st.procs.get(p) else {
        return Ok(());
    };
    let w = dx.out.begin(T::DeviceNetworkEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(c.ActionType, conn.action);
    if conn.action == "ListeningConnectionCreated" {
        r.s(c.LocalIP, "0.0.0.0");
        r.s(c.LocalIPType, "Reserved");
    } else {
        r.s(c.RemoteIP, conn.remote_ip);
        r.n(c.RemotePort, conn.remote_port);
        r.s(c.RemoteIPType, ip_type(conn.remote_ip));
        r.s(c.LocalIP, &dev.ip_text);
        r.s(c.LocalIPType, "Private");
    }
    if !conn.url.is_empty() {
        r.s(c.RemoteUrl, conn.url);
    }
    r.n(c.LocalPort, conn.local_port);
    r.s(c.Protocol, conn.protocol);
    fill_initiating(r, c, fleet, cat, dev, proc_);
    r.n(c.ReportId, rid);
    if !conn.additional.is_empty() {
        r.s(c.AdditionalFields, conn.additional);
    }
    dx.out.commit(T::DeviceNetworkEvents)
}

fn endpoints_for(role: Role, posix: bool) -> &'static [Endpoint] {
    match role {
        Role::Browser => BROWSING,
        Role::Mail => MAIL,
        Role::Chat => CHAT,
        Role::Sync => SYNC,
        Role::Office => OFFICE,
        Role::Defender => DEFENDER,
        Role::Sense => SENSE,
        Role::Daemon | Role::Shell if posix => LINUX,
        _ => WINDOWS,
    }
}

/// Network weight of a process role (how much of the device's traffic it makes).
pub fn weight(role: Role) -> u32 {
    match role {
        Role::Browser => 40,
        Role::Mail | Role::Chat => 14,
        Role::Sync => 10,
        Role::Office => 4,
        Role::Sense | Role::Defender => 6,
        Role::SvcNet | Role::Lsass | Role::Server => 10,
        Role::Explorer | Role::SvcNetsvcs | Role::Daemon => 3,
        Role::Shell => 2,
        _ => 1,
    }
}

fn ephemeral(dx: &mut Dx) -> i64 {
    dx.rng.range(49_152, 65_535)
}

/// A background connection by process `p`, shaped by its role.
pub fn background_conn(dx: &mut Dx, p: usize) -> Result<(), GenerateError> {
    let Some(pr) = dx.st.procs.get(p) else {
        return Ok(());
    };
    let role = pr.role;
    let posix = pr.bin.is_posix();
    let t = dx.time_in(p);
    let lp = ephemeral(dx);
    // Domain traffic: DNS, Kerberos, LDAP, SMB towards the DCs and file server.
    let internal = match role {
        Role::SvcNet => dx.rng.chance(0.5),
        Role::Lsass => true,
        Role::Explorer => dx.rng.chance(0.5),
        _ => false,
    };
    if internal && !dx.fleet.dcs.is_empty() && !posix {
        let dc_i = *dx.rng.pick(&dx.fleet.dcs);
        let (port, proto) = match role {
            Role::SvcNet => (53, "Udp"),
            Role::Lsass => *dx
                .rng
                .pick(&[(88, "Tcp"), (389, "Tcp"), (445, "Tcp"), (135, "Tcp")]),
            _ => (445, "Tcp"),
        };
        let target = if port == 445 && role == Role::Explorer {
            dx.fleet
                .devices
                .iter()
                .find(|d| d.role == "file")
                .map(|d| d.index)
                .unwrap_or(dc_i)
        } else {
            dc_i
        };
        let Some(dst) = dx.fleet.devices.get(target) else {
            return Ok(());
        };
        let ip = dst.ip_text.clone();
        let url = if port == 53 {
            String::new()
        } else {
            dst.name.clone()
        };
        let conn = Conn {
            action: "ConnectionSuccess",
            remote_ip: &ip,
            remote_port: port,
            url: &url,
            local_port: lp,
            protocol: proto,
            additional: "",
        };
        return net(dx, p, t, &conn);
    }
    let list = endpoints_for(role, posix);
    let (host, ips, port) = *dx.rng.pick(list);
    let ip = *dx.rng.pick(ips);
    let roll = dx.rng.f64();
    let action = if roll < 0.92 {
        "ConnectionSuccess"
    } else if roll < 0.97 {
        "ConnectionFailed"
    } else {
        "ConnectionAttempt"
    };
    let url = if dx.rng.chance(0.85) { host } else { "" };
    let proto = if port == 123 || port == 3478 {
        "Udp"
    } else {
        "Tcp"
    };
    let conn = Conn {
        action,
        remote_ip: ip,
        remote_port: port,
        url,
        local_port: lp,
        protocol: proto,
        additional: "",
    };
    net(dx, p, t, &conn)?;
    // Network protection inspects some HTTP/TLS sessions.
    if action == "ConnectionSuccess" && dx.rng.chance(0.04) && !posix {
        let add = if port == 80 {
            format!(
                r#"{{"direction":"Out","host":"{host}","method":"GET","status_code":"200","uri":"/","user_agent":"Microsoft-CryptoAPI/10.0","version":"1.1"}}"#
            )
        } else {
            format!(
                r#"{{"direction":"Out","server_name":"{host}","established":true,"version":"TLSv12","ja3":"{}"}}"#,
                crate::fleet::hex(dx.rng, 32)
            )
        };
        let kind = if port == 80 {
            "HttpConnectionInspected"
        } else {
            "SslConnectionInspected"
        };
        let conn = Conn {
            action: kind,
            remote_ip: ip,
            remote_port: port,
            url: "",
            local_port: lp,
            protocol: "Tcp",
            additional: &add,
        };
        net(dx, p, t + 1, &conn)?;
    }
    Ok(())
}

/// Inbound traffic a server (or workstation) accepts, and its listening sockets.
pub fn inbound(dx: &mut Dx, n: usize) -> Result<(), GenerateError> {
    let dev = dx.dev;
    let (proc_role, port) = match (dev.kind, dev.role) {
        (crate::fleet::Kind::DomainController, _) => (Role::Lsass, 389),
        (_, "sql") => (Role::Server, 1433),
        (_, "web") | (_, "app") => (Role::Server, 443),
        (crate::fleet::Kind::Linux, _) => (Role::Server, 443),
        (_, "file") | (_, "backup") | (_, "print") => (Role::Lsass, 445),
        _ => (Role::SvcTerm, 3389),
    };
    let Some(p) = dx.find(proc_role) else {
        return Ok(());
    };
    let n_dev = dx.fleet.devices.len();
    for k in 0..n {
        let t = dx.time_in(p);
        let public = port == 443 && (dev.kind == crate::fleet::Kind::Linux || dx.rng.chance(0.5));
        let src_ip = if public {
            format!(
                "{}.{}.{}.{}",
                dx.rng.range(24, 200),
                dx.rng.range(1, 254),
                dx.rng.range(1, 254),
                dx.rng.range(1, 254)
            )
        } else {
            let i = dx.rng.index(n_dev);
            dx.fleet
                .devices
                .get(i)
                .map(|d| d.ip_text.clone())
                .unwrap_or_default()
        };
        if src_ip == dev.ip_text || (port == 3389 && k > 0) {
            continue;
        }
        let rp = ephemeral(dx);
        let action = if port == 3389 {
            "ListeningConnectionCreated"
        } else {
            "InboundConnectionAccepted"
        };
        let conn = Conn {
            action,
            remote_ip: &src_ip,
            remote_port: rp,
            url: "",
            local_port: port,
            protocol: "Tcp",
            additional: "",
        };
        net(dx, p, t, &conn)?;
    }
    Ok(())
}
