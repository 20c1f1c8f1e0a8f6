//! Device inventory tables: DeviceInfo and DeviceNetworkInfo snapshots,
//! DeviceFileCertificateInfo per signed binary, and the TVM tables.

use crate::GenerateError;
use crate::catalog::{Bin, Signer};
use crate::ctx::{DAY, Dx, HOUR, fill_device};
use crate::fleet::{Device, Fleet, Kind};
use crate::out::{Out, T};
use crate::rng::Rng;

/// A DeviceInfo snapshot at `t`.
pub fn device_info(dx: &mut Dx, t: i64) -> Result<(), GenerateError> {
    let rid = dx.report_id();
    let (fleet, dev) = (dx.fleet, dx.dev);
    let user = fleet.users.get(dev.primary_user);
    let logged_on = dx.st.session.is_some() || dev.is_server();
    let w = dx.out.begin(T::DeviceInfo);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(
        c.ClientVersion,
        if dev.is_windows() {
            "10.8760.19045.5247"
        } else if dev.kind == Kind::Linux {
            "101.24092.0002"
        } else {
            "101.24092.0003"
        },
    );
    r.s(c.PublicIP, dev.public_ip);
    r.s(
        c.OSArchitecture,
        if dev.kind == Kind::Mac {
            "arm64"
        } else {
            "64-bit"
        },
    );
    r.s(c.OSPlatform, dev.platform);
    if dev.os_build > 0 {
        r.n(c.OSBuild, dev.os_build);
    }
    let joined = dev.kind == Kind::Workstation;
    r.b(c.IsAzureADJoined, joined);
    r.s(
        c.JoinType,
        match dev.kind {
            Kind::Workstation => "Hybrid Azure AD Join",
            Kind::Mac => "Azure AD Registered",
            Kind::Linux => "",
            _ => "Domain Joined",
        },
    );
    r.s(c.AadDeviceId, &dev.aad_id);
    r.with(c.LoggedOnUsers, |b| {
        b.push('[');
        if logged_on && let Some(u) = user {
            b.push_str("{\"UserName\":\"");
            b.push_str(&u.sam);
            b.push_str("\",\"DomainName\":\"");
            b.push_str(&fleet.tenant.netbios);
            b.push_str("\",\"Sid\":\"");
            b.push_str(&u.sid);
            b.push_str("\"}");
        }
        b.push(']');
    });
    r.s(c.OSVersion, dev.os_version);
    r.s(c.MachineGroup, dev.group);
    r.n(c.ReportId, rid);
    r.s(c.OnboardingStatus, "Onboarded");
    r.s(c.DeviceCategory, "Endpoint");
    r.s(
        c.DeviceType,
        if dev.is_server() {
            "Server"
        } else {
            "Workstation"
        },
    );
    r.s(c.Model, dev.model);
    r.s(c.Vendor, dev.vendor);
    r.s(
        c.OSDistribution,
        if dev.os_distribution.is_empty() {
            ""
        } else {
            dev.os_distribution
        },
    );
    r.s(c.OSVersionInfo, dev.os_version_info);
    r.s(c.MergedDeviceIds, "");
    r.s(c.MergedToDeviceId, "");
    r.b(
        c.IsInternetFacing,
        dev.kind == Kind::Linux || dev.role == "web",
    );
    r.s(c.SensorHealthState, "Active");
    r.b(c.IsExcluded, false);
    r.s(c.ExclusionReason, "");
    r.s(
        c.ExposureLevel,
        match dev.kind {
            Kind::DomainController => "High",
            Kind::Server | Kind::Linux => "Medium",
            _ => "Low",
        },
    );
    r.s(
        c.AssetValue,
        if dev.kind == Kind::DomainController {
            "High"
        } else {
            "Normal"
        },
    );
    r.with(c.DeviceManualTags, |b| {
        b.push_str("[\"");
        b.push_str(dev.department);
        b.push_str("\"]");
    });
    r.s(c.DeviceDynamicTags, "[]");
    r.s(c.ConnectivityType, "Streamlined");
    r.with(c.AdditionalFields, |b| {
        b.push_str("{\"Domain\":\"");
        b.push_str(&fleet.tenant.ad_domain);
        b.push_str("\"}");
    });
    dx.out.commit(T::DeviceInfo)
}

/// DeviceNetworkInfo snapshots of the device's adapters at `t`.
pub fn network_info(dx: &mut Dx, t: i64) -> Result<(), GenerateError> {
    let (fleet, dev) = (dx.fleet, dx.dev);
    let wifi = matches!(dev.kind, Kind::Workstation | Kind::Mac);
    let rid = dx.report_id();
    let gw = format!("{}.{}.{}.1", dev.ip[0], dev.ip[1], dev.ip[2]);
    let dns: Vec<&str> = fleet
        .dcs
        .iter()
        .filter_map(|i| fleet.devices.get(*i))
        .map(|d| d.ip_text.as_str())
        .collect();
    let w = dx.out.begin(T::DeviceNetworkInfo);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    let (adapter, kind, vendor) = if wifi {
        ("Wi-Fi", "Wireless80211", "Intel Corporation")
    } else {
        ("Ethernet", "Ethernet", "Microsoft Corporation")
    };
    r.s(c.NetworkAdapterName, adapter);
    r.s(c.MacAddress, &dev.mac);
    r.s(c.NetworkAdapterType, kind);
    r.s(c.NetworkAdapterStatus, "Up");
    r.s(c.TunnelType, "None");
    r.with(c.ConnectedNetworks, |b| {
        b.push_str("[{\"Name\":\"");
        b.push_str(&fleet.tenant.ad_domain);
        b.push_str("\",\"Description\":\"");
        b.push_str(&fleet.tenant.ad_domain);
        b.push_str("\",\"IsConnectedToInternet\":true,\"Category\":\"Domain\"}]");
    });
    r.with(c.DnsAddresses, |b| {
        b.push('[');
        for (k, d) in dns.iter().enumerate() {
            if k > 0 {
                b.push(',');
            }
            b.push('"');
            b.push_str(d);
            b.push('"');
        }
        b.push(']');
    });
    r.s(c.IPv4Dhcp, if dev.is_server() { "" } else { gw.as_str() });
    r.with(c.DefaultGateways, |b| {
        b.push_str("[\"");
        b.push_str(&gw);
        b.push_str("\"]");
    });
    r.with(c.IPAddresses, |b| {
        b.push_str("[{\"IPAddress\":\"");
        b.push_str(&dev.ip_text);
        b.push_str("\",\"SubnetPrefix\":24,\"AddressType\":\"Private\"},{\"IPAddress\":\"");
        b.push_str(&dev.ipv6);
        b.push_str("\",\"SubnetPrefix\":64,\"AddressType\":\"Private\"}]");
    });
    r.n(c.ReportId, rid);
    r.s(c.NetworkAdapterVendor, vendor);
    dx.out.commit(T::DeviceNetworkInfo)
}

/// The day's snapshots: DeviceInfo every few hours, DeviceNetworkInfo a few times.
pub fn snapshots(dx: &mut Dx, online_from: i64, online_to: i64) -> Result<(), GenerateError> {
    let (a, b) = (dx.clock.clamp(online_from), dx.clock.clamp(online_to));
    if b <= a {
        return Ok(());
    }
    let mut t = a + dx.rng.range(0, HOUR);
    while t < b {
        device_info(dx, t)?;
        if dx.rng.chance(0.5) {
            let tn = t + dx.rng.range(1, 60_000_000);
            network_info(dx, tn)?;
        }
        t += 4 * HOUR + dx.rng.range(0, HOUR);
    }
    Ok(())
}

/// DeviceFileCertificateInfo the first time a signed binary runs on a device.
pub fn certificate(dx: &mut Dx, bin: Bin, t: i64) -> Result<(), GenerateError> {
    if dx.st.certs_seen.contains(&bin) || bin.is_posix() {
        return Ok(());
    }
    dx.st.certs_seen.push(bin);
    let signer = bin.def().vendor.signer;
    if signer == Signer::Unsigned {
        return Ok(());
    }
    let rid = dx.report_id();
    let (cat, dev) = (dx.cat, dx.dev);
    let (name, issuer, root_ms, serial_seed) = match signer {
        Signer::MsWindows => (
            "Microsoft Windows",
            "Microsoft Windows Production PCA 2011",
            true,
            1u64,
        ),
        Signer::MsCorp => (
            "Microsoft Corporation",
            "Microsoft Code Signing PCA 2011",
            true,
            2,
        ),
        Signer::Google => (
            "Google LLC",
            "DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1",
            false,
            3,
        ),
        _ => (
            "Lumina Soft Ltd",
            "Sectigo Public Code Signing CA R36",
            false,
            4,
        ),
    };
    let mut hr = Rng::new(serial_seed * 7919);
    let signer_hash = crate::fleet::hex(&mut hr, 40);
    let issuer_hash = crate::fleet::hex(&mut hr, 40);
    let serial = crate::fleet::hex(&mut hr, 38);
    let w = dx.out.begin(T::DeviceFileCertificateInfo);
    let (c, r) = (&*w.c, &mut w.row);
    r.t(c.Timestamp, t);
    fill_device(r, c, dev);
    r.s(c.SHA1, &cat.hashes(bin).sha1);
    r.b(c.IsSigned, true);
    r.s(
        c.SignatureType,
        if signer == Signer::MsWindows {
            "Catalog"
        } else {
            "Embedded"
        },
    );
    r.s(c.Signer, name);
    r.s(c.SignerHash, &signer_hash);
    r.s(c.Issuer, issuer);
    r.s(c.IssuerHash, &issuer_hash);
    r.s(c.CertificateSerialNumber, &serial);
    r.s(
        c.CrlDistributionPointUrls,
        if root_ms {
            "[\"http://www.microsoft.com/pkiops/crl/MicCodSigPCA2011_2011-07-08.crl\"]"
        } else {
            "[\"http://crl3.digicert.com/DigiCertTrustedG4CodeSigningRSA4096SHA3842021CA1.crl\"]"
        },
    );
    r.t(
        c.CertificateCreationTime,
        17_000_000_000_000_000 - (serial_seed as i64) * 30 * DAY,
    );
    r.t(
        c.CertificateExpirationTime,
        17_000_000_000_000_000 + 400 * DAY,
    );
    r.t(
        c.CertificateCountersignatureTime,
        17_000_000_000_000_000 + (serial_seed as i64) * DAY,
    );
    r.b(c.IsTrusted, signer != Signer::Shady);
    r.b(c.IsRootSignerMicrosoft, root_ms);
    r.n(c.ReportId, rid);
    dx.out.commit(T::DeviceFileCertificateInfo)
}

const SOFTWARE: &[(&str, &str, &str, &str)] = &[
    (
        "windows_10",
        "microsoft",
        "10.0.19045.5247",
        "cpe:2.3:o:microsoft:windows_10:-:*:*:*:*:*:*:*",
    ),
    (
        "chrome",
        "google",
        "131.0.6778.86",
        "cpe:2.3:a:google:chrome:-:*:*:*:*:*:*:*",
    ),
    (
        "edge_chromium-based",
        "microsoft",
        "131.0.2903.70",
        "cpe:2.3:a:microsoft:edge_chromium-based:-:*:*:*:*:*:*:*",
    ),
    (
        "office",
        "microsoft",
        "16.0.18129.20158",
        "cpe:2.3:a:microsoft:office:-:*:*:*:*:*:*:*",
    ),
    (
        "teams",
        "microsoft",
        "1.7.0.13456",
        "cpe:2.3:a:microsoft:teams:-:*:*:*:*:*:*:*",
    ),
    (
        "onedrive",
        "microsoft",
        "24.211.1020.1",
        "cpe:2.3:a:microsoft:onedrive:-:*:*:*:*:*:*:*",
    ),
    (
        "7-zip",
        "7-zip",
        "24.08.0.0",
        "cpe:2.3:a:7-zip:7-zip:-:*:*:*:*:*:*:*",
    ),
    (
        "visual_studio_code",
        "microsoft",
        "1.95.3.0",
        "cpe:2.3:a:microsoft:visual_studio_code:-:*:*:*:*:*:*:*",
    ),
    (
        "adobe_acrobat_reader_dc",
        "adobe",
        "24.3.20180.0",
        "cpe:2.3:a:adobe:acrobat_reader_dc:-:*:*:*:*:*:*:*",
    ),
    (
        "zoom",
        "zoom",
        "5.17.11.34827",
        "cpe:2.3:a:zoom:zoom:-:*:*:*:*:*:*:*",
    ),
];

/// (CVE, software index, severity, CVSS, exploit available, description)
const CVES: &[(&str, usize, &str, f64, bool, &str)] = &[
    (
        "CVE-2024-7971",
        1,
        "High",
        8.8,
        true,
        "Type confusion in V8 in Google Chrome allows a remote attacker to exploit heap corruption via a crafted HTML page.",
    ),
    (
        "CVE-2024-38063",
        0,
        "Critical",
        9.8,
        false,
        "Windows TCP/IP Remote Code Execution Vulnerability",
    ),
    (
        "CVE-2024-38021",
        3,
        "High",
        8.8,
        false,
        "Microsoft Outlook Remote Code Execution Vulnerability",
    ),
    (
        "CVE-2024-6387",
        99,
        "High",
        8.1,
        true,
        "A signal handler race condition in OpenSSH's server (sshd) allows unauthenticated remote code execution (regreSSHion).",
    ),
    (
        "CVE-2024-11477",
        6,
        "High",
        7.8,
        false,
        "7-Zip Zstandard Decompression Integer Underflow Remote Code Execution Vulnerability",
    ),
    (
        "CVE-2023-36884",
        3,
        "High",
        8.8,
        true,
        "Office and Windows HTML Remote Code Execution Vulnerability",
    ),
];

/// (id, category, subcategory, name, impact)
const CONFIGS: &[(&str, &str, &str, &str, f64)] = &[
    (
        "scid-2010",
        "Security controls",
        "Antivirus",
        "Turn on Microsoft Defender Antivirus",
        9.0,
    ),
    (
        "scid-91",
        "Security controls",
        "Attack Surface Reduction",
        "Block Office applications from creating child processes",
        3.0,
    ),
    (
        "scid-2503",
        "Security controls",
        "Attack Surface Reduction",
        "Block credential stealing from the Windows local security authority subsystem (lsass.exe)",
        7.0,
    ),
    (
        "scid-10",
        "Accounts",
        "Local accounts",
        "Disable 'Administrator' account",
        4.0,
    ),
    (
        "scid-44",
        "Network",
        "SMB",
        "Disable SMBv1 client driver",
        5.0,
    ),
    (
        "scid-2000",
        "Security controls",
        "Firewall",
        "Turn on Microsoft Defender Firewall",
        6.0,
    ),
    (
        "scid-2021",
        "Security controls",
        "Credential Guard",
        "Turn on Credential Guard",
        5.0,
    ),
];

/// The TVM tables: inventory and assessments per device, knowledge bases once.
pub fn tvm(out: &mut Out, fleet: &Fleet, rng: &mut Rng, t: i64) -> Result<(), GenerateError> {
    for dev in &fleet.devices {
        for (k, (name, vendor, version, cpe)) in SOFTWARE.iter().enumerate() {
            if !dev.is_windows() && k != 1 {
                continue;
            }
            if k >= 6 && rng.chance(0.5) {
                continue;
            }
            let w = out.begin(T::DeviceTvmSoftwareInventory);
            let (c, r) = (&*w.c, &mut w.row);
            fill_device(r, c, dev);
            os_cols(r, c, dev);
            r.s(c.SoftwareName, if k == 0 { os_software(dev) } else { name });
            r.s(c.SoftwareVendor, vendor);
            r.s(c.SoftwareVersion, version);
            r.s(c.ProductCodeCpe, cpe);
            r.s(c.EndOfSupportStatus, "");
            out.commit(T::DeviceTvmSoftwareInventory)?;
        }
        for (cve, sw, sev, _, _, _) in CVES {
            let applies = match *sw {
                99 => dev.kind == Kind::Linux,
                s => dev.is_windows() && rng.chance(if s == 0 { 0.6 } else { 0.4 }),
            };
            if !applies {
                continue;
            }
            let (name, vendor, version) = if *sw == 99 {
                ("openssh", "openbsd", "8.9p1")
            } else {
                (SOFTWARE[*sw].0, SOFTWARE[*sw].1, SOFTWARE[*sw].2)
            };
            let w = out.begin(T::DeviceTvmSoftwareVulnerabilities);
            let (c, r) = (&*w.c, &mut w.row);
            fill_device(r, c, dev);
            os_cols(r, c, dev);
            r.s(c.CveId, cve);
            r.s(c.CveTags, "[]");
            r.s(
                c.SoftwareName,
                if *sw == 0 { os_software(dev) } else { name },
            );
            r.s(c.SoftwareVendor, vendor);
            r.s(c.SoftwareVersion, version);
            r.s(c.VulnerabilitySeverityLevel, sev);
            if *sw == 0 {
                r.s(
                    c.RecommendedSecurityUpdate,
                    "December 2024 Security Updates",
                );
                r.s(c.RecommendedSecurityUpdateId, "5048652");
            }
            out.commit(T::DeviceTvmSoftwareVulnerabilities)?;
        }
        if dev.is_windows() {
            for (id, cat, sub, _, impact) in CONFIGS {
                let w = out.begin(T::DeviceTvmSecureConfigurationAssessment);
                let (c, r) = (&*w.c, &mut w.row);
                fill_device(r, c, dev);
                r.t(c.Timestamp, t - rng.range(0, DAY));
                r.s(c.OSPlatform, dev.platform);
                r.s(c.ConfigurationId, id);
                r.s(c.ConfigurationCategory, cat);
                r.s(c.ConfigurationSubcategory, sub);
                r.r(c.ConfigurationImpact, *impact);
                r.b(c.IsApplicable, true);
                r.b(c.IsCompliant, rng.chance(0.7));
                r.b(c.IsExpectedUserImpact, false);
                r.s(c.Context, "[]");
                out.commit(T::DeviceTvmSecureConfigurationAssessment)?;
            }
        }
    }
    for (cve, sw, sev, score, exploit, desc) in CVES {
        let w = out.begin(T::DeviceTvmSoftwareVulnerabilitiesKB);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, t);
        r.s(c.CveId, cve);
        r.r(c.CvssScore, *score);
        r.b(c.IsExploitAvailable, *exploit);
        r.t(c.LastModifiedTime, t - 20 * DAY);
        r.t(c.PublishedDate, t - 120 * DAY);
        r.s(c.VulnerabilityDescription, desc);
        r.s(c.VulnerabilitySeverityLevel, sev);
        let (name, vendor) = if *sw == 99 {
            ("openssh", "openbsd")
        } else {
            (SOFTWARE[*sw].0, SOFTWARE[*sw].1)
        };
        r.f(
            c.AffectedSoftware,
            format_args!("[{{\"SoftwareVendor\":\"{vendor}\",\"SoftwareName\":\"{name}\"}}]"),
        );
        out.commit(T::DeviceTvmSoftwareVulnerabilitiesKB)?;
    }
    for (id, cat, sub, name, impact) in CONFIGS {
        let w = out.begin(T::DeviceTvmSecureConfigurationAssessmentKB);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, t);
        r.s(c.ConfigurationId, id);
        r.s(c.ConfigurationCategory, cat);
        r.s(c.ConfigurationSubcategory, sub);
        r.s(c.ConfigurationName, name);
        r.s(c.ConfigurationDescription, name);
        r.r(c.ConfigurationImpact, *impact);
        r.s(
            c.RiskDescription,
            "Attackers can abuse this configuration to gain or keep access.",
        );
        r.s(
            c.RemediationOptions,
            "Apply the setting through Intune or Group Policy.",
        );
        r.s(
            c.ConfigurationBenchmarks,
            "[{\"BenchmarkName\":\"CIS\",\"Id\":\"18.9.47\",\"ProfileLevel\":\"L1\"}]",
        );
        r.s(c.RelatedMitreTactics, "[\"TA0005\"]");
        r.s(c.RelatedMitreTechniques, "[\"T1562.001\"]");
        r.s(c.Tags, "[]");
        out.commit(T::DeviceTvmSecureConfigurationAssessmentKB)?;
    }
    Ok(())
}

fn os_software(dev: &Device) -> &'static str {
    match dev.platform {
        "Windows11" => "windows_11",
        "WindowsServer2019" => "windows_server_2019",
        "WindowsServer2022" => "windows_server_2022",
        _ => "windows_10",
    }
}

fn os_cols(r: &mut crate::row::Row, c: &crate::cols::Cols, dev: &Device) {
    r.s(
        c.OSArchitecture,
        if dev.kind == Kind::Mac {
            "arm64"
        } else {
            "x64"
        },
    );
    r.s(c.OSPlatform, dev.platform);
    r.s(c.OSVersion, dev.os_version);
}
