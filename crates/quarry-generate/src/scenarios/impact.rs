//! Impact: ransomware encrypting a user's files after destroying recovery options.

use super::{Run, acx, ensure_session};
use crate::GenerateError;
use crate::alerts::{Alert, Evidence, Service, behavior, raise};
use crate::catalog::Bin;
use crate::ctx::{Acct, HOUR, MIN, SEC, Spawn};
use crate::files::{FileOp, file};

type R = Result<(), GenerateError>;

const FOLDERS: &[&str] = &[
    "Documents",
    "Desktop",
    "Pictures",
    "Downloads",
    "OneDrive - Contoso\\Documents",
    "Documents\\Finance",
    "Documents\\Projects",
];
const FILES: &[&str] = &[
    "Q3 Budget.xlsx",
    "Project Plan.docx",
    "Board Deck.pptx",
    "Vendor Contract.docx",
    "IMG_2041.jpg",
    "Customer List.xlsx",
    "notes.txt",
    "Policy Draft v3.docx",
    "scan0042.pdf",
    "Roadmap 2025.pptx",
    "Headcount.xlsx",
    "archive.zip",
];

pub fn ransomware(r: &mut Run) -> R {
    // After hours.
    let t = r.clock.at(19 * HOUR + r.rng.range(0, 3 * HOUR));
    let mut dx = r.dx(r.p.device)?;
    let explorer = ensure_session(&mut dx, t)?;
    let profile = dx.user_profile(dx.st.procs[explorer].acct).to_string();
    let Some(services) = dx.find(crate::ctx::Role::Services) else {
        return Ok(());
    };
    let locker_path = Bin::Locker.path(&profile);
    let h = dx.cat.hashes(Bin::Locker).clone();
    let sys = Spawn {
        acct: Some(Acct::System),
        integrity: Some("System"),
        elevation: Some("TokenElevationTypeDefault"),
        life: Some(HOUR),
        ..Default::default()
    };
    let cmd = dx.spawn(
        services,
        Bin::Cmd,
        &format!(r"cmd.exe /c {locker_path} -path C:\Users -nolog"),
        t,
        sys.clone(),
    )?;
    let t0 = dx.st.procs[cmd].create;
    file(
        &mut dx,
        cmd,
        t0 - 5 * MIN,
        &FileOp {
            action: "FileCreated",
            path: &locker_path,
            sha1: Some(&h.sha1),
            sha256: Some(&h.sha256),
            md5: Some(&h.md5),
            size: Bin::Locker.def().size,
            share: Some(("SMB", "10.1.2.99")),
            ..Default::default()
        },
    )?;
    let lk = dx.spawn(
        cmd,
        Bin::Locker,
        &format!(r"{locker_path}  -path C:\Users -nolog"),
        t0 + SEC,
        sys.clone(),
    )?;
    let t1 = dx.st.procs[lk].create;
    let mut recovery = Vec::new();
    for (k, (bin, line)) in [
        (Bin::Vssadmin, "vssadmin.exe  delete shadows /all /quiet"),
        (Bin::Wmic, "wmic.exe  shadowcopy delete"),
        (
            Bin::Bcdedit,
            "bcdedit.exe  /set {default} recoveryenabled No",
        ),
        (Bin::Wbadmin, "wbadmin  delete catalog -quiet"),
    ]
    .into_iter()
    .enumerate()
    {
        let c = dx.spawn(
            lk,
            Bin::Cmd,
            &format!("cmd.exe /c {line}"),
            t1 + (2 + k as i64) * SEC,
            Spawn::default(),
        )?;
        let tc = dx.st.procs[c].create;
        recovery.push(dx.spawn(c, bin, line, tc + 1, Spawn::default())?);
    }
    let mut tt = t1 + 10 * SEC;
    let n = dx.rng.range(180, 320);
    for k in 0..n {
        let folder = *dx.rng.pick(FOLDERS);
        let name = *dx.rng.pick(FILES);
        let original = format!(
            r"C:\Users\{profile}\{folder}\{}{name}",
            if k % 3 == 0 {
                String::new()
            } else {
                format!("{k:03}_")
            }
        );
        let renamed = format!("{original}.lockbit");
        tt += dx.rng.range(SEC / 20, SEC / 2);
        let size = dx.rng.range(10_000, 4_000_000);
        file(
            &mut dx,
            lk,
            tt,
            &FileOp {
                action: "FileModified",
                path: &original,
                size,
                ..Default::default()
            },
        )?;
        file(
            &mut dx,
            lk,
            tt + 1,
            &FileOp {
                action: "FileRenamed",
                path: &renamed,
                previous_path: Some(&original),
                size,
                ..Default::default()
            },
        )?;
    }
    let note_hash = crate::fleet::hex(dx.rng, 40);
    let note_256 = crate::fleet::hex(dx.rng, 64);
    for folder in FOLDERS {
        tt += SEC / 4;
        let note = format!(r"C:\Users\{profile}\{folder}\README_RESTORE_FILES.txt");
        file(
            &mut dx,
            lk,
            tt,
            &FileOp {
                action: "FileCreated",
                path: &note,
                sha1: Some(&note_hash),
                sha256: Some(&note_256),
                size: 1_873,
                ..Default::default()
            },
        )?;
    }
    let dev = dx.dev;
    let user = dx.fleet.users.get(dev.primary_user);
    let plk = dx.st.procs[lk].clone();
    let rec: Vec<_> = recovery.iter().map(|i| dx.st.procs[*i].clone()).collect();
    let mut cx = acx!(dx);
    let mut ev = vec![
        Evidence::Machine(dev),
        Evidence::Process(dev, &plk),
        Evidence::File {
            dev,
            path: &locker_path,
            bin: Some(Bin::Locker),
        },
    ];
    for p in &rec {
        ev.push(Evidence::Process(dev, p));
    }
    if let Some(u) = user {
        ev.push(Evidence::User(u));
    }
    raise(
        &mut cx,
        &Alert {
            title: "File backups were deleted",
            category: "Impact",
            severity: "High",
            service: Service::Endpoint,
            techniques: &["Inhibit System Recovery (T1490)"],
            t: t1 + 5 * SEC,
        },
        &ev[..2],
    )?;
    raise(
        &mut cx,
        &Alert {
            title: "Ransomware behavior detected in the file system",
            category: "Ransomware",
            severity: "High",
            service: Service::Endpoint,
            techniques: &[
                "Data Encrypted for Impact (T1486)",
                "Inhibit System Recovery (T1490)",
            ],
            t: tt,
        },
        &ev,
    )?;
    behavior(
        &mut cx,
        dev,
        user,
        "MassFileRename",
        "Hundreds of user files renamed to a new extension within minutes",
        "Impact",
        "T1486",
        t1,
        tt,
    )?;
    Ok(())
}
