//! CPU caches as Linux reports them in sysfs (`/sys/devices/system/cpu/cpu0/cache/index*/`).
//! On other systems, or where sysfs is not readable, nothing is reported: never a guess.

use std::fs;
use std::path::Path;

/// One cache level seen by CPU 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    /// 1, 2, 3...
    pub level: u32,
    /// `Data`, `Instruction` or `Unified`.
    pub kind: String,
    /// Capacity in bytes.
    pub size_bytes: u64,
}

/// The caches of CPU 0, in sysfs order; empty where unknown.
pub fn cpu_caches() -> Vec<Cache> {
    read_caches(Path::new("/sys/devices/system/cpu/cpu0/cache"))
}

/// The largest data or unified cache of the highest level, in bytes.
pub fn last_level_cache_bytes() -> Option<u64> {
    cpu_caches()
        .into_iter()
        .filter(|c| c.kind != "Instruction")
        .max_by_key(|c| (c.level, c.size_bytes))
        .map(|c| c.size_bytes)
}

fn read_caches(dir: &Path) -> Vec<Cache> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("index"))
        .collect();
    names.sort();
    names
        .iter()
        .filter_map(|name| {
            let read = |f: &str| fs::read_to_string(dir.join(name).join(f)).ok().map(|s| s.trim().to_owned());
            Some(Cache {
                level: read("level")?.parse().ok()?,
                kind: read("type")?,
                size_bytes: parse_size(&read("size")?)?,
            })
        })
        .collect()
}

/// Parses sysfs sizes such as `32K`, `1024K`, `32M`.
fn parse_size(text: &str) -> Option<u64> {
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = digits.parse().ok()?;
    let scale = match unit.trim() {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sysfs_sizes() {
        assert_eq!(parse_size("32K"), Some(32 * 1024));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("12Q"), None);
        assert_eq!(parse_size(""), None);
    }

    #[test]
    fn missing_folder_gives_nothing() {
        assert!(read_caches(Path::new("/nonexistent/cache")).is_empty());
    }
}
