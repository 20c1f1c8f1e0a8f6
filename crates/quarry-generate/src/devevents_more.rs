//! More everyday DeviceEvents of a Windows device: DNS answers the sensor records,
//! antivirus definition updates, the scheduled tasks and services that updaters
//! (Edge, Chrome, OneDrive, Office) register, and now and then an administrator
//! putting Defender into troubleshooting mode.

use crate::GenerateError;
use crate::ctx::{Dx, MIN, Role, SEC};
use crate::devevents::{Ev, event};
use crate::json::push_escaped;

/// Names devices resolve every day, with the address the resolver answered.
const DNS: &[(&str, &str)] = &[
    ("login.microsoftonline.com", "20.190.151.68"),
    ("outlook.office365.com", "52.97.146.162"),
    ("www.google.com", "142.250.185.100"),
    ("settings-win.data.microsoft.com", "20.42.73.29"),
    ("graph.microsoft.com", "20.190.160.20"),
    ("teams.microsoft.com", "52.113.194.132"),
    ("go.microsoft.com", "23.48.161.56"),
    ("ctldl.windowsupdate.com", "93.184.221.240"),
];

/// (task name, command) of updaters' scheduled tasks.
const TASKS: &[(&str, &str)] = &[
    (
        r"\MicrosoftEdgeUpdateTaskMachineUA",
        r"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe",
    ),
    (
        r"\GoogleUpdater\GoogleUpdaterTaskSystem",
        r"C:\Program Files (x86)\Google\GoogleUpdater\updater.exe",
    ),
    (
        r"\Microsoft\Office\Office Automatic Updates 2.0",
        r"C:\Program Files\Common Files\Microsoft Shared\ClickToRun\OfficeC2RClient.exe",
    ),
    (
        r"\OneDrive Standalone Update Task-S-1-5-21",
        r"%localappdata%\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe",
    ),
];

/// (service name, image path) of updaters' services.
const SERVICES: &[(&str, &str)] = &[
    (
        "edgeupdate",
        r#""C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /svc"#,
    ),
    (
        "MicrosoftEdgeElevationService",
        r#""C:\Program Files (x86)\Microsoft\Edge\Application\131.0.2903.86\elevation_service.exe""#,
    ),
    (
        "GoogleChromeElevationService",
        r#""C:\Program Files\Google\Chrome\Application\131.0.6778.140\elevation_service.exe""#,
    ),
];

fn json_pair(out: &mut String, k: &str, v: &str) {
    out.push('"');
    out.push_str(k);
    out.push_str("\":\"");
    push_escaped(out, v);
    out.push('"');
}

/// The day's extra sensor events of a Windows device.
pub fn daily(dx: &mut Dx) -> Result<(), GenerateError> {
    if !dx.dev.is_windows() {
        return Ok(());
    }
    let resolver = dx
        .find(Role::Browser)
        .or_else(|| dx.find(Role::SvcNet))
        .or_else(|| dx.find(Role::SvcNetsvcs));
    if let Some(p) = resolver {
        for _ in 0..dx.rng.range(2, 6) {
            let (name, ip) = *dx.rng.pick(DNS);
            let mut add = String::with_capacity(128);
            add.push('{');
            json_pair(&mut add, "DnsQueryString", name);
            add.push_str(",\"DnsQueryResult\":[{\"DnsQueryType\":1,");
            json_pair(&mut add, "DnsQueryResult", ip);
            add.push_str("}]}");
            let t = dx.time_in(p);
            let ev = Ev {
                action: "DnsQueryResponse",
                remote_ip: Some(ip),
                remote_port: Some(53),
                additional: Some(&add),
                ..Default::default()
            };
            event(dx, p, t, &ev)?;
        }
    }
    let Some(def) = dx.find(Role::Defender) else {
        return Ok(());
    };
    let t = dx.time_in(def);
    let add = r#"{"CurrentEngineVersion":"1.1.24090.11","CurrentSignatureVersion":"1.421.1570.0","PreviousSignatureVersion":"1.421.1488.0","UpdateSource":"Microsoft Update Server"}"#;
    let ev = Ev {
        action: "AntivirusDefinitionsUpdated",
        additional: Some(add),
        ..Default::default()
    };
    event(dx, def, t, &ev)?;
    // Updaters re-register their tasks and services now and then.
    if dx.rng.chance(0.08)
        && let Some(sched) = dx.find(Role::SvcSchedule)
    {
        let (task, cmd) = *dx.rng.pick(TASKS);
        let mut add = String::with_capacity(256);
        add.push('{');
        json_pair(&mut add, "TaskName", task);
        add.push(',');
        let content = format!(
            "<Exec><Command>{cmd}</Command><Arguments>/ua /installsource scheduler</Arguments></Exec>"
        );
        json_pair(&mut add, "TaskContent", &content);
        add.push('}');
        let action = if dx.rng.chance(0.5) {
            "ScheduledTaskUpdated"
        } else {
            "ScheduledTaskCreated"
        };
        let t = dx.time_in(sched);
        let ev = Ev {
            action,
            additional: Some(&add),
            ..Default::default()
        };
        event(dx, sched, t, &ev)?;
    }
    if dx.rng.chance(0.03)
        && let Some(svcs) = dx.find(Role::Services)
    {
        let (name, path) = *dx.rng.pick(SERVICES);
        let mut add = String::with_capacity(256);
        add.push('{');
        json_pair(&mut add, "ServiceName", name);
        add.push(',');
        json_pair(&mut add, "ServiceAccount", "LocalSystem");
        add.push_str(",\"ServiceStartType\":2,\"ServiceType\":16,");
        json_pair(&mut add, "ImagePath", path);
        add.push('}');
        let t = dx.time_in(svcs);
        let ev = Ev {
            action: "ServiceInstalled",
            additional: Some(&add),
            ..Default::default()
        };
        event(dx, svcs, t, &ev)?;
    }
    if dx.rng.chance(0.004) {
        // An administrator troubleshoots a Defender problem on the device.
        let t = dx.time_in(def);
        for (k, (state, prev)) in [("Started", "Ended"), ("Ended", "Started")]
            .iter()
            .enumerate()
        {
            let add = format!(
                r#"{{"TroubleshootingState":"{state}","TroubleshootingPreviousState":"{prev}","TroubleshootingStateChangeReason":"Troubleshooting mode requested from the Microsoft Defender portal","TroubleshootingStateRemainingMinutes":{}}}"#,
                if k == 0 { 180 } else { 0 }
            );
            let ev = Ev {
                action: "AntivirusTroubleshootModeEvent",
                additional: Some(&add),
                ..Default::default()
            };
            event(dx, def, t + k as i64 * (90 * MIN) + SEC, &ev)?;
        }
    }
    Ok(())
}
