//! CloudAppEvents: Microsoft 365 activity of the users (SharePoint, OneDrive, Exchange,
//! Teams) as Defender for Cloud Apps records it.

use crate::GenerateError;
use crate::ctx::{DayClock, HOUR};
use crate::fleet::{Fleet, PUBLIC_IPS, User, guid, hex};
use crate::json::push_escaped;
use crate::out::{Out, T};
use crate::rng::Rng;

/// (ActionType, Application, ApplicationId, ActivityType, ObjectType)
const ACTIVITIES: &[(&str, &str, i64, &str, &str, u32)] = &[
    (
        "FileAccessed",
        "Microsoft SharePoint Online",
        20892,
        "Access",
        "File",
        30,
    ),
    (
        "FileModified",
        "Microsoft SharePoint Online",
        20892,
        "Edit",
        "File",
        12,
    ),
    (
        "FileDownloaded",
        "Microsoft OneDrive for Business",
        15600,
        "Download",
        "File",
        8,
    ),
    (
        "FileUploaded",
        "Microsoft OneDrive for Business",
        15600,
        "Upload",
        "File",
        8,
    ),
    (
        "MailItemsAccessed",
        "Microsoft Exchange Online",
        20893,
        "Read",
        "Email",
        20,
    ),
    (
        "Send",
        "Microsoft Exchange Online",
        20893,
        "Send",
        "Email",
        6,
    ),
    (
        "MessageSent",
        "Microsoft Teams",
        11394,
        "Create",
        "Chat",
        15,
    ),
    (
        "MeetingParticipantDetail",
        "Microsoft Teams",
        11394,
        "Run",
        "Meeting",
        4,
    ),
    ("UserLoggedIn", "Office 365", 11161, "LogOn", "", 5),
    (
        "AddedToSharingLink",
        "Microsoft SharePoint Online",
        20892,
        "Share",
        "File",
        2,
    ),
];

const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";

/// One CloudAppEvents row.
#[allow(clippy::too_many_arguments)]
pub fn event(
    out: &mut Out,
    rng: &mut Rng,
    t: i64,
    user: &User,
    action: &str,
    app: &str,
    app_id: i64,
    activity: &str,
    object_type: &str,
    object: &str,
    ip: &str,
    country: &str,
    city: &str,
    isp: &str,
    raw_extra: &str,
) -> Result<(), GenerateError> {
    let a = (action, app, app_id, activity, object_type);
    let place = (ip, country, city, isp);
    record(out, rng, t, user, false, a, object, place, raw_extra)
}

/// An administrator's (or a user's) management operation, from the corporate egress.
#[allow(clippy::too_many_arguments)]
pub fn event_admin(
    out: &mut Out,
    rng: &mut Rng,
    t: i64,
    user: &User,
    is_admin: bool,
    a: (&str, &str, i64, &str, &str),
    object: &str,
    ip: &str,
    raw_extra: &str,
) -> Result<(), GenerateError> {
    let place = (ip, user.country, user.city, "Contoso ISP");
    record(out, rng, t, user, is_admin, a, object, place, raw_extra)
}

#[allow(clippy::too_many_arguments)]
fn record(
    out: &mut Out,
    rng: &mut Rng,
    t: i64,
    user: &User,
    is_admin: bool,
    (action, app, app_id, activity, object_type): (&str, &str, i64, &str, &str),
    object: &str,
    (ip, country, city, isp): (&str, &str, &str, &str),
    raw_extra: &str,
) -> Result<(), GenerateError> {
    let report = guid(rng);
    let oid = hex(rng, 16);
    let w = out.begin(T::CloudAppEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    r.s(c.ActionType, action);
    r.s(c.Application, app);
    r.n(c.ApplicationId, app_id);
    r.n(c.AppInstanceId, 0);
    r.s(c.AccountObjectId, &user.object_id);
    r.s(c.AccountId, &user.object_id);
    r.s(c.AccountDisplayName, &user.display);
    r.b(c.IsAdminOperation, is_admin);
    r.s(c.DeviceType, "Desktop");
    r.s(c.OSPlatform, "Windows 10");
    r.s(c.IPAddress, ip);
    r.b(c.IsAnonymousProxy, false);
    r.s(c.CountryCode, country);
    r.s(c.City, city);
    r.s(c.Isp, isp);
    r.s(c.UserAgent, UA);
    r.s(c.ActivityType, activity);
    r.with(c.ActivityObjects, |b| {
        b.push_str("[{\"Type\":\"User\",\"Role\":\"Actor\",\"Name\":\"");
        push_escaped(b, &user.display);
        b.push_str("\",\"Id\":\"");
        b.push_str(&user.object_id);
        b.push_str("\"}");
        if !object.is_empty() {
            b.push_str(",{\"Type\":\"");
            b.push_str(if object_type.is_empty() {
                "Other"
            } else {
                object_type
            });
            b.push_str("\",\"Role\":\"Target object\",\"Name\":\"");
            push_escaped(b, object);
            b.push_str("\"}");
        }
        b.push(']');
    });
    if !object.is_empty() {
        r.s(c.ObjectName, object);
        r.s(c.ObjectType, object_type);
        r.s(c.ObjectId, &oid);
    }
    r.s(c.ReportId, &report);
    r.s(c.AccountType, "Regular");
    r.b(c.IsExternalUser, false);
    r.b(c.IsImpersonated, false);
    r.s(c.IPTags, "[]");
    r.s(c.IPCategory, "Corporate");
    r.s(c.UserAgentTags, "[]");
    r.with(c.RawEventData, |b| {
        b.push_str("{\"Operation\":\"");
        b.push_str(action);
        b.push_str("\",\"UserId\":\"");
        b.push_str(&user.upn);
        b.push_str("\",\"ClientIP\":\"");
        b.push_str(ip);
        b.push('"');
        b.push_str(raw_extra);
        b.push('}');
    });
    r.s(c.AdditionalFields, "{}");
    r.s(c.AuditSource, "Defender for Cloud Apps access control");
    out.commit(T::CloudAppEvents)
}

pub fn day(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    clock: &DayClock,
    volume: f64,
) -> Result<(), GenerateError> {
    let scale = volume * clock.share * if clock.is_weekend() { 0.1 } else { 1.0 };
    let total: u32 = ACTIVITIES.iter().map(|a| a.5).sum();
    for &ui in &fleet.mail_users {
        let Some(user) = fleet.users.get(ui) else {
            continue;
        };
        let ip = PUBLIC_IPS[ui % 3];
        for _ in 0..rng.around(12.0 * scale) {
            let mut pick = rng.below(u64::from(total)) as u32;
            let mut chosen = &ACTIVITIES[0];
            for a in ACTIVITIES {
                if pick < a.5 {
                    chosen = a;
                    break;
                }
                pick -= a.5;
            }
            let (action, app, id, activity, otype, _) = *chosen;
            let object = match otype {
                "File" => format!(
                    "https://{}-my.sharepoint.com/personal/{}/Documents/{}",
                    fleet.tenant.short,
                    user.upn.replace(['@', '.'], "_"),
                    rng.pick(&[
                        "Project Plan.docx",
                        "Budget.xlsx",
                        "Roadmap.pptx",
                        "notes.txt"
                    ])
                ),
                "Email" => user.upn.clone(),
                "Chat" => "19:meeting_general@thread.v2".to_string(),
                _ => String::new(),
            };
            let t = clock.at(rng.range(7 * HOUR, 19 * HOUR));
            event(
                out,
                rng,
                t,
                user,
                action,
                app,
                id,
                activity,
                otype,
                &object,
                ip,
                user.country,
                user.city,
                "Contoso ISP",
                "",
            )?;
        }
    }
    Ok(())
}
