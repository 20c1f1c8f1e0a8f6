//! Initial access through mail, and mailbox manipulation after a foreign sign-in.

use super::{C2, DROP, PHISH, Run, acx, ensure_session};
use crate::GenerateError;
use crate::alerts::{Alert, Evidence, Service, raise};
use crate::catalog::Bin;
use crate::ctx::{HOUR, MIN, Role, SEC, Spawn};
use crate::devevents::{Ev, event};
use crate::email::{Mail, click, post_delivery, send};
use crate::files::{FileOp, file};
use crate::network::{Conn, net};
use crate::{cloud, identity};

type R = Result<(), GenerateError>;

pub fn phishing(r: &mut Run) -> R {
    let t = r.at();
    let fleet = r.fleet;
    let Some(dev) = fleet.devices.get(r.p.device) else {
        return Ok(());
    };
    let Some(user) = fleet.users.get(dev.primary_user) else {
        return Ok(());
    };
    let t_mail = t - r.rng.range(10 * MIN, 50 * MIN);
    let login_url = format!("https://{}/auth/login.php?u={}", PHISH.0, user.upn);
    let payload_url = format!("https://{}/d/Invoice_0923.exe", DROP.0);
    let urls = vec![login_url.clone(), payload_url.clone()];
    let att_hash = r.cat.hashes(Bin::InvoiceLnk).sha256.clone();
    let atts = [("Invoice_0923.html", att_hash.as_str(), 4_812i64)];
    let subject = "Action required: unpaid invoice #0923 - password verification needed";
    let mail = Mail {
        t: t_mail,
        sender: "billing@micros0ft-billing.com",
        sender_name: "Microsoft 365 Billing",
        sender_ip: "185.225.73.18",
        sender_object: None,
        recipient: user,
        subject,
        direction: "Inbound",
        urls: &urls,
        attachments: &atts,
        threat: None,
        delivery: ("Delivered", "Inbox/folder"),
        auth_pass: false,
    };
    let nmid = send(r.out, r.rng, fleet, &mail)?;
    let user_ip = crate::fleet::PUBLIC_IPS[dev.primary_user % 3];
    click(
        r.out,
        r.rng,
        t,
        &login_url,
        user,
        &nmid,
        user_ip,
        "ClickAllowed",
        None,
    )?;
    click(
        r.out,
        r.rng,
        t + 2 * MIN,
        &payload_url,
        user,
        &nmid,
        user_ip,
        "ClickAllowed",
        None,
    )?;
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let outlook = match dx.find(Role::Mail) {
        Some(o) if dx.st.procs[o].create < t => o,
        _ => dx.spawn(
            explorer,
            Bin::Outlook,
            r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" "#,
            t - 20 * MIN,
            Spawn {
                role: Some(Role::Mail),
                life: Some(4 * HOUR),
                ..Default::default()
            },
        )?,
    };
    event(
        &mut dx,
        outlook,
        t,
        &Ev {
            action: "BrowserLaunchedToOpenUrl",
            remote_url: Some(&login_url),
            ..Default::default()
        },
    )?;
    let edge = dx.spawn(outlook, Bin::Msedge, &format!(r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument {login_url}"#), t + SEC, Spawn { role: Some(Role::Browser), life: Some(HOUR), ..Default::default() })?;
    let t0 = dx.st.procs[edge].create;
    let conn = Conn {
        action: "ConnectionSuccess",
        remote_ip: PHISH.1,
        remote_port: 443,
        url: PHISH.0,
        local_port: 54_001,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, edge, t0 + SEC, &conn)?;
    let conn = Conn {
        action: "ConnectionSuccess",
        remote_ip: DROP.1,
        remote_port: 443,
        url: DROP.0,
        local_port: 54_013,
        protocol: "Tcp",
        additional: "",
    };
    net(&mut dx, edge, t0 + 2 * MIN, &conn)?;
    let profile = dx.user_profile(dx.st.procs[explorer].acct).to_string();
    let path = Bin::InvoiceLnk.path(&profile);
    let h = dx.cat.hashes(Bin::InvoiceLnk).clone();
    let referrer = login_url.clone();
    file(
        &mut dx,
        edge,
        t0 + 2 * MIN + 5 * SEC,
        &FileOp {
            action: "FileCreated",
            path: &path,
            sha1: Some(&h.sha1),
            sha256: Some(&h.sha256),
            md5: Some(&h.md5),
            size: Bin::InvoiceLnk.def().size,
            origin_url: Some(&payload_url),
            referrer: Some(&referrer),
            origin_ip: Some(DROP.1),
            additional: Some(r#"{"FileType":"PortableExecutable"}"#),
            ..Default::default()
        },
    )?;
    let inv = dx.spawn(
        explorer,
        Bin::InvoiceLnk,
        &format!("\"{path}\" "),
        t0 + 3 * MIN,
        Spawn {
            life: Some(2 * HOUR),
            ..Default::default()
        },
    )?;
    let t2 = dx.st.procs[inv].create;
    super::exec::beacon(&mut dx, inv, t2, C2.0, C2.1, 443, 6)?;
    let add =
        r#"{"Experience":"Untrusted","ApplicationName":"Invoice_0923.exe","IsUserOverride":true}"#;
    event(
        &mut dx,
        explorer,
        t2 - SEC,
        &Ev {
            action: "SmartScreenUserOverride",
            file: Some(&path),
            file_bin: Some(Bin::InvoiceLnk),
            additional: Some(add),
            ..Default::default()
        },
    )?;
    let zap_t = t + dx.rng.range(HOUR, 3 * HOUR);
    post_delivery(
        dx.out,
        dx.rng,
        zap_t,
        &nmid,
        user,
        "Phish ZAP",
        "Phish",
        "Quarantine",
    )?;
    let pinv = dx.st.procs[inv].clone();
    let mut cx = acx!(dx);
    raise(
        &mut cx,
        &Alert {
            title: "Email messages containing malicious URL removed after delivery",
            category: "InitialAccess",
            severity: "Informational",
            service: Service::Office,
            techniques: &[
                "Spearphishing Link (T1566.002)",
                "Spearphishing Attachment (T1566.001)",
            ],
            t: zap_t,
        },
        &[
            Evidence::Mail {
                id: &nmid,
                subject,
                recipient: user,
            },
            Evidence::User(user),
            Evidence::Url(&login_url),
            Evidence::Url(&payload_url),
        ],
    )?;
    raise(
        &mut cx,
        &Alert {
            title: "A user clicked through to a potentially malicious URL",
            category: "InitialAccess",
            severity: "High",
            service: Service::Office,
            techniques: &["Spearphishing Link (T1566.002)"],
            t: t + MIN,
        },
        &[
            Evidence::User(user),
            Evidence::Url(&payload_url),
            Evidence::Mail {
                id: &nmid,
                subject,
                recipient: user,
            },
        ],
    )?;
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious file launched after download from a link in email",
            category: "Execution",
            severity: "High",
            service: Service::Endpoint,
            techniques: &[
                "Malicious File (T1204.002)",
                "Spearphishing Link (T1566.002)",
            ],
            t: t2,
        },
        &[
            Evidence::Machine(dev),
            Evidence::Process(dev, &pinv),
            Evidence::File {
                dev,
                path: &path,
                bin: Some(Bin::InvoiceLnk),
            },
            Evidence::Ip(C2.1),
            Evidence::User(user),
        ],
    )?;
    Ok(())
}

pub fn inbox_rule(r: &mut Run) -> R {
    let t = r.at();
    let fleet = r.fleet;
    let Some(dev) = fleet.devices.get(r.p.device) else {
        return Ok(());
    };
    let Some(user) = fleet.users.get(dev.primary_user) else {
        return Ok(());
    };
    let (ip, country, city, isp) = ("102.89.34.118", "NG", "Lagos", "MTN Nigeria");
    identity::cloud_logon(r.out, r.rng, t - 4 * MIN, user, ip, country, isp, false)?;
    identity::cloud_logon(r.out, r.rng, t - 2 * MIN, user, ip, country, isp, true)?;
    cloud::event(
        r.out,
        r.rng,
        t - MIN,
        user,
        "MailItemsAccessed",
        "Microsoft Exchange Online",
        20893,
        "Read",
        "Email",
        &user.upn,
        ip,
        country,
        city,
        isp,
        "",
    )?;
    let extra = r#","Parameters":[{"Name":"Name","Value":".."},{"Name":"SubjectOrBodyContainsWords","Value":"invoice;payment;wire"},{"Name":"MoveToFolder","Value":"RSS Feeds"},{"Name":"MarkAsRead","Value":"True"},{"Name":"StopProcessingRules","Value":"True"}]"#;
    cloud::event(
        r.out,
        r.rng,
        t,
        user,
        "New-InboxRule",
        "Microsoft Exchange Online",
        20893,
        "Create",
        "Email",
        "..",
        ip,
        country,
        city,
        isp,
        extra,
    )?;
    let mut cx = crate::alerts::Ctx {
        out: &mut *r.out,
        rng: &mut *r.rng,
        fleet,
        cat: r.cat,
    };
    raise(
        &mut cx,
        &Alert {
            title: "Suspicious inbox manipulation rule",
            category: "DefenseEvasion",
            severity: "Medium",
            service: Service::Cloud,
            techniques: &[
                "Email Hiding Rules (T1564.008)",
                "Valid Accounts: Cloud Accounts (T1078.004)",
            ],
            t,
        },
        &[Evidence::User(user), Evidence::Ip(ip)],
    )?;
    Ok(())
}
