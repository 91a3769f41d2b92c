//! The ceilings cache: `measure run` measures the machine's ceilings once a day, not every run.
//!
//! # Where and what
//! `$XDG_CACHE_HOME/amdahl/` (else `$HOME/.cache/amdahl/`) holds one `ceilings-<key>.json` per
//! machine fingerprint: the key is a hash of everything that changes what the ceilings measure
//! (host, CPU model, usable CPUs and their affinity, physical cores, cgroup quota, memory, kernel,
//! the placement, and this tool's version), and the file repeats the key so a hash collision reads
//! as a miss. An entry outside physical bounds ([`implausible`]: a speedup above j, or above the
//! usable CPUs for compute, by more than 5%; a relative clock outside (0, 2]) is ignored with a
//! warning and measured again. Ceilings measured while the machine was busy (the `busy` warning of
//! `machine::environment`), impossible ones, and ones cut short are used for their run but never
//! stored, unless `AMDAHL_CACHE_WHEN_BUSY=1` asks to store a busy machine's. Entries older than [`MAX_AGE`] (or dated in the future) are misses. A run that needs
//! a thread count the entry lacks measures that ceiling again at both sets of counts and replaces
//! the entry. Files are written atomically; a cache that cannot be read or written is a warning,
//! never a failure. `--no-cache` neither reads nor writes it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::ceilings::{self, Bench, CeilingPlan, Measured};
use crate::input::InputLimit;
use crate::placement::Pin;
use crate::results::{Ceilings, Machine, write_atomic};

/// How long cached ceilings are trusted.
pub const MAX_AGE: Duration = Duration::from_secs(86_400);

/// What the cache key is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheKey {
    tool_version: String,
    hostname: Option<String>,
    cpu_brand: Option<String>,
    usable_cpus: usize,
    physical_cores: usize,
    affinity: Option<Vec<usize>>,
    cpu_quota: Option<f64>,
    memory_bytes: Option<u64>,
    kernel: Option<String>,
    placement: Pin,
}

impl CacheKey {
    /// The key of `machine` with `placement`.
    pub fn of(machine: &Machine, placement: Pin) -> CacheKey {
        CacheKey {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            hostname: machine.hostname.clone(),
            cpu_brand: machine.cpu_brand.clone(),
            usable_cpus: machine.usable_cpus,
            physical_cores: machine.physical_cores,
            affinity: machine.affinity.clone(),
            cpu_quota: machine.cpu_quota,
            memory_bytes: machine.memory_bytes,
            kernel: machine.kernel.clone(),
            placement,
        }
    }

    /// FNV-1a of its JSON: what names its files (and the rerun history's).
    pub fn hash(&self) -> u64 {
        fnv1a(&serde_json::to_vec(self).unwrap_or_default())
    }

    /// The file name of this key.
    fn file_name(&self) -> String {
        format!("ceilings-{:016x}.json", self.hash())
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike `Hash`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// One cached entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    key: CacheKey,
    measured_unix_s: u64,
    ceilings: Ceilings,
}

/// The environment variable that lets ceilings measured on a busy machine be cached (`1`), and
/// runs begun on one join the rerun history (`rerun_history`): for a machine that is never quiet,
/// such as a shared CI runner, or a test that must see the cache.
pub const CACHE_WHEN_BUSY_VAR: &str = "AMDAHL_CACHE_WHEN_BUSY";

/// How much a compute ceiling may exceed its bound (j, or the usable CPUs) and still be believed
/// and cached: noise, never physics.
pub const SPEEDUP_SLACK: f64 = 1.25;

/// The same for the timer ceiling, whose 10 ms sleeps a loaded machine delays unevenly (a timer
/// S(2) of 2.34 has been measured on this project's 2-CPU runners).
pub const TIMER_SLACK: f64 = 1.5;

/// A cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeilingCache {
    /// The folder of the entries.
    pub dir: PathBuf,
    /// Whether ceilings measured while the machine was busy are stored too ([`CACHE_WHEN_BUSY_VAR`]).
    pub even_when_busy: bool,
}

impl CeilingCache {
    /// `$XDG_CACHE_HOME/amdahl`, else `$HOME/.cache/amdahl`; `None` when neither is set.
    pub fn default_location() -> Option<CeilingCache> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let base =
            var("XDG_CACHE_HOME").filter(|p| p.is_absolute()).or_else(|| var("HOME").map(|h| h.join(".cache")))?;
        let even_when_busy = std::env::var_os(CACHE_WHEN_BUSY_VAR).is_some_and(|v| v == "1");
        Some(CeilingCache { dir: base.join("amdahl"), even_when_busy })
    }

    /// The entry of `key` measured less than [`MAX_AGE`] before `now`.
    pub fn load(&self, key: &CacheKey, now: SystemTime) -> Option<Ceilings> {
        let path = self.dir.join(key.file_name());
        let text = crate::input::read_text(&path, InputLimit::default()).ok()?;
        let entry: Entry = serde_json::from_str(&text).ok()?;
        let now_s = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
        let fresh = entry.measured_unix_s <= now_s && now_s - entry.measured_unix_s < MAX_AGE.as_secs();
        (entry.key == *key && fresh).then_some(entry.ceilings)
    }

    /// Stores `ceilings` as measured at `now` for `key`.
    pub fn store(&self, key: &CacheKey, ceilings: &Ceilings, now: SystemTime) -> crate::Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| crate::Error::io(&self.dir, "cannot create the cache folder", e))?;
        let entry = Entry {
            key: key.clone(),
            measured_unix_s: now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
            ceilings: Ceilings { cached: false, ..ceilings.clone() },
        };
        let json = serde_json::to_vec_pretty(&entry).map_err(crate::Error::encode("the ceilings cache"))?;
        write_atomic(&self.dir.join(key.file_name()), &json)
    }
}

/// The ceilings of `plan`: from `cache` when it holds every thread count asked for, else measured
/// now (only the ceilings the entry lacks, at its counts and the plan's) and stored back. Warnings
/// say what went wrong with the cache.
pub fn provide(
    plan: &CeilingPlan,
    bench: &Bench<'_>,
    machine: &Machine,
    cache: Option<&CeilingCache>,
) -> (Ceilings, Vec<String>) {
    provide_measured(plan, &|p: &CeilingPlan| ceilings::measure(p, bench), bench.placement, machine, cache)
}

/// [`provide`] with the measurement given: `measure` stands for the live bench (whose placement
/// is `placement`), so the cache's rules can be tested on exact ceilings.
pub fn provide_measured(
    plan: &CeilingPlan,
    measure: &dyn Fn(&CeilingPlan) -> Measured,
    placement: Pin,
    machine: &Machine,
    cache: Option<&CeilingCache>,
) -> (Ceilings, Vec<String>) {
    let plan = plan.clone().normalised();
    let key = CacheKey::of(machine, placement);
    let now = SystemTime::now();
    let Some(cached) = cache.and_then(|c| c.load(&key, now)) else {
        let (fresh, warnings) = measure_and_store_measured(&plan, measure, placement, machine, cache);
        return (only(fresh, &plan), warnings);
    };
    if let Some(why) = implausible(&cached, machine.usable_cpus) {
        let (fresh, mut warnings) = measure_and_store_measured(&plan, measure, placement, machine, cache);
        warnings.insert(
            0,
            format!(
                "the cached ceilings of this machine are impossible ({why}): the entry is ignored and the ceilings measured again"
            ),
        );
        return (only(fresh, &plan), warnings);
    }
    let missing = CeilingPlan {
        compute: missing_with(cached.compute.iter().map(|c| c.threads).collect(), &plan.compute),
        bandwidth: missing_with(cached.bandwidth.iter().map(|c| c.threads).collect(), &plan.bandwidth),
        timer: missing_with(cached.timer.iter().map(|c| c.threads).collect(), &plan.timer),
    };
    if missing.is_empty() {
        return (Ceilings { cached: true, seconds: 0.0, ..only(cached, &plan) }, Vec::new());
    }
    let measured = measure(&missing);
    let fresh = measured.ceilings;
    if !measured.failures.is_empty() {
        // A measurement cut short is not the machine's: use it for this run, never cache it.
        return (only(fresh, &plan), failure_warnings(measured.failures));
    }
    let merged = Ceilings {
        compute: if fresh.compute.is_empty() { cached.compute } else { fresh.compute },
        bandwidth: if fresh.bandwidth.is_empty() { cached.bandwidth } else { fresh.bandwidth },
        timer: if fresh.timer.is_empty() { cached.timer } else { fresh.timer },
        ..fresh
    };
    let warnings = store_if_sound(cache, &key, &merged, machine, now);
    (only(merged, &plan), warnings)
}

/// Measures `plan` anew and stores it in `cache` (what `measure machine` does, and a run whose
/// cache has no entry).
pub fn measure_and_store(
    plan: &CeilingPlan,
    bench: &Bench<'_>,
    machine: &Machine,
    cache: Option<&CeilingCache>,
) -> (Ceilings, Vec<String>) {
    measure_and_store_measured(plan, &|p: &CeilingPlan| ceilings::measure(p, bench), bench.placement, machine, cache)
}

/// [`measure_and_store`] with the measurement given (see [`provide_measured`]).
pub fn measure_and_store_measured(
    plan: &CeilingPlan,
    measure: &dyn Fn(&CeilingPlan) -> Measured,
    placement: Pin,
    machine: &Machine,
    cache: Option<&CeilingCache>,
) -> (Ceilings, Vec<String>) {
    let measured = measure(plan);
    if !measured.failures.is_empty() {
        return (measured.ceilings, failure_warnings(measured.failures));
    }
    let key = CacheKey::of(machine, placement);
    let warnings = store_if_sound(cache, &key, &measured.ceilings, machine, SystemTime::now());
    (measured.ceilings, warnings)
}

/// Why `ceilings` cannot be this machine's, if they cannot: a speedup above its thread count (or
/// the `usable_cpus`, for compute) by more than [`SPEEDUP_SLACK`] ([`TIMER_SLACK`] for the
/// timer), a relative clock outside
/// (0, 2], or a number that is not finite and positive.
pub fn implausible(ceilings: &Ceilings, usable_cpus: usize) -> Option<String> {
    let sound = |x: f64| x.is_finite() && x > 0.0;
    for c in &ceilings.compute {
        let bound = c.threads.min(usable_cpus.max(1)) as f64 * SPEEDUP_SLACK;
        if !sound(c.speedup) || c.speedup > bound {
            return Some(format!(
                "compute S_max({}) = {} on {usable_cpus} usable CPUs, where at most {bound:.2} is possible",
                c.threads, c.speedup
            ));
        }
        if !sound(c.relative_clock) || c.relative_clock > 2.0 {
            return Some(format!("a relative clock of {} at {} threads, outside (0, 2]", c.relative_clock, c.threads));
        }
        if c.mhz.is_some_and(|m| !sound(m)) {
            return Some(format!("a clock of {:?} MHz at {} threads", c.mhz, c.threads));
        }
    }
    for t in &ceilings.timer {
        let bound = t.threads as f64 * TIMER_SLACK;
        if !sound(t.speedup) || t.speedup > bound {
            return Some(format!("timer S({}) = {}, where at most {bound:.2} is possible", t.threads, t.speedup));
        }
    }
    if let Some(b) = ceilings.bandwidth.iter().find(|b| !sound(b.gb_per_s) || b.gb_per_s > 1e5) {
        return Some(format!("a bandwidth of {} GB/s at {} threads", b.gb_per_s, b.threads));
    }
    let counts = ceilings.compute.iter().map(|c| c.threads);
    if counts
        .chain(ceilings.timer.iter().map(|t| t.threads))
        .chain(ceilings.bandwidth.iter().map(|b| b.threads))
        .any(|j| j == 0)
    {
        return Some("a ceiling at 0 threads".to_owned());
    }
    None
}

/// Stores `ceilings` unless they are not the quiet machine's: measured while it was busy (unless
/// the cache stores those too) or impossible. Warnings say what was not stored and why.
fn store_if_sound(
    cache: Option<&CeilingCache>,
    key: &CacheKey,
    ceilings: &Ceilings,
    machine: &Machine,
    now: SystemTime,
) -> Vec<String> {
    let Some(cache) = cache else { return Vec::new() };
    if let Some(why) = implausible(ceilings, machine.usable_cpus) {
        return vec![format!(
            "the machine's ceilings just measured look impossible ({why}): they are used for this run, not cached"
        )];
    }
    let before = machine.environment.as_ref().map(|e| &e.before);
    if !cache.even_when_busy
        && let Some(busy) =
            before.and_then(|b| super::environment::busy_load(b, machine.busy_before.as_ref(), machine.usable_cpus))
    {
        return vec![format!(
            "the machine was busy ({busy} on {} usable CPUs) while its ceilings were measured: they are used for this run, not cached (set {CACHE_WHEN_BUSY_VAR}=1 to cache them anyway)",
            machine.usable_cpus
        )];
    }
    store_or_warn(Some(cache), key, ceilings, now)
}

/// The warnings of a measurement cut short, which is not cached.
fn failure_warnings(failures: Vec<String>) -> Vec<String> {
    failures
        .into_iter()
        .map(|f| format!("{f}; this measurement is not cached, and counts it did not reach have no machine ceiling"))
        .collect()
}

fn store_or_warn(cache: Option<&CeilingCache>, key: &CacheKey, ceilings: &Ceilings, now: SystemTime) -> Vec<String> {
    match cache.map(|c| c.store(key, ceilings, now)) {
        Some(Err(e)) => {
            vec![format!("the machine's ceilings could not be cached ({e}); the next run measures them again")]
        }
        _ => Vec::new(),
    }
}

/// The counts to measure again when the entry holds `have` and the run wants `want`: none when it
/// holds them all, else both sets together.
fn missing_with(mut have: Vec<usize>, want: &[usize]) -> Vec<usize> {
    if want.iter().all(|j| have.contains(j)) {
        return Vec::new();
    }
    have.extend_from_slice(want);
    have.sort_unstable();
    have.dedup();
    have
}

/// `ceilings` cut to the thread counts of `plan`.
fn only(mut ceilings: Ceilings, plan: &CeilingPlan) -> Ceilings {
    ceilings.compute.retain(|c| plan.compute.contains(&c.threads));
    ceilings.bandwidth.retain(|c| plan.bandwidth.contains(&c.threads));
    ceilings.timer.retain(|c| plan.timer.contains(&c.threads));
    ceilings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Roots;
    use crate::results::TimerCeiling;

    /// This machine, quiet before the run (whatever the tests beside this one make of it).
    fn machine() -> Machine {
        quiet(crate::machine::MachineFacts::read(&Roots::default()).fingerprint().clone(), 0.0)
    }

    fn quiet(mut machine: Machine, load: f64) -> Machine {
        machine.load_before = Some([load; 3]);
        // The tasks beside this one busy the live sample: it says `load` too.
        let runnable = load as u64 + 1;
        machine.busy_before = Some(crate::results::BusySample {
            seconds: 0.2,
            cpus: 1,
            busy_ticks: 0,
            total_ticks: 0,
            procs_running: Some([runnable; 2]),
        });
        if let Some(env) = machine.environment.as_mut() {
            env.before.load = Some([load; 3]);
        }
        machine
    }

    fn bench(roots: &Roots) -> Bench<'_> {
        Bench { cpus: &[], placement: Pin::Scatter, roots, largest_cache_bytes: None, memory_bytes: None }
    }

    #[test]
    fn an_entry_is_found_by_its_key_within_a_day_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CeilingCache { dir: dir.path().join("amdahl"), even_when_busy: false };
        let key = CacheKey::of(&machine(), Pin::Scatter);
        let ceilings = Ceilings { timer: vec![TimerCeiling { threads: 1, speedup: 1.0 }], ..Ceilings::default() };
        let now = SystemTime::now();
        cache.store(&key, &ceilings, now).unwrap();
        assert_eq!(cache.load(&key, now), Some(ceilings.clone()));
        assert_eq!(cache.load(&key, now + MAX_AGE), None, "a day old");
        assert_eq!(cache.load(&key, now - Duration::from_secs(60)), None, "from the future");
        assert_eq!(cache.load(&CacheKey::of(&machine(), Pin::Compact), now), None, "another placement");
    }

    #[test]
    fn provide_measures_once_then_reads_and_measures_again_only_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CeilingCache { dir: dir.path().to_owned(), even_when_busy: false };
        let roots = Roots::default();
        let plan = CeilingPlan { timer: vec![2], ..CeilingPlan::default() };
        let (first, warnings) = provide(&plan, &bench(&roots), &machine(), Some(&cache));
        assert!(warnings.is_empty(), "{warnings:#?}");
        assert!(!first.cached && first.seconds > 0.0);
        assert_eq!(first.timer.iter().map(|t| t.threads).collect::<Vec<_>>(), [1, 2]);
        let (second, _) = provide(&plan, &bench(&roots), &machine(), Some(&cache));
        assert!(second.cached && second.seconds == 0.0);
        assert_eq!(second.timer, first.timer, "the very numbers measured before");
        // A thread count the entry lacks: measured again, at both sets, and kept for later runs.
        let wider = CeilingPlan { timer: vec![4], ..CeilingPlan::default() };
        let (third, _) = provide(&wider, &bench(&roots), &machine(), Some(&cache));
        assert!(!third.cached);
        assert_eq!(third.timer.iter().map(|t| t.threads).collect::<Vec<_>>(), [1, 4]);
        let (fourth, _) = provide(&plan, &bench(&roots), &machine(), Some(&cache));
        assert!(fourth.cached, "2 was measured again with 4");
        // No cache: always measured, nothing written.
        let empty = tempfile::tempdir().unwrap();
        let (fifth, _) = provide(&plan, &bench(&roots), &machine(), None);
        assert!(!fifth.cached);
        assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_unwritable_cache_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, "x").unwrap();
        let cache = CeilingCache { dir: file.join("amdahl"), even_when_busy: false };
        let roots = Roots::default();
        let plan = CeilingPlan { timer: vec![2], ..CeilingPlan::default() };
        let (ceilings, warnings) = provide(&plan, &bench(&roots), &machine(), Some(&cache));
        assert_eq!(ceilings.timer.len(), 2);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("could not be cached"));
    }
}
