//! Output files: what may be written, who wins a race, and how a write never clobbers.
//!
//! # Policy
//! - **Regular files only.** A target must be absent or a regular file. Folders, device nodes,
//!   FIFOs and sockets are refused, with or without `--force`: `--out /dev/null --force` must not
//!   turn `/dev/null` into a file.
//! - **Symbolic links are refused**, never written through and never replaced: a link in an
//!   output path is either a mistake or an attack (a results file travels between machines), and
//!   the user can name the link's target instead.
//! - **No clobbering.** Without `--force` an existing file is never replaced. The results file is
//!   *claimed* before anything is measured by creating it exclusively (`O_EXCL`): of two runs
//!   with the same `--out`, the first wins and the second fails before measuring; default names
//!   take the next free `-N` suffix the same way. Other outputs (reports, charts) are written with
//!   [`write_new`], which links a complete temporary file into place and fails if the name exists.
//! - **Atomic.** Every write goes to a temporary file in the same folder, is synced, and is
//!   renamed (or linked) into place; a reader sees the old file or the new one, never half of one.
//!   Temporary files are named `.NAME.tmp-PID`; [`clean_orphaned_temps`] removes those whose
//!   process is gone (a crash or `kill -9` mid-write).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Whether an existing file may be replaced (`--force`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Refuse an existing file.
    Never,
    /// Replace an existing regular file.
    Replace,
}

impl Overwrite {
    /// `Replace` when `force` is set.
    pub fn from_force(force: bool) -> Overwrite {
        if force { Overwrite::Replace } else { Overwrite::Never }
    }
}

/// Checks that `path` may be written under the policy of the module docs; its folder must exist.
pub fn check_target(path: &Path, overwrite: Overwrite) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) => {
            let kind = meta.file_type();
            let refuse = |what: &str| Err(Error::UnsafeTarget { path: path.to_owned(), what: what.to_owned() });
            if kind.is_symlink() {
                return refuse("is a symbolic link; name the file it points to instead");
            }
            if kind.is_dir() {
                return refuse("is a folder, not a file");
            }
            if !kind.is_file() {
                return refuse("is not a regular file (a device, FIFO or socket); only regular files are written");
            }
            if overwrite == Overwrite::Never {
                return Err(Error::WouldOverwrite(path.to_owned()));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = folder_of(path);
            if !parent.is_dir() {
                return Err(Error::io(
                    parent,
                    "cannot write there",
                    std::io::Error::new(std::io::ErrorKind::NotFound, "the folder does not exist"),
                ));
            }
            Ok(())
        }
        Err(e) => Err(Error::io(path, "cannot check", e)),
    }
}

/// Claims `path` for a run: checks it and, unless replacing, creates it exclusively so that no
/// other process can claim it too.
pub fn claim(path: &Path, overwrite: Overwrite) -> Result<()> {
    check_target(path, overwrite)?;
    if overwrite == Overwrite::Never {
        OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::WouldOverwrite(path.to_owned())
            } else {
                Error::io(path, "cannot create", e)
            }
        })?;
    }
    Ok(())
}

/// Claims the first free name of `candidates` (exclusive creation: never an existing file, even
/// when another run picks names in the same folder at the same moment).
pub fn claim_first_free(candidates: impl IntoIterator<Item = PathBuf>) -> Result<PathBuf> {
    let mut last = None;
    for path in candidates {
        match claim(&path, Overwrite::Never) {
            Ok(()) => return Ok(path),
            Err(Error::WouldOverwrite(_)) => last = Some(path),
            Err(e) => return Err(e),
        }
    }
    Err(Error::WouldOverwrite(last.unwrap_or_default()))
}

/// Writes `bytes` to `path` atomically, replacing what is there: a temporary file in the same
/// folder, fsync, rename, fsync of the folder. For a path this process has claimed or checked.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = write_temp(path, bytes)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, "cannot write", e)
    })?;
    sync_folder(path);
    Ok(())
}

/// Writes `bytes` to `path` atomically under `overwrite`: replacing a regular file when allowed,
/// otherwise only if the name is free at the moment of the write (the complete temporary file is
/// hard-linked into place, which fails if the name exists).
pub fn write_new(path: &Path, bytes: &[u8], overwrite: Overwrite) -> Result<()> {
    check_target(path, overwrite)?;
    if overwrite == Overwrite::Replace {
        return write_atomic(path, bytes);
    }
    let tmp = write_temp(path, bytes)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_folder(path);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::WouldOverwrite(path.to_owned())),
        // A file system without hard links: claim the name, then replace our own empty file.
        Err(_) => claim(path, Overwrite::Never).and_then(|()| write_atomic(path, bytes)),
    }
}

/// Removes `.NAME.tmp-PID` files in `dir` whose process no longer exists; returns how many.
pub fn clean_orphaned_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else { continue };
        if pid != std::process::id() && !process_exists(pid) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The PID in a temporary file name `.NAME.tmp-PID`.
fn temp_owner(name: &str) -> Option<u32> {
    let (head, pid) = name.rsplit_once(".tmp-")?;
    (head.starts_with('.') && head.len() > 1 && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.parse().ok())
        .flatten()
}

fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: kill with signal 0 sends nothing; it only asks whether the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let tmp = folder_of(path).join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, "cannot write", e)
    })?;
    Ok(tmp)
}

fn sync_folder(path: &Path) {
    if let Ok(d) = File::open(folder_of(path)) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{FileTypeExt, symlink};

    use super::*;

    #[test]
    fn only_absent_or_regular_files_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.json");
        fs::write(&file, "precious").unwrap();
        assert!(matches!(check_target(&file, Overwrite::Never), Err(Error::WouldOverwrite(_))));
        assert!(check_target(&file, Overwrite::Replace).is_ok());
        let link = dir.path().join("link.json");
        symlink(&file, &link).unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a NUL-terminated path in our temporary folder.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        for (path, what) in
            [(&link, "symbolic link"), (&fifo, "not a regular file"), (&dir.path().to_owned(), "folder")]
        {
            let err = write_new(path, b"x", Overwrite::Replace).unwrap_err();
            assert!(matches!(err, Error::UnsafeTarget { .. }) && err.to_string().contains(what), "{err}");
            assert_eq!(err.exit_code(), 2);
        }
        assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn the_first_claim_wins_and_new_writes_never_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        claim(&path, Overwrite::Never).unwrap();
        assert!(matches!(claim(&path, Overwrite::Never), Err(Error::WouldOverwrite(_))));
        let names = (1..4).map(|n| dir.path().join(format!("d-{n}.json")));
        assert_eq!(claim_first_free(names.clone()).unwrap(), dir.path().join("d-1.json"));
        assert_eq!(claim_first_free(names).unwrap(), dir.path().join("d-2.json"));
        let html = dir.path().join("r.html");
        write_new(&html, b"one", Overwrite::Never).unwrap();
        assert!(matches!(write_new(&html, b"two", Overwrite::Never), Err(Error::WouldOverwrite(_))));
        assert_eq!(fs::read_to_string(&html).unwrap(), "one");
        write_new(&html, b"three", Overwrite::Replace).unwrap();
        assert_eq!(fs::read_to_string(&html).unwrap(), "three");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(leftovers.iter().all(|n| !n.to_string_lossy().contains(".tmp-")), "{leftovers:?}");
    }

    #[test]
    fn orphaned_temporary_files_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // PID 2^22 + 1 is above Linux's largest PID, so no process has it.
        let orphan = dir.path().join(".r.json.tmp-4194305");
        let ours = dir.path().join(format!(".r.json.tmp-{}", std::process::id()));
        let other = dir.path().join("notes.tmp-12");
        for p in [&orphan, &ours, &other] {
            fs::write(p, "x").unwrap();
        }
        assert_eq!(clean_orphaned_temps(dir.path()), 1);
        assert!(!orphan.exists() && ours.exists() && other.exists());
        assert_eq!(temp_owner(".a.tmp-12"), Some(12));
        assert_eq!(temp_owner(".tmp-12"), None);
        assert_eq!(temp_owner(".a.tmp-1x"), None);
    }
}
