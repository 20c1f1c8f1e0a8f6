//! Linux servers and Macs: systemd/launchd trees, sshd sessions, cron jobs, user apps.

use crate::GenerateError;
use crate::catalog::Bin;
use crate::ctx::{Acct, DAY, Dx, HOUR, MIN, Role, SEC, Spawn};

type R<T = ()> = Result<T, GenerateError>;

/// A Linux server's day: systemd, sshd sessions, cron jobs, the web server.
pub fn linux_day(dx: &mut Dx, boot: bool) -> R {
    if boot {
        dx.st.procs.clear();
        let t = dx.clock.lo;
        let life = 40 * DAY;
        let sd = dx.root(Bin::Systemd, 1, t, life, Role::Daemon);
        let long = Spawn {
            life: Some(life),
            ..Default::default()
        };
        dx.spawn(
            sd,
            Bin::Sshd,
            "/usr/sbin/sshd -D",
            t + SEC,
            Spawn {
                role: Some(Role::Daemon),
                ..long.clone()
            },
        )?;
        dx.spawn(
            sd,
            Bin::Cron,
            "/usr/sbin/cron -f -P",
            t + SEC,
            Spawn {
                role: Some(Role::Plain),
                ..long.clone()
            },
        )?;
        let ng = dx.spawn(
            sd,
            Bin::Nginx,
            "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;",
            t + 2 * SEC,
            Spawn {
                role: Some(Role::Server),
                ..long.clone()
            },
        )?;
        dx.spawn(
            ng,
            Bin::Nginx,
            "nginx: worker process",
            t + 3 * SEC,
            Spawn {
                role: Some(Role::Server),
                ..long.clone()
            },
        )?;
        dx.spawn(
            sd,
            Bin::MdeLinux,
            "/opt/microsoft/mdatp/sbin/wdavdaemon",
            t + 2 * SEC,
            Spawn {
                role: Some(Role::Sense),
                ..long
            },
        )?;
        dx.st.booted_until = t + life;
    }
    let Some(cron) = dx.st.procs.iter().position(|p| p.bin == Bin::Cron) else {
        return Ok(());
    };
    for h in 0..24 {
        let t = dx.clock.at(h * HOUR + 17 * MIN);
        let sh = dx.spawn(
            cron,
            Bin::Bash,
            "/bin/sh -c /usr/local/bin/logrotate-web.sh",
            t,
            Spawn::default(),
        )?;
        if h % 4 == 1 {
            dx.spawn(
                sh,
                Bin::Python3,
                "/usr/bin/python3 /opt/webapp/manage.py clearsessions",
                t + SEC,
                Spawn::default(),
            )?;
        }
        if h % 6 == 0 {
            dx.spawn(
                sh,
                Bin::CurlLinux,
                "curl -fsS -m 10 https://hc-ping.com/3f1c9b0e-ping",
                t + SEC,
                Spawn::default(),
            )?;
        }
    }
    if let Some(sshd) = dx.st.procs.iter().position(|p| p.bin == Bin::Sshd) {
        let admin = *dx.rng.pick(&dx.fleet.admins);
        for _ in 0..dx.rng.range(0, 2) {
            let t = dx.clock.at(dx.rng.range(8 * HOUR, 18 * HOUR));
            let o = Spawn {
                acct: Some(Acct::User(admin as u32)),
                integrity: Some(""),
                elevation: Some(""),
                life: Some(30 * MIN),
                ..Default::default()
            };
            let bash = dx.spawn(
                sshd,
                Bin::Bash,
                "-bash",
                t,
                Spawn {
                    role: Some(Role::Shell),
                    ..o
                },
            )?;
            for cmd in [
                "sudo apt-get update",
                "systemctl status nginx",
                "tail -n 200 /var/log/nginx/error.log",
            ] {
                let bin = if cmd.contains("apt-get") {
                    Bin::AptGet
                } else {
                    Bin::Bash
                };
                let t2 = dx.time_in(bash);
                dx.spawn(bash, bin, cmd, t2, Spawn::default())?;
            }
        }
    }
    Ok(())
}

/// A Mac's day: launchd, the user's apps.
pub fn mac_day(dx: &mut Dx, boot: bool) -> R {
    if boot {
        dx.st.procs.clear();
        let t = dx.clock.lo;
        let life = 40 * DAY;
        let ld = dx.root(Bin::Launchd, 1, t, life, Role::Daemon);
        dx.spawn(
            ld,
            Bin::WdavDaemon,
            "/Library/Application Support/Microsoft/Defender/wdavdaemon",
            t + SEC,
            Spawn {
                role: Some(Role::Sense),
                life: Some(life),
                ..Default::default()
            },
        )?;
        dx.st.booted_until = t + life;
    }
    if dx.clock.is_weekend() && dx.rng.chance(0.8) {
        return Ok(());
    }
    let Some(ld) = dx.st.procs.iter().position(|p| p.bin == Bin::Launchd) else {
        return Ok(());
    };
    let user = Acct::User(dx.dev.primary_user as u32);
    let start = dx.clock.at(dx.rng.range(8 * HOUR, 10 * HOUR));
    let o = Spawn {
        acct: Some(user),
        integrity: Some(""),
        elevation: Some(""),
        life: Some(8 * HOUR),
        ..Default::default()
    };
    dx.spawn(
        ld,
        Bin::ChromeMac,
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        start,
        Spawn {
            role: Some(Role::Browser),
            ..o.clone()
        },
    )?;
    dx.spawn(
        ld,
        Bin::OutlookMac,
        "/Applications/Microsoft Outlook.app/Contents/MacOS/Microsoft Outlook",
        start + MIN,
        Spawn {
            role: Some(Role::Mail),
            ..o.clone()
        },
    )?;
    if dx.rng.chance(0.4) {
        let t = start + dx.rng.range(HOUR, 6 * HOUR);
        let z = dx.spawn(
            ld,
            Bin::Zsh,
            "-zsh",
            t,
            Spawn {
                role: Some(Role::Shell),
                life: Some(HOUR),
                ..o
            },
        )?;
        let t2 = dx.time_in(z);
        dx.spawn(
            z,
            Bin::CurlLinux,
            "curl -sL https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh",
            t2,
            Spawn::default(),
        )?;
    }
    Ok(())
}
