//! Intrusion campaigns: the procedure library's processes and the rows they cause are
//! linked across tables the way the sensor links them.

mod common;

use common::{Collect, collect, small};

/// The rows of `table` whose `column` contains `needle`.
fn with<'a>(
    data: &'a Collect,
    table: &str,
    column: &str,
    needle: &str,
) -> Vec<&'a Vec<common::Owned>> {
    let c = data.col(table, column);
    data.rows(table)
        .iter()
        .filter(|r| r[c].str().contains(needle))
        .collect()
}

#[test]
fn service_creation_links_process_registry_and_event() {
    let data = collect(&small());
    let procs = with(
        &data,
        "DeviceProcessEvents",
        "ProcessCommandLine",
        "sc  create WinUpdateSvc",
    );
    assert!(!procs.is_empty(), "no service creation");
    let (pid, dev) = (
        data.col("DeviceProcessEvents", "ProcessId"),
        data.col("DeviceProcessEvents", "DeviceId"),
    );
    let reg = with(
        &data,
        "DeviceRegistryEvents",
        "RegistryKey",
        r"\Services\WinUpdateSvc",
    );
    let (rpid, rdev, rname) = (
        data.col("DeviceRegistryEvents", "InitiatingProcessId"),
        data.col("DeviceRegistryEvents", "DeviceId"),
        data.col("DeviceRegistryEvents", "InitiatingProcessFileName"),
    );
    for p in &procs {
        assert!(
            reg.iter().any(|r| r[rpid].long() == p[pid].long()
                && r[rdev].str() == p[dev].str()
                && r[rname].str() == "sc.exe"),
            "the service's ImagePath value is not written by the sc.exe that created it"
        );
    }
    let ev = with(&data, "DeviceEvents", "AdditionalFields", "WinUpdateSvc");
    let action = data.col("DeviceEvents", "ActionType");
    assert!(ev.iter().any(|r| r[action].str() == "ServiceInstalled"));
}

#[test]
fn brought_tools_are_written_before_they_run() {
    let data = collect(&small());
    let (name, sha, t, dev) = (
        data.col("DeviceProcessEvents", "FileName"),
        data.col("DeviceProcessEvents", "SHA256"),
        data.col("DeviceProcessEvents", "Timestamp"),
        data.col("DeviceProcessEvents", "DeviceId"),
    );
    let (fsha, ft, fdev, faction) = (
        data.col("DeviceFileEvents", "SHA256"),
        data.col("DeviceFileEvents", "Timestamp"),
        data.col("DeviceFileEvents", "DeviceId"),
        data.col("DeviceFileEvents", "ActionType"),
    );
    let runs: Vec<_> = data
        .rows("DeviceProcessEvents")
        .iter()
        .filter(|r| r[name].str() == "mimikatz.exe")
        .collect();
    assert!(!runs.is_empty(), "no mimikatz run");
    for p in runs {
        assert!(
            data.rows("DeviceFileEvents")
                .iter()
                .any(|f| f[fsha].str() == p[sha].str()
                    && f[fdev].str() == p[dev].str()
                    && f[faction].str() == "FileCreated"
                    && f[ft].long() <= p[t].long()),
            "mimikatz.exe ran without being written to disk first"
        );
    }
}

#[test]
fn campaigns_raise_alerts_with_process_evidence() {
    let data = collect(&small());
    let title = data.col("AlertInfo", "Title");
    let alerts: Vec<_> = data
        .rows("AlertInfo")
        .iter()
        .filter(|r| r[title].str() == "Suspicious service installed")
        .collect();
    assert!(!alerts.is_empty());
    let (id, eid, etype, efile) = (
        data.col("AlertInfo", "AlertId"),
        data.col("AlertEvidence", "AlertId"),
        data.col("AlertEvidence", "EntityType"),
        data.col("AlertEvidence", "FileName"),
    );
    for a in alerts {
        assert!(
            data.rows("AlertEvidence")
                .iter()
                .any(|e| e[eid].str() == a[id].str()
                    && e[etype].str() == "Process"
                    && !e[efile].str().is_empty())
        );
    }
    // Discovery commands and credential tools run in the user's shells.
    let parent = data.col("DeviceProcessEvents", "InitiatingProcessFileName");
    let whoami = with(
        &data,
        "DeviceProcessEvents",
        "ProcessCommandLine",
        "whoami /all",
    );
    assert!(whoami.iter().any(|r| r[parent].str() == "cmd.exe"));
}

#[test]
fn renamed_binaries_keep_their_original_name_in_version_info() {
    let data = collect(&small());
    let (name, orig, path) = (
        data.col("DeviceProcessEvents", "FileName"),
        data.col("DeviceProcessEvents", "ProcessVersionInfoOriginalFileName"),
        data.col("DeviceProcessEvents", "FolderPath"),
    );
    let rows: Vec<_> = data
        .rows("DeviceProcessEvents")
        .iter()
        .filter(|r| r[name].str() != r[orig].str() && !r[orig].str().is_empty())
        .collect();
    assert!(!rows.is_empty(), "no renamed binary ran");
    for r in rows {
        assert!(r[path].str().ends_with(r[name].str()));
    }
}

#[test]
fn uac_bypass_writes_its_handler_before_the_elevated_child_runs() {
    let data = collect(&small());
    let keys = with(
        &data,
        "DeviceRegistryEvents",
        "RegistryKey",
        r"AppX82a6gwre4fdg3bt635tn5ctqjf8msdd2\Shell\open\command",
    );
    let procs = with(&data, "DeviceProcessEvents", "FileName", "WSReset.exe");
    assert!(
        !keys.is_empty() && !procs.is_empty(),
        "WSReset procedure missing"
    );
    let (kt, kdev) = (
        data.col("DeviceRegistryEvents", "Timestamp"),
        data.col("DeviceRegistryEvents", "DeviceId"),
    );
    let (pt, pdev) = (
        data.col("DeviceProcessEvents", "Timestamp"),
        data.col("DeviceProcessEvents", "DeviceId"),
    );
    for p in procs {
        assert!(
            keys.iter()
                .any(|k| k[kdev] == p[pdev] && k[kt].long() < p[pt].long()),
            "WSReset ran with no handler written before it"
        );
    }
}

#[test]
fn task_creation_and_licence_acceptance_leave_their_registry_rows() {
    let data = collect(&small());
    let dev = data.col("DeviceProcessEvents", "DeviceId");
    let procs = with(
        &data,
        "DeviceProcessEvents",
        "ProcessCommandLine",
        r#"/tn "\Microsoft\Windows\Maintenance\SysCheck""#,
    );
    assert!(!procs.is_empty(), "no task creation");
    let (rdev, rname, raction) = (
        data.col("DeviceRegistryEvents", "DeviceId"),
        data.col("DeviceRegistryEvents", "InitiatingProcessFileName"),
        data.col("DeviceRegistryEvents", "ActionType"),
    );
    let tree = with(
        &data,
        "DeviceRegistryEvents",
        "RegistryKey",
        r"\Schedule\TaskCache\Tree\Microsoft\Windows\Maintenance\SysCheck",
    );
    for p in &procs {
        assert!(
            tree.iter().any(|r| r[rdev].str() == p[dev].str()
                && r[rname].str() == "svchost.exe"
                && r[raction].str() == "RegistryKeyCreated"),
            "the Task Scheduler service did not record the new task's key"
        );
    }
    // A renamed PsExec still writes its licence value, and keeps its original name.
    let psexec = with(
        &data,
        "DeviceProcessEvents",
        "ProcessCommandLine",
        r"svchelper.exe \\",
    );
    assert!(!psexec.is_empty(), "no renamed PsExec");
    let orig = data.col("DeviceProcessEvents", "ProcessVersionInfoOriginalFileName");
    assert!(psexec.iter().all(|p| p[orig].str() == "psexec.c"));
    let eula = with(
        &data,
        "DeviceRegistryEvents",
        "RegistryKey",
        r"\Software\Sysinternals\PsExec",
    );
    let vname = data.col("DeviceRegistryEvents", "RegistryValueName");
    for p in &psexec {
        assert!(
            eula.iter().any(|r| r[rdev].str() == p[dev].str()
                && r[rname].str() == "svchelper.exe"
                && r[vname].str() == "EulaAccepted"),
            "no EulaAccepted value from the renamed PsExec"
        );
    }
}

#[test]
fn side_loaded_dlls_are_planted_before_they_load() {
    let data = collect(&small());
    let loads = with(
        &data,
        "DeviceImageLoadEvents",
        "FolderPath",
        r"C:\Windows\mpsvc.dll",
    );
    assert!(!loads.is_empty(), "no side-loaded mpsvc.dll");
    let (lt, ldev, lproc, lsha) = (
        data.col("DeviceImageLoadEvents", "Timestamp"),
        data.col("DeviceImageLoadEvents", "DeviceId"),
        data.col("DeviceImageLoadEvents", "InitiatingProcessFolderPath"),
        data.col("DeviceImageLoadEvents", "SHA256"),
    );
    let genuine = with(&data, "DeviceImageLoadEvents", "FileName", "mpsvc.dll");
    let files = with(
        &data,
        "DeviceFileEvents",
        "FolderPath",
        r"C:\Windows\mpsvc.dll",
    );
    let (ft, fdev) = (
        data.col("DeviceFileEvents", "Timestamp"),
        data.col("DeviceFileEvents", "DeviceId"),
    );
    for l in &loads {
        assert_eq!(l[lproc].str(), r"C:\Windows\MsMpEng.exe");
        assert!(
            files
                .iter()
                .any(|f| f[fdev].str() == l[ldev].str() && f[ft].long() < l[lt].long()),
            "the planted DLL was not written before it loaded"
        );
        // The planted copy is not the genuine binary.
        assert!(
            genuine
                .iter()
                .filter(|g| !g[lproc]
                    .str()
                    .eq_ignore_ascii_case(r"C:\Windows\MsMpEng.exe"))
                .all(|g| g[lsha].str() != l[lsha].str())
        );
    }
}

#[test]
fn offensive_tools_are_detected_by_the_antivirus() {
    let data = collect(&small());
    let (fname, dev) = (
        data.col("DeviceProcessEvents", "FileName"),
        data.col("DeviceProcessEvents", "DeviceId"),
    );
    let runs: Vec<_> = data
        .rows("DeviceProcessEvents")
        .iter()
        .filter(|r| r[fname].str() == "mimikatz.exe")
        .collect();
    assert!(!runs.is_empty(), "mimikatz never ran");
    let det = with(&data, "DeviceEvents", "AdditionalFields", "Mimikatz!pz");
    let (efile, edev, eact, einit) = (
        data.col("DeviceEvents", "FileName"),
        data.col("DeviceEvents", "DeviceId"),
        data.col("DeviceEvents", "ActionType"),
        data.col("DeviceEvents", "InitiatingProcessFileName"),
    );
    for r in &runs {
        assert!(det.iter().any(|e| e[edev].str() == r[dev].str()
            && e[efile].str() == "mimikatz.exe"
            && e[eact].str() == "AntivirusDetection"
            && e[einit].str() == "MsMpEng.exe"));
    }
}

#[test]
fn kerberoasting_reaches_the_domain_controller_as_an_spn_query() {
    let data = collect(&small());
    let (cmd, dname) = (
        data.col("DeviceProcessEvents", "ProcessCommandLine"),
        data.col("DeviceProcessEvents", "DeviceName"),
    );
    let roasts: Vec<_> = data
        .rows("DeviceProcessEvents")
        .iter()
        .filter(|r| r[cmd].str().to_ascii_lowercase().contains("kerberoast"))
        .collect();
    assert!(!roasts.is_empty(), "no kerberoasting");
    let (q, qdev) = (
        data.col("IdentityQueryEvents", "Query"),
        data.col("IdentityQueryEvents", "DeviceName"),
    );
    let spn: Vec<_> = data
        .rows("IdentityQueryEvents")
        .iter()
        .filter(|r| r[q].str().contains("servicePrincipalName=*"))
        .collect();
    for r in &roasts {
        let host = r[dname]
            .str()
            .split('.')
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        assert!(
            spn.iter().any(|s| s[qdev].str() == host),
            "no SPN query from {host}"
        );
    }
}
