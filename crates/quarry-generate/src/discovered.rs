//! Devices the sensors discover on the network without being onboarded (device discovery):
//! a contractor's Windows laptop and a personal Mac that could be onboarded, a phone on the
//! Wi-Fi, printers, switches and the internet-facing firewall that cannot. DeviceInfo
//! lists them every day with their onboarding status, like the onboarded fleet.

use crate::GenerateError;
use crate::ctx::{DAY, HOUR};
use crate::fleet::{Fleet, hex};
use crate::out::{Out, T};
use crate::rng::{Rng, hash_str};

/// (name, OS platform, category, type, subtype, vendor, model, onboarding, internet-facing)
type Found = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
);

const FOUND: &[Found] = &[
    (
        "ws-contractor-07",
        "Windows10",
        "Endpoint",
        "Workstation",
        "",
        "Dell Inc.",
        "Latitude 5420",
        "Can be onboarded",
        false,
    ),
    (
        "jdoe-macbook",
        "macOS",
        "Endpoint",
        "Workstation",
        "",
        "Apple",
        "MacBookPro18,3",
        "Can be onboarded",
        false,
    ),
    (
        "android-5f2a9c",
        "Android",
        "Endpoint",
        "Mobile",
        "Smartphone",
        "samsung",
        "SM-S911B",
        "Can be onboarded",
        false,
    ),
    (
        "nas01",
        "Linux",
        "Endpoint",
        "Server",
        "",
        "Synology",
        "DS920+",
        "Insufficient info",
        false,
    ),
    (
        "hp-lj-m607-2f",
        "",
        "IoT",
        "Printer",
        "",
        "HP",
        "LaserJet Enterprise M607",
        "Unsupported",
        false,
    ),
    (
        "xerox-c8145-3f",
        "",
        "IoT",
        "Printer",
        "",
        "Xerox",
        "AltaLink C8145",
        "Unsupported",
        false,
    ),
    (
        "core-sw01",
        "",
        "NetworkDevice",
        "NetworkDevice",
        "Switch",
        "Cisco",
        "Catalyst 9300",
        "Unsupported",
        false,
    ),
    (
        "fw01",
        "",
        "NetworkDevice",
        "NetworkDevice",
        "Firewall",
        "Fortinet",
        "FortiGate 100F",
        "Unsupported",
        true,
    ),
];

/// One DeviceInfo row per discovered device per day, between `start` and `end`.
pub fn discovered(out: &mut Out, fleet: &Fleet, start: i64, end: i64) -> Result<(), GenerateError> {
    let mut day = start.div_euclid(DAY) * DAY;
    while day < end {
        for (k, f) in FOUND.iter().enumerate() {
            let (name, os, category, kind, subtype, vendor, model, status, facing) = *f;
            let mut id_rng = Rng::new(hash_str(&format!("{}|{name}", fleet.tenant.short)));
            let id = hex(&mut id_rng, 40);
            let t = day + 7 * HOUR + (k as i64) * 13 * 60 * 10_000_000;
            if t < start || t >= end {
                continue;
            }
            let w = out.begin(T::DeviceInfo);
            let (c, r) = (&*w.c, &mut w.row);
            r.t(c.Timestamp, t);
            r.s(c.DeviceId, &id);
            r.s(c.DeviceName, name);
            if !os.is_empty() {
                r.s(c.OSPlatform, os);
            }
            r.s(c.OnboardingStatus, status);
            r.s(c.DeviceCategory, category);
            r.s(c.DeviceType, kind);
            if !subtype.is_empty() {
                r.s(c.DeviceSubtype, subtype);
            }
            r.s(c.Vendor, vendor);
            r.s(c.Model, model);
            r.b(c.IsInternetFacing, facing);
            r.s(c.ExposureLevel, if facing { "Medium" } else { "Low" });
            r.s(c.AssetValue, "Normal");
            r.b(c.IsExcluded, false);
            r.s(c.MergedDeviceIds, "");
            r.s(c.MergedToDeviceId, "");
            r.s(c.DeviceManualTags, "[]");
            r.s(c.DeviceDynamicTags, "[]");
            r.s(c.LoggedOnUsers, "[]");
            r.n(c.ReportId, (day / DAY) * 100 + k as i64);
            out.commit(T::DeviceInfo)?;
        }
        day += DAY;
    }
    Ok(())
}
