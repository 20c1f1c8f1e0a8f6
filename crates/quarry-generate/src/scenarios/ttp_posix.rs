//! Procedures on Linux servers and Macs. Intruders reach a Linux web server over SSH
//! with an administrator's stolen key (or through cron, once they have persisted), and a
//! Mac through its user; the process trees follow: sshd → `-bash`, launchd → `-zsh`,
//! `sudo -i` → a root shell, cron → `/bin/sh -c`.

use super::ttp::{Par, R, Ttp, effect, vars};
use crate::GenerateError;
use crate::catalog::Bin;
use crate::ctx::{Acct, Dx, HOUR, MIN, Role, SEC, Spawn};
use crate::files::{FileOp, file};
use crate::fleet::Kind;

/// Whether a POSIX binary lives where intruders drop payloads (its creation is seen).
fn dropped(path: &str) -> bool {
    path.starts_with("/tmp/") || path.starts_with("/var/tmp/") || path.starts_with("/dev/shm/")
}

/// The account the intruder works as: one of the administrators on a Linux server (they
/// are the ones with SSH access), the Mac's own user on a Mac.
fn account(dx: &Dx) -> usize {
    if dx.dev.kind == Kind::Linux && !dx.fleet.admins.is_empty() {
        dx.fleet.admins[dx.dev.index % dx.fleet.admins.len()]
    } else {
        dx.dev.primary_user
    }
}

/// The interactive shell the procedure starts from.
fn session(dx: &mut Dx, t: i64, u: usize) -> R<usize> {
    let (host, shell, cmd) = if dx.dev.kind == Kind::Linux {
        (Bin::Sshd, Bin::Bash, "-bash")
    } else {
        (Bin::Launchd, Bin::Zsh, "-zsh")
    };
    let lo = dx.clock.lo;
    let Some(h) = dx
        .st
        .procs
        .iter()
        .rposition(|p| p.bin == host && p.end > lo)
    else {
        return Err(GenerateError::Internal(
            "no sshd or launchd for a procedure",
        ));
    };
    let o = Spawn {
        acct: Some(Acct::User(u as u32)),
        integrity: Some(""),
        elevation: Some(""),
        life: Some(2 * HOUR),
        role: Some(Role::Shell),
        ..Default::default()
    };
    dx.spawn(h, shell, cmd, t - 2 * MIN, o)
}

/// A root shell opened with sudo from the session.
fn root_shell(dx: &mut Dx, session: usize, t: i64) -> R<usize> {
    let linux = dx.dev.kind == Kind::Linux;
    let o = Spawn {
        acct: Some(Acct::Root),
        life: Some(HOUR),
        ..Default::default()
    };
    let sudo_cmd = if linux { "sudo -i" } else { "sudo -s" };
    let sudo = dx.spawn(session, Bin::Sudo, sudo_cmd, t - 30 * SEC, o.clone())?;
    let (bin, cmd) = if linux {
        (Bin::Bash, "-bash")
    } else {
        (Bin::Zsh, "/bin/zsh")
    };
    let at = dx.st.procs[sudo].create + SEC;
    dx.spawn(sudo, bin, cmd, at, o)
}

/// Runs one POSIX procedure on the device at `t`; returns the last process.
pub fn run_posix(dx: &mut Dx, ttp: &Ttp, t: i64) -> R<Option<usize>> {
    let u = account(dx);
    let user = dx
        .fleet
        .users
        .get(u)
        .map(|x| x.sam.clone())
        .unwrap_or_else(|| "admin".to_string());
    let v = vars(dx, &user, "");
    let shell = session(dx, t, u)?;
    let mut root: Option<usize> = None;
    let mut done: Vec<usize> = Vec::with_capacity(ttp.steps.len());
    let mut tt = t;
    for step in &ttp.steps {
        let par = match step.par {
            Par::Sh => shell,
            Par::Root => match root {
                Some(r) => r,
                None => {
                    let r = root_shell(dx, shell, tt)?;
                    root = Some(r);
                    r
                }
            },
            Par::Cron => dx
                .st
                .procs
                .iter()
                .rposition(|p| p.bin == Bin::Cron && p.end > dx.clock.lo)
                .unwrap_or(shell),
            Par::Step(k) => *done
                .get(k)
                .ok_or(GenerateError::Internal("step reference"))?,
            _ => return Err(GenerateError::Internal("Windows parent on a POSIX device")),
        };
        let mut o = Spawn::default();
        if matches!(step.par, Par::Cron) {
            o.acct = Some(Acct::Root);
        }
        let path = match &step.path {
            Some(p) => v.expand(p),
            None => step.bin.path(""),
        };
        if dropped(&path) {
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
        o.path = Some(path);
        let cmd = v.expand(&step.cmd);
        let p = dx.spawn(par, step.bin, &cmd, tt, o)?;
        let t0 = dx.st.procs[p].create;
        for (k, fx) in step.fx.iter().enumerate() {
            effect(dx, p, t0 + (k as i64 + 1) * SEC, fx, &v)?;
        }
        done.push(p);
        tt = t0 + dx.rng.range(2 * SEC, 40 * SEC);
    }
    Ok(done.last().copied())
}

#[cfg(test)]
mod tests {
    use super::super::ttp::{Fx, On, library};
    use super::*;

    /// POSIX procedures use POSIX parents and binaries only, never the registry, and
    /// Windows procedures never use the POSIX parents: a mix would give a Linux process a
    /// Windows parent chain (or the reverse).
    #[test]
    fn posix_procedures_are_consistent() {
        let lib = library().expect("library");
        let mut n = 0;
        for t in lib {
            let posix = matches!(t.on, On::Linux | On::Mac);
            for s in &t.steps {
                let posix_par = matches!(s.par, Par::Sh | Par::Root | Par::Cron);
                if posix {
                    n += 1;
                    assert!(
                        posix_par || matches!(s.par, Par::Step(_)),
                        "{}: {}",
                        t.technique,
                        s.cmd
                    );
                    assert!(s.bin.is_posix(), "{}: {}", t.technique, s.bin.name());
                    if let Some(p) = &s.path {
                        assert!(p.starts_with('/'), "{p}");
                    }
                    assert!(!s.fx.iter().any(|f| matches!(
                        f,
                        Fx::Reg(..) | Fx::RegKey(_) | Fx::RegDel(..) | Fx::Lsass(_) | Fx::Ps(_)
                    )));
                } else {
                    assert!(!posix_par, "{}: {}", t.technique, s.cmd);
                    assert!(!s.bin.is_posix(), "{}: {}", t.technique, s.bin.name());
                }
            }
        }
        assert!(n > 100, "{n} POSIX steps");
    }
}
