//! The ceilings cache: `measure run` measures the machine's ceilings once a day, not every run;
//! and the probes of its noise floor.
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
//!
//! Beside each, `noise-floor-<key>.json` holds the day's probes of the machine's states
//! (`machine::floor`): written by the day's calibration and extended by one probe a run
//! ([`provide_floor`]); it expires [`MAX_AGE`] after the calibration, and a busy machine neither
//! calibrates nor probes (unless `AMDAHL_CACHE_WHEN_BUSY=1`).

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::ceilings::{self, Bench, CeilingPlan, Measured};
use super::floor::{self, MeasuredFloor, Probe};
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

    /// The file name of this key's entry of `kind`: FNV-1a of its JSON (stable across builds,
    /// unlike `Hash`).
    fn file_name(&self, kind: &str) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let hash =
            json.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        format!("{kind}-{hash:016x}.json")
    }
}

/// One cached entry: its key, when it was measured, and what (`body`'s fields beside them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry<T> {
    key: CacheKey,
    measured_unix_s: u64,
    #[serde(flatten)]
    body: T,
}

/// The body of a ceilings entry (`ceilings-<key>.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CeilingsBody {
    ceilings: Ceilings,
}

/// The body of a noise-floor entry (`noise-floor-<key>.json`): the day's probes of the machine's
/// states (`machine::floor`); the entry's time is its calibration's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FloorProbes {
    /// J, the thread count of the probes' S.
    pub threads: usize,
    /// The probes, oldest first.
    pub probes: Vec<Probe>,
}

/// The environment variable that lets ceilings measured on a busy machine be cached (`1`): for a
/// machine that is never quiet, such as a shared CI runner, or a test that must see the cache.
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

    /// The ceilings of `key` measured less than [`MAX_AGE`] before `now`.
    pub fn load(&self, key: &CacheKey, now: SystemTime) -> Option<Ceilings> {
        self.read::<CeilingsBody>("ceilings", key, now).map(|(_, b)| b.ceilings)
    }

    /// Stores `ceilings` as measured at `now` for `key`.
    pub fn store(&self, key: &CacheKey, ceilings: &Ceilings, now: SystemTime) -> crate::Result<()> {
        let body = CeilingsBody { ceilings: Ceilings { cached: false, ..ceilings.clone() } };
        self.write("ceilings", key, body, now)
    }

    /// The probes of `key`'s noise floor (`machine::floor`) whose calibration was made less than
    /// [`MAX_AGE`] before `now`, with the time of that calibration (seconds since the epoch).
    pub fn load_floor(&self, key: &CacheKey, now: SystemTime) -> Option<(u64, FloorProbes)> {
        self.read::<FloorProbes>("noise-floor", key, now)
    }

    /// Stores the probes of `key`'s noise floor, calibrated at `calibrated`.
    pub fn store_floor(&self, key: &CacheKey, probes: &FloorProbes, calibrated: SystemTime) -> crate::Result<()> {
        self.write("noise-floor", key, probes, calibrated)
    }

    fn read<T: serde::de::DeserializeOwned>(&self, kind: &str, key: &CacheKey, now: SystemTime) -> Option<(u64, T)> {
        let path = self.dir.join(key.file_name(kind));
        let text = crate::input::read_text(&path, InputLimit::default()).ok()?;
        let entry: Entry<T> = serde_json::from_str(&text).ok()?;
        let now_s = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
        let fresh = entry.measured_unix_s <= now_s && now_s - entry.measured_unix_s < MAX_AGE.as_secs();
        (entry.key == *key && fresh).then_some((entry.measured_unix_s, entry.body))
    }

    fn write<T: Serialize>(&self, kind: &str, key: &CacheKey, body: T, measured: SystemTime) -> crate::Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| crate::Error::io(&self.dir, "cannot create the cache folder", e))?;
        let measured_unix_s = measured.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let entry = Entry { key: key.clone(), measured_unix_s, body };
        let json = serde_json::to_vec_pretty(&entry).map_err(crate::Error::encode("the machine cache"))?;
        write_atomic(&self.dir.join(key.file_name(kind)), &json)
    }
}

/// The machine's noise floor (`machine::floor`) from the day's probes in `cache`, with one more
/// probe of this run's, or from a calibration where the cache has none. `measure(length, count)`
/// takes `count` probes of `length`. A busy machine is not probed (its probe would be the other
/// work's, unless the cache stores a busy machine's): the cached probes are read alone, and with
/// none the constant floor is used (`None`, with the note that says why).
pub fn provide_floor(
    measure: &dyn Fn(std::time::Duration, usize) -> Option<Vec<Probe>>,
    calibration_stretch: std::time::Duration,
    threads: usize,
    placement: Pin,
    machine: &Machine,
    cache: &CeilingCache,
) -> (Option<MeasuredFloor>, Vec<String>) {
    let key = CacheKey::of(machine, placement);
    let now = SystemTime::now();
    let busy = busy_unless_cached_anyway(cache, machine);
    let cached = cache.load_floor(&key, now).filter(|(_, c)| c.threads == threads && !c.probes.is_empty());
    let (calibrated, mut probes, probed) = match (cached, busy) {
        (Some((at, cached)), Some(_)) => (at, cached.probes, false),
        (None, Some(busy)) => {
            let note = format!(
                "the machine was busy ({busy} on {} usable CPUs), so its run-to-run noise floor was not measured: the constant floor is used",
                machine.usable_cpus
            );
            return (None, vec![note]);
        }
        (Some((at, mut cached)), None) => {
            let fresh = measure(floor::PROBE, 1);
            let probed = fresh.is_some();
            cached.probes.extend(fresh.unwrap_or_default());
            (at, cached.probes, probed)
        }
        (None, None) => match measure(calibration_stretch, floor::CALIBRATION_PROBES) {
            Some(probes) => (now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()), probes, false),
            None => {
                let note = "the machine's noise floor could not be measured: the constant floor is used".to_owned();
                return (None, vec![note]);
            }
        },
    };
    let excess = probes.len().saturating_sub(floor::MAX_PROBES);
    probes.drain(..excess);
    let mut warnings = Vec::new();
    if busy.is_none() {
        let stored = FloorProbes { threads, probes: probes.clone() };
        if let Err(e) = cache.store_floor(&key, &stored, UNIX_EPOCH + std::time::Duration::from_secs(calibrated)) {
            warnings.push(format!("the machine's noise floor could not be cached ({e}); the next run measures it again"));
        }
    }
    let measured = floor::floor_of(&probes).map(|floor| MeasuredFloor {
        floor,
        threads,
        probes: probes.len(),
        span_s: probes.last().zip(probes.first()).map_or(0.0, |(l, f)| l.unix_s.saturating_sub(f.unix_s) as f64),
        calibrated_utc: humantime::format_rfc3339_seconds(UNIX_EPOCH + std::time::Duration::from_secs(calibrated))
            .to_string(),
        probed,
    });
    (measured, warnings)
}

/// How busy the machine was before the command, where that keeps what is measured now out of
/// `cache` (it stores a busy machine's only when asked, [`CACHE_WHEN_BUSY_VAR`]).
fn busy_unless_cached_anyway(cache: &CeilingCache, machine: &Machine) -> Option<super::environment::Busy> {
    if cache.even_when_busy {
        return None;
    }
    let before = machine.environment.as_ref().map(|e| &e.before)?;
    super::environment::busy_load(before, machine.busy_before.as_ref(), machine.usable_cpus)
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
    if let Some(busy) = busy_unless_cached_anyway(cache, machine) {
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
    fn the_floor_is_calibrated_once_then_probed_once_a_run_and_only_read_when_busy() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CeilingCache { dir: dir.path().to_owned(), even_when_busy: false };
        let asked = std::cell::RefCell::new(Vec::new());
        // Probes whose S(2) alternates 1.8 and 1.6 by call, with no scatter of their own.
        let measure = |length: Duration, count: usize| {
            asked.borrow_mut().push((length, count));
            let s = if asked.borrow().len() % 2 == 1 { 1.8 } else { 1.6 };
            let pairs = vec![(0.03, 0.03 / s); 5];
            Some((0..count).map(|k| Probe::of(&pairs, 100 + k as u64).unwrap()).collect())
        };
        let stretch = Duration::from_secs(3);
        let (first, notes) = provide_floor(&measure, stretch, 2, Pin::Scatter, &machine(), &cache);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(asked.borrow().as_slice(), [(stretch, floor::CALIBRATION_PROBES)], "the calibration");
        let first = first.unwrap();
        assert_eq!((first.probes, first.probed, first.floor.speedup), (8, false, 0.0), "one state in it");
        let (second, _) = provide_floor(&measure, stretch, 2, Pin::Scatter, &machine(), &cache);
        assert_eq!(asked.borrow()[1], (floor::PROBE, 1), "one probe a run after");
        let second = second.unwrap();
        assert_eq!((second.probes, second.probed, second.calibrated_utc.clone()), (9, true, first.calibrated_utc));
        // 8 probes at 1.8 and one at 1.6: the spread between them, measured.
        let logs: Vec<f64> = [vec![1.8f64.ln(); 8], vec![1.6f64.ln()]].concat();
        let mean = logs.iter().sum::<f64>() / 9.0;
        let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / 8.0).sqrt();
        assert!((second.floor.speedup - sd).abs() < 1e-9, "{} against {sd}", second.floor.speedup);
        // A busy machine is not probed: the cached probes are read alone, and nothing is stored.
        let busy = quiet(machine(), 64.0);
        let (third, _) = provide_floor(&measure, stretch, 2, Pin::Scatter, &busy, &cache);
        assert_eq!(asked.borrow().len(), 2);
        assert_eq!(third.map(|t| (t.probes, t.probed)), Some((9, false)));
        // A busy machine with nothing cached: the constant floor, and the note says why.
        let empty = CeilingCache { dir: dir.path().join("other"), even_when_busy: false };
        let (none, notes) = provide_floor(&measure, stretch, 2, Pin::Scatter, &busy, &empty);
        assert!(none.is_none() && notes[0].contains("was busy") && notes[0].contains("constant floor"), "{notes:?}");
        assert_eq!(asked.borrow().len(), 2);
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
