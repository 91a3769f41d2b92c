//! The thread-time account through whole runs on the fake clock: profile runs are taken, kept
//! out of T(j), summarised exactly, and read beside the verdict.

use std::path::Path;

use super::*;
use crate::account::{Cause, PartName};
use crate::config::{CommandRequest, RunRequest};
use crate::machine::MachineFacts;
use crate::thread_set::CpuCounts;

const CPUS: CpuCounts = CpuCounts { usable: 4, physical: 4, sockets: 1 };

fn run_fake(workloads: &[&str], threads: &str, out: &Path) -> RunOutcome {
    let request = RunRequest { workloads: workloads.iter().map(|w| w.to_string()).collect(), ..Default::default() };
    run_request(request, threads, out)
}

fn run_request(request: RunRequest, threads: &str, out: &Path) -> RunOutcome {
    let mut config = RunRequest {
        threads: Some(threads.into()),
        out: Some(out.to_owned()),
        noise_floor: Some("0".into()),
        ..request
    }
    .resolve(CPUS)
    .unwrap();
    // No span of states: an exact run stops at the minimum rounds (`sweep::tests` tests the span).
    config.settings.state_span = std::time::Duration::ZERO;
    let (machine, journal) = (MachineFacts::fake(CPUS), Journal::new());
    run(&config, RunContext::quiet(&FakeClock::exact(), &machine, &journal)).unwrap()
}

/// `synthetic` with B = 0.1 on ideal processors: 10% of T(1) is serial code at every j, the other
/// workers idle through it, and nothing else is lost.
#[test]
fn synthetic_on_the_fake_clock_has_an_exact_account_beside_its_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_fake(&["synthetic:b=0.1,size=1000000"], "1,2,4", &dir.path().join("r.json"));
    let w = &outcome.results.workloads[0];
    assert_eq!(w.rounds, 5);
    for p in &w.points {
        let j = p.threads as f64;
        assert_eq!(p.profile.len(), PROFILE_ROUNDS, "j = {j}");
        assert_eq!(p.samples_ns.len(), 5, "profile runs are no samples of T(j)");
        let parts = p.time_parts.as_ref().unwrap();
        let t = 0.1 + 0.9 / j;
        let near = |got: f64, want: f64, what: &str| assert!((got - want).abs() < 1e-9, "{what} at j = {j}: {got}");
        near(parts.serial_share_of_t1.unwrap().share, 0.1, "serial share of T(1)");
        near(parts.useful.share, 1.0 / (j * t), "useful");
        near(parts.inflation.unwrap().share, 0.0, "inflation");
        near(parts.serial.share, (j - 1.0) * 0.1 / (j * t), "serial");
        for part in [PartName::Imbalance, PartName::Dispatch, PartName::Blocked, PartName::RunQueue] {
            near(parts.share(part).unwrap().share, 0.0, part.as_str());
        }
        near(parts.total(), 1.0, "the total");
        assert_eq!((parts.profile_over_timed, parts.distorted, parts.merged.is_none()), (Some(1.0), false, true));
    }
    let Some(Cause::SerialShare { threads: 4, agrees: true, .. }) = &w.cause else { panic!("{:?}", w.cause) };
    let said = w.diagnosis.as_deref().unwrap();
    // S(4) = 3.08 is under a third of 1/B = 10: B is said, its ceiling is not the headline.
    assert!(said.starts_with("S(4) = 3.08, efficiency 77%; B = 0.100 [0.100, 0.100]"), "{said}");
    assert!(
        said.contains(
            "inferred from the curve; measured at 4 threads: 10.0% [10.0, 10.0] of T(1) runs outside the parallel calls"
        ),
        "{said}"
    );
    // A reader recomputes the same account and cause from the file's profile runs.
    let mut reread = outcome.results.clone();
    let context = crate::analysis::AnalysisContext::of(&reread, 0);
    let analysed = crate::analysis::analyse(&reread.workloads[0].points, &context);
    reread.workloads[0].record(analysed);
    assert_eq!(reread.workloads[0], *w);
}

/// A command's profile runs poll its process tree: each point keeps its parts and, beside them,
/// its concurrency histograms (the run's timing is the fake clock's, the histogram the kernel's).
#[test]
fn a_command_takes_polled_profile_runs() {
    let dir = tempfile::tempdir().unwrap();
    let command = CommandRequest { template: "true".into(), name: None, kind: None, tasks: None, bytes: None };
    let request =
        RunRequest { commands: vec![command], min_rounds: Some(2), max_rounds: Some(2), ..Default::default() };
    let outcome = run_request(request, "1,2", &dir.path().join("r.json"));
    let w = &outcome.results.workloads[0];
    assert_eq!((w.rounds, w.command.as_deref()), (2, Some("true")));
    for p in &w.points {
        assert_eq!((p.profile.len(), p.concurrency.len()), (2, 2), "{p:?}");
        let parts = p.time_parts.as_ref().unwrap();
        assert!((parts.total() - 1.0).abs() < 1e-9, "{parts:?}");
        assert!(p.concurrency.iter().all(|c| c.polls >= 1 && c.wall_ns() > 0), "{:?}", p.concurrency);
        assert!(p.profile.iter().all(|s| (s.parts_ns() - p.threads as f64 * s.wall_ns as f64).abs() < 1.0));
    }
}
