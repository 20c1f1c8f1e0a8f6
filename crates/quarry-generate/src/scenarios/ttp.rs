//! The procedure library: the individual ATT&CK procedures intruders and red teams run
//! (living-off-the-land binaries, script hosts, credential tools, persistence, defence
//! evasion, discovery, collection), each a short chain of processes with the file,
//! registry, network and sensor events it causes. [`campaign`] strings several of them
//! together, in kill-chain order, on one device and day.
//!
//! The procedures are written in a small line language (`ttp_*.txt`, parsed once):
//!
//! ```text
//! ttp <technique> <any|server|dc> <severity|-> <category> <alert title>
//! step <parent> <binary file name> <command line>
//! fx <kind> <arguments>
//! ```
//!
//! `<parent>` is `user` (explorer), `shell`/`admin` (a new cmd.exe, elevated for admin),
//! `ps`/`adminps` (PowerShell), `word`/`excel`/`outlook` (an Office app opening a
//! document), `service` (services.exe), `wmi` (WmiPrvSE.exe), `task` (the Task Scheduler
//! service), `dcom` (the DCOM launcher) or `@N` (the process of step N). Effects (`fx`) belong to the last step:
//! `file PATH`, `del PATH`, `rename OLD | NEW`, `reg KEY | NAME | DATA`, `regkey KEY`,
//! `regdel KEY | NAME`, `net DEST PORT` (DEST: c2, drop, dc, fs or an IP), `listen PORT`,
//! `img DLL` or `img DLL@PATH` (a planted copy), `ev ACTION | JSON`, `lsass ACCESS`, `ps CMDLET;CMDLET`.
//! Templates: `{user}` `{dom}` `{dn}` `{nb}` `{dc}` `{fs}` `{host}` `{c2}` `{c2ip}` `{drop}` `{dropip}`
//! `{lsass}` `{ip}`.

use super::ttp_implied::implied;
use super::ttp_names::{event_action, static_category, static_severity, title_technique};
use super::ttp_posix::run_posix;
pub(super) use super::ttp_vars::{Vars, vars};
#[cfg(test)]
use super::ttp_vars::{domain_dn, netbios};
use super::{C2, DROP, Run, acx, ensure_session};
use crate::GenerateError;
use crate::alerts::{Alert, Evidence, Service, raise};
use crate::catalog::{ALL_BINS, Bin};
use crate::ctx::{Acct, Dx, MIN, Role, SEC, Spawn};
use crate::devevents::{Ev, event, powershell_command};
use crate::files::{FileOp, RegOp, file, image_load, image_load_from, registry};
use crate::fleet::Kind;
use crate::network::{Conn, net};
use std::sync::OnceLock;

pub(super) type R<T = ()> = Result<T, GenerateError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    Any,
    Server,
    Dc,
    /// A Linux server (the procedure uses the POSIX parents and binaries).
    Linux,
    Mac,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Par {
    User,
    Shell,
    Admin,
    Ps,
    AdminPs,
    Office(Bin),
    Service,
    Wmi,
    Task,
    /// The DCOM launcher (svchost -k DcomLaunch): COM servers started for a client.
    Dcom,
    /// POSIX: the intruder's interactive shell (sshd → bash, launchd → zsh).
    Sh,
    /// POSIX: a root shell opened with sudo from that shell.
    Root,
    /// POSIX: the cron daemon.
    Cron,
    Step(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fx {
    File(String),
    Del(String),
    Rename(String, String),
    Reg(String, String, String),
    RegKey(String),
    /// Key, value name, and nothing (deleted values carry no data).
    RegDel(String, String, String),
    Net(String, i64),
    Listen(i64),
    /// A DLL load; with a path, a planted lookalike loaded from there (side-loading).
    Img(Bin, Option<String>),
    Ev(String, String),
    Lsass(i64),
    Ps(String),
}

#[derive(Debug, Clone)]
pub struct Step {
    pub par: Par,
    pub bin: Bin,
    /// Where the binary runs from when not its usual folder (a copy or a lookalike).
    pub path: Option<String>,
    pub cmd: String,
    pub fx: Vec<Fx>,
}

#[derive(Debug, Clone)]
pub struct Ttp {
    pub technique: String,
    pub on: On,
    /// (title, category, severity) of the alert Defender raises, if any.
    pub alert: Option<(String, String, String)>,
    pub steps: Vec<Step>,
}

const SOURCES: &[&str] = &[
    include_str!("ttp_exec.txt"),
    include_str!("ttp_more.txt"),
    include_str!("ttp_post.txt"),
    include_str!("ttp_lolbas.txt"),
    include_str!("ttp_cmds.txt"),
    include_str!("ttp_hands.txt"),
    include_str!("ttp_files.txt"),
    include_str!("ttp_shell.txt"),
    include_str!("ttp_extra.txt"),
    include_str!("ttp_tools.txt"),
    include_str!("ttp_registry.txt"),
    include_str!("ttp_offsec.txt"),
    include_str!("ttp_dump.txt"),
    include_str!("ttp_linux.txt"),
    include_str!("ttp_linux2.txt"),
    include_str!("ttp_mac.txt"),
    include_str!("ttp_signed.txt"),
    include_str!("ttp_recon.txt"),
    include_str!("ttp_frameworks.txt"),
    include_str!("ttp_exploit.txt"),
    include_str!("ttp_masq.txt"),
    include_str!("ttp_regmore.txt"),
    include_str!("ttp_c2net.txt"),
    include_str!("ttp_handson.txt"),
    include_str!("ttp_sideload.txt"),
    include_str!("ttp_office.txt"),
    include_str!("ttp_ops.txt"),
    include_str!("ttp_pscmd.txt"),
];

/// The parsed library (parsed once per process).
pub fn library() -> R<&'static [Ttp]> {
    static LIB: OnceLock<Result<Vec<Ttp>, String>> = OnceLock::new();
    match LIB.get_or_init(|| {
        let mut all = Vec::new();
        for src in SOURCES {
            all.extend(parse(src)?);
        }
        Ok(all)
    }) {
        Ok(v) => Ok(v),
        Err(_) => Err(GenerateError::Internal("procedure library does not parse")),
    }
}

fn bin_named(name: &str) -> Option<Bin> {
    ALL_BINS
        .iter()
        .copied()
        .find(|b| b.name().eq_ignore_ascii_case(name))
}

fn two(rest: &str) -> Result<(String, String), String> {
    let mut it = rest.splitn(2, '|');
    match (it.next(), it.next()) {
        (Some(a), Some(b)) => Ok((a.trim().to_string(), b.trim().to_string())),
        _ => Err(format!("expected `A | B`: {rest}")),
    }
}

fn word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(' ') {
        Some(i) => (&s[..i], s[i + 1..].trim_start()),
        None => (s, ""),
    }
}

/// Parses a library source (see the module documentation).
pub fn parse(src: &str) -> Result<Vec<Ttp>, String> {
    let mut out: Vec<Ttp> = Vec::new();
    for (n, raw) in src.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |m: &str| format!("line {}: {m}: {line}", n + 1);
        let (kw, rest) = word(line);
        match kw {
            "ttp" => {
                let (tech, rest) = word(rest);
                let (on, rest) = word(rest);
                let (sev, rest) = word(rest);
                let (cat, title) = word(rest);
                let on = match on {
                    "any" => On::Any,
                    "server" => On::Server,
                    "dc" => On::Dc,
                    "linux" => On::Linux,
                    "mac" => On::Mac,
                    _ => return Err(err("where")),
                };
                let alert =
                    (sev != "-").then(|| (title.to_string(), cat.to_string(), sev.to_string()));
                out.push(Ttp {
                    technique: tech.to_string(),
                    on,
                    alert,
                    steps: Vec::new(),
                });
            }
            "step" => {
                let (par, rest) = word(rest);
                let (bin, cmd) = word(rest);
                let ttp = out.last_mut().ok_or_else(|| err("step before ttp"))?;
                let par = match par {
                    "user" => Par::User,
                    "shell" => Par::Shell,
                    "admin" => Par::Admin,
                    "ps" => Par::Ps,
                    "adminps" => Par::AdminPs,
                    "word" => Par::Office(Bin::Winword),
                    "excel" => Par::Office(Bin::Excel),
                    "outlook" => Par::Office(Bin::Outlook),
                    "service" => Par::Service,
                    "wmi" => Par::Wmi,
                    "task" => Par::Task,
                    "dcom" => Par::Dcom,
                    "sh" => Par::Sh,
                    "root" => Par::Root,
                    "cron" => Par::Cron,
                    p if p.starts_with('@') => {
                        let k: usize = p[1..].parse().map_err(|_| err("step reference"))?;
                        if k >= ttp.steps.len() {
                            return Err(err("forward step reference"));
                        }
                        Par::Step(k)
                    }
                    _ => return Err(err("parent")),
                };
                let (bin, path) = match bin.split_once('@') {
                    Some((b, p)) => (b, Some(p.to_string())),
                    None => (bin, None),
                };
                let bin = bin_named(bin).ok_or_else(|| err("unknown binary"))?;
                ttp.steps.push(Step {
                    par,
                    bin,
                    path,
                    cmd: cmd.to_string(),
                    fx: Vec::new(),
                });
            }
            "fx" => {
                let (kind, rest) = word(rest);
                let fx = match kind {
                    "file" => Fx::File(rest.to_string()),
                    "del" => Fx::Del(rest.to_string()),
                    "rename" => {
                        let (a, b) = two(rest)?;
                        Fx::Rename(a, b)
                    }
                    "reg" => {
                        let (key, nd) = two(rest)?;
                        let (name, data) = two(&nd)?;
                        Fx::Reg(key, name, data)
                    }
                    "regkey" => Fx::RegKey(rest.to_string()),
                    "regdel" => {
                        let (a, b) = two(rest)?;
                        Fx::RegDel(a, b, String::new())
                    }
                    "net" => {
                        let (dest, port) = word(rest);
                        // Destinations are names (c2, drop, dc, fs) or literal host@ip.
                        if dest.contains('{') {
                            return Err(err("no templates in a net destination"));
                        }
                        Fx::Net(dest.to_string(), port.parse().map_err(|_| err("port"))?)
                    }
                    "listen" => Fx::Listen(rest.parse().map_err(|_| err("port"))?),
                    "img" => {
                        let (name, at) = match rest.split_once('@') {
                            Some((n, a)) => (n, Some(a.to_string())),
                            None => (rest, None),
                        };
                        let dll = bin_named(name).ok_or_else(|| err("unknown dll"))?;
                        if at.as_ref().is_some_and(|a| !a.ends_with(dll.name())) {
                            return Err(err("planted path must end with the DLL name"));
                        }
                        Fx::Img(dll, at)
                    }
                    "ev" => {
                        let (a, b) = two(rest)?;
                        Fx::Ev(a, b)
                    }
                    "lsass" => Fx::Lsass(rest.parse().map_err(|_| err("access"))?),
                    "ps" => Fx::Ps(rest.to_string()),
                    _ => return Err(err("effect")),
                };
                let step = out
                    .last_mut()
                    .and_then(|t| t.steps.last_mut())
                    .ok_or_else(|| err("fx before step"))?;
                step.fx.push(fx);
            }
            _ => return Err(err("keyword")),
        }
    }
    match out.iter().find(|t| t.steps.is_empty()) {
        Some(t) => Err(format!("{} has no steps", t.technique)),
        None => Ok(out),
    }
}

/// Whether a binary is not part of the OS image (an intruder brings it).
fn brought(bin: Bin) -> bool {
    let dir = bin.def().dir;
    !(dir.starts_with(r"C:\Windows") || dir.starts_with(r"C:\Program Files"))
}

const SHELL: &str = r#""C:\Windows\system32\cmd.exe" "#;
const PS: &str = r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" "#;

fn elevated() -> Spawn {
    Spawn {
        integrity: Some("High"),
        elevation: Some("TokenElevationTypeFull"),
        life: Some(20 * MIN),
        ..Default::default()
    }
}

/// The parent process of a step, spawning the intermediate ones it needs.
/// `session` is the user's explorer.exe, found once per procedure: booting the device
/// again would renumber its processes.
fn parent(dx: &mut Dx, par: Par, t: i64, done: &[usize], user: &str, session: usize) -> R<usize> {
    let explorer = |_: &mut Dx| -> R<usize> { Ok(session) };
    Ok(match par {
        Par::User => explorer(dx)?,
        Par::Shell | Par::Admin | Par::Ps | Par::AdminPs => {
            let e = explorer(dx)?;
            let (bin, cmd) = match par {
                Par::Shell | Par::Admin => (Bin::Cmd, SHELL),
                _ => (Bin::Powershell, PS),
            };
            let o = if matches!(par, Par::Admin | Par::AdminPs) {
                elevated()
            } else {
                Spawn {
                    life: Some(20 * MIN),
                    ..Default::default()
                }
            };
            let sh = dx.spawn(
                e,
                bin,
                cmd,
                t - 20 * SEC,
                Spawn {
                    role: Some(Role::Shell),
                    ..o
                },
            )?;
            let t1 = dx.st.procs[sh].create + SEC / 2;
            dx.spawn(
                sh,
                Bin::Conhost,
                r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1",
                t1,
                Spawn::default(),
            )?;
            sh
        }
        Par::Office(app) => {
            let e = explorer(dx)?;
            let doc = match app {
                Bin::Excel => format!(r"C:\Users\{user}\Downloads\Q3_Payment_Summary.xlsm"),
                Bin::Outlook => String::new(),
                _ => format!(r"C:\Users\{user}\Downloads\Shipping_Documents.docm"),
            };
            let cmd = if doc.is_empty() {
                format!(r#""{}""#, app.path(user))
            } else {
                format!(r#""{}" /n "{doc}" /o """#, app.path(user))
            };
            let o = Spawn {
                role: Some(Role::Office),
                life: Some(30 * MIN),
                ..Default::default()
            };
            let p = dx.spawn(e, app, &cmd, t - 40 * SEC, o)?;
            image_load(dx, p, dx.st.procs[p].create + SEC, Bin::Vbe7)?;
            p
        }
        Par::Service => dx
            .find(Role::Services)
            .ok_or(GenerateError::Internal("no services.exe"))?,
        Par::Task => dx
            .find(Role::SvcSchedule)
            .ok_or(GenerateError::Internal("no schedule service"))?,
        Par::Dcom => dx
            .find(Role::SvcDcom)
            .ok_or(GenerateError::Internal("no DcomLaunch"))?,
        Par::Wmi => {
            let host = dx
                .find(Role::SvcDcom)
                .ok_or(GenerateError::Internal("no DcomLaunch"))?;
            let o = Spawn {
                acct: Some(Acct::NetworkService),
                integrity: Some("System"),
                life: Some(10 * MIN),
                ..Default::default()
            };
            dx.spawn(
                host,
                Bin::WmiPrvSE,
                r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding",
                t - 5 * SEC,
                o,
            )?
        }
        Par::Step(k) => *done
            .get(k)
            .ok_or(GenerateError::Internal("step reference"))?,
        Par::Sh | Par::Root | Par::Cron => {
            return Err(GenerateError::Internal("POSIX parent on a Windows device"));
        }
    })
}

fn dest(dest: &str, v: &Vars) -> (String, String) {
    match dest {
        "c2" => (C2.1.to_string(), C2.0.to_string()),
        "drop" => (DROP.1.to_string(), DROP.0.to_string()),
        "c2ip" => (C2.1.to_string(), String::new()),
        "dropip" => (DROP.1.to_string(), String::new()),
        "dc" | "fs" => {
            // Internal hosts: the address is derived from the name, as DNS would answer.
            let name = v.expand(&format!("{{{dest}}}"));
            let h = crate::rng::hash_str(&name);
            (format!("10.0.{}.{}", 1 + h % 4, 10 + (h >> 8) % 200), name)
        }
        // A public service by name: `host@ip`.
        d if d.contains('@') => match d.split_once('@') {
            Some((host, ip)) => (ip.to_string(), host.to_string()),
            None => (d.to_string(), String::new()),
        },
        ip => (ip.to_string(), String::new()),
    }
}

pub(super) fn effect(dx: &mut Dx, p: usize, t: i64, fx: &Fx, v: &Vars) -> R {
    match fx {
        Fx::File(path) | Fx::Del(path) => {
            let path = v.expand(path);
            let action = if matches!(fx, Fx::Del(_)) {
                "FileDeleted"
            } else {
                "FileCreated"
            };
            let size = dx.rng.range(2_000, 900_000);
            file(
                dx,
                p,
                t,
                &FileOp {
                    action,
                    path: &path,
                    size,
                    ..Default::default()
                },
            )
        }
        Fx::Rename(old, new) => {
            let (old, new) = (v.expand(old), v.expand(new));
            let size = dx.rng.range(2_000, 900_000);
            let op = FileOp {
                action: "FileRenamed",
                path: &new,
                previous_path: Some(&old),
                size,
                ..Default::default()
            };
            file(dx, p, t, &op)
        }
        Fx::Reg(key, name, data) | Fx::RegDel(key, name, data) => {
            let (key, name, data) = (v.expand(key), v.expand(name), v.expand(data));
            let set = matches!(fx, Fx::Reg(..));
            let value_type = if data.parse::<i64>().is_ok() || data.starts_with("0x") {
                "Dword"
            } else {
                "String"
            };
            let op = RegOp {
                action: if set {
                    "RegistryValueSet"
                } else {
                    "RegistryValueDeleted"
                },
                key: &key,
                value_type,
                name: &name,
                data: if set { &data } else { "" },
                previous_data: None,
            };
            registry(dx, p, t, &op)
        }
        Fx::RegKey(key) => {
            let key = v.expand(key);
            let op = RegOp {
                action: "RegistryKeyCreated",
                key: &key,
                value_type: "",
                name: "",
                data: "",
                previous_data: None,
            };
            registry(dx, p, t, &op)
        }
        Fx::Net(d, port) => {
            let (ip, url) = dest(d, v);
            let conn = Conn {
                action: "ConnectionSuccess",
                remote_ip: &ip,
                remote_port: *port,
                url: &url,
                local_port: dx.rng.range(49_152, 65_535),
                protocol: "Tcp",
                additional: "",
            };
            net(dx, p, t, &conn)
        }
        Fx::Listen(port) => {
            let conn = Conn {
                action: "ListeningConnectionCreated",
                remote_ip: "",
                remote_port: 0,
                url: "",
                local_port: *port,
                protocol: "Tcp",
                additional: "",
            };
            net(dx, p, t, &conn)
        }
        Fx::Img(dll, None) => image_load(dx, p, t, *dll),
        Fx::Img(dll, Some(at)) => {
            let at = v.expand(at);
            // The copy was planted by whoever started the loading process, just before.
            let planter = dx.st.procs.get(p).and_then(|pr| {
                dx.st
                    .procs
                    .iter()
                    .position(|q| q.pid == pr.ppid && q.create == pr.pcreate)
                    .map(|q| (q, pr.create - SEC))
            });
            if let Some((q, when)) = planter {
                let op = FileOp {
                    action: "FileCreated",
                    path: &at,
                    size: dx.rng.range(60_000, 400_000),
                    ..Default::default()
                };
                file(dx, q, when, &op)?;
            }
            image_load_from(dx, p, t, *dll, Some(&at))
        }
        Fx::Ev(action, json) => {
            let json = v.expand(json);
            let action = event_action(action);
            event(
                dx,
                p,
                t,
                &Ev {
                    action,
                    additional: Some(&json),
                    ..Default::default()
                },
            )
        }
        Fx::Lsass(access) => {
            let Some(l) = dx.find(Role::Lsass) else {
                return Ok(());
            };
            let add = format!(r#"{{"DesiredAccess":{access}}}"#);
            let ev = Ev {
                action: "OpenProcessApiCall",
                file: Some(r"C:\Windows\System32\lsass.exe"),
                file_bin: Some(Bin::Lsass),
                target: Some(l),
                additional: Some(&add),
                ..Default::default()
            };
            event(dx, p, t, &ev)
        }
        Fx::Ps(cmdlets) => {
            for c in cmdlets.split(';') {
                powershell_command(dx, p, c.trim())?;
            }
            Ok(())
        }
    }
}

/// Runs one procedure on the device at `t`; returns the last process.
pub fn run_one(dx: &mut Dx, ttp: &Ttp, t: i64) -> R<Option<usize>> {
    let (user, sid) = match dx.fleet.users.get(dx.dev.primary_user) {
        Some(u) => (u.sam.clone(), u.sid.clone()),
        None => ("Public".to_string(), String::new()),
    };
    let v = vars(dx, &user, &sid);
    let mut done: Vec<usize> = Vec::with_capacity(ttp.steps.len());
    let session = ensure_session(dx, t)?;
    let mut tt = t;
    for step in &ttp.steps {
        let par = parent(dx, step.par, tt, &done, &user, session)?;
        let pacct = dx.st.procs[par].acct;
        let mut o = Spawn::default();
        if matches!(step.par, Par::Service | Par::Task) {
            o.acct = Some(Acct::System);
            o.integrity = Some("System");
        } else if matches!(step.par, Par::Wmi | Par::Dcom) {
            o.acct = Some(dx.st.procs[session].acct);
            o.integrity = Some("High");
        } else if pacct == Acct::NetworkService {
            o.acct = Some(Acct::System);
        }
        let path = match &step.path {
            Some(p) => v.expand(p),
            None => step.bin.path(&user),
        };
        o.path = Some(path.clone());
        if step.path.is_some() || brought(step.bin) {
            let h = dx.cat.hashes(step.bin).clone();
            let op = FileOp {
                action: "FileCreated",
                path: &path,
                sha1: Some(&h.sha1),
                sha256: Some(&h.sha256),
                md5: Some(&h.md5),
                size: step.bin.def().size,
                ..Default::default()
            };
            file(dx, par, tt - 30 * SEC, &op)?;
        }
        let cmd = v.expand(&step.cmd);
        let p = dx.spawn(par, step.bin, &cmd, tt, o)?;
        let t0 = dx.st.procs[p].create;
        // A procedure that spells out its registry writes keeps them as written.
        let spelled = step
            .fx
            .iter()
            .any(|f| matches!(f, Fx::Reg(..) | Fx::RegKey(_)));
        implied(dx, p, t0, step.bin, &cmd, &sid, spelled)?;
        for (k, fx) in step.fx.iter().enumerate() {
            effect(dx, p, t0 + (k as i64 + 1) * SEC, fx, &v)?;
        }
        done.push(p);
        tt = t0 + dx.rng.range(3 * SEC, 90 * SEC);
    }
    Ok(done.last().copied())
}

/// Several procedures one after the other on the planned device and day.
pub fn campaign(r: &mut Run) -> R {
    let lib = library()?;
    let mut t = r.at();
    let picks = r.p.ttps.clone();
    for k in picks {
        let Some(ttp) = lib.get(k) else { continue };
        let posix = |k: Kind| {
            r.fleet
                .devices
                .iter()
                .find(|d| d.kind == k)
                .map(|d| d.index)
        };
        let device = match ttp.on {
            On::Dc => r.fleet.dcs.first().copied().unwrap_or(r.p.device),
            On::Server => r.p.target,
            On::Any => r.p.device,
            On::Linux | On::Mac => {
                let kind = if ttp.on == On::Linux {
                    Kind::Linux
                } else {
                    Kind::Mac
                };
                match posix(kind) {
                    Some(d) => d,
                    None => continue,
                }
            }
        };
        let mut dx = r.dx(device)?;
        let last = if matches!(ttp.on, On::Linux | On::Mac) {
            run_posix(&mut dx, ttp, t)?
        } else {
            run_one(&mut dx, ttp, t)?
        };
        if let (Some((title, category, severity)), Some(last)) = (&ttp.alert, last) {
            let dev = dx.dev;
            let pr = dx.st.procs[last].clone();
            let when = pr.create;
            let techniques = [format!(
                "{} ({})",
                title_technique(&ttp.technique),
                ttp.technique
            )];
            let tech: Vec<&str> = techniques.iter().map(|s| s.as_str()).collect();
            let mut cx = acx!(dx);
            raise(
                &mut cx,
                &Alert {
                    title,
                    category: static_category(category),
                    severity: static_severity(severity),
                    service: Service::Endpoint,
                    techniques: &tech,
                    t: when,
                },
                &[Evidence::Machine(dev), Evidence::Process(dev, &pr)],
            )?;
        }
        t += r.rng.range(3 * MIN, 25 * MIN);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_parses_and_resolves() {
        for src in SOURCES {
            if let Err(e) = parse(src) {
                panic!("{e}");
            }
        }
        let lib = library().expect("library");
        assert!(lib.len() > 100, "{} procedures", lib.len());
        for t in lib {
            assert!(t.technique.starts_with('T'), "{}", t.technique);
            assert!(!t.steps.is_empty());
        }
    }

    #[test]
    fn domain_names_derive_from_the_dns_name() {
        assert_eq!(domain_dn("contoso.local"), "DC=contoso,DC=local");
        assert_eq!(domain_dn("corp.fabrikam.com"), "DC=corp,DC=fabrikam,DC=com");
        assert_eq!(netbios("contoso.local"), "CONTOSO");
    }

    #[test]
    fn planted_dlls_keep_their_name() {
        let ok =
            parse("ttp T1 any - X y\nstep user cmd.exe x\nfx img version.dll@C:\\P\\version.dll");
        assert_eq!(
            ok.unwrap()[0].steps[0].fx[0],
            Fx::Img(Bin::VersionDll, Some("C:\\P\\version.dll".into()))
        );
        assert!(
            parse("ttp T1 any - X y\nstep user cmd.exe x\nfx img version.dll@C:\\P\\v.dll")
                .is_err()
        );
    }

    #[test]
    fn parse_rejects_errors() {
        assert!(parse("step shell cmd.exe x").is_err());
        assert!(parse("ttp T1 any - X y\nstep @1 cmd.exe x").is_err());
        assert!(parse("ttp T1 any - X y\nstep shell nosuch.exe x").is_err());
        assert!(
            parse("ttp T1 any - X y\nstep shell cmd.exe x\nfx net a.{drop}@{dropip} 443").is_err()
        );
        let ok = parse("ttp T1 any High Execution Title words\nstep shell cmd.exe cmd /c x\nfx reg HKLM\\A | n | d").unwrap();
        assert_eq!(ok[0].alert.as_ref().unwrap().0, "Title words");
        assert_eq!(
            ok[0].steps[0].fx[0],
            Fx::Reg("HKLM\\A".into(), "n".into(), "d".into())
        );
    }
}
