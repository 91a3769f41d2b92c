//! Where machine facts are read: the sysfs and procfs roots, re-rootable like node_exporter's
//! `--path.sysfs` and `--path.procfs`, so that tests (and a user curious about another machine)
//! can point them at a fixture tree: `--sysfs DIR`, `--procfs DIR`, or the environment variables
//! `AMDAHL_SYSFS` and `AMDAHL_PROCFS`. Flags win over variables, variables over `/sys` and `/proc`.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The roots of sysfs and procfs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roots {
    /// `/sys` or its stand-in.
    pub sysfs: PathBuf,
    /// `/proc` or its stand-in.
    pub procfs: PathBuf,
}

impl Default for Roots {
    fn default() -> Self {
        Roots { sysfs: "/sys".into(), procfs: "/proc".into() }
    }
}

impl Roots {
    /// The roots from flags, else the environment, else `/sys` and `/proc`.
    pub fn resolve(sysfs: Option<&Path>, procfs: Option<&Path>) -> Roots {
        let pick = |flag: Option<&Path>, var: &str, default: &str| -> PathBuf {
            flag.map(Path::to_path_buf)
                .or_else(|| std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from))
                .unwrap_or_else(|| default.into())
        };
        Roots { sysfs: pick(sysfs, "AMDAHL_SYSFS", "/sys"), procfs: pick(procfs, "AMDAHL_PROCFS", "/proc") }
    }

    /// Whether these are the live `/sys` and `/proc` of this machine.
    pub fn is_live(&self) -> bool {
        self == &Roots::default()
    }

    /// The trimmed, non-empty text of `sysfs/relative`.
    pub fn sys(&self, relative: &str) -> Option<String> {
        read_fact(&self.sysfs.join(relative)).ok().flatten()
    }

    /// The trimmed, non-empty text of `procfs/relative`.
    pub fn proc(&self, relative: &str) -> Option<String> {
        read_fact(&self.procfs.join(relative)).ok().flatten()
    }

    /// [`Roots::sys`], telling a fact that is absent (`Ok(None)`) from one that is there but
    /// cannot be read as one (`Err`: the path and why), so the reader can say so.
    pub fn sys_fact(&self, relative: &str) -> Result<Option<String>, String> {
        let path = self.sysfs.join(relative);
        read_fact(&path).map_err(|why| format!("{} {why}", path.display()))
    }

    /// [`Roots::sys_fact`] under procfs.
    pub fn proc_fact(&self, relative: &str) -> Result<Option<String>, String> {
        let path = self.procfs.join(relative);
        read_fact(&path).map_err(|why| format!("{} {why}", path.display()))
    }
}

/// A number read from sysfs or procfs, if it is finite and not negative: a NaN or infinity in a
/// (fixture) tree is no fact, and would be written as `null`, which the results loader refuses.
pub fn parse_fact(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

/// The most bytes read of one sysfs or procfs file: `/proc/cpuinfo` of a 1024-CPU machine is about
/// 1.5 MiB; a fixture tree's `/dev/zero` stand-in stops here.
const MAX_FACT_BYTES: u64 = 4 << 20;

/// The trimmed text of a regular file, read without blocking (a FIFO in a fixture tree is
/// refused, not a hang) and under [`MAX_FACT_BYTES`]. `Ok(None)`: nothing is there; `Err`: what is
/// there is no fact (not a regular file, too long, not text, or empty), said as the end of a
/// sentence that starts with the path.
fn read_fact(path: &Path) -> Result<Option<String>, String> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let file = match crate::input::open_regular(path) {
        Ok(Some(file)) => file,
        Ok(None) => return Err("is not a regular file (a device, FIFO, socket or folder)".to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot be read ({e})")),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FACT_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot be read ({e})"))?;
    if bytes.len() as u64 > MAX_FACT_BYTES {
        return Err(format!("is larger than {} MiB", MAX_FACT_BYTES >> 20));
    }
    let text = String::from_utf8(bytes).map_err(|_| "is not text".to_owned())?;
    match text.trim() {
        "" => Err("is empty".to_owned()),
        text => Ok(Some(text.to_owned())),
    }
}
