//! Whole runs on the fake clock: exact, deterministic, no real timing asserted.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use amdahl_workloads::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError, WorkloadSpec};

use super::journal::{self, Journal, Saved};
use super::*;
use crate::config::{PlannedWorkload, RunRequest, SweepSettings};
use crate::machine::MachineFacts;
use crate::results::{ResultsFile, StopReason, WorkloadResult};
use crate::thread_set::{CpuCounts, ThreadSet};

const CPUS: CpuCounts = CpuCounts { usable: 4, physical: 4, sockets: 1 };

/// The config of a fake-clock run: no run-to-run noise floor, so its intervals are the samples'
/// own (the floor has tests of its own), and no span of states before the interval may stop it,
/// so an exact run stops at the minimum rounds (`converging_waits_for_the_rounds_to_span_the_states`
/// tests the span).
fn config(workloads: &[&str], threads: &str, out: &Path) -> RunConfig {
    let mut config = RunRequest {
        workloads: workloads.iter().map(|w| w.to_string()).collect(),
        threads: Some(threads.into()),
        out: Some(out.to_owned()),
        noise_floor: Some("0".into()),
        ..Default::default()
    }
    .resolve(CPUS)
    .unwrap();
    config.settings.state_span = Duration::ZERO;
    config
}

#[test]
fn converging_waits_for_the_rounds_to_span_the_states() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let mut config = config(&["synthetic:b=0.25,size=1200000"], "1-4", &out);
    // Exact times: every interval has zero width from the second round; without a span the sweep
    // converges at the minimum 5 rounds (`synthetic_on_the_fake_clock_is_exact`). A round takes
    // 1.2 + 0.75 + 0.6 + 0.525 = 3.075 modelled ms; with a span of 60 ms it goes on until its
    // rounds (and the profile runs of the first 5) span 60 ms.
    config.settings.state_span = Duration::from_millis(60);
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    let w = &outcome.results.workloads[0];
    assert_eq!(w.stop, StopReason::Converged);
    assert!((12..=19).contains(&w.rounds), "{} rounds", w.rounds);
    // The whole share is enough when it is less than the span: a budget of 1 s, a span of 1 h.
    let mut config = self::config(&["synthetic:b=0.25,size=1200000"], "1-4", &dir.path().join("r2.json"));
    config.settings.state_span = Duration::from_secs(3600);
    config.settings.budget = Duration::from_secs(1);
    config.settings.max_rounds = 1_000_000;
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    assert_eq!(outcome.results.workloads[0].stop, StopReason::Budget);
}

fn run_with(config: &RunConfig, clock: &dyn Clock, interrupted: &AtomicBool) -> Result<RunOutcome> {
    let (machine, journal) = (MachineFacts::fake(CPUS), Journal::new());
    run(config, RunContext { interrupted, ..RunContext::quiet(clock, &machine, &journal) })
}

#[test]
fn synthetic_on_the_fake_clock_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let config = config(&["synthetic:b=0.25,size=1200000"], "1-4", &out);
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    assert_eq!(outcome.failures, 0);
    let w = &outcome.results.workloads[0];
    // Zero noise: every CI has zero width, so the sweep converges at the minimum rounds.
    assert_eq!((w.rounds, w.stop), (5, StopReason::Converged));
    for p in &w.points {
        let j = p.threads as f64;
        assert_eq!(p.samples_ns, vec![(1_200_000.0 * (0.25 + 0.75 / j)) as u64; 5]);
        let want = 1.0 / (0.25 + 0.75 / j);
        assert!((p.speedup.unwrap() - want).abs() < 1e-12, "S({j})");
        assert!((p.speedup_ci95.unwrap()[1] - want).abs() < 1e-12);
        assert!((p.efficiency.unwrap() - want / j).abs() < 1e-12);
        if p.threads > 1 {
            assert!((p.karp_flatt.unwrap() - 0.25).abs() < 1e-12);
        }
    }
    let amdahl = w.fits.amdahl_fitted().unwrap();
    assert!((amdahl.serial_fraction - 0.25).abs() < 1e-12);
    assert!((amdahl.ceiling.unwrap() - 4.0).abs() < 1e-9);
    assert_eq!(amdahl.threads_used, [1, 2, 3, 4]);
    // The verdict is the type behind the sentence; the work's task count is in the file.
    assert!(
        matches!(w.verdict, Some(crate::fit::Verdict::SerialFraction { serial_fraction, threads: 4, .. }) if (serial_fraction - 0.25).abs() < 1e-12),
        "{:?}",
        w.verdict
    );
    assert_eq!(w.tasks, Some(10_080), "900,000 parallel units: 64 a task, a multiple of 5,040");
    assert_eq!(w.workload_version, 2);

    // The file on disk is the final state, complete, and reads back equal.
    let saved = crate::results::load(&out, crate::input::InputLimit::DEFAULT).unwrap();
    assert_eq!(saved, outcome.results);
    assert_eq!(saved.run.status, crate::results::RunStatus::Complete);
}

#[test]
fn same_seed_same_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&["synthetic:b=0.1,size=1000000"], "1,2,4", &dir.path().join("a.json"));
    config.settings.ci_target = 0.001;
    config.settings.max_rounds = 40;
    let a = run_with(&config, &FakeClock::with_noise(7, 0.03), &AtomicBool::new(false)).unwrap();
    config.out = Some(dir.path().join("b.json"));
    let b = run_with(&config, &FakeClock::with_noise(7, 0.03), &AtomicBool::new(false)).unwrap();
    assert_eq!(a.results.workloads, b.results.workloads);
    let w = &a.results.workloads[0];
    assert_eq!(w.stop, StopReason::MaxRounds);
    assert_eq!(w.rounds, 40);
    // 3% noise per sample: the fit lands near the true B and its CI is not degenerate.
    let amdahl = w.fits.amdahl_fitted().unwrap();
    let [lo, hi] = amdahl.ci95.unwrap();
    assert!((amdahl.serial_fraction - 0.1).abs() < 0.03 && lo < hi);
}

#[test]
fn budget_stops_rounds_after_the_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&["synthetic:b=0.1,size=1000000"], "1,2", &dir.path().join("r.json"));
    config.settings.ci_target = 1e-6;
    config.settings.budget = Duration::from_millis(20);
    let outcome = run_with(&config, &FakeClock::with_noise(1, 0.05), &AtomicBool::new(false)).unwrap();
    let w = &outcome.results.workloads[0];
    assert_eq!(w.stop, StopReason::Budget);
    // A round costs 1 ms + 0.55 ms of fake time, twice that in the first five (their profile
    // runs), and the warm-up's 1.55 ms counts: 1.55 + 5 x 3.1 + 1.55 = 18.6 ms after 6 rounds,
    // and a 7th would end past the 20 ms budget, so the sweep stops after 6.
    assert!((5..=7).contains(&w.rounds), "{}", w.rounds);

    config.settings.budget = Duration::from_nanos(1);
    config.force = true;
    let outcome = run_with(&config, &FakeClock::with_noise(1, 0.05), &AtomicBool::new(false)).unwrap();
    assert_eq!(outcome.results.workloads[0].rounds, config.settings.min_rounds);
}

const SIZE_ONLY: &[ParamSpec] = &[ParamSpec::integer("size", "unused", 1, 1, 1)];

/// A workload that fails on purpose: it panics at j = 2, or (without `panics`) returns a checksum
/// that depends on j — a race, as the runner sees it.
struct FlawedWorkload {
    name: &'static str,
    panics: bool,
}

static PANICKY: FlawedWorkload = FlawedWorkload { name: "panicky", panics: true };
static RACY: FlawedWorkload = FlawedWorkload { name: "racy", panics: false };

struct Flawed(bool);

impl Instance for Flawed {
    fn run(&mut self, team: &Team) -> Checksum {
        let panics = self.0;
        let parts = team.map(4, |i| {
            if panics && team.threads() == 2 {
                panic!("deliberate failure in task {i}");
            }
            i as u64
        });
        Checksum::of_u64s(parts.into_iter().chain([if panics { 0 } else { team.threads() as u64 }]))
    }
}

impl Workload for FlawedWorkload {
    fn name(&self) -> &str {
        self.name
    }
    fn kind(&self) -> Kind {
        Kind::Parallel
    }
    fn description(&self) -> &str {
        if self.panics { "panics at j=2" } else { "checksum depends on j" }
    }
    fn params(&self) -> &'static [ParamSpec] {
        SIZE_ONLY
    }
    fn prepare(&self, _: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(Flawed(self.panics)))
    }
}

fn planned(workload: &'static dyn Workload, threads: &[usize]) -> PlannedWorkload {
    PlannedWorkload {
        spec: WorkloadSpec::builtin(workload).unwrap(),
        threads: ThreadSet::from_counts(threads.iter().copied()),
        setup: None,
        limit: None,
        default_plan: true,
    }
}

#[test]
fn failures_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let mut config = config(&["synthetic:size=100000"], "1,2", &out);
    config.workloads.insert(0, planned(&PANICKY, &[1, 2]));
    config.workloads.insert(1, planned(&RACY, &[1, 2]));
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    assert_eq!(outcome.failures, 2);
    let [panicky, racy, synthetic] = &outcome.results.workloads[..] else { panic!("three workloads") };
    let error = panicky.error.as_deref().unwrap();
    assert!(error.contains("`panicky` panicked at j=2") && error.contains("deliberate failure"), "{error}");
    assert_eq!(panicky.stop, StopReason::Failed);
    let error = racy.error.as_deref().unwrap();
    assert!(error.contains("`racy` at j=2") && error.contains("parallel result differs"), "{error}");
    assert!(synthetic.error.is_none() && synthetic.rounds == 5);
    assert_eq!(crate::results::load(&out, crate::input::InputLimit::DEFAULT).unwrap().workloads.len(), 3);
}

#[test]
fn interruption_keeps_what_was_measured() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let config = config(&["synthetic:size=100000", "synthetic:size=200000"], "1,2", &out);
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(true)).unwrap();
    assert_eq!(outcome.results.run.status, crate::results::RunStatus::Interrupted);
    assert!(outcome.results.workloads.is_empty());
    assert_eq!(
        crate::results::load(&out, crate::input::InputLimit::DEFAULT).unwrap().run.status,
        crate::results::RunStatus::Interrupted
    );
}

#[test]
fn unwritable_destinations_fail_before_measuring() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/r.json");
    let err =
        run_with(&config(&["synthetic"], "1", &missing), &FakeClock::exact(), &AtomicBool::new(false)).unwrap_err();
    assert_eq!(err.exit_code(), 74);
    assert!(err.to_string().contains("no/such/folder"), "{err}");

    let existing = dir.path().join("taken.json");
    std::fs::write(&existing, "keep me").unwrap();
    let err =
        run_with(&config(&["synthetic"], "1", &existing), &FakeClock::exact(), &AtomicBool::new(false)).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

#[test]
fn calibration_hits_the_target_on_the_fake_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&["synthetic:b=0.5"], "1,2", &dir.path().join("r.json"));
    config.settings.target = Some(Duration::from_micros(300));
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    let w = &outcome.results.workloads[0];
    assert!(w.size_calibrated);
    // One synthetic unit is one modeled nanosecond: a 300 us target means size ~ 300,000.
    assert!((240_000.0..=375_000.0).contains(&w.size), "{}", w.size);
    assert!((w.points[0].median_ns.unwrap() - w.size).abs() < 1.0);
}

#[test]
fn ci_of_b_covers_the_true_b_at_the_stated_rate() {
    // 200 whole sweeps of synthetic b=0.2 at j = 1, 2, 4, 8 on the fake clock with 3% Gaussian noise
    // per sample, 20 rounds each. A 95% interval should cover 0.2 in about 190 of them; the issue's
    // bound is 180 to 198.
    let dir = tempfile::tempdir().unwrap();
    let cpus = CpuCounts { usable: 8, physical: 8, sockets: 1 };
    let mut covered = 0;
    for seed in 0..200u64 {
        let mut config = RunRequest {
            workloads: vec!["synthetic:b=0.2,size=20000".into()],
            threads: Some("1,2,4,8".into()),
            min_rounds: Some(20),
            max_rounds: Some(20),
            seed: Some(seed),
            out: Some(dir.path().join("r.json")),
            noise_floor: Some("0".into()),
            force: true,
            ..Default::default()
        }
        .resolve(cpus)
        .unwrap();
        config.settings.ci_target = 1e-9;
        let clock = FakeClock::with_noise(1000 + seed, 0.03);
        let (machine, journal) = (MachineFacts::fake(cpus), Journal::new());
        let outcome =
            run(&config, RunContext { argv: vec![], ..RunContext::quiet(&clock, &machine, &journal) }).unwrap();
        let [lo, hi] = outcome.results.workloads[0].fits.amdahl_fitted().unwrap().ci95.unwrap();
        if lo <= 0.2 && 0.2 <= hi {
            covered += 1;
        }
    }
    println!("paired rounds (fake clock): {covered}/200 bootstrap intervals cover B");
    assert!((180..=196).contains(&covered), "covered {covered} of 200");
}

#[test]
fn weak_scaling_on_the_fake_clock_gives_gustafsons_serial_fraction() {
    // Synthetic b=0.1 with size x j at j threads takes W (0.1 j + 0.9) on the model clock, so the
    // scaled speedup j T(1)/T(j) is j / (0.1 j + 0.9): not Gustafson's straight line, but a fit of
    // it must be exact where it should be: at j = 1, S = 1, and the fitted a is reproducible.
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&["synthetic:b=0.1,size=100000"], "1,2,4", &dir.path().join("r.json"));
    config.settings.scaling = crate::scaling::Scaling::Weak;
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    let w = &outcome.results.workloads[0];
    assert_eq!(w.scaling, crate::scaling::Scaling::Weak);
    assert_eq!(w.error, None);
    for p in &w.points {
        let j = p.threads as f64;
        assert_eq!(p.samples_ns[0], (100_000.0 * j * (0.1 + 0.9 / j)).round() as u64);
        assert!((p.speedup.unwrap() - j / (0.1 * j + 0.9)).abs() < 1e-12);
        assert_eq!(p.karp_flatt, None);
    }
    let g = w.fits.gustafson_fitted().unwrap();
    let pts: Vec<(usize, f64)> = [1usize, 2, 4].iter().map(|&j| (j, j as f64 / (0.1 * j as f64 + 0.9))).collect();
    let expected = crate::fit::gustafson::serial_fraction(pts).unwrap();
    assert!((g.serial_fraction - expected).abs() < 1e-12);
    assert_eq!(w.fits.best, Some(crate::fit::Model::Gustafson));
    assert!(w.diagnosis.as_deref().unwrap().starts_with("weak scaling"));
    assert!(
        matches!(w.verdict, Some(crate::fit::Verdict::WeakScaling { serial_fraction, threads: 4, .. }) if (serial_fraction - expected).abs() < 1e-12),
        "{:?}",
        w.verdict
    );
}

/// Panics at j = 3 only.
struct FailsAtThree;

struct FailsAtThreeInstance;

impl Instance for FailsAtThreeInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        assert!(team.threads() != 3, "no good at three");
        Checksum::of_u64s(team.map(6, |i| i as u64))
    }
}

impl Workload for FailsAtThree {
    fn name(&self) -> &'static str {
        "fails-at-three"
    }
    fn kind(&self) -> Kind {
        Kind::Parallel
    }
    fn description(&self) -> &'static str {
        "panics at j=3"
    }
    fn params(&self) -> &'static [ParamSpec] {
        SIZE_ONLY
    }
    fn prepare(&self, _: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(FailsAtThreeInstance))
    }
}

#[test]
fn a_failing_point_is_left_out_and_the_others_are_fitted() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&["synthetic:size=1000"], "1", &dir.path().join("r.json"));
    config.workloads = vec![planned(&FailsAtThree, &[1, 2, 3, 4])];
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    assert_eq!(outcome.failures, 1);
    let w = &outcome.results.workloads[0];
    assert!(w.error.as_deref().unwrap().contains("panicked at j=3: no good at three"));
    assert_eq!(w.stop, StopReason::Converged);
    let three = w.points.iter().find(|p| p.threads == 3).unwrap();
    assert!(three.samples_ns.is_empty() && three.speedup.is_none() && three.error.is_some());
    assert!(w.points.iter().filter(|p| p.threads != 3).all(|p| p.samples_ns.len() == 5));
    assert_eq!(w.fits.amdahl.as_ref().unwrap().threads_used(), [1, 2, 4]);
}

/// Breaks the contract: no `size` parameter.
struct Sizeless;

impl Workload for Sizeless {
    fn name(&self) -> &'static str {
        "sizeless"
    }
    fn kind(&self) -> Kind {
        Kind::Parallel
    }
    fn description(&self) -> &'static str {
        "declares no size"
    }
    fn params(&self) -> &'static [ParamSpec] {
        &[]
    }
    fn prepare(&self, _: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(FailsAtThreeInstance))
    }
}

#[test]
fn a_workload_without_size_is_reported_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&["synthetic:size=1000"], "1", &dir.path().join("r.json"));
    config.workloads = vec![planned(&Sizeless, &[1, 2])];
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    assert!(outcome.results.workloads[0].error.as_deref().unwrap().contains("declares no `size`"));
}

/// Does nothing, but tells the fake clock that a run takes `self.0` nanoseconds.
struct Modeled(u64);

struct ModeledInstance(u64);

impl Instance for ModeledInstance {
    fn run(&mut self, _: &Team) -> Checksum {
        Checksum::of_u64s([])
    }
    fn modeled_ns(&self, _: usize) -> Option<u64> {
        Some(self.0)
    }
}

impl Workload for Modeled {
    fn name(&self) -> &'static str {
        "modeled"
    }
    fn kind(&self) -> Kind {
        Kind::Parallel
    }
    fn description(&self) -> &'static str {
        "takes as long as the fake clock is told"
    }
    fn params(&self) -> &'static [ParamSpec] {
        SIZE_ONLY
    }
    fn prepare(&self, _: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(ModeledInstance(self.0)))
    }
}

/// What a sweep told its observer, in order: each warning, and `round N` as round N finished.
struct Events(Vec<String>);

impl Observer for Events {
    fn warning(&mut self, message: &str) {
        self.0.push(message.to_owned());
    }
    fn round_finished(&mut self, rounds: usize, _: Option<f64>, _: Duration, _: Duration) {
        self.0.push(format!("round {rounds}"));
    }
}

/// `workload` swept alone at `threads` on the exact fake clock with `settings`: its result, what
/// it told its observer, and the fake seconds it took.
fn sweep_events(
    workload: &'static dyn Workload,
    threads: &[usize],
    settings: &SweepSettings,
) -> (WorkloadResult, Vec<String>, f64) {
    let clock = FakeClock::exact();
    let mut events = Events(Vec::new());
    let env = env_of(&clock, &mut events, CPUS);
    let w =
        sweep_workload(&planned(workload, threads), settings, WorkloadShare::whole(settings), &Default::default(), env);
    (w, events.0, clock.now_ns() as f64 / 1e9)
}

#[test]
fn a_plan_that_cannot_meet_its_budget_is_said_before_measuring_and_loses_its_costliest_counts() {
    let settings = SweepSettings { budget: Duration::from_secs(4), ..one_workload_settings() };
    let threads = |w: &WorkloadResult| w.points.iter().map(|p| p.threads).collect::<Vec<_>>();
    // 100 ms a run at every j; the first 5 rounds take a profile run at every count too, so a
    // count's minimum is 10 runs. Guessed from T(1) (S = min(j, 4)) the plan fits in 4 s (about
    // 3.4 s); the warm-up measures 0.1 s a count, so 5 rounds of 8 counts need 8 s against 3.2 s
    // left: the costliest leave (all cost alike: the largest first; 5-7, beyond the 4 usable CPUs
    // and out of the fit, before any the fit uses), keeping 1, 8 and 4 (the largest the fit
    // uses), until three counts' 3 s fit.
    static TENTH: Modeled = Modeled(100_000_000);
    let (w, events, took) = sweep_events(&TENTH, &[1, 2, 3, 4, 5, 6, 7, 8], &settings);
    assert_eq!(threads(&w), [1, 4, 8]);
    assert_eq!(
        events[0],
        "modeled: the plan cannot meet the budget: the minimum 5 rounds of its 8 thread counts need about 8.0 s (each count's warm-up, timed whole) against 3.2 s left of the 4.0 s this workload may plan with; left out j = 2, 3, 5-7 (the costliest first, keeping j = 1, 4, 8), so the rest need about 3.0 s; --allow-overrun measures them all"
    );
    assert_eq!(events[1], "round 1", "said before the first round");
    assert_eq!((w.rounds, w.error.as_deref()), (5, None));
    assert!(w.warnings.contains(&events[0]), "kept in the file");
    assert!(took <= 4.0, "the budget held: {took} s");

    // --allow-overrun keeps every count and says by how much the plan overruns.
    let allowed = SweepSettings { allow_overrun: true, ..settings };
    let (w, events, took) = sweep_events(&TENTH, &[1, 2, 3, 4, 5, 6, 7, 8], &allowed);
    assert_eq!(threads(&w).len(), 8);
    assert!(
        events[0].ends_with("--allow-overrun: every count is measured, about 4.8 s over the budget"),
        "{}",
        events[0]
    );
    assert!((took - 8.8).abs() < 1e-9, "{took}");

    // 10 s a run, two counts: nothing can leave, so both are measured with the minimum rounds,
    // said as soon as T(1) is known.
    static SLOW: Modeled = Modeled(10_000_000_000);
    let (w, events, _) = sweep_events(&SLOW, &[1, 2], &settings);
    assert_eq!(
        events[0],
        "modeled: the plan cannot meet the budget: the warm-up and the minimum 5 rounds of its 2 thread counts need about 155.0 s (T(1) = 10.00 s timed, S(j) guessed from the kind) with the 4.0 s this workload may plan with already spent (10.0 s so far); j = 1, 2 alone are measured with the minimum 5 rounds, which intervals need: about 161.0 s over the budget; a smaller size= or a larger --budget would fit"
    );
    assert_eq!(events[1], "round 1", "said once: the warm-up's measured costs leave nothing to add");
    assert_eq!((w.rounds, threads(&w)), (5, vec![1, 2]));

    // A plan that fits says nothing.
    static FAST: Modeled = Modeled(1_000_000);
    let (w, events, _) = sweep_events(&FAST, &[1, 2], &settings);
    assert!(w.warnings.is_empty() && events.iter().all(|e| e.starts_with("round")), "{events:?}");
}

/// Like [`Modeled`], and its parameters say how long a run takes (as `sleep`'s do).
struct Known(u64);

impl Workload for Known {
    fn name(&self) -> &'static str {
        "known"
    }
    fn kind(&self) -> Kind {
        Kind::IoBound
    }
    fn description(&self) -> &'static str {
        "takes as long as its parameters say"
    }
    fn params(&self) -> &'static [ParamSpec] {
        SIZE_ONLY
    }
    fn prepare(&self, _: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(ModeledInstance(self.0)))
    }
    fn known_duration(&self, _: &Params, _: usize) -> Option<Duration> {
        Some(Duration::from_nanos(self.0))
    }
}

#[test]
fn a_known_cost_is_planned_before_anything_runs() {
    static TEN_SECONDS: Known = Known(10_000_000_000);
    let settings = SweepSettings { budget: Duration::from_secs(3), ..one_workload_settings() };
    let (w, events, _) = sweep_events(&TEN_SECONDS, &[1, 2, 4], &settings);
    // Nothing spent yet: the whole 3 s are left when it is said. Each count needs its warm-up, 5
    // runs and 5 profile runs: 110 s, 330 s for the three.
    assert!(
        events[0].starts_with("known: the plan cannot meet the budget: the warm-up and the minimum 5 rounds of its 3 thread counts need about 330.0 s (one run takes 10.00 s at j = 1, known from its parameters) against 3.0 s left of the 3.0 s this workload may plan with; left out j = 2"),
        "{}",
        events[0]
    );
    assert_eq!(w.points.iter().map(|p| p.threads).collect::<Vec<_>>(), [1, 4]);
}

#[test]
fn an_overrun_is_said_after_the_run_with_its_size() {
    static SLOW: Modeled = Modeled(10_000_000_000);
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&["synthetic:size=1000"], "1", &dir.path().join("r.json"));
    config.workloads = vec![planned(&SLOW, &[1, 2])];
    config.settings.budget = Duration::from_secs(30);
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    // Two warm-ups and five rounds of two 10 s runs; the plan cannot meet its budget, so only the
    // first three rounds take a profile run (`TIGHT_PROFILE_ROUNDS`): 20 + 100 + 60 = 180 s of
    // fake time.
    let said = outcome.results.warnings.iter().find(|w| w.starts_with("the run took")).unwrap();
    assert!(said.starts_with("the run took 180.0 s against its --budget of 30.0 s: 150.0 s (500%) over"), "{said}");
    // Within the budget, nothing is said.
    config.workloads = vec![planned(&TEN_MS, &[1, 2])];
    config.force = true;
    let outcome = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap();
    assert!(!outcome.results.warnings.iter().any(|w| w.contains("the run took")), "{:?}", outcome.results.warnings);
}

static TEN_MS: Modeled = Modeled(10_000_000);

#[test]
fn a_plan_may_take_half_of_each_later_workloads_share_and_the_run_still_meets_its_budget() {
    // 40 ms a run whatever j, known: the warm-up and 5 rounds (each with its profile run) of
    // j = 1, 2, 4 need 1.32 s, more than the first workload's even share of a 2 s budget (1 s) and
    // less than its allowance (1 s and half of the second's: 1.5 s), so it keeps every count.
    static FORTY_MS: Known = Known(40_000_000);
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&["synthetic:size=1000"], "1", &dir.path().join("r.json"));
    config.workloads = vec![planned(&FORTY_MS, &[1, 2, 4]), planned(&TEN_MS, &[1, 2])];
    config.settings.budget = Duration::from_secs(2);
    let clock = FakeClock::exact();
    let outcome = run_with(&config, &clock, &AtomicBool::new(false)).unwrap();
    let counts = |w: &WorkloadResult| w.points.iter().map(|p| p.threads).collect::<Vec<_>>();
    let (first, second) = (&outcome.results.workloads[0], &outcome.results.workloads[1]);
    assert_eq!((counts(first), first.rounds), (vec![1, 2, 4], 5));
    assert_eq!(counts(second), [1, 2]);
    let budget_said = |w: &String| w.contains("cannot meet the budget") || w.starts_with("the run took");
    let said: Vec<&String> = outcome.results.warnings.iter().chain(&first.warnings).chain(&second.warnings).collect();
    assert!(!said.iter().any(|w| budget_said(w)), "{said:?}");
    assert!(clock.now_ns() as f64 / 1e9 <= 2.0, "the run met its budget: {} ns", clock.now_ns());
    // Held against its even share alone (a run of it with that budget), j = 2 would have left.
    let settings = SweepSettings { budget: Duration::from_secs(1), ..one_workload_settings() };
    let (alone, events, _) = sweep_events(&FORTY_MS, &[1, 2, 4], &settings);
    assert_eq!(counts(&alone), [1, 4], "{events:?}");
}

#[test]
fn counts_whose_team_this_process_may_not_start_leave_the_plan_and_the_others_are_measured() {
    let clock = FakeClock::exact();
    let mut events = Events(Vec::new());
    let room = crate::machine::limits::Room {
        threads: 4,
        because: "vm.max_map_count = 20, 12 maps in use, 2 a thread's stack".into(),
    };
    let env = SweepEnv { thread_room: Some(room), ..env_of(&clock, &mut events, CPUS) };
    let settings = one_workload_settings();
    let w = sweep_workload(
        &planned(&TEN_MS, &[1, 2, 4, 8, 16]),
        &settings,
        WorkloadShare::whole(&settings),
        &Default::default(),
        env,
    );
    assert_eq!(w.points.iter().map(|p| p.threads).collect::<Vec<_>>(), [1, 2, 4]);
    assert_eq!((w.rounds, w.error.as_deref()), (5, None));
    assert_eq!(
        events.0[0],
        "modeled: left out j = 8, 16: a team of j threads needs j threads alive at once, and this process may start about 4 more (vm.max_map_count = 20, 12 maps in use, 2 a thread's stack)"
    );
}

/// At the start of every sample of [`Snooping`]: the thread ids of the team running it, and the
/// state of every thread of this process.
type Snooped = Vec<(Vec<amdahl_workloads::thread_state::Tid>, Vec<(i32, amdahl_workloads::thread_state::ThreadState)>)>;

static SNOOPED: std::sync::Mutex<Snooped> = std::sync::Mutex::new(Vec::new());

/// Reads, as its run starts, which threads of the process are asleep.
struct Snooping;

struct SnoopingInstance;

impl Instance for SnoopingInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        use amdahl_workloads::thread_state::state;
        let tids: Vec<i32> = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        let states = tids.into_iter().map(|t| (t, state(t))).collect();
        SNOOPED.lock().unwrap().push((team.worker_tids(), states));
        // Some work for every worker, so each team's workers spin down after it.
        Checksum::of_u64s([team.map(64, |i| i as u64).into_iter().sum()])
    }
}

impl Workload for Snooping {
    fn name(&self) -> &'static str {
        "snooping"
    }
    fn kind(&self) -> Kind {
        Kind::Parallel
    }
    fn description(&self) -> &'static str {
        "reads the state of every thread as its run starts"
    }
    fn params(&self) -> &'static [ParamSpec] {
        SIZE_ONLY
    }
    fn prepare(&self, _: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(SnoopingInstance))
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_workers_of_teams_not_being_measured_are_asleep_when_a_sample_starts() {
    use amdahl_workloads::thread_state::ThreadState;
    static SNOOPING: Snooping = Snooping;
    for backend in amdahl_workloads::Backend::ALL {
        SNOOPED.lock().unwrap().clear();
        let settings = SweepSettings { backend, ..one_workload_settings() };
        let (w, _, _) = sweep_events(&SNOOPING, &[1, 2, 8], &settings);
        assert_eq!((w.rounds, w.error.as_deref()), (5, None));
        let snooped = SNOOPED.lock().unwrap().clone();
        // Every worker that ran any sample: the sweep's threads (other tests' are not among them).
        let ours: std::collections::BTreeSet<i32> = snooped.iter().flat_map(|(team, _)| team.iter().copied()).collect();
        assert_eq!(ours.len(), 8, "one crew of the largest team's threads: {ours:?}");
        let mut checked = 0;
        for (team, states) in &snooped {
            for (tid, state) in states.iter().filter(|(t, _)| ours.contains(t) && !team.contains(t)) {
                assert_eq!(*state, ThreadState::Asleep, "{backend}: thread {tid}, not of the team of {}", team.len());
                checked += 1;
            }
        }
        // Runs at j = 1, 2 (warm-up, 5 rounds and 5 profile runs each) with 7 and 6 others asleep.
        assert_eq!(checked, 11 * 7 + 11 * 6, "{backend}");
    }
}

/// A run like `run_with`, whose journal writes through `writer`.
fn run_journaled(config: &RunConfig, journal: &Journal) -> RunOutcome {
    let machine = MachineFacts::fake(CPUS);
    run(config, RunContext::quiet(&FakeClock::exact(), &machine, journal)).unwrap()
}

/// Every write the journal makes: (path, the file's JSON), in order.
type Writes = std::sync::Arc<std::sync::Mutex<Vec<(std::path::PathBuf, serde_json::Value)>>>;

/// A writer that records each write and fails (like a full disk) for paths `fails` accepts.
fn recording_writer(writes: &Writes, fails: impl Fn(&Path) -> bool + Send + 'static) -> journal::Writer {
    let writes = std::sync::Arc::clone(writes);
    Box::new(move |path: &Path, bytes: &[u8]| {
        if fails(path) {
            return Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "No space left on device"));
        }
        writes.lock().unwrap().push((path.to_owned(), serde_json::from_slice(bytes).unwrap()));
        Ok(())
    })
}

#[test]
fn every_round_is_saved_at_most_once_a_second_of_the_run_clock() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let mut config = config(&[], "1,2", &out);
    // A round at j = 1 and 2 takes 0.6 s of the fake clock, 1.2 s with the profile runs of the
    // first five: a write after each of those, then every second round.
    static ROUND_OF_600MS: Modeled = Modeled(300_000_000);
    config.workloads = vec![planned(&ROUND_OF_600MS, &[1, 2])];
    (config.settings.min_rounds, config.settings.max_rounds) = (6, 6);
    let writes = Writes::default();
    let journal = Journal::with_writer(recording_writer(&writes, |_| false));
    let outcome = run_journaled(&config, &journal);
    assert_eq!(outcome.saved, Saved::Written(out.clone()));
    let writes = writes.lock().unwrap();
    let rounds: Vec<(u64, &str)> = writes
        .iter()
        .filter_map(|(_, json)| {
            let w = json["workloads"].get(0)?;
            Some((w["rounds"].as_u64()?, w["stop"].as_str()?))
        })
        .collect();
    // Round 1 (the first checkpoint), then every ~second of rounds, then the workload's end and
    // the run's end; saves during the sweep say `running`.
    assert_eq!(
        rounds,
        [
            (1, "running"),
            (2, "running"),
            (3, "running"),
            (4, "running"),
            (5, "running"),
            (6, "converged"),
            (6, "converged")
        ]
    );
    assert_eq!(writes[0].1["workloads"].as_array().map(Vec::len), Some(0), "the first write precedes measuring");
    assert_eq!(writes.last().unwrap().1["run"]["status"], "complete");
}

#[test]
fn a_full_disk_at_the_end_keeps_the_results_in_a_rescue_file_or_hands_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let first = config(&["synthetic:size=100000"], "1,2", &out);
    // The disk fills after the first write: every later write of the results file fails.
    let writes = Writes::default();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let target = out.clone();
    let full_after_first =
        move |path: &Path| path == target && count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0;
    let journal = Journal::with_writer(recording_writer(&writes, full_after_first));
    let outcome = run_journaled(&first, &journal);
    let Saved::Rescued { intended, error, at } = &outcome.saved else { panic!("{:?}", outcome.saved) };
    assert_eq!(intended, &out);
    assert!(error.contains("No space left"), "{error}");
    assert!(at.starts_with(std::env::temp_dir()) && at.to_string_lossy().ends_with("-r.json"), "{at:?}");
    let rescued = writes.lock().unwrap().iter().find(|(p, _)| p == at).map(|(_, j)| j.clone()).unwrap();
    assert_eq!(rescued["run"]["status"], "complete");
    assert_eq!(rescued["workloads"][0]["rounds"].as_u64(), Some(outcome.results.workloads[0].rounds as u64));
    assert!(outcome.results.workloads[0].rounds >= 5);

    // Nowhere to write at all: the JSON comes back to be printed.
    let out = dir.path().join("s.json");
    let target = out.clone();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let all_full = move |path: &Path| path != target || count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0;
    let journal = Journal::with_writer(recording_writer(&Writes::default(), all_full));
    let outcome = run_journaled(&config(&["synthetic:size=100000"], "1,2", &out), &journal);
    let Saved::Unsaved { json, .. } = &outcome.saved else { panic!("{:?}", outcome.saved) };
    let back: crate::results::ResultsFile = serde_json::from_str(json).unwrap();
    assert_eq!(back, outcome.results);
}

#[test]
fn a_late_interruption_saves_every_completed_round_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let config = config(&["synthetic:size=100000"], "1,2", &out);
    let writes = Writes::default();
    let journal = Journal::with_writer(recording_writer(&writes, |_| false));
    let outcome = run_journaled(&config, &journal);
    // After the runner's final write, a signal handler's finish changes nothing.
    assert_eq!(journal.finish_interrupted(Some("late")), outcome.saved);
    let last = writes.lock().unwrap().last().unwrap().1.clone();
    assert_eq!(last["run"]["status"], "complete");

    // Mid-run (the journal as a sweep leaves it after a round): the state is marked interrupted.
    let journal = Journal::with_writer(recording_writer(&writes, |_| false));
    let mut file = outcome.results.clone();
    file.run.status = crate::results::RunStatus::Running;
    file.workloads[0].stop = StopReason::Running;
    journal.start(&out, file).unwrap();
    let saved = journal.finish_interrupted(Some("a second signal"));
    assert_eq!(saved, Saved::Written(out.clone()));
    let last = writes.lock().unwrap().last().unwrap().1.clone();
    assert_eq!(
        (last["run"]["status"].as_str(), last["workloads"][0]["stop"].as_str()),
        (Some("interrupted"), Some("interrupted"))
    );
    assert_eq!(last["workloads"][0]["rounds"].as_u64(), Some(outcome.results.workloads[0].rounds as u64));
    assert_eq!(last["warnings"].as_array().unwrap().last().unwrap(), "a second signal");
}

#[test]
fn every_point_is_read_against_the_machines_ceiling_measured_again_when_a_workload_beats_it() {
    use crate::machine::ceilings::CeilingPlan;
    use crate::results::{Ceilings, ComputeCeiling, TimerCeiling};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let mut config = config(&["synthetic:b=0.25,size=1200000", "sleep"], "1-4", &out);
    config.workloads[1].threads = ThreadSet::from_counts([8]);
    let asked = std::sync::Mutex::new(Vec::new());
    // The machine reaches 1.5 at 2, 2 at 3, 2 at 4 (its clock falling); sleeping threads j.
    let source = |plan: &CeilingPlan, freshness: Freshness| {
        asked.lock().unwrap().push((plan.clone(), freshness));
        let compute = [(1, 1.0), (2, 1.5), (3, 2.0), (4, 2.0)].map(|(threads, speedup)| ComputeCeiling {
            threads,
            speedup,
            relative_clock: 0.5,
            mhz: None,
        });
        let timer = plan.timer.iter().map(|&j| TimerCeiling { threads: j, speedup: j as f64 }).collect();
        (Ceilings { compute: compute.to_vec(), timer, ..Ceilings::default() }, vec!["cache says hello".to_owned()])
    };
    let (machine, journal) = (MachineFacts::fake(CPUS), Journal::new());
    let clock = FakeClock::exact();
    let context = RunContext { ceilings: Some(&source), ..RunContext::quiet(&clock, &machine, &journal) };
    let outcome = run(&config, context).unwrap();
    // Asked for the compute ceiling at the synthetic's counts and the timer at sleep's; then, since
    // S(2) = 1.60 beat the ceiling of 1.5 beyond its interval, once more, measured anew (and once
    // only: the fake source says the same again).
    let asked = asked.into_inner().unwrap();
    let plan = CeilingPlan { compute: vec![1, 2, 3, 4], bandwidth: vec![], timer: vec![1, 8] };
    assert_eq!(asked, [(plan.clone(), Freshness::Cached), (plan, Freshness::Measure)]);
    assert!(
        outcome
            .results
            .warnings
            .iter()
            .any(|w| w.contains("synthetic: S(2) = 1.60 beat the machine's own ceiling of 1.50x beyond noise, so the ceilings were measured again (now 1.50x at 2)")),
        "{:?}",
        outcome.results.warnings
    );
    let file = &outcome.results;
    assert_eq!(file.machine.ceilings.as_ref().unwrap().compute.len(), 4);
    let w = &file.workloads[0];
    for (p, ceiling) in w.points.iter().zip([1.0, 1.5, 2.0, 2.0]) {
        let s = 1.0 / (0.25 + 0.75 / p.threads as f64);
        assert_eq!(p.machine_speedup, Some(ceiling));
        assert!((p.fidelity.unwrap() - s / ceiling).abs() < 1e-12, "j = {}", p.threads);
    }
    // S(4) = 2.29 where the machine reaches 2: the sentence says so after the verdict.
    let said = w.diagnosis.as_deref().unwrap();
    assert!(
        said.contains(
            "; the machine itself reaches only 2.0x at 4 (plain threads spinning, each thread's clock at 0.50 of one thread's), so S(4) = 2.29 is 114% of what it allows"
        ),
        "{said}"
    );
    // The sleeping workload is read against the timer ceiling.
    let sleep = &file.workloads[1];
    assert_eq!(sleep.points.iter().map(|p| p.machine_speedup).collect::<Vec<_>>(), [Some(1.0), Some(8.0)]);
    // A reader recomputes the same from the file.
    let mut reread = crate::results::load(&out, crate::input::InputLimit::DEFAULT).unwrap();
    crate::fit_command::refit(&mut reread);
    assert_eq!(reread.workloads[0].points, w.points);
    assert_eq!(reread.workloads[0].diagnosis, w.diagnosis);
    assert_eq!(reread.workloads[0].verdict, w.verdict);
}

/// Work whose every run takes `T1 x j` at j threads: S(j) = 1/j.
struct Slower;

struct SlowerInstance;

impl Instance for SlowerInstance {
    fn run(&mut self, _: &Team) -> Checksum {
        Checksum::of_u64s([])
    }
    fn modeled_ns(&self, threads: usize) -> Option<u64> {
        Some(1_000_000 * threads as u64)
    }
}

impl Workload for Slower {
    fn name(&self) -> &'static str {
        "slower"
    }
    fn kind(&self) -> Kind {
        Kind::Contended
    }
    fn description(&self) -> &'static str {
        "j times slower at j threads"
    }
    fn params(&self) -> &'static [ParamSpec] {
        SIZE_ONLY
    }
    fn prepare(&self, _: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(SlowerInstance))
    }
}

#[test]
fn work_already_far_slower_and_falling_is_not_extended_upward_and_says_why() {
    static SLOWER: Slower = Slower;
    let settings = SweepSettings {
        budget: Duration::from_secs(10),
        min_rounds: 3,
        max_rounds: 3,
        ci_target: 0.02,
        seed: 1,
        ..one_workload_settings()
    };
    let (clock, mut silent) = (FakeClock::exact(), Silent);
    let env = env_of(&clock, &mut silent, CpuCounts { usable: 8, physical: 8, sockets: 1 });
    // S(2) = 0.5 is not yet below the stop; S(3) = 0.33 is, and falling: 4, 6 and 8 are not run.
    let result = sweep_workload(
        &planned(&SLOWER, &[1, 2, 3, 4, 6, 8]),
        &settings,
        WorkloadShare::whole(&settings),
        &Default::default(),
        env,
    );
    assert_eq!(result.points.iter().map(|p| p.threads).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(result.points.iter().all(|p| p.samples_ns.len() == 3));
    let limit = result.limit.unwrap();
    assert_eq!((limit.threads, limit.reason), (3, crate::plan::LimitReason::Slower));
    assert!(limit.message.contains("S = 0.33") && limit.message.contains("j = 4, 6, 8"), "{}", limit.message);
    assert_eq!(result.stop, StopReason::Converged, "exact times: every interval has zero width");
}

/// Work with a USL peak near 32 threads: T(j) = 10 ms x (0.02 + 0.98/j + 0.0008 (j - 1)).
struct Peaked;

struct PeakedInstance;

impl Instance for PeakedInstance {
    fn run(&mut self, _: &Team) -> Checksum {
        Checksum::of_u64s([])
    }
    fn modeled_ns(&self, threads: usize) -> Option<u64> {
        let n = threads as f64;
        Some((1e7 * (0.02 + 0.98 / n + 0.0008 * (n - 1.0))) as u64)
    }
}

impl Workload for Peaked {
    fn name(&self) -> &'static str {
        "peaked"
    }
    fn kind(&self) -> Kind {
        Kind::Contended
    }
    fn description(&self) -> &'static str {
        "a USL curve with a peak near 32"
    }
    fn params(&self) -> &'static [ParamSpec] {
        SIZE_ONLY
    }
    fn prepare(&self, _: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(PeakedInstance))
    }
}

#[test]
fn rounds_left_over_go_to_a_thread_count_where_the_models_disagree_paired_from_its_first_round() {
    static PEAKED: Peaked = Peaked;
    let settings = SweepSettings {
        budget: Duration::from_secs(3600),
        min_rounds: 5,
        max_rounds: 30,
        ci_target: 1e-9,
        seed: 3,
        ..one_workload_settings()
    };
    let (clock, mut silent) = (FakeClock::with_noise(7, 0.01), Silent);
    let env = env_of(&clock, &mut silent, CpuCounts { usable: 64, physical: 64, sockets: 1 });
    let w = sweep_workload(
        &planned(&PEAKED, &[1, 2, 4, 8, 64]),
        &settings,
        WorkloadShare::whole(&settings),
        &Default::default(),
        env,
    );
    assert_eq!((w.rounds, w.stop), (30, StopReason::MaxRounds));
    // The first count goes between 8 and 64, where the models part most; each later one only once
    // the one before has its minimum rounds.
    assert!(!w.added.is_empty() && w.added.len() <= super::adaptive::MAX_ADDED, "{:?}", w.added);
    assert_eq!((w.added[0].threads, w.added[0].round), (23, 5));
    for pair in w.added.windows(2) {
        assert!(pair[1].round >= pair[0].round + settings.min_rounds, "{:?}", w.added);
    }
    let threads: Vec<usize> = w.points.iter().map(|p| p.threads).collect();
    assert!(threads.windows(2).all(|t| t[0] < t[1]), "ascending: {threads:?}");
    for added in &w.added {
        let p = w.points.iter().find(|p| p.threads == added.threads).unwrap();
        assert_eq!(p.first_round, added.round);
        assert_eq!(p.samples_ns.len(), w.rounds - added.round, "one sample per round from its first");
        assert!(p.speedup.is_some() && p.speedup_ci95.is_some());
    }
    // Every added count is fitted, and the file's rules accept the ragged rounds.
    let amdahl = w.fits.amdahl_fitted().unwrap();
    assert!(w.added.iter().all(|a| amdahl.threads_used.contains(&a.threads)), "{:?}", amdahl.threads_used);
    assert_eq!(w.fits.best, Some(crate::fit::Model::Usl));
    let mut file = crate::report::tests::fixture();
    file.workloads = vec![w.clone()];
    crate::results::validate::validate(&file).unwrap();
    let mut broken = file.clone();
    let k = broken.workloads[0].points.iter().position(|p| p.first_round > 0).unwrap();
    broken.workloads[0].points[k].first_round -= 1;
    let err = crate::results::validate::validate(&broken).unwrap_err();
    assert!(err.contains(&format!("points[{k}].samples_ns")), "{err}");
}

/// The settings of a one-workload sweep on the fake clock: rayon, strong scaling, no timeout, no
/// pinning; tests set what they vary.
/// The first workload of `planned` swept on its own on the exact fake clock, with the whole of
/// [`one_workload_settings`].
fn sweep_alone(planned: &RunConfig, cpus: CpuCounts) -> WorkloadResult {
    let mut observer = Silent;
    let settings = one_workload_settings();
    let clock = FakeClock::exact();
    let env = env_of(&clock, &mut observer, cpus);
    sweep_workload(&planned.workloads[0], &settings, WorkloadShare::whole(&settings), &planned.hooks, env)
}

fn one_workload_settings() -> SweepSettings {
    SweepSettings {
        backend: amdahl_workloads::Backend::Rayon,
        target: None,
        budget: Duration::from_secs(10),
        allow_overrun: false,
        min_rounds: 5,
        max_rounds: 5,
        ci_target: 0.02,
        seed: 1,
        scaling: crate::scaling::Scaling::Strong,
        timeout: crate::config::SampleTimeout::Never,
        pin: crate::placement::Pin::None,
        noise_floor: crate::stats::NoiseFloors::NONE,
        noise_floor_given: false,
        state_span: Duration::ZERO,
    }
}

/// Where a one-workload sweep runs in these tests: `clock`, `observer`, `cpus`; no Ctrl-C, no
/// checkpoints, no watchdog, no pinning, no ceilings.
fn env_of<'a>(clock: &'a dyn Clock, observer: &'a mut dyn Observer, cpus: CpuCounts) -> SweepEnv<'a> {
    static NEVER: AtomicBool = AtomicBool::new(false);
    // A closure that captures nothing is zero-sized: leaking its box allocates nothing.
    let checkpoint: &'a mut dyn FnMut(&WorkloadResult, &mut dyn Observer) =
        Box::leak(Box::new(|_: &WorkloadResult, _: &mut dyn Observer| {}));
    SweepEnv {
        clock,
        observer,
        cpus,
        interrupted: &NEVER,
        checkpoint,
        watchdog: None,
        load: None,
        placement: &[],
        ceilings: None,
        thread_room: None,
        reruns: None,
    }
}

#[test]
fn a_plan_of_one_thread_measures_t1_with_its_interval_and_says_no_curve_can_be_fitted() {
    let dir = tempfile::tempdir().unwrap();
    // `-t 1`: five exact rounds; T(1)'s interval has zero width, so the sweep converges.
    let out = dir.path().join("one.json");
    let outcome =
        run_with(&config(&["synthetic:size=1000000"], "1", &out), &FakeClock::exact(), &AtomicBool::new(false))
            .unwrap();
    assert_eq!(outcome.failures, 0);
    let w = &outcome.results.workloads[0];
    assert_eq!((w.rounds, w.stop, w.error.as_deref()), (5, StopReason::Converged, None));
    let t1 = &w.points[0];
    assert_eq!((t1.threads, t1.samples_ns.len()), (1, 5));
    assert_eq!((t1.median_ns, t1.median_ns_ci95), (Some(1e6), Some([1e6, 1e6])));
    assert_eq!(w.verdict, Some(crate::fit::Verdict::SinglePoint { threads: 1 }));
    assert!(w.diagnosis.as_deref().unwrap().contains("no curve can be fitted"), "{:?}", w.diagnosis);
    assert!(w.fits.amdahl_fitted().is_none());
    let saved = crate::results::load(&out, crate::input::InputLimit::DEFAULT).unwrap();
    assert_eq!(saved.workloads[0].stop, StopReason::Converged);

    // With noise T(1)'s interval is what the stop rule reads: a tight target runs to the maximum.
    let mut noisy = config(&["synthetic:size=1000000"], "1", &dir.path().join("noisy.json"));
    noisy.settings.ci_target = 1e-6;
    noisy.settings.max_rounds = 12;
    let outcome = run_with(&noisy, &FakeClock::with_noise(3, 0.05), &AtomicBool::new(false)).unwrap();
    let w = &outcome.results.workloads[0];
    assert_eq!((w.rounds, w.stop, outcome.failures), (12, StopReason::MaxRounds, 0));
    let [lo, hi] = w.points[0].median_ns_ci95.unwrap();
    assert!(lo < hi, "a noisy T(1) has an interval: {lo} {hi}");

    // A 1-CPU machine: the default plan of CPU-bound work is j = 1 alone, measured the same way.
    let one_cpu = CpuCounts { usable: 1, physical: 1, sockets: 1 };
    let planned = RunRequest {
        workloads: vec!["synthetic:size=1000000".into()],
        out: Some(dir.path().join("cpu1.json")),
        ..Default::default()
    }
    .resolve(one_cpu)
    .unwrap();
    let counts = planned.workloads[0].threads.counts().to_vec();
    let w = sweep_alone(&planned, one_cpu);
    assert_eq!(w.error, None, "plan {counts:?}");
    assert_ne!(w.stop, StopReason::Failed, "plan {counts:?}");
    assert!(w.rounds >= 5, "plan {counts:?}");
    if counts == [1] {
        assert_eq!(w.verdict, Some(crate::fit::Verdict::SinglePoint { threads: 1 }));
    }
}

#[test]
fn a_workload_that_fails_before_measuring_still_records_its_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let planned = RunRequest {
        workloads: vec!["synthetic:size=1000000".into()],
        out: Some(dir.path().join("failed.json")),
        hooks: crate::config::Hooks { setup: Some("exit 3".into()), ..Default::default() },
        ..Default::default()
    }
    .resolve(CPUS)
    .unwrap();
    let w = sweep_alone(&planned, CPUS);
    assert_eq!(w.stop, StopReason::Failed);
    assert!(w.error.as_deref().is_some_and(|e| e.contains("--setup failed")), "{:?}", w.error);
    assert_eq!(w.params.get("size"), Some(&1_000_000.0), "{:?}", w.params);
}

/// A fake-clock run of `synthetic` recorded with `floor`, its samples then moved by a run-level
/// effect: all by `exp(time_sd z)`, those at j > 1 by a further `exp(speedup_sd z_j)` (what
/// reruns on a real machine add, `stats::noise_floor`), and refitted as a reader would.
fn rerun(seed: u64, floor: &str, [time_sd, speedup_sd]: [f64; 2]) -> crate::results::ResultsFile {
    use rand::{Rng, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let mut config = RunRequest {
        workloads: vec!["synthetic:b=0.2,size=1000000".into()],
        threads: Some("1,2,4".into()),
        out: Some(dir.path().join("r.json")),
        noise_floor: Some(floor.into()),
        max_rounds: Some(12),
        ..Default::default()
    }
    .resolve(CPUS)
    .unwrap();
    config.settings.ci_target = 1e-9;
    let mut results =
        run_with(&config, &FakeClock::with_noise(7000 + seed, 0.02), &AtomicBool::new(false)).unwrap().results;
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
    let mut normal = || crate::stats::noise_floor::standard_normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
    let run_factor = (time_sd * normal()).exp();
    for p in &mut results.workloads[0].points {
        let factor = run_factor * if p.threads > 1 { (speedup_sd * normal()).exp() } else { 1.0 };
        p.samples_ns.iter_mut().for_each(|s| *s = (*s as f64 * factor) as u64);
    }
    crate::fit_command::refit_with(&mut results, crate::fit::Loss::Log);
    results
}

/// A/A reruns whose run-level effect the floor describes: each of compare's three tests calls
/// about 5% of pairs different; recorded without a floor, T(1) is called different in about half.
#[test]
fn compare_calls_reruns_different_at_the_stated_rate_when_the_floor_is_recorded() {
    use crate::compare::{Figure, compare};
    let count = |floor: &str| {
        let runs: Vec<_> = (0..16).map(|seed| rerun(seed, floor, [0.025, 0.015])).collect();
        let mut significant = std::collections::HashMap::new();
        let mut pairs = 0;
        for a in 0..runs.len() {
            for b in a + 1..runs.len() {
                let files = [("a".to_owned(), runs[a].clone()), ("b".to_owned(), runs[b].clone())];
                let c = compare(&files).unwrap();
                pairs += 1;
                for t in &c.workloads[0].pairs[0].tests {
                    *significant.entry(t.figure).or_insert(0) += usize::from(t.significant);
                }
            }
        }
        (pairs, significant)
    };
    let (pairs, with_floor) = count("2.5%,1.5%");
    println!("A/A with the floor recorded: {pairs} pairs, significant {with_floor:?}");
    for figure in [Figure::T1, Figure::Speedup, Figure::SerialFraction] {
        let n = with_floor.get(&figure).copied().unwrap_or(0);
        // 120 pairs at 5%: 6 expected; pairs share runs, so allow up to 12% (15).
        assert!(n <= 15, "{figure:?}: {n} of {pairs} A/A pairs called different");
    }
    let (_, without) = count("0");
    println!("A/A without a floor: significant {without:?}");
    assert!(without[&Figure::T1] > pairs / 3, "{without:?}");
}

#[test]
fn the_noise_floor_is_recorded_and_widens_exact_intervals_by_its_own_width() {
    let dir = tempfile::tempdir().unwrap();
    let config = RunRequest {
        workloads: vec!["synthetic:b=0.25,size=1200000".into()],
        threads: Some("1-4".into()),
        out: Some(dir.path().join("r.json")),
        noise_floor: Some("2%,1%".into()),
        ..Default::default()
    }
    .resolve(CPUS)
    .unwrap();
    let results = run_with(&config, &FakeClock::exact(), &AtomicBool::new(false)).unwrap().results;
    let floor = results.config.noise_floor.unwrap().in_process;
    assert_eq!((floor.time, floor.speedup), (0.02, 0.01));
    let z = 1.959_963_984_540_054;
    let w = &results.workloads[0];
    for p in &w.points {
        // T(1) moves by the time floor; T(j) = T(1) / S(j) by both, in quadrature.
        let t = p.median_ns.unwrap();
        let [lo, hi] = p.median_ns_ci95.unwrap();
        let sd: f64 = if p.threads == 1 { 0.02 } else { 0.02_f64.hypot(0.01) };
        assert!(((hi / t).ln() - z * sd).abs() < 1e-9 && ((t / lo).ln() - z * sd).abs() < 1e-9, "{p:?}");
        let s = p.speedup.unwrap();
        let [lo, hi] = p.speedup_ci95.unwrap();
        let want = if p.threads == 1 { 0.0 } else { z * 0.01 };
        assert!(((hi / s).ln() - want).abs() < 1e-9 && ((s / lo).ln() - want).abs() < 1e-9, "{p:?}");
    }
    // B is still exact, and its interval now has the floor's width around it.
    let amdahl = w.fits.amdahl_fitted().unwrap();
    assert!((amdahl.serial_fraction - 0.25).abs() < 1e-9);
    let [lo, hi] = amdahl.ci95.unwrap();
    assert!(lo < 0.25 && 0.25 < hi && hi - lo < 0.05, "[{lo}, {hi}]");
}

#[test]
fn a_state_that_outlasts_runs_is_measured_by_the_reruns_and_widens_the_later_runs_intervals() {
    use crate::machine::ceiling_cache::{CacheKey, CeilingCache};
    use crate::machine::rerun_history::RerunHistory;
    use crate::stats::reruns::MIN_RUNS;
    let dir = tempfile::tempdir().unwrap();
    let machine = MachineFacts::fake(CPUS);
    let cache = CeilingCache { dir: dir.path().join("cache"), even_when_busy: false };
    let history = RerunHistory::at(&cache, CacheKey::of(machine.fingerprint(), crate::placement::Pin::None));
    // Eight runs, the machine switching between two states of T(4) 8% apart from one run to the
    // next (T(1) steady), 1% noise within each: no run can see the other state from inside.
    let mut runs = Vec::new();
    for i in 0..8 {
        let out = dir.path().join(format!("r{i}.json"));
        let config = config(&["synthetic:b=0.1,size=1200000"], "1,4", &out);
        let factor = if i % 2 == 0 { 1.0 } else { 1.08 };
        let clock = FakeClock::with_noise(i as u64, 0.01).in_state(factor);
        let journal = Journal::new();
        let context = RunContext { reruns: Some(&history), ..RunContext::quiet(&clock, &machine, &journal) };
        runs.push(run(&config, context).unwrap().results);
    }
    // The first runs have too few earlier ones to measure a floor; each later one has all before it.
    for (i, file) in runs.iter().enumerate() {
        let floor = file.workloads[0].rerun_floor.as_ref();
        assert_eq!(floor.map(|f| f.runs), (i >= MIN_RUNS).then_some(i), "run {i}");
    }
    let last = runs[7].workloads[0].rerun_floor.clone().unwrap();
    assert!(last.speedup_at(4) > 0.03 && !last.capped, "two states 8% apart: {last:?}");
    assert!(last.time < 0.01, "T(1) did not move: {last:?}");
    // The later runs' S(4) intervals hold the other state's S(4); the first runs' do not.
    let s4 = |file: &ResultsFile| {
        let p = file.workloads[0].points.iter().find(|p| p.threads == 4).unwrap();
        (p.speedup.unwrap(), p.speedup_ci95.unwrap())
    };
    let (fast, _) = s4(&runs[0]);
    let (_, slow_ci) = s4(&runs[1]);
    assert!(fast > slow_ci[1], "run 1 alone cannot hold run 0's state: {fast} vs {slow_ci:?}");
    let (_, late_slow_ci) = s4(&runs[7]);
    assert!(late_slow_ci[0] < fast && fast < late_slow_ci[1], "run 7 holds run 0's state: {fast} vs {late_slow_ci:?}");
    // Every reader of the file recomputes the same intervals from the floor it records.
    let mut refitted: ResultsFile = serde_json::from_str(&serde_json::to_string(&runs[7]).unwrap()).unwrap();
    crate::fit_command::refit(&mut refitted);
    assert_eq!(refitted.workloads[0].points, runs[7].workloads[0].points);
    assert_eq!(refitted.workloads[0].fits, runs[7].workloads[0].fits);
}
