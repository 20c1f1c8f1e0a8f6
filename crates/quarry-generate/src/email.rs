//! Mail flow: EmailEvents with their EmailUrlInfo and EmailAttachmentInfo rows (sharing the
//! NetworkMessageId), UrlClickEvents for the links users follow, EmailPostDeliveryEvents
//! for messages removed after delivery.

use crate::GenerateError;
use crate::ctx::{DayClock, HOUR, MIN, SEC};
use crate::fleet::{Fleet, User, guid, hex};
use crate::out::{Out, T};
use crate::rng::Rng;

/// (domain, display name, local part, sending IP, kind)
const SENDERS: &[(&str, &str, &str, &str, Kind)] = &[
    (
        "fabrikam.com",
        "Fabrikam Billing",
        "billing",
        "40.107.22.53",
        Kind::Partner,
    ),
    (
        "northwindtraders.com",
        "Northwind Traders",
        "orders",
        "40.107.93.112",
        Kind::Partner,
    ),
    (
        "adventure-works.com",
        "Adventure Works Sales",
        "sales",
        "52.100.171.20",
        Kind::Partner,
    ),
    (
        "tailspintoys.com",
        "Tailspin Toys",
        "support",
        "209.85.218.41",
        Kind::Partner,
    ),
    (
        "litware.com",
        "Litware Legal",
        "legal",
        "40.107.7.88",
        Kind::Partner,
    ),
    (
        "linkedin.com",
        "LinkedIn",
        "messages-noreply",
        "108.174.3.5",
        Kind::Newsletter,
    ),
    (
        "email.microsoft.com",
        "Microsoft",
        "msft",
        "13.111.18.24",
        Kind::Newsletter,
    ),
    (
        "zoom.us",
        "Zoom",
        "no-reply",
        "149.72.120.130",
        Kind::Newsletter,
    ),
    (
        "github.com",
        "GitHub",
        "noreply",
        "192.30.252.201",
        Kind::Newsletter,
    ),
    (
        "deals-4u.shop",
        "Super Deals",
        "promo",
        "45.141.84.10",
        Kind::Spam,
    ),
    (
        "crypto-gains.biz",
        "Crypto Gains",
        "info",
        "91.215.85.17",
        Kind::Spam,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Partner,
    Newsletter,
    Spam,
}

const SUBJECTS: &[&str] = &[
    "Invoice {n} for your review",
    "RE: Project update",
    "Meeting notes - {n}",
    "Your order #{n} has shipped",
    "Q{q} planning",
    "FW: Contract draft",
    "Weekly digest",
    "Action items from today's call",
    "Updated pricing",
    "Welcome to the team!",
    "Reminder: timesheets due Friday",
    "RE: RE: Budget approval",
];

/// One message to one recipient.
pub struct Mail<'a> {
    pub t: i64,
    pub sender: &'a str,
    pub sender_name: &'a str,
    pub sender_ip: &'a str,
    pub sender_object: Option<&'a str>,
    pub recipient: &'a User,
    pub subject: &'a str,
    pub direction: &'static str,
    pub urls: &'a [String],
    pub attachments: &'a [(&'a str, &'a str, i64)],
    pub threat: Option<&'static str>,
    pub delivery: (&'static str, &'static str),
    pub auth_pass: bool,
}

/// Records a message (EmailEvents + its URL and attachment rows); returns the NetworkMessageId.
pub fn send(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    m: &Mail,
) -> Result<String, GenerateError> {
    let nmid = guid(rng);
    let sender_domain = m.sender.split('@').nth(1).unwrap_or("");
    let imid = format!(
        "<{}@{}>",
        hex(rng, 24).to_ascii_uppercase(),
        if m.direction == "Inbound" {
            sender_domain.to_string()
        } else {
            format!("{}.prod.outlook.com", hex(rng, 8).to_ascii_uppercase())
        }
    );
    let report = format!(
        "{nmid}-{}-{}",
        10_000_000_000_000_000u64 + rng.below(9_000_000_000_000_000),
        rng.range(1, 9)
    );
    let cluster = rng.range(1_000_000_000_000, 9_000_000_000_000);
    let bcl = if m.threat == Some("Spam") {
        rng.range(6, 9)
    } else {
        rng.range(0, 3)
    };
    {
        let w = out.begin(T::EmailEvents);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, m.t);
        r.s(c.NetworkMessageId, &nmid);
        r.s(c.InternetMessageId, &imid);
        r.s(c.SenderMailFromAddress, m.sender);
        r.s(c.SenderFromAddress, m.sender);
        r.s(c.SenderDisplayName, m.sender_name);
        if let Some(o) = m.sender_object {
            r.s(c.SenderObjectId, o);
        }
        r.s(c.SenderMailFromDomain, sender_domain);
        r.s(c.SenderFromDomain, sender_domain);
        r.s(c.SenderIPv4, m.sender_ip);
        r.s(c.RecipientEmailAddress, &m.recipient.upn);
        r.s(c.RecipientObjectId, &m.recipient.object_id);
        r.s(c.Subject, m.subject);
        r.n(c.EmailClusterId, cluster);
        r.s(c.EmailDirection, m.direction);
        r.s(c.DeliveryAction, m.delivery.0);
        r.s(c.DeliveryLocation, m.delivery.1);
        r.s(c.LatestDeliveryAction, m.delivery.0);
        r.s(c.LatestDeliveryLocation, m.delivery.1);
        match m.threat {
            Some(th) => {
                r.s(c.ThreatTypes, th);
                let method = match th {
                    "Phish" => "[\"URL detonation reputation\",\"Spoof external domain\"]",
                    "Malware" => "[\"File detonation\",\"Antimalware protection\"]",
                    _ => "[\"Mixed analysis detection\"]",
                };
                r.f(c.DetectionMethods, format_args!("{{\"{th}\":{method}}}"));
                r.f(c.ConfidenceLevel, format_args!("{{\"{th}\":\"High\"}}"));
                let (action, policy) = match th {
                    "Spam" => ("Move message to junk mail folder", "Antispam"),
                    "Phish" => ("Send message to quarantine", "Antiphish"),
                    _ => ("Send message to quarantine", "Antimalware"),
                };
                if m.delivery.0 != "Delivered" {
                    r.s(c.EmailAction, action);
                    r.s(c.EmailActionPolicy, policy);
                    r.s(
                        c.EmailActionPolicyGuid,
                        "0d4e6ac5-9b8a-4a51-a3f0-3d0c5f2bb6f1",
                    );
                    r.s(
                        c.OrgLevelAction,
                        if th == "Spam" {
                            "MoveToJmf"
                        } else {
                            "Quarantine"
                        },
                    );
                    r.s(c.OrgLevelPolicy, policy);
                }
            }
            None => {
                r.s(c.ConfidenceLevel, "{\"Spam\":\"Normal\"}");
            }
        }
        r.n(c.BulkComplaintLevel, bcl);
        let verdict = if m.auth_pass { "pass" } else { "fail" };
        r.f(c.AuthenticationDetails, format_args!("{{\"SPF\":\"{verdict}\",\"DKIM\":\"{}\",\"DMARC\":\"{verdict}\",\"CompAuth\":\"{verdict}\"}}", if m.auth_pass { "pass" } else { "none" }));
        r.n(c.AttachmentCount, m.attachments.len() as i64);
        r.n(c.UrlCount, m.urls.len() as i64);
        r.s(c.EmailLanguage, "en");
        r.s(c.Connectors, "");
        r.s(c.ReportId, &report);
        r.s(c.AdditionalFields, "{}");
    }
    out.commit(T::EmailEvents)?;
    for (k, url) in m.urls.iter().enumerate() {
        let domain = url
            .split("://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or("");
        let w = out.begin(T::EmailUrlInfo);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, m.t);
        r.s(c.NetworkMessageId, &nmid);
        r.s(c.Url, url);
        r.s(c.UrlDomain, domain);
        r.s(c.UrlLocation, if k == 0 { "Body" } else { "Attachment" });
        r.f(c.ReportId, format_args!("{report}-u{k}"));
        out.commit(T::EmailUrlInfo)?;
    }
    for (k, (name, sha256, size)) in m.attachments.iter().enumerate() {
        let ext = name.rsplit('.').next().unwrap_or("");
        let w = out.begin(T::EmailAttachmentInfo);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, m.t);
        r.s(c.NetworkMessageId, &nmid);
        r.s(c.SenderFromAddress, m.sender);
        r.s(c.SenderDisplayName, m.sender_name);
        if let Some(o) = m.sender_object {
            r.s(c.SenderObjectId, o);
        }
        r.s(c.RecipientEmailAddress, &m.recipient.upn);
        r.s(c.RecipientObjectId, &m.recipient.object_id);
        r.s(c.FileName, name);
        r.s(c.FileType, ext);
        r.s(c.SHA256, sha256);
        r.n(c.FileSize, *size);
        if m.threat == Some("Malware") {
            r.s(c.ThreatTypes, "Malware");
            r.s(c.ThreatNames, "Trojan:Win32/Qakbot.RPX!MTB");
            r.s(c.DetectionMethods, "[\"File detonation\"]");
        }
        r.f(c.ReportId, format_args!("{report}-a{k}"));
        out.commit(T::EmailAttachmentInfo)?;
    }
    let _ = fleet;
    Ok(nmid)
}

/// A UrlClickEvents row.
#[allow(clippy::too_many_arguments)]
pub fn click(
    out: &mut Out,
    rng: &mut Rng,
    t: i64,
    url: &str,
    user: &User,
    nmid: &str,
    ip: &str,
    action: &'static str,
    threat: Option<&'static str>,
) -> Result<(), GenerateError> {
    let report = guid(rng);
    let w = out.begin(T::UrlClickEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    r.s(c.Url, url);
    r.s(c.ActionType, action);
    r.s(c.AccountUpn, &user.upn);
    r.s(c.Workload, "Email");
    r.s(c.NetworkMessageId, nmid);
    if let Some(th) = threat {
        r.s(c.ThreatTypes, th);
        r.s(c.DetectionMethods, "[\"URL detonation reputation\"]");
    }
    r.s(c.IPAddress, ip);
    r.b(c.IsClickedThrough, action == "ClickAllowed");
    r.with(c.UrlChain, |b| {
        b.push_str("[\"");
        crate::json::push_escaped(b, url);
        b.push_str("\"]");
    });
    r.s(c.ReportId, &report);
    out.commit(T::UrlClickEvents)
}

/// An EmailPostDeliveryEvents row (ZAP, admin or user action).
#[allow(clippy::too_many_arguments)]
pub fn post_delivery(
    out: &mut Out,
    rng: &mut Rng,
    t: i64,
    nmid: &str,
    user: &User,
    action_type: &'static str,
    threat: &'static str,
    location: &'static str,
) -> Result<(), GenerateError> {
    let imid = format!("<{}@mail.example>", hex(rng, 20));
    let report = guid(rng);
    let w = out.begin(T::EmailPostDeliveryEvents);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    r.s(c.NetworkMessageId, nmid);
    r.s(c.InternetMessageId, &imid);
    r.s(c.Action, "Moved to quarantine");
    r.s(c.ActionType, action_type);
    r.s(
        c.ActionTrigger,
        if action_type.ends_with("ZAP") {
            "SpecialAction"
        } else {
            "AdminAction"
        },
    );
    r.s(c.ActionResult, "Success");
    r.s(c.RecipientEmailAddress, &user.upn);
    r.s(c.DeliveryLocation, location);
    r.s(c.ThreatTypes, threat);
    r.f(
        c.DetectionMethods,
        format_args!("{{\"{threat}\":[\"URL detonation reputation\"]}}"),
    );
    r.s(c.ReportId, &report);
    out.commit(T::EmailPostDeliveryEvents)
}

/// The day's ordinary mail for every mailbox.
pub fn day(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    clock: &DayClock,
    volume: f64,
) -> Result<(), GenerateError> {
    let scale = volume * clock.share * if clock.is_weekend() { 0.15 } else { 1.0 };
    let users = &fleet.mail_users;
    for &ui in users {
        let Some(user) = fleet.users.get(ui) else {
            continue;
        };
        let n = rng.around(14.0 * scale);
        for _ in 0..n {
            let t = clock.at(rng.range(6 * HOUR, 19 * HOUR) + rng.range(0, 59 * SEC));
            let internal = rng.chance(0.35);
            let (sender, name, ip, object, kind) = if internal {
                let s = &fleet.users[*rng.pick(users)];
                (
                    s.upn.clone(),
                    s.display.clone(),
                    "10.1.1.25".to_string(),
                    Some(s.object_id.clone()),
                    Kind::Partner,
                )
            } else {
                let (d, n, local, ip, k) = *rng.pick(SENDERS);
                (
                    format!("{local}@{d}"),
                    n.to_string(),
                    ip.to_string(),
                    None,
                    k,
                )
            };
            let subject = rng
                .pick(SUBJECTS)
                .replace("{n}", &rng.range(10_000, 99_999).to_string())
                .replace("{q}", &rng.range(1, 4).to_string());
            let domain = sender.split('@').nth(1).unwrap_or("").to_string();
            let mut urls = Vec::new();
            for _ in 0..rng.range(0, if kind == Kind::Newsletter { 4 } else { 2 }) {
                urls.push(format!(
                    "https://{}/{}",
                    if internal {
                        "contoso.sharepoint.com".to_string()
                    } else {
                        format!("www.{domain}")
                    },
                    hex(rng, 10)
                ));
            }
            let att_name;
            let att_hash;
            let mut atts: Vec<(&str, &str, i64)> = Vec::new();
            if kind == Kind::Partner && rng.chance(0.3) {
                att_name = rng
                    .pick(&[
                        "invoice.pdf",
                        "contract.docx",
                        "figures.xlsx",
                        "scan0042.pdf",
                        "agenda.docx",
                    ])
                    .to_string();
                att_hash = hex(rng, 64);
                atts.push((&att_name, &att_hash, rng.range(20_000, 3_000_000)));
            }
            let (threat, delivery, auth) = match kind {
                Kind::Spam => (Some("Spam"), ("Junked", "Junk folder"), false),
                _ => (None, ("Delivered", "Inbox/folder"), true),
            };
            let m = Mail {
                t,
                sender: &sender,
                sender_name: &name,
                sender_ip: &ip,
                sender_object: object.as_deref(),
                recipient: user,
                subject: &subject,
                direction: if internal { "Intra-org" } else { "Inbound" },
                urls: &urls,
                attachments: &atts,
                threat,
                delivery,
                auth_pass: auth,
            };
            let nmid = send(out, rng, fleet, &m)?;
            if let Some(u) = urls.first()
                && threat.is_none()
                && rng.chance(0.12)
            {
                let ip = crate::fleet::PUBLIC_IPS[ui % 3];
                let tc = t + rng.range(MIN, 2 * HOUR);
                click(out, rng, tc, u, user, &nmid, ip, "ClickAllowed", None)?;
            }
        }
        // Outbound replies.
        for _ in 0..rng.around(4.0 * scale) {
            let t = clock.at(rng.range(8 * HOUR, 18 * HOUR));
            let (d, _, local, _, _) = *rng.pick(&SENDERS[..5]);
            let to = User {
                upn: format!("{local}@{d}"),
                ..user.clone()
            };
            let subject = format!(
                "RE: {}",
                rng.pick(SUBJECTS)
                    .replace("{n}", "1042")
                    .replace("{q}", "3")
            );
            let m = Mail {
                t,
                sender: &user.upn,
                sender_name: &user.display,
                sender_ip: "10.1.1.25",
                sender_object: Some(&user.object_id),
                recipient: &to,
                subject: &subject,
                direction: "Outbound",
                urls: &[],
                attachments: &[],
                threat: None,
                delivery: ("Delivered", "On-premises/external"),
                auth_pass: true,
            };
            send(out, rng, fleet, &m)?;
        }
    }
    Ok(())
}
