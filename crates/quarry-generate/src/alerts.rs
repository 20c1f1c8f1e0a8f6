//! AlertInfo, AlertEvidence and BehaviorInfo for the scenarios.

use crate::GenerateError;
use crate::catalog::{Bin, Catalog};
use crate::ctx::{Proc, SEC, acct_fields};
use crate::fleet::{Device, Fleet, User};
use crate::out::{Out, T};
use crate::rng::Rng;

#[derive(Debug, Clone, Copy)]
pub struct Alert<'a> {
    pub title: &'a str,
    pub category: &'static str,
    pub severity: &'static str,
    pub service: Service,
    /// `["Name (T1234.001)", ...]` entries, without the JSON.
    pub techniques: &'a [&'a str],
    pub t: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Endpoint,
    EndpointAv,
    Office,
    Identity,
    Cloud,
}

impl Service {
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Service::Endpoint => ("Microsoft Defender for Endpoint", "EDR", "da"),
            Service::EndpointAv => ("Microsoft Defender for Endpoint", "Antivirus", "da"),
            Service::Office => (
                "Microsoft Defender for Office 365",
                "Microsoft Defender for Office 365",
                "fa",
            ),
            Service::Identity => (
                "Microsoft Defender for Identity",
                "Microsoft Defender for Identity",
                "aa",
            ),
            Service::Cloud => (
                "Microsoft Defender for Cloud Apps",
                "Microsoft Defender for Cloud Apps",
                "ca",
            ),
        }
    }
}

pub enum Evidence<'a> {
    Machine(&'a Device),
    Process(&'a Device, &'a Proc),
    File {
        dev: &'a Device,
        path: &'a str,
        bin: Option<Bin>,
    },
    User(&'a User),
    Ip(&'a str),
    Url(&'a str),
    Mail {
        id: &'a str,
        subject: &'a str,
        recipient: &'a User,
    },
    Registry {
        dev: &'a Device,
        key: &'a str,
        name: &'a str,
        data: &'a str,
    },
}

pub struct Ctx<'a, 's> {
    pub out: &'a mut Out<'s>,
    pub rng: &'a mut Rng,
    pub fleet: &'a Fleet,
    pub cat: &'a Catalog,
}

fn techniques_json(b: &mut String, list: &[&str]) {
    b.push('[');
    for (k, t) in list.iter().enumerate() {
        if k > 0 {
            b.push(',');
        }
        b.push('"');
        crate::json::push_escaped(b, t);
        b.push('"');
    }
    b.push(']');
}

/// Raises an alert with its evidence; returns the AlertId.
pub fn raise(cx: &mut Ctx, alert: &Alert, evidence: &[Evidence]) -> Result<String, GenerateError> {
    let (service, detection, prefix) = alert.service.names();
    let id = format!(
        "{prefix}{}_{}",
        638_600_000_000_000_000u64 + cx.rng.below(99_999_999_999),
        -(cx.rng.range(100_000_000, 2_100_000_000))
    );
    let t = alert.t + cx.rng.range(30 * SEC, 600 * SEC);
    {
        let w = cx.out.begin(T::AlertInfo);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, t);
        r.s(c.AlertId, &id);
        r.s(c.Title, alert.title);
        r.s(c.Category, alert.category);
        r.s(c.Severity, alert.severity);
        r.s(c.ServiceSource, service);
        r.s(c.DetectionSource, detection);
        r.with(c.AttackTechniques, |b| techniques_json(b, alert.techniques));
    }
    cx.out.commit(T::AlertInfo)?;
    for (k, ev) in evidence.iter().enumerate() {
        let (fleet, cat) = (cx.fleet, cx.cat);
        let w = cx.out.begin(T::AlertEvidence);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, t);
        r.s(c.AlertId, &id);
        r.s(c.Title, alert.title);
        r.with(c.Categories, |b| {
            b.push_str("[\"");
            b.push_str(alert.category);
            b.push_str("\"]");
        });
        r.with(c.AttackTechniques, |b| techniques_json(b, alert.techniques));
        r.s(c.ServiceSource, service);
        r.s(c.DetectionSource, detection);
        r.s(c.Severity, alert.severity);
        r.s(c.EvidenceRole, if k == 0 { "Impacted" } else { "Related" });
        match ev {
            Evidence::Machine(d) => {
                r.s(c.EntityType, "Machine");
                r.s(c.DeviceId, &d.id);
                r.s(c.DeviceName, &d.name);
                r.s(c.LocalIP, &d.ip_text);
                r.s(c.AdditionalFields, &format!("{{\"OSFamily\":\"{}\",\"HealthStatus\":\"Active\",\"RiskScore\":\"High\"}}", if d.is_windows() { "Windows" } else { d.platform }));
            }
            Evidence::Process(d, p) => {
                r.s(c.EntityType, "Process");
                r.s(c.EvidenceDirection, "Source");
                r.s(c.DeviceId, &d.id);
                r.s(c.DeviceName, &d.name);
                r.s(c.FileName, p.bin.name());
                r.s(c.FolderPath, &p.path);
                let h = cat.hashes(p.bin);
                r.s(c.SHA1, &h.sha1);
                r.s(c.SHA256, &h.sha256);
                r.n(c.FileSize, p.bin.def().size);
                r.s(c.ProcessCommandLine, &p.cmd);
                let (name, domain, sid, upn, oid) = acct_fields(fleet, d, p.acct);
                r.s(c.AccountName, name);
                r.s(c.AccountDomain, domain);
                if let Some(s) = sid {
                    r.s(c.AccountSid, s);
                }
                if let Some(u) = upn {
                    r.s(c.AccountUpn, u);
                }
                if let Some(o) = oid {
                    r.s(c.AccountObjectId, o);
                }
            }
            Evidence::File { dev, path, bin } => {
                r.s(c.EntityType, "File");
                r.s(c.DeviceId, &dev.id);
                r.s(c.DeviceName, &dev.name);
                let name = path.rsplit('\\').next().unwrap_or(path);
                r.s(c.FileName, name);
                r.s(c.FolderPath, path);
                if let Some(b) = bin {
                    let h = cat.hashes(*b);
                    r.s(c.SHA1, &h.sha1);
                    r.s(c.SHA256, &h.sha256);
                    r.n(c.FileSize, b.def().size);
                }
            }
            Evidence::User(u) => {
                r.s(c.EntityType, "User");
                r.s(c.AccountName, &u.sam);
                r.s(c.AccountDomain, &fleet.tenant.short);
                r.s(c.AccountSid, &u.sid);
                r.s(c.AccountObjectId, &u.object_id);
                r.s(c.AccountUpn, &u.upn);
            }
            Evidence::Ip(ip) => {
                r.s(c.EntityType, "Ip");
                r.s(c.EvidenceDirection, "Destination");
                r.s(c.RemoteIP, ip);
            }
            Evidence::Url(u) => {
                r.s(c.EntityType, "Url");
                r.s(c.RemoteUrl, u);
            }
            Evidence::Mail {
                id: nmid,
                subject,
                recipient,
            } => {
                r.s(c.EntityType, "MailMessage");
                r.s(c.NetworkMessageId, nmid);
                r.s(c.EmailSubject, subject);
                r.s(c.AccountUpn, &recipient.upn);
                r.s(c.AccountObjectId, &recipient.object_id);
            }
            Evidence::Registry {
                dev,
                key,
                name,
                data,
            } => {
                r.s(c.EntityType, "RegistryValue");
                r.s(c.DeviceId, &dev.id);
                r.s(c.DeviceName, &dev.name);
                r.s(c.RegistryKey, key);
                r.s(c.RegistryValueName, name);
                r.s(c.RegistryValueData, data);
            }
        }
        cx.out.commit(T::AlertEvidence)?;
    }
    Ok(id)
}

/// A BehaviorInfo row (a behaviour the scenario shows, short of an alert).
#[allow(clippy::too_many_arguments)]
pub fn behavior(
    cx: &mut Ctx,
    dev: &Device,
    user: Option<&User>,
    action: &str,
    description: &str,
    category: &str,
    technique: &str,
    start: i64,
    end: i64,
) -> Result<(), GenerateError> {
    let id = format!(
        "ba{}_{}",
        638_600_000_000_000_000u64 + cx.rng.below(99_999_999_999),
        cx.rng.range(100_000_000, 2_100_000_000)
    );
    let w = cx.out.begin(T::BehaviorInfo);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, end);
    r.s(c.BehaviorId, &id);
    r.s(c.ActionType, action);
    r.s(c.Description, description);
    r.f(c.Categories, format_args!("[\"{category}\"]"));
    r.f(c.AttackTechniques, format_args!("[\"{technique}\"]"));
    r.s(c.ServiceSource, "Microsoft Defender for Endpoint");
    r.s(c.DetectionSource, "EDR");
    r.s(c.DataSources, "[\"Microsoft Defender for Endpoint\"]");
    r.s(c.DeviceId, &dev.id);
    if let Some(u) = user {
        r.s(c.AccountUpn, &u.upn);
        r.s(c.AccountObjectId, &u.object_id);
    }
    r.t(c.StartTime, start);
    r.t(c.EndTime, end);
    r.s(c.AdditionalFields, "{}");
    cx.out.commit(T::BehaviorInfo)
}
