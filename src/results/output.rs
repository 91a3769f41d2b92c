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
//!   Temporary files have a name of our own, `.amdahl-HASH-PID.tmp` (HASH: 16 hex digits of the
//!   target's file name, so a legal long target name keeps a legal temporary name);
//!   [`clean_orphaned_temps`] removes only those of the target about to be written whose process
//!   is gone (a crash or `kill -9` mid-write), never another file of the folder.
//! - **Every output checked before anything is measured** ([`OutputPlan`]): each is absent or a
//!   regular file (or `--force`), its folder exists and takes a file (a read-only file system
//!   too), no two outputs of one command resolve to the same file (`./f.json` and `f.json`,
//!   `sub/../h.json` and `h.json`, hard links), and no output is one of the command's inputs
//!   (same device and inode). The last two are refused even with `--force`.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Whether an existing file may be replaced (`--force`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overwrite {
    /// Refuse an existing file.
    #[default]
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
            replaceable(path, &meta)
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

/// What [`claim`] found at the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimed {
    /// The file was created, empty, by this claim: ours to remove if nothing is measured.
    Created,
    /// An existing file will be replaced (`--force`): never removed, whatever happens.
    Existing,
}

/// Whether this process may replace the existing file `path`: in a sticky folder (`/tmp`) only
/// the file's or the folder's owner may (root aside), which the folder's write permission does
/// not tell.
fn replaceable(path: &Path, meta: &fs::Metadata) -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    let Ok(folder) = fs::metadata(folder_of(path)) else { return Ok(()) };
    let sticky = folder.mode() & 0o1000 != 0;
    if euid != 0 && sticky && meta.uid() != euid && folder.uid() != euid {
        return Err(Error::io(
            path,
            "cannot replace it",
            std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "it belongs to another user in a sticky folder, where only its owner may replace it",
            ),
        ));
    }
    Ok(())
}

/// Claims `path` for a run: checks it and creates it exclusively when it is absent, so that no
/// other process can claim it too; an existing file is claimed only under `--force` (and then is
/// not ours to remove: see [`Claimed`]).
pub fn claim(path: &Path, overwrite: Overwrite) -> Result<Claimed> {
    check_target(path, overwrite)?;
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(_) => Ok(Claimed::Created),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && overwrite == Overwrite::Replace => {
            check_target(path, overwrite)?;
            probe_folder(path)?;
            Ok(Claimed::Existing)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::WouldOverwrite(path.to_owned())),
        Err(e) => Err(Error::io(path, "cannot create", e)),
    }
}

/// Claims the first free name of `candidates` (exclusive creation: never an existing file, even
/// when another run picks names in the same folder at the same moment).
pub fn claim_first_free(candidates: impl IntoIterator<Item = PathBuf>) -> Result<PathBuf> {
    let mut last = None;
    for path in candidates {
        match claim(&path, Overwrite::Never) {
            Ok(_) => return Ok(path),
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
        Err(_) => claim(path, Overwrite::Never).and_then(|_| write_atomic(path, bytes)),
    }
}

/// Checks that a file can be created in `path`'s folder (permissions, a read-only file system)
/// by creating and removing a temporary file of our own there.
pub fn probe_folder(path: &Path) -> Result<()> {
    let probe = folder_of(path).join(temp_name(Path::new(".probe"), std::process::id()));
    match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        // Our own leftover probe: the folder takes files.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(folder_of(path), "cannot write there", e)),
    }
}

/// The identity of a file: its device and inode.
fn file_id(meta: &fs::Metadata) -> (u64, u64) {
    (meta.dev(), meta.ino())
}

/// Where an output will land, independent of how its path was spelt: the canonical folder and the
/// file name; plus the file's identity when it exists (hard links).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Resolved {
    folder: PathBuf,
    name: std::ffi::OsString,
    id: Option<(u64, u64)>,
}

fn resolve(path: &Path) -> Option<Resolved> {
    let name = path.file_name()?.to_owned();
    let folder = fs::canonicalize(folder_of(path)).ok()?;
    let id = fs::symlink_metadata(path).ok().filter(|m| m.is_file()).map(|m| file_id(&m));
    Some(Resolved { folder, name, id })
}

/// Every output of one command, checked together before anything is computed or measured (the
/// policy of the module docs): each target's kind and folder, no two outputs the same file, no
/// output one of the inputs.
#[derive(Debug)]
pub struct OutputPlan {
    overwrite: Overwrite,
    inputs: Vec<(PathBuf, (u64, u64))>,
    trees: Vec<PathBuf>,
    outputs: Vec<(String, PathBuf, Resolved)>,
    /// The flag whose output is standard output (`-`), if any.
    stdout: Option<String>,
}

/// Whether an output path is `-`: standard output, not a file.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

impl OutputPlan {
    /// A plan whose outputs may replace existing files under `overwrite`.
    pub fn new(overwrite: Overwrite) -> OutputPlan {
        OutputPlan { overwrite, inputs: Vec::new(), trees: Vec::new(), outputs: Vec::new(), stdout: None }
    }

    /// Records an input of the command: no output may be this file. An input that cannot be read
    /// is left to its reader's message.
    pub fn input(&mut self, path: &Path) -> &mut Self {
        if let Ok(meta) = fs::metadata(path) {
            self.inputs.push((path.to_owned(), file_id(&meta)));
        }
        self
    }

    /// Checks output `path`, named by `flag` in messages: its kind and folder ([`check_target`],
    /// [`probe_folder`]), then that it is no input and no earlier output (refused with exit 2
    /// even under `--force`). `-` is standard output ([`is_stdout`]), which one output at most
    /// may take.
    pub fn output(&mut self, flag: &str, path: &Path) -> Result<()> {
        if is_stdout(path) {
            if let Some(other) = &self.stdout {
                return Err(Error::usage(
                    flag,
                    "-",
                    format!("is standard output, which {other} already writes to: one output at most may be `-`"),
                ));
            }
            self.stdout = Some(flag.to_owned());
            return Ok(());
        }
        self.output_with(flag, path, self.overwrite)
    }

    /// Like [`OutputPlan::output`], for the results file just claimed by this process (it exists,
    /// and is ours to replace).
    pub fn claimed(&mut self, flag: &str, path: &Path) -> Result<()> {
        self.output_with(flag, path, Overwrite::Replace)
    }

    /// Records a folder whose every file is an input (a `--sysfs` or `--procfs` tree): no output
    /// may be inside it.
    pub fn input_tree(&mut self, dir: &Path) -> &mut Self {
        if let Ok(canonical) = fs::canonicalize(dir) {
            self.trees.push(canonical);
        }
        self
    }

    /// Refuses `path` (named by `flag`) if it is one of the inputs (same device and inode), or
    /// inside an input tree.
    pub fn not_an_input(&self, flag: &str, path: &Path) -> Result<()> {
        if let Some(tree) = resolve(path).and_then(|r| self.trees.iter().find(|t| r.folder.starts_with(t)).cloned()) {
            return Err(Error::usage(
                flag,
                path.display(),
                format!("is inside {}, a tree this command reads its machine from", tree.display()),
            ));
        }
        let Ok(meta) = fs::metadata(path) else { return Ok(()) };
        match self.inputs.iter().find(|(_, id)| *id == file_id(&meta)) {
            Some((input, _)) => Err(Error::usage(
                flag,
                path.display(),
                format!("is {}, an input of this command: an output never replaces what it reads", input.display()),
            )),
            None => Ok(()),
        }
    }

    fn output_with(&mut self, flag: &str, path: &Path, overwrite: Overwrite) -> Result<()> {
        let shown = path.display();
        let Some(resolved) = resolve(path) else {
            check_target(path, overwrite)?;
            return Err(Error::usage(flag, shown, "does not name a file in an existing folder"));
        };
        // What no --force allows comes first: an input, or another output of this command.
        self.not_an_input(flag, path)?;
        let same = |(_, _, other): &&(String, PathBuf, Resolved)| {
            (other.folder == resolved.folder && other.name == resolved.name)
                || (other.id.is_some() && other.id == resolved.id)
        };
        if let Some((other_flag, other, _)) = self.outputs.iter().find(same) {
            return Err(Error::usage(
                flag,
                shown,
                format!(
                    "is the same file as {other_flag} ({}): each output needs a file of its own, even with --force",
                    other.display()
                ),
            ));
        }
        check_target(path, overwrite)?;
        probe_folder(path)?;
        self.outputs.push((flag.to_owned(), path.to_owned(), resolved));
        Ok(())
    }
}

/// Removes the temporary files of `target` left by a process that no longer exists (a crash or
/// `kill -9` mid-write); returns how many. Only names `.amdahl-HASH-PID.tmp` with `target`'s own
/// HASH are candidates: no other file of the folder is ever touched.
pub fn clean_orphaned_temps(target: &Path) -> usize {
    let Ok(entries) = fs::read_dir(folder_of(target)) else { return 0 };
    let hash = target_hash(target);
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| temp_owner(n, &hash)) else { continue };
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if regular && pid != std::process::id() && !process_exists(pid) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The 16 hex digits of FNV-1a over `target`'s file name: stable across builds and platforms.
fn target_hash(target: &Path) -> String {
    let name = target.file_name().map(|n| n.as_encoded_bytes().to_vec()).unwrap_or_default();
    let hash = name.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// The name of the temporary file of `target` written by process `pid` (in `target`'s folder).
pub fn temp_name(target: &Path, pid: u32) -> String {
    format!(".amdahl-{}-{pid}.tmp", target_hash(target))
}

/// The PID in a temporary file name `.amdahl-HASH-PID.tmp` with this `hash`.
fn temp_owner(name: &str, hash: &str) -> Option<u32> {
    let pid = name.strip_prefix(".amdahl-")?.strip_prefix(hash)?.strip_prefix('-')?.strip_suffix(".tmp")?;
    // Only the form this process writes: no sign, no leading zero.
    let owner: u32 = pid.parse().ok()?;
    (pid.bytes().all(|b| b.is_ascii_digit()) && owner.to_string() == pid).then_some(owner)
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
    let tmp = folder_of(path).join(temp_name(path, std::process::id()));
    // Created exclusively: whatever is already at that name (a link, a folder, a leftover) is not
    // provably ours, so it is neither written through nor removed.
    let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(|e| {
        let action = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "cannot create the temporary file: something of that name is in the way (left alone)"
        } else {
            "cannot create the temporary file"
        };
        Error::io(&tmp, action, e)
    })?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, "cannot write", e));
    }
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
        assert!(leftovers.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")), "{leftovers:?}");
    }

    #[test]
    fn only_our_own_orphaned_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.json");
        // PID 2^22 + 1 is above Linux's largest PID, so no process has it.
        let orphan = dir.path().join(temp_name(&target, 4_194_305));
        let live = dir.path().join(temp_name(&target, std::process::id()));
        let other_target = dir.path().join(temp_name(&dir.path().join("other.json"), 4_194_305));
        // A user's files that look like temporary files of some tool, with dead PIDs.
        let users = [".thesis.tex.tmp-4242", ".r.json.tmp-4194305", "notes.tmp-12", ".amdahl-x-4194305.tmp"];
        for p in [&orphan, &live, &other_target].into_iter().cloned().chain(users.iter().map(|u| dir.path().join(u))) {
            fs::write(p, "x").unwrap();
        }
        assert_eq!(clean_orphaned_temps(&target), 1);
        assert!(!orphan.exists() && live.exists() && other_target.exists());
        assert!(users.iter().all(|u| dir.path().join(u).exists()));
        let hash = target_hash(&target);
        assert_eq!(hash.len(), 16);
        assert_eq!(temp_owner(&format!(".amdahl-{hash}-12.tmp"), &hash), Some(12));
        assert_eq!(temp_owner(&format!(".amdahl-{hash}-.tmp"), &hash), None);
        assert_eq!(temp_owner(&format!(".amdahl-{hash}-1x.tmp"), &hash), None);
        assert_eq!(temp_owner(&format!(".amdahl-{hash}-012.tmp"), &hash), None);
        assert_eq!(temp_owner(&format!(".amdahl-{hash}-+12.tmp"), &hash), None);
        // Something at our own temporary name is in the way: refused, never removed.
        let blocked = dir.path().join("blocked.json");
        let link = dir.path().join(temp_name(&blocked, std::process::id()));
        symlink(dir.path().join("elsewhere"), &link).unwrap();
        let err = write_new(&blocked, b"x", Overwrite::Never).unwrap_err();
        assert!(err.to_string().contains("in the way"), "{err}");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink() && !blocked.exists());
        // A 250-character target name (legal) keeps a short, legal temporary name.
        let long = dir.path().join("x".repeat(250));
        write_new(&long, b"ok", Overwrite::Never).unwrap();
        assert_eq!(fs::read_to_string(&long).unwrap(), "ok");
    }

    #[test]
    fn outputs_that_are_one_file_or_an_input_are_refused_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        let input = dir.path().join("a.json");
        fs::write(&input, "input").unwrap();
        let link = dir.path().join("hard.json");
        fs::hard_link(&input, &link).unwrap();
        let mut plan = OutputPlan::new(Overwrite::Replace);
        plan.input(&input);
        for (flag, path) in [("--html", &input), ("--markdown", &link)] {
            let err = plan.output(flag, path).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().starts_with(flag) && err.to_string().contains("an input"), "{err}");
        }
        let mut plan = OutputPlan::new(Overwrite::Replace);
        plan.output("--out", &dir.path().join("f.json")).unwrap();
        let same = dir.path().join("sub/../f.json");
        let err = plan.output("--export-csv", &same).unwrap_err();
        assert!(err.to_string().contains("the same file as --out"), "{err}");
        assert_eq!(err.exit_code(), 2);
        plan.output("--export-markdown", &dir.path().join("f.md")).unwrap();
        assert_eq!(fs::read_to_string(&input).unwrap(), "input");
        // The probe leaves nothing behind.
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    #[test]
    fn a_forced_claim_of_an_existing_file_is_not_ours_to_remove() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        assert_eq!(claim(&path, Overwrite::Never).unwrap(), Claimed::Created);
        assert_eq!(claim(&path, Overwrite::Replace).unwrap(), Claimed::Existing);
    }
}
