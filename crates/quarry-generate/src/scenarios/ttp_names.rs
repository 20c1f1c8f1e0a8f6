//! Names the procedure library refers to by text, mapped to the static strings the
//! tables take: DeviceEvents action types, alert categories and severities, and ATT&CK
//! technique names.

/// DeviceEvents action types the library may name (the column takes `&'static str`).
pub fn event_action(a: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "CreateRemoteThreadApiCall",
        "NamedPipeEvent",
        "ScheduledTaskCreated",
        "ScheduledTaskUpdated",
        "ScheduledTaskDeleted",
        "ServiceInstalled",
        "ProcessCreatedUsingWmiQuery",
        "WmiBindEventFilterToConsumer",
        "AntivirusDetection",
        "DnsQueryResponse",
        "LdapSearch",
        "DpapiAccessed",
        "ShellLinkCreateFileEvent",
        "ClrUnbackedModuleLoaded",
        "AsrOfficeChildProcessAudited",
        "AsrLsassCredentialTheftAudited",
        "AsrPsexecWmiChildProcessAudited",
        "AsrExecutableEmailContentAudited",
        "AsrObfuscatedScriptAudited",
        "AuditPolicyModification",
        "SecurityLogCleared",
        "FirewallRuleAdded",
        "TamperingAttempt",
        "QueueUserApcRemoteApiCall",
        "SetThreadContextRemoteApiCall",
        "NtAllocateVirtualMemoryRemoteApiCall",
        "ReadProcessMemoryApiCall",
        "PnpDeviceConnected",
        "UserAccountCreated",
        "UserAccountAddedToLocalGroup",
        "UserAccountModified",
        "DriverLoad",
        "ExploitGuardNonMicrosoftSignedBlocked",
        "BrowserLaunchedToOpenUrl",
        "ControlledFolderAccessViolationAudited",
        "GetAsyncKeyStateApiCall",
        "AmsiScriptDetection",
        "ProcessPrimaryTokenModified",
        "ScreenshotTaken",
        "GetClipboardData",
        "AsrRansomwareAudited",
        "AsrUntrustedExecutableAudited",
        "AsrVulnerableSignedDriverAudited",
        "AsrPersistenceThroughWmiAudited",
        "AsrScriptExecutableDownloadAudited",
        "ExploitGuardNetworkProtectionAudited",
        "NtProtectVirtualMemoryApiCall",
        "NetworkShareObjectAdded",
        "UserAccountDeleted",
        "LogonRightsSettingEnabled",
        "AsrAdobeReaderChildProcessAudited",
    ];
    KNOWN
        .iter()
        .copied()
        .find(|k| *k == a)
        .unwrap_or("OtherAlertRelatedActivity")
}

pub fn static_category(c: &str) -> &'static str {
    const C: &[&str] = &[
        "Execution",
        "Persistence",
        "PrivilegeEscalation",
        "DefenseEvasion",
        "CredentialAccess",
        "Discovery",
        "LateralMovement",
        "Collection",
        "CommandAndControl",
        "Exfiltration",
        "Impact",
        "InitialAccess",
        "SuspiciousActivity",
        "Malware",
    ];
    C.iter()
        .copied()
        .find(|k| *k == c)
        .unwrap_or("SuspiciousActivity")
}

pub fn static_severity(s: &str) -> &'static str {
    match s {
        "High" => "High",
        "Low" => "Low",
        "Informational" => "Informational",
        _ => "Medium",
    }
}

/// The ATT&CK technique name of an id (the main ones the library uses).
pub fn title_technique(id: &str) -> &'static str {
    let base = id.split('.').next().unwrap_or(id);
    match base {
        "T1003" => "OS Credential Dumping",
        "T1021" => "Remote Services",
        "T1027" => "Obfuscated Files or Information",
        "T1036" => "Masquerading",
        "T1047" => "Windows Management Instrumentation",
        "T1053" => "Scheduled Task/Job",
        "T1055" => "Process Injection",
        "T1059" => "Command and Scripting Interpreter",
        "T1070" => "Indicator Removal",
        "T1087" => "Account Discovery",
        "T1105" => "Ingress Tool Transfer",
        "T1112" => "Modify Registry",
        "T1127" => "Trusted Developer Utilities Proxy Execution",
        "T1136" => "Create Account",
        "T1140" => "Deobfuscate/Decode Files or Information",
        "T1218" => "System Binary Proxy Execution",
        "T1543" => "Create or Modify System Process",
        "T1546" => "Event Triggered Execution",
        "T1547" => "Boot or Logon Autostart Execution",
        "T1548" => "Abuse Elevation Control Mechanism",
        "T1558" => "Steal or Forge Kerberos Tickets",
        "T1562" => "Impair Defenses",
        "T1569" => "System Services",
        "T1572" => "Protocol Tunneling",
        "T1219" => "Remote Access Software",
        "T1490" => "Inhibit System Recovery",
        "T1567" => "Exfiltration Over Web Service",
        "T1560" => "Archive Collected Data",
        _ => "Suspicious Activity",
    }
}
