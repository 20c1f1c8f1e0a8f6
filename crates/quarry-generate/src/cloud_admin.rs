//! CloudAppEvents of administrators and of the services themselves: Entra ID directory
//! changes (users, groups, roles, applications and consents), Exchange Online mailbox
//! administration and inbox rules, Microsoft Defender portal actions, Purview searches
//! and Teams administration. Operation names follow the Microsoft 365 unified audit log.

use crate::GenerateError;
use crate::cloud::event_admin;
use crate::ctx::{DayClock, HOUR};
use crate::fleet::{Fleet, PUBLIC_IPS, User, guid};
use crate::out::Out;
use crate::rng::Rng;

const AAD: (&str, i64) = ("Microsoft Azure", 12260);
const EXO: (&str, i64) = ("Microsoft Exchange Online", 20893);
const MDE: (&str, i64) = ("Microsoft 365 Defender", 60_000);
const PURVIEW: (&str, i64) = ("Microsoft 365", 11161);
const TEAMS: (&str, i64) = ("Microsoft Teams", 11394);

/// Well-known first-party and line-of-business applications (name, app id).
const APPS: &[(&str, &str)] = &[
    ("Microsoft Graph", "00000003-0000-0000-c000-000000000000"),
    ("Zoom", "4a2ec8a8-2b4e-4bd6-9e2f-5e8b0f0a7c11"),
    ("Adobe Acrobat", "1c0f5b7e-7d3f-4b57-8d1c-9a4f4e0a2b63"),
    ("HR Portal", "7f1c2d9e-3a4b-4c5d-8e6f-0a1b2c3d4e5f"),
];

/// (ActionType, (application, application id), ActivityType, ObjectType, weight)
type Op = (
    &'static str,
    (&'static str, i64),
    &'static str,
    &'static str,
    u32,
);

const OPS: &[Op] = &[
    ("Add user.", AAD, "Add", "User", 3),
    ("Update user.", AAD, "Edit", "User", 8),
    ("Reset user password.", AAD, "Edit", "User", 4),
    ("Add member to group.", AAD, "Add", "Group", 6),
    ("Remove member from group.", AAD, "Remove", "Group", 3),
    ("Add member to role.", AAD, "Add", "Role", 1),
    ("Disable account.", AAD, "Edit", "User", 1),
    ("Delete user.", AAD, "Delete", "User", 1),
    ("Hard delete user.", AAD, "Delete", "User", 1),
    ("Consent to application.", AAD, "Add", "Application", 2),
    ("Add service principal.", AAD, "Add", "Application", 1),
    (
        "Add service principal credentials.",
        AAD,
        "Add",
        "Application",
        1,
    ),
    (
        "Update application – Certificates and secrets management ",
        AAD,
        "Edit",
        "Application",
        1,
    ),
    (
        "Add delegated permission grant.",
        AAD,
        "Add",
        "Application",
        2,
    ),
    ("New-InboxRule", EXO, "Create", "Email", 3),
    ("Set-Mailbox", EXO, "Edit", "Email", 2),
    ("Add-MailboxPermission", EXO, "Edit", "Email", 2),
    ("Set-CASMailbox", EXO, "Edit", "Email", 1),
    ("New-TransportRule", EXO, "Create", "Email", 1),
    ("IsolateDevice", MDE, "Run", "Device", 1),
    ("ReleaseFromIsolation", MDE, "Run", "Device", 1),
    ("RunAntivirusScan", MDE, "Run", "Device", 2),
    ("SetAdvancedFeatures", MDE, "Edit", "Other", 1),
    ("ChangeCustomDetectionRuleStatus", MDE, "Edit", "Other", 1),
    ("SearchCreated", PURVIEW, "Create", "Other", 1),
    ("SearchStarted", PURVIEW, "Run", "Other", 1),
    ("SearchExported", PURVIEW, "Download", "Other", 1),
    ("TeamCreated", TEAMS, "Create", "Other", 1),
    ("MemberAdded", TEAMS, "Add", "Other", 3),
    ("AppInstalled", TEAMS, "Create", "Other", 1),
];

/// The RawEventData fields an operation carries beyond Operation/UserId/ClientIP, and
/// the name of its target object.
fn details(rng: &mut Rng, fleet: &Fleet, op: &str, target: &User) -> (String, String) {
    let app = rng.pick(APPS);
    let device = fleet
        .devices
        .get(rng.index(fleet.devices.len().max(1)))
        .map(|d| d.name.clone())
        .unwrap_or_default();
    match op {
        "Consent to application." | "Add delegated permission grant." => (
            format!(
                r#","Workload":"AzureActiveDirectory","ModifiedProperties":[{{"Name":"ConsentAction.Permissions","NewValue":"Scope: User.Read Mail.Read offline_access","OldValue":""}},{{"Name":"ConsentContext.IsAdminConsent","NewValue":"False","OldValue":""}}],"Target":[{{"ID":"{}","Type":2}}],"AppId":"{}""#,
                app.1, app.1
            ),
            app.0.to_string(),
        ),
        "Add service principal."
        | "Add service principal credentials."
        | "Update application – Certificates and secrets management " => (
            format!(
                r#","Workload":"AzureActiveDirectory","ModifiedProperties":[{{"Name":"KeyDescription","NewValue":"[KeyIdentifier={},KeyType=Password,KeyUsage=Verify,DisplayName=automation]","OldValue":"[]"}}],"Target":[{{"ID":"{}","Type":2}}],"AppId":"{}""#,
                guid(rng),
                app.1,
                app.1
            ),
            app.0.to_string(),
        ),
        "Add member to role." => (
            r#","Workload":"AzureActiveDirectory","ModifiedProperties":[{"Name":"Role.DisplayName","NewValue":"Helpdesk Administrator","OldValue":""}]"#.to_string(),
            target.upn.clone(),
        ),
        "Add member to group." | "Remove member from group." => (
            r#","Workload":"AzureActiveDirectory","ModifiedProperties":[{"Name":"Group.DisplayName","NewValue":"VPN Users","OldValue":""}]"#.to_string(),
            target.upn.clone(),
        ),
        "New-InboxRule" => (
            format!(
                r#","Workload":"Exchange","Parameters":[{{"Name":"Name","Value":"Vendors"}},{{"Name":"From","Value":"billing@contoso-partner.com"}},{{"Name":"MoveToFolder","Value":"Vendors"}},{{"Name":"StopProcessingRules","Value":"True"}}],"ObjectId":"{}\\Vendors""#,
                target.upn
            ),
            target.upn.clone(),
        ),
        "Set-Mailbox" => (
            r#","Workload":"Exchange","Parameters":[{"Name":"ForwardingSmtpAddress","Value":""},{"Name":"DeliverToMailboxAndForward","Value":"False"}]"#.to_string(),
            target.upn.clone(),
        ),
        "Add-MailboxPermission" => (
            format!(
                r#","Workload":"Exchange","Parameters":[{{"Name":"Identity","Value":"{}"}},{{"Name":"User","Value":"shared-helpdesk"}},{{"Name":"AccessRights","Value":"FullAccess"}}]"#,
                target.upn
            ),
            target.upn.clone(),
        ),
        "IsolateDevice" | "ReleaseFromIsolation" | "RunAntivirusScan" => (
            format!(r#","Workload":"MicrosoftDefenderForEndpoint","DeviceName":"{device}","ActionComment":"Investigation""#),
            device,
        ),
        "SearchCreated" | "SearchStarted" | "SearchExported" => (
            r#","Workload":"SecurityComplianceCenter","ObjectId":"Litigation hold review""#.to_string(),
            "Litigation hold review".to_string(),
        ),
        _ => (String::new(), target.upn.clone()),
    }
}

/// The day's administration of the tenant's cloud services.
pub fn day(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    clock: &DayClock,
    volume: f64,
) -> Result<(), GenerateError> {
    if fleet.admins.is_empty() || fleet.mail_users.is_empty() || clock.is_weekend() {
        return Ok(());
    }
    let total: u32 = OPS.iter().map(|o| o.4).sum();
    let n = rng.around(6.0 * volume * clock.share);
    for _ in 0..n {
        let mut pick = rng.below(u64::from(total)) as u32;
        let mut chosen = &OPS[0];
        for o in OPS {
            if pick < o.4 {
                chosen = o;
                break;
            }
            pick -= o.4;
        }
        let (op, (app, app_id), activity, otype, _) = *chosen;
        let ai = *rng.pick(&fleet.admins);
        let ti = *rng.pick(&fleet.mail_users);
        let (Some(admin), Some(target)) = (fleet.users.get(ai), fleet.users.get(ti)) else {
            continue;
        };
        // Users create their own inbox rules and consent to apps; the rest is admin work.
        let self_service = matches!(op, "New-InboxRule" | "Consent to application.");
        let actor = if self_service { target } else { admin };
        let (raw, object) = details(rng, fleet, op, target);
        let t = clock.at(rng.range(8 * HOUR, 18 * HOUR));
        let ip = PUBLIC_IPS[if self_service { ti } else { ai } % PUBLIC_IPS.len()];
        event_admin(
            out,
            rng,
            t,
            actor,
            !self_service,
            (op, app, app_id, activity, otype),
            &object,
            ip,
            &raw,
        )?;
    }
    Ok(())
}
