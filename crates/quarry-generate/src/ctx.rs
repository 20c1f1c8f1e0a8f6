//! The per-device, per-day generation context: live processes, the day's clock, and the
//! column fillers every device table shares (device, process, initiating process).

use crate::GenerateError;
use crate::catalog::{Bin, Catalog};
use crate::cols::Cols;
use crate::fleet::{Device, Fleet};
use crate::out::{Out, T};
use crate::rng::Rng;
use crate::row::Row;
use kql_syntax::time::{TICKS_PER_DAY, TICKS_PER_SECOND};

pub const SEC: i64 = TICKS_PER_SECOND;
pub const MIN: i64 = 60 * SEC;
pub const HOUR: i64 = 60 * MIN;
pub const DAY: i64 = TICKS_PER_DAY;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acct {
    System,
    LocalService,
    NetworkService,
    Root,
    Dwm,
    User(u32),
}

/// What a process is there for: key processes are found again by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Plain,
    Smss,
    Wininit,
    Services,
    Lsass,
    Winlogon,
    SvcSchedule,
    SvcDcom,
    SvcNetsvcs,
    SvcTerm,
    SvcNet,
    Defender,
    Sense,
    Explorer,
    Browser,
    Mail,
    Office,
    Chat,
    Sync,
    Shell,
    Daemon,
    Server,
}

#[derive(Debug, Clone)]
pub struct Proc {
    pub pid: i64,
    pub create: i64,
    pub end: i64,
    pub bin: Bin,
    pub path: String,
    pub cmd: String,
    pub acct: Acct,
    pub integrity: &'static str,
    pub elevation: &'static str,
    pub logon_id: i64,
    pub session: i64,
    pub ppid: i64,
    pub pcreate: i64,
    pub pname: &'static str,
    pub role: Role,
    /// Device index and IP of the remote (RDP) session the process runs in.
    pub remote: Option<(usize, String)>,
}

#[derive(Debug, Default)]
pub struct DevState {
    pub procs: Vec<Proc>,
    pub report_id: i64,
    pub booted_until: i64,
    /// Interactive session of the primary user: (logon id, session id).
    pub session: Option<(i64, i64)>,
    pub certs_seen: Vec<Bin>,
}

/// Maps planned offsets of a calendar day into the part of it inside the window, so the
/// first and last (partial) days keep the shape of a day.
#[derive(Debug, Clone, Copy)]
pub struct DayClock {
    pub lo: i64,
    pub hi: i64,
    /// Fraction of a full day this calendar day covers.
    pub share: f64,
    pub weekday: u32,
    pub index: u32,
}

impl DayClock {
    pub fn new(midnight: i64, start: i64, end: i64, index: u32) -> DayClock {
        let lo = start.max(midnight);
        let hi = end.min(midnight + DAY);
        let days = midnight.div_euclid(DAY);
        DayClock {
            lo,
            hi,
            share: (hi - lo).max(0) as f64 / DAY as f64,
            // 1970-01-01 was a Thursday; 0 = Monday.
            weekday: ((days + 3).rem_euclid(7)) as u32,
            index,
        }
    }

    pub fn is_weekend(&self) -> bool {
        self.weekday >= 5
    }

    /// The instant of a planned offset into the day.
    pub fn at(&self, offset: i64) -> i64 {
        let off = offset.clamp(0, DAY - 1) as i128;
        self.lo + (off * i128::from(self.hi - self.lo) / i128::from(DAY)) as i64
    }

    pub fn clamp(&self, t: i64) -> i64 {
        t.clamp(self.lo, self.hi.max(self.lo))
    }
}

pub struct Dx<'a, 's> {
    pub out: &'a mut Out<'s>,
    pub rng: &'a mut Rng,
    pub fleet: &'a Fleet,
    pub cat: &'a Catalog,
    pub dev: &'a Device,
    pub st: &'a mut DevState,
    pub clock: DayClock,
}

/// Overrides for a new process (defaults: inherit from the parent).
#[derive(Debug, Clone, Default)]
pub struct Spawn {
    pub acct: Option<Acct>,
    pub integrity: Option<&'static str>,
    pub elevation: Option<&'static str>,
    pub logon_id: Option<i64>,
    pub session: Option<i64>,
    pub life: Option<i64>,
    pub role: Option<Role>,
    pub path: Option<String>,
    pub remote: Option<(usize, String)>,
}

pub fn acct_fields<'f>(
    fleet: &'f Fleet,
    dev: &'f Device,
    a: Acct,
) -> (
    &'f str,
    &'f str,
    Option<&'f str>,
    Option<&'f str>,
    Option<&'f str>,
) {
    match a {
        Acct::System => ("system", "nt authority", Some("S-1-5-18"), None, None),
        Acct::LocalService => (
            "local service",
            "nt authority",
            Some("S-1-5-19"),
            None,
            None,
        ),
        Acct::NetworkService => (
            "network service",
            "nt authority",
            Some("S-1-5-20"),
            None,
            None,
        ),
        Acct::Root => ("root", dev.short.as_str(), None, None, None),
        Acct::Dwm => ("dwm-1", "window manager", Some("S-1-5-90-0-1"), None, None),
        Acct::User(i) => match fleet.users.get(i as usize) {
            Some(u) if dev.is_windows() => (
                u.sam.as_str(),
                fleet.tenant.short.as_str(),
                Some(u.sid.as_str()),
                Some(u.upn.as_str()),
                Some(u.object_id.as_str()),
            ),
            Some(u) => (
                u.sam.as_str(),
                dev.short.as_str(),
                None,
                Some(u.upn.as_str()),
                Some(u.object_id.as_str()),
            ),
            None => ("unknown", "", None, None, None),
        },
    }
}

/// `DeviceId`, `DeviceName`.
#[inline]
pub fn fill_device(r: &mut Row, c: &Cols, dev: &Device) {
    r.s(c.DeviceId, &dev.id);
    r.s(c.DeviceName, &dev.name);
}

fn opt(r: &mut Row, i: usize, v: Option<&str>) {
    if let Some(v) = v {
        r.s(i, v);
    }
}

/// The `InitiatingProcess*` columns from a process.
pub fn fill_initiating(
    r: &mut Row,
    c: &Cols,
    fleet: &Fleet,
    cat: &Catalog,
    dev: &Device,
    p: &Proc,
) {
    let d = p.bin.def();
    let h = cat.hashes(p.bin);
    r.s(c.InitiatingProcessSHA1, &h.sha1);
    r.s(c.InitiatingProcessSHA256, &h.sha256);
    r.s(c.InitiatingProcessMD5, &h.md5);
    r.s(c.InitiatingProcessFileName, file_name(p, d.name));
    r.n(c.InitiatingProcessFileSize, d.size);
    if !p.bin.is_posix() {
        r.s(c.InitiatingProcessVersionInfoCompanyName, d.vendor.company);
        r.s(c.InitiatingProcessVersionInfoProductName, d.vendor.product);
        r.s(c.InitiatingProcessVersionInfoProductVersion, d.version);
        r.s(
            c.InitiatingProcessVersionInfoInternalFileName,
            internal_name(d.name),
        );
        r.s(
            c.InitiatingProcessVersionInfoOriginalFileName,
            p.bin.original_name(),
        );
        r.s(c.InitiatingProcessVersionInfoFileDescription, d.description);
    }
    r.n(c.InitiatingProcessId, p.pid);
    r.s(c.InitiatingProcessCommandLine, &p.cmd);
    r.t(c.InitiatingProcessCreationTime, p.create);
    r.s(c.InitiatingProcessFolderPath, &p.path);
    r.n(c.InitiatingProcessParentId, p.ppid);
    r.s(c.InitiatingProcessParentFileName, p.pname);
    r.t(c.InitiatingProcessParentCreationTime, p.pcreate);
    let (name, domain, sid, upn, oid) = acct_fields(fleet, dev, p.acct);
    r.s(c.InitiatingProcessAccountName, name);
    r.s(c.InitiatingProcessAccountDomain, domain);
    opt(r, c.InitiatingProcessAccountSid, sid);
    opt(r, c.InitiatingProcessAccountUpn, upn);
    opt(r, c.InitiatingProcessAccountObjectId, oid);
    r.s(c.InitiatingProcessIntegrityLevel, p.integrity);
    r.s(c.InitiatingProcessTokenElevation, p.elevation);
    r.n(c.InitiatingProcessLogonId, p.logon_id);
    r.n(c.InitiatingProcessSessionId, p.session);
    r.b(c.IsInitiatingProcessRemoteSession, p.remote.is_some());
    if let Some((di, ip)) = &p.remote {
        if let Some(src) = fleet.devices.get(*di) {
            r.s(
                c.InitiatingProcessRemoteSessionDeviceName,
                &src.short.to_ascii_uppercase(),
            );
        }
        r.s(c.InitiatingProcessRemoteSessionIP, ip);
    }
    let (signer, status) = match d.vendor.signer {
        crate::catalog::Signer::MsWindows => ("OsVendor", "Valid"),
        crate::catalog::Signer::MsCorp => ("Microsoft", "Valid"),
        crate::catalog::Signer::Google | crate::catalog::Signer::Shady => ("ThirdParty", "Valid"),
        crate::catalog::Signer::Unsigned => ("None", "Unsigned"),
        crate::catalog::Signer::None => ("None", "Unknown"),
    };
    r.s(c.InitiatingProcessSignerType, signer);
    r.s(c.InitiatingProcessSignatureStatus, status);
}

/// The process's file name: the last part of its path (a renamed copy keeps its
/// original name only in the version information).
fn file_name<'p>(p: &'p Proc, default: &'p str) -> &'p str {
    match p.path.rsplit(['\\', '/']).next() {
        Some(n) if !n.is_empty() => n,
        _ => default,
    }
}

/// The internal name Windows binaries carry in their version info (no extension).
pub fn internal_name(file: &str) -> &str {
    match file.rsplit_once('.') {
        Some((stem, ext)) if ext.eq_ignore_ascii_case("exe") => stem,
        _ => file,
    }
}

/// The created-process columns (`FileName`, `ProcessId`, `Account*`...).
pub fn fill_process(r: &mut Row, c: &Cols, fleet: &Fleet, cat: &Catalog, dev: &Device, p: &Proc) {
    let d = p.bin.def();
    let h = cat.hashes(p.bin);
    r.s(c.FileName, file_name(p, d.name));
    r.s(c.FolderPath, &p.path);
    r.s(c.SHA1, &h.sha1);
    r.s(c.SHA256, &h.sha256);
    r.s(c.MD5, &h.md5);
    r.n(c.FileSize, d.size);
    if !p.bin.is_posix() {
        r.s(c.ProcessVersionInfoCompanyName, d.vendor.company);
        r.s(c.ProcessVersionInfoProductName, d.vendor.product);
        r.s(c.ProcessVersionInfoProductVersion, d.version);
        r.s(c.ProcessVersionInfoInternalFileName, internal_name(d.name));
        r.s(c.ProcessVersionInfoOriginalFileName, p.bin.original_name());
        r.s(c.ProcessVersionInfoFileDescription, d.description);
    }
    r.n(c.ProcessId, p.pid);
    r.s(c.ProcessCommandLine, &p.cmd);
    r.t(c.ProcessCreationTime, p.create);
    r.s(c.ProcessIntegrityLevel, p.integrity);
    r.s(c.ProcessTokenElevation, p.elevation);
    let (name, domain, sid, upn, oid) = acct_fields(fleet, dev, p.acct);
    r.s(c.AccountName, name);
    r.s(c.AccountDomain, domain);
    opt(r, c.AccountSid, sid);
    opt(r, c.AccountUpn, upn);
    opt(r, c.AccountObjectId, oid);
    r.n(c.LogonId, p.logon_id);
    r.n(c.CreatedProcessSessionId, p.session);
    r.b(c.IsProcessRemoteSession, p.remote.is_some());
    if let Some((di, ip)) = &p.remote {
        if let Some(src) = fleet.devices.get(*di) {
            r.s(
                c.ProcessRemoteSessionDeviceName,
                &src.short.to_ascii_uppercase(),
            );
        }
        r.s(c.ProcessRemoteSessionIP, ip);
    }
}

impl<'a, 's> Dx<'a, 's> {
    /// A fresh ReportId for this device.
    pub fn report_id(&mut self) -> i64 {
        self.st.report_id += 1 + self.rng.below(3) as i64;
        self.st.report_id
    }

    pub fn user_profile(&self, a: Acct) -> &str {
        match a {
            Acct::User(i) => self
                .fleet
                .users
                .get(i as usize)
                .map(|u| u.sam.as_str())
                .unwrap_or("Public"),
            Acct::Root => "root",
            _ => "Default",
        }
    }

    fn new_pid(&mut self) -> i64 {
        if !self.dev.is_windows() {
            return self.rng.range(300, 120_000);
        }
        loop {
            let pid = self.rng.range(100, 12_000) * 4;
            if !self.st.procs.iter().rev().take(64).any(|p| p.pid == pid) {
                return pid;
            }
        }
    }

    /// Creates a process (and its DeviceProcessEvents row); returns its index.
    pub fn spawn(
        &mut self,
        parent: usize,
        bin: Bin,
        cmd: &str,
        t: i64,
        o: Spawn,
    ) -> Result<usize, GenerateError> {
        let pid = self.new_pid();
        let Some(pp) = self.st.procs.get(parent) else {
            return Err(GenerateError::Internal("spawn from a missing parent"));
        };
        let t = self
            .clock
            .clamp(t.max(pp.create + self.rng.range(1, 20 * SEC / 10)));
        let acct = o.acct.unwrap_or(pp.acct);
        let life = o.life.unwrap_or(5 * SEC + self.rng.below(60) as i64 * SEC);
        let path = match o.path {
            Some(p) => p,
            None => bin.path(self.user_profile(acct)),
        };
        let p = Proc {
            pid,
            create: t,
            end: t + life,
            bin,
            path,
            cmd: cmd.to_string(),
            acct,
            integrity: o.integrity.unwrap_or(pp.integrity),
            elevation: o.elevation.unwrap_or(pp.elevation),
            logon_id: o.logon_id.unwrap_or(match o.acct {
                Some(Acct::System) => 999,
                Some(Acct::LocalService) => 997,
                Some(Acct::NetworkService) => 996,
                _ => pp.logon_id,
            }),
            session: o.session.unwrap_or(pp.session),
            ppid: pp.pid,
            pcreate: pp.create,
            pname: pp.bin.name(),
            role: o.role.unwrap_or(Role::Plain),
            remote: o.remote.or_else(|| pp.remote.clone()),
        };
        self.st.procs.push(p);
        let idx = self.st.procs.len() - 1;
        self.emit_process(parent, idx)?;
        Ok(idx)
    }

    /// The DeviceProcessEvents row of `child` created by `parent`.
    pub fn emit_process(&mut self, parent: usize, child: usize) -> Result<(), GenerateError> {
        let rid = self.report_id();
        let (fleet, cat, dev) = (self.fleet, self.cat, self.dev);
        let (Some(pp), Some(cp)) = (self.st.procs.get(parent), self.st.procs.get(child)) else {
            return Err(GenerateError::Internal("process index"));
        };
        let w = self.out.begin(T::DeviceProcessEvents);
        let (c, r) = (&*w.c, &mut w.row);
        r.t(c.Timestamp, cp.create);
        fill_device(r, c, dev);
        r.s(c.ActionType, "ProcessCreated");
        fill_process(r, c, fleet, cat, dev, cp);
        fill_initiating(r, c, fleet, cat, dev, pp);
        r.n(c.ReportId, rid);
        self.out.commit(T::DeviceProcessEvents)
    }

    /// A root process (boot) with no generated parent: `System` (pid 4) on Windows.
    pub fn root(&mut self, bin: Bin, pid: i64, t: i64, life: i64, role: Role) -> usize {
        let acct = if self.dev.is_windows() {
            Acct::System
        } else {
            Acct::Root
        };
        let p = Proc {
            pid,
            create: t,
            end: t + life,
            bin,
            path: bin.path(""),
            cmd: String::new(),
            acct,
            integrity: "System",
            elevation: "TokenElevationTypeDefault",
            logon_id: 999,
            session: 0,
            ppid: 0,
            pcreate: t,
            pname: "",
            role,
            remote: None,
        };
        self.st.procs.push(p);
        self.st.procs.len() - 1
    }

    pub fn find(&self, role: Role) -> Option<usize> {
        let lo = self.clock.lo;
        self.st
            .procs
            .iter()
            .rposition(|p| p.role == role && p.end > lo)
    }

    /// A time inside both the process's life and the day.
    pub fn time_in(&mut self, p: usize) -> i64 {
        let (a, b) = match self.st.procs.get(p) {
            Some(p) => (p.create.max(self.clock.lo), p.end.min(self.clock.hi)),
            None => (self.clock.lo, self.clock.hi),
        };
        if b <= a {
            return self.clock.clamp(a + 1);
        }
        a + 1 + self.rng.below((b - a) as u64) as i64
    }
}
