//! The bench front-end on the fake clock: checksums, the per-sample setup outside the timing,
//! names, baselines and the change lines. No real timing is asserted.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use amdahl_workloads::Kind;

use super::*;
use crate::compare::Figure;
use crate::config::RunConfig;
use crate::machine::MachineFacts;
use crate::sweep::{FakeClock, Journal, Measurement, RunContext};
use crate::thread_set::CpuCounts;

const CPUS: CpuCounts = CpuCounts { usable: 4, physical: 4, sockets: 1 };

fn sweep(specs: Vec<WorkloadSpec>, out: &Path, clock: &dyn Clock) -> ResultsFile {
    // As `bench_mode`: the run file is our own empty claim, replaced.
    let config =
        RunRequest { specs, threads: Some("1-4".into()), out: Some(out.to_owned()), force: true, ..Default::default() }
            .resolve(CPUS)
            .unwrap();
    run_config(&config, clock)
}

fn run_config(config: &RunConfig, clock: &dyn Clock) -> ResultsFile {
    let (machine, journal) = (MachineFacts::fake(CPUS), Journal::new());
    let context = RunContext { argv: vec!["bench".into()], ..RunContext::quiet(clock, &machine, &journal) };
    crate::sweep::run(config, context).unwrap().results
}

use crate::results::ResultsFile;

#[test]
fn a_closure_whose_value_depends_on_j_is_a_checksum_mismatch() {
    let racy = function("racy", Kind::Parallel).run(|_, team: &Team| team.threads());
    let err = check_once(&racy, &FakeClock::exact(), None, None).unwrap_err();
    assert!(err.contains("j=2") && err.contains("differs"), "{err}");
    let fine = function("fine", Kind::Parallel).run(|_, team: &Team| team.map(8, |i| i as u64).iter().sum::<u64>());
    assert_eq!(check_once(&fine, &FakeClock::exact(), None, None), Ok(Checksum::of_hash(&28u64)));

    // The sweep catches it as for built-ins: the points past j = 1 fail with the mismatch.
    let dir = tempfile::tempdir().unwrap();
    let spec = WorkloadSpec::defaults(Arc::new(function("racy", Kind::Parallel).run(|_, team: &Team| team.threads())))
        .unwrap();
    let results = sweep(vec![spec], &dir.path().join("r.json"), &FakeClock::exact());
    let w = &results.workloads[0];
    let errors = format!("{:?} {:?}", w.error, w.points.iter().map(|p| &p.error).collect::<Vec<_>>());
    assert!(errors.contains("differs"), "{errors}");
}

/// A clock that says whether a sample is being timed.
struct Watching {
    inner: FakeClock,
    timing: AtomicBool,
}

impl Clock for Watching {
    fn now_ns(&self) -> u64 {
        self.inner.now_ns()
    }
    fn measure(&self, threads: usize, modeled: Option<u64>, cpu: CpuSource<'_>, work: &mut dyn FnMut()) -> Measurement {
        self.timing.store(true, Ordering::SeqCst);
        let m = self.inner.measure(threads, modeled, cpu, work);
        self.timing.store(false, Ordering::SeqCst);
        m
    }
}

static CLOCK: std::sync::OnceLock<Watching> = std::sync::OnceLock::new();

#[test]
fn the_per_sample_setup_runs_before_every_sample_outside_the_timing() {
    let clock = CLOCK.get_or_init(|| Watching { inner: FakeClock::exact(), timing: AtomicBool::new(false) });
    static MADE: AtomicUsize = AtomicUsize::new(0);
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static TIMED_SETUPS: AtomicUsize = AtomicUsize::new(0);
    let sort = function("sort", Kind::Parallel)
        .setup(|_| (0..1000u32).rev().collect::<Vec<u32>>())
        .each_sample(|v: &Vec<u32>| {
            if CLOCK.get().is_some_and(|c| c.timing.load(Ordering::SeqCst)) {
                TIMED_SETUPS.fetch_add(1, Ordering::SeqCst);
            }
            MADE.fetch_add(1, Ordering::SeqCst);
            v.clone()
        })
        .run(|v: &mut Vec<u32>, _| {
            // Every run gets the unsorted input: the last run's sorting was not kept.
            assert_eq!(v[0], 999);
            RUNS.fetch_add(1, Ordering::SeqCst);
            v.sort_unstable();
            v[0]
        });
    let dir = tempfile::tempdir().unwrap();
    let results = sweep(vec![WorkloadSpec::defaults(Arc::new(sort)).unwrap()], &dir.path().join("r.json"), clock);
    let w = &results.workloads[0];
    assert_eq!(w.error, None);
    assert!(w.points.iter().all(|p| p.error.is_none() && p.samples_ns.len() >= 2));
    let runs = RUNS.load(Ordering::SeqCst);
    assert!(runs > 8, "{runs}");
    // One fresh input per run, never made while the clock ran.
    assert_eq!(MADE.load(Ordering::SeqCst), runs);
    assert_eq!(TIMED_SETUPS.load(Ordering::SeqCst), 0);
}

static HASH_CLOCK: std::sync::OnceLock<Watching> = std::sync::OnceLock::new();

/// A value whose hashing says whether it happened while a sample was timed.
struct Watched(u32);

static HASHED: AtomicUsize = AtomicUsize::new(0);
static HASHED_WHILE_TIMED: AtomicUsize = AtomicUsize::new(0);

impl std::hash::Hash for Watched {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if HASH_CLOCK.get().is_some_and(|c| c.timing.load(Ordering::SeqCst)) {
            HASHED_WHILE_TIMED.fetch_add(1, Ordering::SeqCst);
        }
        HASHED.fetch_add(1, Ordering::SeqCst);
        self.0.hash(state);
    }
}

#[test]
fn the_closures_value_is_hashed_after_the_clock_stops() {
    let clock = HASH_CLOCK.get_or_init(|| Watching { inner: FakeClock::exact(), timing: AtomicBool::new(false) });
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let counted = function("counted", Kind::Parallel).run(|_, team: &Team| {
        RUNS.fetch_add(1, Ordering::SeqCst);
        Watched(team.map(4, |i| i as u32).iter().sum())
    });
    let dir = tempfile::tempdir().unwrap();
    let results = sweep(vec![WorkloadSpec::defaults(Arc::new(counted)).unwrap()], &dir.path().join("r.json"), clock);
    let w = &results.workloads[0];
    assert_eq!(w.error, None);
    assert!(w.points.iter().all(|p| p.error.is_none() && p.samples_ns.len() >= 2));
    // Every run's value was hashed (the checksum is checked), none while the clock ran.
    assert!(HASHED.load(Ordering::SeqCst) >= RUNS.load(Ordering::SeqCst));
    assert_eq!(HASHED_WHILE_TIMED.load(Ordering::SeqCst), 0);
}

#[test]
fn names_must_be_distinct_and_printable() {
    let a: Arc<dyn Workload> = Arc::new(function("a", Kind::Parallel).run(|_, _| 0));
    let again: Arc<dyn Workload> = Arc::new(function("a", Kind::Sequential).run(|_, _| 0));
    let empty: Arc<dyn Workload> = Arc::new(function(" ", Kind::Parallel).run(|_, _| 0));
    let control: Arc<dyn Workload> = Arc::new(function("a\u{1b}[31m", Kind::Parallel).run(|_, _| 0));
    assert!(check_names(&[Arc::clone(&a)]).is_ok());
    for bad in [vec![Arc::clone(&a), again], vec![empty], vec![control]] {
        let err = check_names(&bad).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
    }
}

#[test]
fn trait_workloads_and_builtins_go_in_too() {
    let builtin = amdahl_workloads::find("primes").unwrap().into_workload();
    assert_eq!(builtin.name(), "primes");
    let closure = function("c", Kind::Parallel).run(|_, _| 0).into_workload();
    assert_eq!(closure.name(), "c");
}

#[test]
fn list_and_bad_flags_need_no_target_folder() {
    let dir = tempfile::tempdir().unwrap();
    let env = BenchEnv {
        exe: Some(dir.path().join("release/deps/scaling-0123456789abcdef")),
        cargo_target_dir: None,
        cwd: dir.path().to_owned(),
    };
    let workloads = || vec![function("sort", Kind::Parallel).run(|_, _| 0).into_workload()];
    assert_eq!(run(["--list".to_owned()], workloads(), &env), 0);
    assert_eq!(run(["--bench".to_owned(), "--no-such-flag".to_owned()], workloads(), &env), 2);
    assert_eq!(run(["--bench".to_owned(), "--threads".to_owned(), "0".to_owned()], workloads(), &env), 2);
    // A missing named baseline is refused before anything is measured or claimed.
    assert_eq!(run(["--bench".into(), "--baseline".into(), "main".into()], workloads(), &env), 2);
    assert!(!dir.path().join("amdahl/scaling").join("run-000001.json").exists());
    // Nothing was written anywhere. (Test mode itself prints libtest-like lines, which would
    // read as this harness's own in `cargo test`'s log: CI runs it on the example instead.)
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// `synthetic` with serial fraction `b` under `name`, its parameters hidden: runs of different
/// `b` are then the same workload to `compare`, as your code before and after a change.
fn synthetic(name: &str, b: f64) -> WorkloadSpec {
    synthetic_of_size(name, b, 1_000_000)
}

/// [`synthetic`] with `size` units of work: T(1) in proportion.
fn synthetic_of_size(name: &str, b: f64, size: u64) -> WorkloadSpec {
    let inner = WorkloadSpec::parse(&format!("synthetic:b={b},size={size}")).unwrap();
    WorkloadSpec::defaults(Arc::new(Hidden(name.to_owned(), inner))).unwrap()
}

#[test]
fn the_baseline_is_each_workloads_last_run_and_the_gate_reads_compare() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    let clock = FakeClock::exact();
    // Run 1: both workloads; run 2: only `other` (a filtered run).
    let first = store.claim_next_run().unwrap();
    let before = sweep(vec![synthetic("work", 0.1), synthetic("other", 0.1)], &first, &clock);
    let second = store.claim_next_run().unwrap();
    sweep(vec![synthetic("other", 0.1)], &second, &clock);
    let names = vec!["work".to_owned(), "other".to_owned()];
    let found = store.last_runs_of(&names, None);
    let of = |n: &str| found.iter().find(|(w, ..)| w == n).map(|(_, p, _)| p.clone());
    assert_eq!((of("work"), of("other")), (Some(first.clone()), Some(second.clone())));

    // This run: `work` lost its scaling (B 0.1 -> 0.5), `other` did not change.
    let third = store.claim_next_run().unwrap();
    let now = sweep(vec![synthetic("work", 0.5), synthetic("other", 0.1)], &third, &clock);
    let found = store.last_runs_of(&names, store.number_of(&third));
    let (changes, notes) = changes::since(&now, &names, &found, &store.dir);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(changes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["work", "other"]);
    let work = &changes[0];
    assert_eq!(work.baseline, "run-000001.json");
    let line = changes::line(work);
    assert!(line.starts_with("work: S(4) 3.08 -> 1.60, -48%, significant; B 0.100 -> 0.500, significant"), "{line}");
    assert!(changes::regressed(&work.pair));
    let other = changes::line(&changes[1]);
    assert!(!changes::regressed(&changes[1].pair), "{other}");
    assert!(other.contains("+0%, within noise") && other.ends_with("(vs run-000002.json)"), "{other}");
    let text = changes::text(&changes, &notes, &[names[0].clone(), names[1].clone(), "new".into()], None);
    assert!(text.contains("new: no baseline yet"), "{text}");
    // Faster is no regression: the old run against the new one as its baseline.
    let (back, _) = changes::since(&before, &names[..1], &[("work".into(), third.clone(), now.clone())], &store.dir);
    assert!(!changes::regressed(&back[0].pair), "{}", changes::line(&back[0]));
}

/// A workload under another name, its parameters fixed and undeclared.
struct Hidden(String, WorkloadSpec);

impl Workload for Hidden {
    fn name(&self) -> &str {
        &self.0
    }
    fn kind(&self) -> Kind {
        self.1.workload.kind()
    }
    fn description(&self) -> &str {
        self.1.workload.description()
    }
    fn params(&self) -> &'static [amdahl_workloads::ParamSpec] {
        const SIZE: &[amdahl_workloads::ParamSpec] = &[amdahl_workloads::ParamSpec::integer("size", "fixed", 1, 1, 1)];
        SIZE
    }
    fn prepare(
        &self,
        _: &Params,
    ) -> std::result::Result<Box<dyn amdahl_workloads::Instance>, amdahl_workloads::WorkloadError> {
        self.1.workload.prepare(&self.1.params)
    }
}

/// An input whose `Drop` panics: user code, run after the clock stops.
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("dropping the input");
        }
    }
}

#[test]
fn a_panicking_drop_of_the_per_sample_input_fails_the_workload_and_not_the_bench() {
    let make =
        || function("drop-panics", Kind::Parallel).setup(|_| ()).each_sample(|_: &()| PanicsOnDrop).run(|_, _| 1u64);
    // Test mode says FAILED, not ok.
    let err = check_once(&make(), &FakeClock::exact(), None, None).unwrap_err();
    assert!(
        err.contains("drop-panics") && err.contains("panicked after its run") && err.contains("dropping the input"),
        "{err}"
    );
    // A sweep fails the workload, finishes the run and writes it whole.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let results = sweep(vec![WorkloadSpec::defaults(Arc::new(make())).unwrap()], &out, &FakeClock::exact());
    let w = &results.workloads[0];
    let errors = format!("{:?} {:?}", w.error, w.points.iter().map(|p| &p.error).collect::<Vec<_>>());
    assert!(errors.contains("dropping the input"), "{errors}");
    let saved = crate::results::load(&out, crate::input::InputLimit::DEFAULT).unwrap();
    assert_eq!(saved.run.status, crate::results::RunStatus::Complete);
    assert_eq!(saved.workloads.len(), 1);
}

#[test]
fn a_filtered_save_baseline_keeps_the_other_workloads_baselines() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    let clock = FakeClock::exact();
    let both = sweep(vec![synthetic("slow-ok", 0.1), synthetic("par-ok", 0.1)], &dir.path().join("a.json"), &clock);
    let (_, saved) = store.save_baseline("main", &both).unwrap();
    assert_eq!(saved, ["slow-ok", "par-ok"]);
    // A run filtered to `slow-ok`, saved as `main` again: `par-ok`'s baseline stays.
    let slow = sweep(vec![synthetic("slow-ok", 0.5)], &dir.path().join("b.json"), &clock);
    let (_, saved) = store.save_baseline("main", &slow).unwrap();
    assert_eq!(saved, ["slow-ok"]);
    let names = vec!["slow-ok".to_owned(), "par-ok".to_owned()];
    let named = store.named_baseline("main", &names).unwrap();
    assert!(named.missing.is_empty(), "{:?}", named.missing);
    let of = |n: &str| named.found.iter().find(|(w, ..)| w == n).map(|(_, _, f)| f.clone()).unwrap();
    // Each workload's own: `slow-ok` from the second save, `par-ok` from the first.
    assert_eq!(of("slow-ok").workloads, slow.workloads);
    assert_eq!(of("par-ok").workloads, both.workloads[1..]);
    assert!(named.found.iter().all(|(_, _, f)| f.workloads.len() == 1));
    assert_eq!(store.baselines(), ["main"]);
}

#[test]
fn a_workload_missing_from_a_named_baseline_says_so_and_the_gate_does_not_pass() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    let clock = FakeClock::exact();
    let slow = sweep(vec![synthetic("slow-ok", 0.1)], &dir.path().join("a.json"), &clock);
    store.save_baseline("main", &slow).unwrap();
    let names = vec!["slow-ok".to_owned(), "par-ok".to_owned()];
    let now = sweep(vec![synthetic("slow-ok", 0.1), synthetic("par-ok", 0.1)], &dir.path().join("b.json"), &clock);
    let named = store.named_baseline("main", &names).unwrap();
    assert_eq!(named.missing.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(), ["par-ok"]);
    let missing = named.missing_lines();
    assert!(missing[0].starts_with("`par-ok` has no baseline `main`"), "{missing:?}");
    let (changes, mut notes) = changes::since(&now, &names, &named.found, &store.dir);
    notes.extend(missing.iter().cloned());
    let text = changes::text(&changes, &notes, &names, Some("main"));
    assert!(!text.contains("no baseline yet"), "{text}");
    assert!(text.contains("`par-ok` has no baseline `main`") && text.contains("baseline-main/slow-ok.json"), "{text}");
    // No regression, but the gate could not look at `par-ok`: exit 2, naming it.
    let (code, errors) = changes::gate(&changes, &missing, &[Figure::Speedup]);
    assert_eq!(code, crate::error::exit_code::USAGE);
    assert!(errors[0].contains("par-ok"), "{errors:?}");
    // Every workload with its baseline and no regression: the gate passes.
    assert_eq!(changes::gate(&changes, &[], &[Figure::Speedup]).0, crate::error::exit_code::OK);
}

#[test]
fn a_baseline_saved_by_an_earlier_version_is_still_read_for_its_workloads() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    let clock = FakeClock::exact();
    std::fs::create_dir_all(&store.dir).unwrap();
    // The whole run in one file, as earlier versions saved it.
    sweep(vec![synthetic("work", 0.1), synthetic("other", 0.1)], &store.legacy_baseline_path("main"), &clock);
    let later = sweep(vec![synthetic("work", 0.3)], &dir.path().join("b.json"), &clock);
    store.save_baseline("main", &later).unwrap();
    let named = store.named_baseline("main", &["work".to_owned(), "other".to_owned()]).unwrap();
    let path_of = |n: &str| named.found.iter().find(|(w, ..)| w == n).map(|(_, p, _)| p.clone()).unwrap();
    assert_eq!(path_of("work"), store.baseline_path("main", "work"));
    assert_eq!(path_of("other"), store.legacy_baseline_path("main"));
}

#[test]
fn a_baseline_that_cannot_be_saved_is_refused_before_measuring_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    std::fs::create_dir_all(&store.dir).unwrap();
    let names = ["sort".to_owned()];
    assert!(store.check_baseline_target("fresh", &names).is_ok());
    // Something not a folder at the baseline's folder; a user's file at a workload's file.
    std::fs::write(store.baseline_dir("file"), "mine").unwrap();
    std::fs::create_dir(store.baseline_dir("notes")).unwrap();
    std::fs::write(store.baseline_path("notes", "sort"), "precious").unwrap();
    for name in ["file", "notes"] {
        let err = store.check_baseline_target(name, &names).unwrap_err().to_string();
        assert!(err.contains("--save-baseline") && err.contains("move it away first"), "{err}");
    }
    let run = sweep(vec![synthetic("sort", 0.1)], &dir.path().join("r.json"), &FakeClock::exact());
    assert!(store.save_baseline("notes", &run).is_err());
    assert_eq!(std::fs::read_to_string(store.baseline_path("notes", "sort")).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(store.baseline_dir("file")).unwrap(), "mine");
    // A baseline that does not exist is refused by --baseline, naming the saved ones.
    let err = store.named_baseline("main", &names).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("--baseline") && err.to_string().contains("saved: notes;"), "{err}");
}

#[test]
fn a_planted_run_at_the_highest_number_does_not_end_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    let clock = FakeClock::exact();
    let first = store.claim_next_run().unwrap();
    sweep(vec![synthetic("work", 0.1)], &first, &clock);
    // Any content at the last number below the cap.
    std::fs::write(store.dir.join(format!("run-{}.json", store::MAX_RUN - 1)), "planted").unwrap();
    for expected in [2, 3] {
        let next = store.claim_next_run().unwrap();
        assert_eq!(store.number_of(&next), Some(expected));
        sweep(vec![synthetic("work", 0.1)], &next, &clock);
        // ...and each later run still finds the one before it as its baseline.
        let found = store.last_runs_of(&["work".to_owned()], Some(expected));
        assert_eq!(store.number_of(&found[0].1), Some(expected - 1));
    }
}

#[test]
fn only_earlier_complete_runs_are_baselines() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    let clock = FakeClock::exact();
    let names = ["work".to_owned()];
    let first = store.claim_next_run().unwrap();
    sweep(vec![synthetic("work", 0.1)], &first, &clock);
    // Run 2 was interrupted; run 3 is ours; run 4, a concurrent bench's, is still being written.
    let second = store.claim_next_run().unwrap();
    let mut interrupted = sweep(vec![synthetic("work", 0.1)], &second, &clock);
    interrupted.run.status = crate::results::RunStatus::Interrupted;
    crate::results::output::write_atomic(&second, crate::results::to_json(&interrupted).unwrap().as_bytes()).unwrap();
    let third = store.claim_next_run().unwrap();
    let fourth = store.claim_next_run().unwrap();
    let mut running = sweep(vec![synthetic("work", 0.1)], &fourth, &clock);
    running.run.status = crate::results::RunStatus::Running;
    crate::results::output::write_atomic(&fourth, crate::results::to_json(&running).unwrap().as_bytes()).unwrap();
    let found = store.last_runs_of(&names, store.number_of(&third));
    assert_eq!(found.iter().map(|(_, p, _)| p.clone()).collect::<Vec<_>>(), std::slice::from_ref(&first));
    // A complete run after this one (a concurrent bench that finished first) is not earlier.
    running.run.status = crate::results::RunStatus::Complete;
    crate::results::output::write_atomic(&fourth, crate::results::to_json(&running).unwrap().as_bytes()).unwrap();
    assert_eq!(store.last_runs_of(&names, store.number_of(&third))[0].1, first);
}

#[test]
fn the_time_gate_fires_on_a_slower_t1_that_the_speedup_gate_lets_pass() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    let clock = FakeClock::exact();
    let first = store.claim_next_run().unwrap();
    sweep(vec![synthetic_of_size("work", 0.1, 1_000_000)], &first, &clock);
    // The same shape, 20% more work: T(1) +20%, S unchanged.
    let second = store.claim_next_run().unwrap();
    let now = sweep(vec![synthetic_of_size("work", 0.1, 1_200_000)], &second, &clock);
    let names = ["work".to_owned()];
    let (changes, _) = changes::since(&now, &names, &store.last_runs_of(&names, store.number_of(&second)), &store.dir);
    assert!(changes::line(&changes[0]).contains("T(1) +20%, significant"), "{}", changes::line(&changes[0]));
    assert_eq!(changes::gate(&changes, &[], &[Figure::Speedup]).0, crate::error::exit_code::OK);
    let (code, errors) = changes::gate(&changes, &[], &[Figure::T1]);
    assert_eq!(code, crate::error::exit_code::WORKLOAD_FAILED);
    assert!(errors[0].starts_with("regression: work: "), "{errors:?}");
    assert_eq!(
        changes::gate(&changes, &[], &[Figure::Speedup, Figure::T1]).0,
        crate::error::exit_code::WORKLOAD_FAILED
    );
    // Faster is no regression.
    let (back, _) = changes::since(
        &crate::results::load(&first, crate::input::InputLimit::DEFAULT).unwrap(),
        &names,
        &[("work".into(), second.clone(), now.clone())],
        &store.dir,
    );
    assert_eq!(changes::gate(&back, &[], &[Figure::T1]).0, crate::error::exit_code::OK);
}

/// Takes a CPU away from `workload`'s point at `threads` for its second quarter of rounds: their
/// wall time x1.8 at the same CPU time (utilisation 0.56), as the one-CPU stretches of issue 33;
/// then refits the file as every reader does.
fn take_a_cpu_away(file: &mut ResultsFile, workload: &str, threads: usize) {
    let w = file.workloads.iter_mut().find(|w| w.name == workload).unwrap();
    let p = w.points.iter_mut().find(|p| p.threads == threads).unwrap();
    let n = p.samples_ns.len();
    assert!(n >= 8, "{n} rounds");
    p.samples_ns[n / 4..n / 2].iter_mut().for_each(|s| *s = *s * 9 / 5);
    crate::fit_command::refit(file);
}

#[test]
fn a_change_on_a_disturbed_run_is_named_and_neither_a_regression_nor_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path(), "scaling");
    let clock = FakeClock::exact();
    let first = store.claim_next_run().unwrap();
    let mut before = sweep(vec![synthetic_of_size("work", 0.1, 10_000_000)], &first, &clock);
    let second = store.claim_next_run().unwrap();
    // The code lost its scaling (B 0.1 -> 0.5); samples of 6-17 ms, judged (over 1 ms).
    let mut now = sweep(vec![synthetic_of_size("work", 0.5, 10_000_000)], &second, &clock);
    let names = ["work".to_owned()];
    let against = |base: &ResultsFile, now: &ResultsFile| {
        changes::since(now, &names, &[("work".into(), first.clone(), base.clone())], &store.dir).0
    };
    // Quiet: a regression (exit 1).
    assert_eq!(
        changes::gate(&against(&before, &now), &[], &[Figure::Speedup]).0,
        crate::error::exit_code::WORKLOAD_FAILED
    );
    take_a_cpu_away(&mut now, "work", 4);
    let point = &now.workloads[0].points.iter().find(|p| p.threads == 4).unwrap();
    assert!(point.tags.contains(&crate::results::Tag::Disturbed), "{:?}", point.disturbance);
    let changes = against(&before, &now);
    let s = changes[0].pair.tests.iter().find(|t| t.figure == Figure::Speedup).unwrap();
    assert!(s.beyond_noise && !s.significant && s.disturbed == [vec![], vec![4]], "{s:?}");
    let line = changes::line(&changes[0]);
    assert!(
        line.contains("beyond noise on a disturbed run") && line.contains("this run was disturbed at j = 4"),
        "{line}"
    );
    let (code, errors) = changes::gate(&changes, &[], &[Figure::Speedup]);
    assert_eq!(code, crate::error::exit_code::USAGE, "{errors:?}");
    assert!(
        errors[0].starts_with("--fail-on-regression: work: S(4) -")
            && errors[0].contains("is beyond noise, but this run was disturbed at j = 4")
            && errors[0].contains("not called a regression"),
        "{errors:?}"
    );
    // Both runs disturbed: the gate says so.
    take_a_cpu_away(&mut before, "work", 4);
    let (code, errors) = changes::gate(&against(&before, &now), &[], &[Figure::Speedup]);
    assert_eq!(code, crate::error::exit_code::USAGE);
    assert!(errors[0].contains("both runs were disturbed (the baseline at j = 4; this run at j = 4)"), "{errors:?}");
    // `measure compare` names them in its sentence, and calls nothing significant on them.
    let pair = &against(&before, &now)[0].pair;
    assert!(
        !pair.significant
            && pair
                .sentence
                .contains(" beyond noise but not called a change: both runs were disturbed (A at j = 4; B at j = 4)"),
        "{}",
        pair.sentence
    );
    // Its text and page show each test's `beyond_noise` and `disturbed` as columns.
    let files = [("a.json".to_owned(), before.clone()), ("b.json".to_owned(), now.clone())];
    let comparison = crate::compare::compare(&files).unwrap();
    let text = crate::report::comparison_text(&comparison).into_text();
    let header = text.lines().find(|l| l.contains("figure")).unwrap_or_else(|| panic!("{text}"));
    let columns = ["figure", "change", "95% interval", "beyond noise", "disturbed (A; B)", "significant"];
    assert_eq!(header.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect::<Vec<_>>(), columns, "{text}");
    let s4 = text.lines().find(|l| l.trim_start().starts_with("S(4) ")).unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = s4.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(cells[3..], ["yes", "j = 4; j = 4", "no"], "{s4}");
    let page = crate::report::comparison_html(&comparison, &files);
    let th: String = columns.iter().map(|c| format!("<th>{c}</th>")).collect();
    assert!(page.contains(&th), "{page}");
    assert!(page.contains("<td>yes</td><td>j = 4; j = 4</td><td>no</td>"), "{page}");
}
