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
        read_trimmed(&self.sysfs.join(relative))
    }

    /// The trimmed, non-empty text of `procfs/relative`.
    pub fn proc(&self, relative: &str) -> Option<String> {
        read_trimmed(&self.procfs.join(relative))
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

/// The trimmed text of a regular file, read without blocking (a FIFO in a fixture tree is absent,
/// not a hang) and under [`MAX_FACT_BYTES`] (a longer file is absent too).
fn read_trimmed(path: &Path) -> Option<String> {
    let file = crate::input::open_regular(path).ok()??;
    let mut bytes = Vec::new();
    file.take(MAX_FACT_BYTES + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > MAX_FACT_BYTES {
        return None;
    }
    String::from_utf8(bytes).ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}
