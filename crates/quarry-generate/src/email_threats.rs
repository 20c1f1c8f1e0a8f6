//! The commodity phishing and malware mail every tenant receives: most of it stopped by
//! Exchange Online Protection (quarantined), a little delivered, then removed by
//! zero-hour auto purge or blocked by Safe Links when a user clicks it. Lures follow
//! public reporting: credential pages behind lookalike domains and file-sharing links,
//! and loaders in ISO, ZIP, HTML and OneNote attachments.

use crate::GenerateError;
use crate::ctx::{DayClock, HOUR, MIN, SEC};
use crate::email::{Mail, click, post_delivery, send};
use crate::fleet::{Fleet, PUBLIC_IPS, hex};
use crate::out::Out;
use crate::rng::Rng;

/// (domain, display name, local part, sending IP)
const SENDERS: &[(&str, &str, &str, &str)] = &[
    (
        "micros0ft-support.com",
        "Microsoft 365",
        "no-reply",
        "185.225.73.12",
    ),
    ("docusign-secure.net", "DocuSign", "dse_na2", "45.89.127.33"),
    (
        "sharepoint-docs.info",
        "SharePoint Online",
        "share",
        "193.42.33.101",
    ),
    (
        "dhl-tracking-info.com",
        "DHL Express",
        "noreply",
        "91.92.245.18",
    ),
    (
        "office365-verify.net",
        "IT Helpdesk",
        "helpdesk",
        "5.188.206.44",
    ),
    (
        "payroll-notice.org",
        "Payroll Department",
        "payroll",
        "194.26.29.84",
    ),
];

const PHISH_SUBJECTS: &[&str] = &[
    "Action required: your password expires today",
    "You have received a document to review and sign",
    "Shared file: Q{q} Salary Adjustments.pdf",
    "Your mailbox storage is full",
    "DHL: delivery attempt failed, shipment {n}",
    "Voicemail received from +1 (415) 555-{n}",
    "Scan the QR code to keep your MFA active",
    "Your Microsoft 365 subscription payment failed",
    "Complete with DocuSign: Remittance {n}",
];

const MALWARE_SUBJECTS: &[&str] = &[
    "RE: Invoice {n}",
    "Payment confirmation {n}",
    "Scanned document from printer",
    "FW: Purchase order {n}",
];

/// Attachment name templates of malware campaigns.
const ATTACHMENTS: &[&str] = &[
    "Invoice_{n}.iso",
    "Scan_{n}.one",
    "Remittance_{n}.html",
    "PO_{n}.zip",
    "Statement_{n}.img",
    "Document_{n}.docm",
    // 2024-2025 lures: SVG and HTM smuggling pages, archives around shortcuts and
    // scripts, macro workbooks in binary format, disk images.
    "Fax_Message_{n}.svg",
    "Voicemail_{n}.htm",
    "Order_{n}.rar",
    "Shipment_{n}.7z",
    "Payment_Advice_{n}.xlsb",
    "Contract_{n}.vhd",
];

fn phish_url(rng: &mut Rng, domain: &str) -> String {
    let id = hex(rng, 16);
    match rng.index(5) {
        0 => format!("https://{domain}/login/{id}"),
        1 => format!("https://docs.google.com/document/d/{id}/edit"),
        2 => format!("https://1drv.ms/b/s!{id}"),
        3 => format!("https://drive.google.com/file/d/{id}/view"),
        _ => format!("https://secure-{id}.web.app/o365/index.html"),
    }
}

/// The day's malicious mail across the tenant's mailboxes.
pub fn day(
    out: &mut Out,
    rng: &mut Rng,
    fleet: &Fleet,
    clock: &DayClock,
    volume: f64,
) -> Result<(), GenerateError> {
    let users = &fleet.mail_users;
    if users.is_empty() {
        return Ok(());
    }
    let scale = volume * clock.share;
    let n = rng.around(0.25 * users.len() as f64 * scale);
    for _ in 0..n {
        let ui = *rng.pick(users);
        let Some(user) = fleet.users.get(ui) else {
            continue;
        };
        let (domain, name, local, ip) = *rng.pick(SENDERS);
        let sender = format!("{local}@{domain}");
        let t = clock.at(rng.range(0, 24 * HOUR - MIN));
        let malware = rng.chance(0.35);
        let num = rng.range(1_000, 9_999).to_string();
        let subject = if malware {
            rng.pick(MALWARE_SUBJECTS)
        } else {
            rng.pick(PHISH_SUBJECTS)
        }
        .replace("{n}", &num)
        .replace("{q}", &rng.range(1, 4).to_string());
        let mut urls = Vec::new();
        let att_name;
        let att_hash;
        let mut atts: Vec<(&str, &str, i64)> = Vec::new();
        if malware {
            att_name = rng.pick(ATTACHMENTS).replace("{n}", &num);
            att_hash = hex(rng, 64);
            atts.push((&att_name, &att_hash, rng.range(40_000, 2_500_000)));
        } else {
            urls.push(phish_url(rng, domain));
        }
        // Most are caught at delivery; a few get through and are dealt with later.
        let missed = rng.chance(0.12);
        let threat = if malware { "Malware" } else { "Phish" };
        let m = Mail {
            t,
            sender: &sender,
            sender_name: name,
            sender_ip: ip,
            sender_object: None,
            recipient: user,
            subject: &subject,
            direction: "Inbound",
            urls: &urls,
            attachments: &atts,
            threat: (!missed).then_some(threat),
            delivery: if missed {
                ("Delivered", "Inbox/folder")
            } else {
                ("Blocked", "Quarantine")
            },
            auth_pass: false,
        };
        let nmid = send(out, rng, fleet, &m)?;
        if !missed {
            continue;
        }
        if let Some(url) = urls.first()
            && rng.chance(0.5)
        {
            let tc = t + rng.range(2 * MIN, 3 * HOUR);
            let ip = PUBLIC_IPS[ui % PUBLIC_IPS.len()];
            click(
                out,
                rng,
                tc,
                url,
                user,
                &nmid,
                ip,
                "ClickBlocked",
                Some("Phish"),
            )?;
        }
        if rng.chance(0.6) {
            let tz = t + rng.range(20 * MIN, 6 * HOUR) + rng.range(0, 59) * SEC;
            let action = if malware { "Malware ZAP" } else { "Phish ZAP" };
            post_delivery(out, rng, tz, &nmid, user, action, threat, "Quarantine")?;
        }
    }
    Ok(())
}
