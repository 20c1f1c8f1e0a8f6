//! Template values of a procedure run: the `{user}`, `{dom}`, `{dc}`… placeholders of
//! the library's command lines, filled from the tenant, the fleet and the device.

use super::{C2, DROP};
use crate::ctx::{Dx, Role};

/// Template values of one run.
pub(super) struct Vars {
    pairs: Vec<(&'static str, String)>,
}

impl Vars {
    pub(super) fn expand(&self, s: &str) -> String {
        if !s.contains('{') {
            return s.to_string();
        }
        let mut out = s.to_string();
        for (k, v) in &self.pairs {
            if out.contains(k) {
                out = out.replace(k, v);
            }
        }
        out
    }
}

pub(super) fn vars(dx: &Dx, user: &str, sid: &str) -> Vars {
    let name = |i: Option<&usize>| {
        i.and_then(|i| dx.fleet.devices.get(*i))
            .map(|d| d.short.clone())
            .unwrap_or_else(|| "dc01".to_string())
    };
    let fs = dx
        .fleet
        .devices
        .iter()
        .find(|d| d.role == "file")
        .map(|d| d.short.clone())
        .unwrap_or_else(|| name(dx.fleet.dcs.first()));
    let lsass = dx
        .find(Role::Lsass)
        .map(|i| dx.st.procs[i].pid)
        .unwrap_or(672);
    Vars {
        pairs: vec![
            ("{user}", user.to_string()),
            ("{sid}", sid.to_string()),
            ("{dom}", dx.fleet.tenant.ad_domain.clone()),
            ("{dn}", domain_dn(&dx.fleet.tenant.ad_domain)),
            ("{nb}", netbios(&dx.fleet.tenant.ad_domain)),
            ("{dc}", name(dx.fleet.dcs.first())),
            ("{fs}", fs),
            ("{host}", dx.dev.short.clone()),
            ("{c2}", C2.0.to_string()),
            ("{c2ip}", C2.1.to_string()),
            ("{drop}", DROP.0.to_string()),
            ("{dropip}", DROP.1.to_string()),
            ("{lsass}", lsass.to_string()),
            ("{ip}", dx.dev.ip_text.clone()),
        ],
    }
}

/// The distinguished name of a DNS domain (`contoso.local` → `DC=contoso,DC=local`), as
/// LDAP paths in dsacls, ldifde and DSInternals command lines spell it.
pub(super) fn domain_dn(dom: &str) -> String {
    dom.split('.')
        .filter(|p| !p.is_empty())
        .map(|p| format!("DC={p}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The NetBIOS domain name: the first DNS label, upper-cased (`CONTOSO\user`).
pub(super) fn netbios(dom: &str) -> String {
    dom.split('.').next().unwrap_or(dom).to_uppercase()
}
