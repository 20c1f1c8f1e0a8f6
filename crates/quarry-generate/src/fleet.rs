//! The tenant's fleet: users, devices and their addressing, fixed for a configuration.

use crate::rng::{Rng, hash_str};
use std::fmt::Write as _;

#[derive(Debug, Clone)]
pub struct Tenant {
    /// Tenant id (GUID) of the streaming envelope and IdentityInfo.
    pub id: String,
    /// `contoso`: NetBIOS-ish name, lower case.
    pub short: String,
    /// `CONTOSO`.
    pub netbios: String,
    /// `contoso.com`: mail and UPN suffix.
    pub mail_domain: String,
    /// `contoso.local`: the Active Directory DNS domain.
    pub ad_domain: String,
    /// `S-1-5-21-a-b-c`.
    pub domain_sid: String,
}

#[derive(Debug, Clone)]
pub struct User {
    pub sam: String,
    pub given: &'static str,
    pub surname: &'static str,
    pub display: String,
    pub upn: String,
    pub sid: String,
    pub object_id: String,
    pub department: &'static str,
    pub title: &'static str,
    pub city: &'static str,
    pub country: &'static str,
    pub is_admin: bool,
    /// A service account (no mailbox, no workstation).
    pub is_service: bool,
    pub created: i64,
    pub manager: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Workstation,
    Server,
    DomainController,
    Linux,
    Mac,
}

#[derive(Debug, Clone)]
pub struct Device {
    pub index: usize,
    pub id: String,
    pub aad_id: String,
    /// FQDN, lower case.
    pub name: String,
    pub short: String,
    pub kind: Kind,
    pub platform: &'static str,
    pub os_version: &'static str,
    pub os_build: i64,
    pub os_version_info: &'static str,
    pub os_distribution: &'static str,
    pub group: &'static str,
    pub department: &'static str,
    pub ip: [u8; 4],
    pub ip_text: String,
    pub ipv6: String,
    pub mac: String,
    pub public_ip: &'static str,
    pub primary_user: usize,
    pub vendor: &'static str,
    pub model: &'static str,
    pub role: &'static str,
}

impl Device {
    pub fn is_windows(&self) -> bool {
        matches!(
            self.kind,
            Kind::Workstation | Kind::Server | Kind::DomainController
        )
    }

    pub fn is_server(&self) -> bool {
        matches!(
            self.kind,
            Kind::Server | Kind::DomainController | Kind::Linux
        )
    }
}

#[derive(Debug, Clone)]
pub struct Fleet {
    pub tenant: Tenant,
    pub users: Vec<User>,
    pub devices: Vec<Device>,
    /// Indexes of the domain controllers in `devices`.
    pub dcs: Vec<usize>,
    /// Indexes of users with admin rights (their `adm` accounts are separate users).
    pub admins: Vec<usize>,
    /// Users that have a mailbox.
    pub mail_users: Vec<usize>,
}

const GIVEN: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "Priya",
    "Wei",
    "Sofia",
    "Lucas",
    "Fatima",
    "Hiroshi",
    "Anna",
    "Mateo",
];
const SURNAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Patel",
    "Kowalski",
    "Schmidt",
    "Tanaka",
    "Novak",
];

/// (short code, department, job titles)
pub const DEPARTMENTS: &[(&str, &str, &[&str])] = &[
    (
        "fin",
        "Finance",
        &[
            "Accountant",
            "Financial Analyst",
            "Controller",
            "Payroll Specialist",
        ],
    ),
    (
        "hr",
        "Human Resources",
        &["HR Generalist", "Recruiter", "HR Business Partner"],
    ),
    (
        "eng",
        "Engineering",
        &[
            "Software Engineer",
            "Senior Software Engineer",
            "DevOps Engineer",
            "QA Engineer",
        ],
    ),
    (
        "sales",
        "Sales",
        &[
            "Account Executive",
            "Sales Manager",
            "Sales Development Representative",
        ],
    ),
    (
        "mkt",
        "Marketing",
        &["Marketing Specialist", "Content Strategist", "Designer"],
    ),
    (
        "ops",
        "Operations",
        &[
            "Operations Manager",
            "Logistics Coordinator",
            "Office Manager",
        ],
    ),
    (
        "it",
        "IT",
        &[
            "Systems Administrator",
            "Helpdesk Technician",
            "Network Engineer",
            "Security Analyst",
        ],
    ),
    ("legal", "Legal", &["Counsel", "Paralegal"]),
];

const SITES: &[(&str, &str, u8)] = &[
    ("Seattle", "US", 10),
    ("Amsterdam", "NL", 20),
    ("Singapore", "SG", 30),
];

/// Public egress addresses of the sites (one per site) and of the cloud servers.
pub const PUBLIC_IPS: &[&str] = &[
    "131.107.147.23",
    "185.47.213.78",
    "103.252.117.41",
    "52.168.117.170",
];

pub fn guid(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(36);
    push_guid(rng, &mut s);
    s
}

pub fn push_guid(rng: &mut Rng, s: &mut String) {
    let a = rng.next_u64();
    let b = rng.next_u64();
    let _ = write!(
        s,
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 + (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    );
}

pub fn hex(rng: &mut Rng, len: usize) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    (0..len).map(|_| H[rng.index(16)] as char).collect()
}

impl Tenant {
    pub fn new(tenant: &str) -> Tenant {
        let mut rng = Rng::new(hash_str(tenant));
        let looks_like_guid = kql_syntax::time::parse_guid(tenant).is_some();
        let short = if looks_like_guid {
            "contoso".to_string()
        } else {
            let s: String = tenant
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if s.is_empty() {
                "contoso".to_string()
            } else {
                s
            }
        };
        let id = if looks_like_guid {
            tenant.to_ascii_lowercase()
        } else {
            guid(&mut rng)
        };
        let domain_sid = format!(
            "S-1-5-21-{}-{}-{}",
            rng.range(1_000_000_000, 4_000_000_000),
            rng.range(1_000_000_000, 4_000_000_000),
            rng.range(1_000_000_000, 4_000_000_000)
        );
        Tenant {
            id,
            netbios: short.to_ascii_uppercase(),
            mail_domain: format!("{short}.com"),
            ad_domain: format!("{short}.local"),
            short,
            domain_sid,
        }
    }
}

impl Fleet {
    pub fn new(tenant: &str, devices: usize, seed: u64, start: i64) -> Fleet {
        let tenant = Tenant::new(tenant);
        let mut rng = Rng::derive(seed, &[hash_str("fleet")]);
        let mut users = Vec::new();
        let mut used = std::collections::HashSet::new();
        let n_people = devices.max(8) + devices / 10 + 2;
        for i in 0..n_people {
            let (given, surname) = loop {
                let g = *rng.pick(GIVEN);
                let s = *rng.pick(SURNAMES);
                if used.insert((g, s)) || used.len() > GIVEN.len() * SURNAMES.len() / 2 {
                    break (g, s);
                }
            };
            let dept = if i < 3 {
                6
            } else {
                rng.index(DEPARTMENTS.len())
            };
            let (_, department, titles) = DEPARTMENTS[dept];
            let mut sam = format!("{}{}", &given[..1], surname).to_ascii_lowercase();
            if users.iter().any(|u: &User| u.sam == sam) {
                sam = format!("{sam}{i}");
            }
            let upn_local = format!("{}.{}", given, surname).to_ascii_lowercase();
            let upn_local = if users
                .iter()
                .any(|u: &User| u.upn.starts_with(&format!("{upn_local}@")))
            {
                format!("{upn_local}{i}")
            } else {
                upn_local
            };
            let site = SITES[i % SITES.len()];
            users.push(User {
                sam,
                given,
                surname,
                display: format!("{given} {surname}"),
                upn: format!("{upn_local}@{}", tenant.mail_domain),
                sid: format!("{}-{}", tenant.domain_sid, 1104 + i),
                object_id: guid(&mut rng),
                department,
                title: titles[rng.index(titles.len())],
                city: site.0,
                country: site.1,
                is_admin: dept == 6 && rng.chance(0.8),
                is_service: false,
                created: start - rng.range(60, 2000) * kql_syntax::time::TICKS_PER_DAY,
                manager: if i > 0 {
                    Some(rng.index(i.min(6)))
                } else {
                    None
                },
            });
        }
        // Admin accounts of the IT staff, then service accounts.
        let mut admins = Vec::new();
        let people = users.len();
        for i in 0..people {
            if users[i].is_admin {
                let base = users[i].clone();
                let idx = users.len();
                users.push(User {
                    sam: format!("adm-{}", base.sam),
                    display: format!("{} (Admin)", base.display),
                    upn: format!("adm-{}", base.upn),
                    sid: format!("{}-{}", tenant.domain_sid, 5104 + i),
                    object_id: guid(&mut rng),
                    title: "Administrator",
                    manager: None,
                    ..base
                });
                admins.push(idx);
            }
        }
        if admins.is_empty() {
            admins.push(0);
        }
        for (k, name) in ["svc-backup", "svc-sql", "svc-scan"].iter().enumerate() {
            users.push(User {
                sam: name.to_string(),
                given: "",
                surname: "",
                display: name.to_string(),
                upn: format!("{name}@{}", tenant.mail_domain),
                sid: format!("{}-{}", tenant.domain_sid, 8104 + k),
                object_id: guid(&mut rng),
                department: "IT",
                title: "Service Account",
                city: "Seattle",
                country: "US",
                is_admin: true,
                is_service: true,
                created: start - 1500 * kql_syntax::time::TICKS_PER_DAY,
                manager: None,
            });
        }
        let mail_users: Vec<usize> = (0..people).collect();

        let devices = build_devices(&tenant, devices, &mut rng, &users, people, &admins);
        let dcs = devices
            .iter()
            .filter(|d| d.kind == Kind::DomainController)
            .map(|d| d.index)
            .collect();
        Fleet {
            tenant,
            users,
            devices,
            dcs,
            admins,
            mail_users,
        }
    }
}

struct Os {
    platform: &'static str,
    version: &'static str,
    build: i64,
    info: &'static str,
    distribution: &'static str,
}

const WIN10: Os = Os {
    platform: "Windows10",
    version: "22H2",
    build: 19045,
    info: "22H2",
    distribution: "",
};
const WIN11: Os = Os {
    platform: "Windows11",
    version: "23H2",
    build: 22631,
    info: "23H2",
    distribution: "",
};
const WS2019: Os = Os {
    platform: "WindowsServer2019",
    version: "1809",
    build: 17763,
    info: "1809",
    distribution: "",
};
const WS2022: Os = Os {
    platform: "WindowsServer2022",
    version: "21H2",
    build: 20348,
    info: "21H2",
    distribution: "",
};
const UBUNTU: Os = Os {
    platform: "Linux",
    version: "22.04",
    build: 0,
    info: "22.04",
    distribution: "Ubuntu",
};
const MACOS: Os = Os {
    platform: "macOS",
    version: "14.6",
    build: 0,
    info: "14.6",
    distribution: "macOS",
};

fn build_devices(
    tenant: &Tenant,
    n: usize,
    rng: &mut Rng,
    users: &[User],
    people: usize,
    admins: &[usize],
) -> Vec<Device> {
    let n_dc = if n >= 10 { 2 } else { 1 };
    let n_srv = (n / 12).max(usize::from(n >= 4));
    let n_linux = (n / 30).max(usize::from(n >= 6));
    let n_mac = (n / 30).max(usize::from(n >= 8));
    let srv_roles = ["file", "sql", "web", "app", "print", "backup"];
    let mut out = Vec::with_capacity(n);
    let mut counters = std::collections::HashMap::new();
    for i in 0..n {
        let (kind, short, os, group, role): (Kind, String, Os, &'static str, &'static str) =
            if i < n_dc {
                (
                    Kind::DomainController,
                    format!("dc{:02}", i + 1),
                    WS2022,
                    "Domain Controllers",
                    "dc",
                )
            } else if i < n_dc + n_srv {
                let role = srv_roles[(i - n_dc) % srv_roles.len()];
                let k = counters.entry(role).or_insert(0);
                *k += 1;
                let os = if rng.chance(0.5) { WS2019 } else { WS2022 };
                (
                    Kind::Server,
                    format!("srv-{role}-{:02}", *k),
                    os,
                    "Servers - Tier 1",
                    role,
                )
            } else if i < n_dc + n_srv + n_linux {
                let k = i - n_dc - n_srv + 1;
                (
                    Kind::Linux,
                    format!("lnx-web-{k:02}"),
                    UBUNTU,
                    "Linux Servers",
                    "web",
                )
            } else if i < n_dc + n_srv + n_linux + n_mac {
                let k = i - n_dc - n_srv - n_linux + 1;
                (
                    Kind::Mac,
                    format!("mac-mkt-{k:03}"),
                    MACOS,
                    "macOS Devices",
                    "workstation",
                )
            } else {
                let u = (i - n_dc - n_srv - n_linux - n_mac) % people;
                let code = DEPARTMENTS
                    .iter()
                    .find(|d| d.1 == users[u].department)
                    .map(|d| d.0)
                    .unwrap_or("ws");
                let k = counters.entry(code).or_insert(0);
                *k += 1;
                let os = if rng.chance(0.55) { WIN11 } else { WIN10 };
                let group = match code {
                    "fin" | "legal" | "hr" => "Workstations - Restricted",
                    "it" => "Workstations - IT",
                    _ => "Workstations - Standard",
                };
                (
                    Kind::Workstation,
                    format!("ws-{code}-{:03}", *k),
                    os,
                    group,
                    "workstation",
                )
            };
        let primary_user = match kind {
            Kind::Workstation => (i - n_dc - n_srv - n_linux - n_mac) % people,
            Kind::Mac => (i * 7 + 3) % people,
            _ => admins[i % admins.len()],
        };
        let department = users[primary_user].department;
        let site_octet = match kind {
            Kind::Workstation | Kind::Mac => SITES[primary_user % SITES.len()].2,
            _ => 1,
        };
        let ip = match kind {
            Kind::DomainController => [10, 1, 1, 10 + i as u8],
            Kind::Server | Kind::Linux => [10, 1, 2, (20 + i % 200) as u8],
            _ => [10, site_octet, (10 + i / 200) as u8, (20 + i % 200) as u8],
        };
        let public_ip = match kind {
            Kind::Workstation | Kind::Mac => {
                PUBLIC_IPS[(site_octet as usize / 10).saturating_sub(1) % 3]
            }
            _ => PUBLIC_IPS[0],
        };
        let name = match kind {
            Kind::Linux | Kind::Mac => short.clone(),
            _ => format!("{short}.{}", tenant.ad_domain),
        };
        let (vendor, model) = match kind {
            Kind::Workstation => *rng.pick(&[
                ("Dell Inc.", "Latitude 7440"),
                ("LENOVO", "ThinkPad T14 Gen 4"),
                ("HP", "HP EliteBook 840 G10"),
                ("Microsoft Corporation", "Surface Laptop 5"),
            ]),
            Kind::Mac => ("Apple Inc.", "MacBookPro18,3"),
            _ => ("Microsoft Corporation", "Virtual Machine"),
        };
        let mac_bytes: Vec<String> = (0..6)
            .map(|k| {
                if k == 0 {
                    "00".to_string()
                } else {
                    format!("{:02X}", rng.below(256))
                }
            })
            .collect();
        out.push(Device {
            index: i,
            id: hex(rng, 40),
            aad_id: guid(rng),
            name,
            short,
            kind,
            platform: os.platform,
            os_version: os.version,
            os_build: os.build,
            os_version_info: os.info,
            os_distribution: os.distribution,
            group,
            department,
            ip,
            ip_text: format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]),
            ipv6: format!(
                "fe80::{:x}:{:x}:{:x}:{:x}",
                rng.below(65536),
                rng.below(65536),
                rng.below(65536),
                rng.below(65536)
            ),
            mac: mac_bytes.join(""),
            public_ip,
            primary_user,
            vendor,
            model,
            role,
        });
    }
    out
}
