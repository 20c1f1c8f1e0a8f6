//! Lateral movement scenarios: RDP and remote WMI between two devices.

use super::{Run, acx, ensure_session};
use crate::GenerateError;
use crate::alerts::{Alert, Evidence, Service, raise};
use crate::catalog::Bin;
use crate::ctx::{Acct, HOUR, MIN, Role, SEC, Spawn};
use crate::identity;
use crate::logon::{From, device_logon};
use crate::network::{Conn, net};

type R = Result<(), GenerateError>;

/// The admin (`adm-`) account of the source device's user, or the first admin.
fn admin_of(r: &Run, device: usize) -> usize {
    let fleet = r.fleet;
    let sam = fleet
        .devices
        .get(device)
        .and_then(|d| fleet.users.get(d.primary_user))
        .map(|u| format!("adm-{}", u.sam))
        .unwrap_or_default();
    fleet
        .users
        .iter()
        .position(|u| u.sam == sam)
        .or_else(|| fleet.admins.first().copied())
        .unwrap_or(0)
}

pub fn rdp(r: &mut Run) -> R {
    // At night, when nobody watches.
    let t = r.clock.at(2 * HOUR + r.rng.range(0, 2 * HOUR));
    let (src_i, dst_i) = (r.p.device, r.p.target);
    let admin = admin_of(r, src_i);
    let fleet = r.fleet;
    let (Some(src), Some(dst)) = (fleet.devices.get(src_i), fleet.devices.get(dst_i)) else {
        return Ok(());
    };
    let mstsc_proc;
    {
        let mut dx = r.dx(src_i)?;
        let explorer = ensure_session(&mut dx, t)?;
        let m = dx.spawn(
            explorer,
            Bin::Mstsc,
            &format!(r#""C:\Windows\system32\mstsc.exe" /v:{}"#, dst.name),
            t,
            Spawn {
                life: Some(HOUR),
                ..Default::default()
            },
        )?;
        let t0 = dx.st.procs[m].create;
        let conn = Conn {
            action: "ConnectionSuccess",
            remote_ip: &dst.ip_text,
            remote_port: 3389,
            url: &dst.name,
            local_port: 55_123,
            protocol: "Tcp",
            additional: "",
        };
        net(&mut dx, m, t0 + 2 * SEC, &conn)?;
        mstsc_proc = dx.st.procs[m].clone();
    }
    let t1 = mstsc_proc.create + 5 * SEC;
    if let Some(u) = fleet.users.get(admin) {
        identity::ad_logon(
            r.out,
            r.rng,
            fleet,
            t1,
            u,
            src,
            Some(dst),
            "RemoteInteractive",
            "Kerberos",
            true,
        )?;
    }
    let mut dx = r.dx(dst_i)?;
    let Some(term) = dx.find(Role::SvcTerm) else {
        return Ok(());
    };
    let conn = Conn {
        action: "InboundConnectionAccepted",
        remote_ip: &src.ip_text,
        remote_port: 55_123,
        url: "",
        local_port: 3389,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, term, t1, &conn)?;
    let from = From {
        device: Some(src_i),
        ip: src.ip_text.clone(),
        port: 55_123,
    };
    device_logon(
        &mut dx,
        t1 + SEC,
        "LogonSuccess",
        "RemoteInteractive",
        admin,
        Some(&from),
        None,
        term,
    )?;
    let Some(winlogon) = dx.find(Role::Winlogon) else {
        return Ok(());
    };
    let o = Spawn {
        acct: Some(Acct::User(admin as u32)),
        integrity: Some("High"),
        elevation: Some("TokenElevationTypeFull"),
        logon_id: Some(dx.rng.range(1_000_000, 90_000_000)),
        session: Some(3),
        life: Some(HOUR),
        role: Some(Role::Explorer),
        remote: Some((src_i, src.ip_text.clone())),
        ..Default::default()
    };
    let ex = dx.spawn(
        winlogon,
        Bin::Explorer,
        r"C:\Windows\Explorer.EXE",
        t1 + 20 * SEC,
        o,
    )?;
    dx.spawn(ex, Bin::Rdpclip, "rdpclip", t1 + 22 * SEC, Spawn::default())?;
    let cmd = dx.spawn(
        ex,
        Bin::Cmd,
        r#""C:\Windows\system32\cmd.exe" "#,
        t1 + 2 * MIN,
        Spawn {
            life: Some(20 * MIN),
            ..Default::default()
        },
    )?;
    let q = dx.spawn(cmd, Bin::Net, "net  share", t1 + 3 * MIN, Spawn::default())?;
    let dev = dx.dev;
    let (pe, pq) = (dx.st.procs[ex].clone(), dx.st.procs[q].clone());
    let user = fleet.users.get(admin);
    let mut cx = acx!(dx);
    let mut ev = vec![
        Evidence::Machine(dev),
        Evidence::Machine(src),
        Evidence::Process(src, &mstsc_proc),
        Evidence::Process(dev, &pe),
        Evidence::Process(dev, &pq),
        Evidence::Ip(&src.ip_text),
    ];
    if let Some(u) = user {
        ev.push(Evidence::User(u));
    }
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious remote desktop connection at an unusual hour",
            category: "LateralMovement",
            severity: "Medium",
            service: Service::Endpoint,
            techniques: &[
                "Remote Desktop Protocol (T1021.001)",
                "Valid Accounts (T1078)",
            ],
            t: t1,
        },
        &ev,
    )?;
    Ok(())
}

pub fn wmi(r: &mut Run) -> R {
    let t = r.at();
    let (src_i, dst_i) = (r.p.device, r.p.target);
    let admin = admin_of(r, src_i);
    let fleet = r.fleet;
    let (Some(src), Some(dst), Some(adm)) = (
        fleet.devices.get(src_i),
        fleet.devices.get(dst_i),
        fleet.users.get(admin),
    ) else {
        return Ok(());
    };
    let wmic_proc;
    {
        let mut dx = r.dx(src_i)?;
        let explorer = ensure_session(&mut dx, t)?;
        let line = format!(
            r#"wmic  /node:{} /user:{}\{} process call create "cmd.exe /c whoami /all > C:\Windows\Temp\wmi_out.txt""#,
            dst.ip_text, fleet.tenant.netbios, adm.sam
        );
        let w = dx.spawn(
            explorer,
            Bin::Wmic,
            &line,
            t,
            Spawn {
                life: Some(MIN),
                ..Default::default()
            },
        )?;
        let t0 = dx.st.procs[w].create;
        let conn = Conn {
            action: "ConnectionSuccess",
            remote_ip: &dst.ip_text,
            remote_port: 135,
            url: "",
            local_port: 56_010,
            protocol: "Tcp",
            additional: "",
        };
        net(&mut dx, w, t0 + SEC, &conn)?;
        let conn = Conn {
            action: "ConnectionSuccess",
            remote_ip: &dst.ip_text,
            remote_port: 49_666,
            url: "",
            local_port: 56_011,
            protocol: "Tcp",
            additional: "",
        };
        net(&mut dx, w, t0 + 2 * SEC, &conn)?;
        wmic_proc = dx.st.procs[w].clone();
    }
    let t1 = wmic_proc.create + 2 * SEC;
    identity::ad_logon(
        r.out,
        r.rng,
        fleet,
        t1,
        adm,
        src,
        Some(dst),
        "Resource access",
        "Kerberos",
        true,
    )?;
    let mut dx = r.dx(dst_i)?;
    let Some(lsass) = dx.find(Role::Lsass) else {
        return Ok(());
    };
    let from = From {
        device: Some(src_i),
        ip: src.ip_text.clone(),
        port: 56_010,
    };
    device_logon(
        &mut dx,
        t1,
        "LogonSuccess",
        "Network",
        admin,
        Some(&from),
        None,
        lsass,
    )?;
    let Some(dcom) = dx.find(Role::SvcDcom) else {
        return Ok(());
    };
    let conn = Conn {
        action: "InboundConnectionAccepted",
        remote_ip: &src.ip_text,
        remote_port: 56_010,
        url: "",
        local_port: 135,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, dcom, t1, &conn)?;
    let wp = dx.spawn(
        dcom,
        Bin::WmiPrvSE,
        r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
        t1 + SEC,
        Spawn {
            acct: Some(Acct::NetworkService),
            integrity: Some("System"),
            life: Some(5 * MIN),
            ..Default::default()
        },
    )?;
    let o = Spawn {
        acct: Some(Acct::User(admin as u32)),
        integrity: Some("High"),
        elevation: Some("TokenElevationTypeDefault"),
        logon_id: Some(dx.rng.range(1_000_000, 90_000_000)),
        session: Some(0),
        ..Default::default()
    };
    let c = dx.spawn(
        wp,
        Bin::Cmd,
        r"cmd.exe /c whoami /all > C:\Windows\Temp\wmi_out.txt",
        t1 + 2 * SEC,
        o,
    )?;
    let w2 = dx.spawn(
        c,
        Bin::Whoami,
        "whoami  /all",
        t1 + 3 * SEC,
        Spawn::default(),
    )?;
    crate::files::file(
        &mut dx,
        c,
        t1 + 4 * SEC,
        &crate::files::FileOp {
            action: "FileCreated",
            path: r"C:\Windows\Temp\wmi_out.txt",
            size: 5_120,
            ..Default::default()
        },
    )?;
    let dev = dx.dev;
    let (pc, pw) = (dx.st.procs[c].clone(), dx.st.procs[w2].clone());
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious remote WMI execution",
            category: "LateralMovement",
            severity: "High",
            service: Service::Endpoint,
            techniques: &[
                "Windows Management Instrumentation (T1047)",
                "Remote Services (T1021)",
            ],
            t: t1,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Machine(src),
            Evidence::Process(src, &wmic_proc),
            Evidence::Process(dev, &pc),
            Evidence::Process(dev, &pw),
            Evidence::User(adm),
        ],
    )?;
    Ok(())
}
