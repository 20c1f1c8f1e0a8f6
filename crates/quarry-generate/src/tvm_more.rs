//! The rest of a fleet's software inventory as TVM reports it: browsers, archivers, SSH
//! clients, runtimes and remote-support tools on some workstations, the server products
//! behind a server's role (Log4j and Tomcat on application servers, Exchange and IIS on
//! web servers, PaperCut on print servers...), and Linux libraries, each with the
//! well-known vulnerabilities of the installed version (`tvm_more.txt`). Installed
//! software decides the vulnerability rows, so a CVE only shows where its product does.

use crate::GenerateError;
use crate::ctx::fill_device;
use crate::fleet::{Device, Fleet, Kind};
use crate::out::{Out, T};
use crate::rng::{Rng, hash_str};
use std::sync::OnceLock;

struct Sw {
    name: &'static str,
    vendor: &'static str,
    version: &'static str,
    place: &'static str,
}

struct Cve {
    id: &'static str,
    software: &'static str,
    severity: &'static str,
    cvss: f64,
    exploit: bool,
    description: &'static str,
}

struct Data {
    software: Vec<Sw>,
    cves: Vec<Cve>,
}

/// Parses `tvm_more.txt`; `None` if a line is malformed (the tests parse it).
fn parse(src: &'static str) -> Option<Data> {
    let mut d = Data {
        software: Vec::new(),
        cves: Vec::new(),
    };
    for line in src.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (kw, rest) = line.split_once(' ')?;
        let f: Vec<&'static str> = rest.split(" | ").map(str::trim).collect();
        match (kw, f.as_slice()) {
            ("sw", [name, vendor, version, place]) => d.software.push(Sw {
                name,
                vendor,
                version,
                place,
            }),
            ("cve", [id, software, severity, cvss, exploit, description]) => d.cves.push(Cve {
                id,
                software,
                severity,
                cvss: cvss.parse().ok()?,
                exploit: *exploit == "yes",
                description,
            }),
            _ => return None,
        }
    }
    let known = |n: &str| d.software.iter().any(|s| s.name == n) || TVM_BASE.contains(&n);
    d.cves.iter().all(|c| known(c.software)).then_some(d)
}

/// Software of the base inventory (inventory.rs) that CVEs here may name.
const TVM_BASE: &[&str] = &["7-zip", "chrome", "office"];

fn data() -> Option<&'static Data> {
    static D: OnceLock<Option<Data>> = OnceLock::new();
    D.get_or_init(|| parse(include_str!("tvm_more.txt")))
        .as_ref()
}

/// Whether the device has the software: by place, and for `some` a stable per-device draw.
fn installed(dev: &Device, sw: &Sw, seed: u64) -> bool {
    let windows = dev.is_windows();
    let server = matches!(dev.kind, Kind::Server | Kind::DomainController);
    match sw.place {
        "all" => windows,
        "linux" => dev.kind == Kind::Linux,
        "ws" => windows && !server,
        "srv" => windows && server,
        "some" => {
            windows && !server && {
                let h = hash_str(&format!("{}|{}|{seed}", dev.name, sw.name));
                Rng::new(h).chance(0.3)
            }
        }
        role => windows && server && dev.role == role,
    }
}

fn os_cols(r: &mut crate::row::Row, c: &crate::cols::Cols, dev: &Device) {
    r.s(c.OSArchitecture, "x64");
    r.s(c.OSPlatform, dev.platform);
    r.s(c.OSVersion, dev.os_version);
}

/// Inventory and vulnerability rows per device, knowledge-base rows once.
pub fn tvm_more(out: &mut Out, fleet: &Fleet, seed: u64, t: i64) -> Result<(), GenerateError> {
    let Some(d) = data() else {
        return Err(GenerateError::Internal("tvm_more.txt does not parse"));
    };
    for dev in &fleet.devices {
        for sw in d.software.iter().filter(|s| installed(dev, s, seed)) {
            let w = out.begin(T::DeviceTvmSoftwareInventory);
            let (c, r) = (&*w.c, &mut w.row);
            fill_device(r, c, dev);
            os_cols(r, c, dev);
            r.s(c.SoftwareName, sw.name);
            r.s(c.SoftwareVendor, sw.vendor);
            r.s(c.SoftwareVersion, sw.version);
            r.f(
                c.ProductCodeCpe,
                format_args!("cpe:2.3:a:{}:{}:-:*:*:*:*:*:*:*", sw.vendor, sw.name),
            );
            r.s(c.EndOfSupportStatus, "");
            out.commit(T::DeviceTvmSoftwareInventory)?;
            for cve in d.cves.iter().filter(|c| c.software == sw.name) {
                let w = out.begin(T::DeviceTvmSoftwareVulnerabilities);
                let (c, r) = (&*w.c, &mut w.row);
                fill_device(r, c, dev);
                os_cols(r, c, dev);
                r.s(c.CveId, cve.id);
                r.s(c.CveTags, "[]");
                r.s(c.SoftwareName, sw.name);
                r.s(c.SoftwareVendor, sw.vendor);
                r.s(c.SoftwareVersion, sw.version);
                r.s(c.VulnerabilitySeverityLevel, cve.severity);
                out.commit(T::DeviceTvmSoftwareVulnerabilities)?;
            }
        }
    }
    for cve in &d.cves {
        let vendor = d
            .software
            .iter()
            .find(|s| s.name == cve.software)
            .map_or("microsoft", |s| s.vendor);
        let w = out.begin(T::DeviceTvmSoftwareVulnerabilitiesKB);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, t);
        r.s(c.CveId, cve.id);
        r.r(c.CvssScore, cve.cvss);
        r.b(c.IsExploitAvailable, cve.exploit);
        r.t(c.LastModifiedTime, t - 20 * crate::ctx::DAY);
        r.t(c.PublishedDate, t - 200 * crate::ctx::DAY);
        r.s(c.VulnerabilityDescription, cve.description);
        r.s(c.VulnerabilitySeverityLevel, cve.severity);
        r.f(
            c.AffectedSoftware,
            format_args!(
                "[{{\"SoftwareVendor\":\"{vendor}\",\"SoftwareName\":\"{}\"}}]",
                cve.software
            ),
        );
        out.commit(T::DeviceTvmSoftwareVulnerabilitiesKB)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_parses_and_every_cve_names_known_software() {
        let d = data().expect("tvm_more.txt parses");
        assert!(d.software.len() >= 20 && d.cves.len() >= 10);
        assert!(parse("cve CVE-1 | nosuch | High | 7.0 | no | x").is_none());
        assert!(parse("sw a | b | 1.0").is_none());
        for c in &d.cves {
            assert!(c.id.starts_with("CVE-") && (0.0..=10.0).contains(&c.cvss));
            assert!(["Low", "Medium", "High", "Critical"].contains(&c.severity));
        }
    }
}
