//! `measure compare`: the same workloads measured on several machines, side by side.
//!
//! Files are labelled A, B, C... in the order given; every later file is compared with A.
//! 1. What differs between the environments (CPU, core counts, SMT, memory, OS, governor, boost,
//!    build profile, tool and compiler versions, backend).
//! 2. For each workload present in A and another file with the same parameters, backend and
//!    scaling (otherwise it is listed as not compared, with the reason):
//!    - three tests, one per figure ([`Figure`]), built the same way ([`FigureTest`]): T(1), S at
//!      the largest thread count both measured, and Amdahl's B. Each side's 95% interval (from its
//!      file, recomputed from the raw samples: the run's own bootstrap plus the run-to-run noise
//!      floor the file records, `stats::noise_floor`, raised where the workload's earlier runs on
//!      its machine measured more, its `rerun_floor`, `stats::reruns`) gives its standard error; the difference
//!      (of logarithms for T(1) and S, relative; of values for B) has the two errors added in
//!      quadrature, and is significant when its 95% interval excludes 0. On this project's 2-CPU
//!      machine, the batch of 180 A/A pairs measured after the floor was chosen called 11%
//!      different (3.9% on T(1), 7.8% on S, 6.7% on B; most of it one disturbed run), where the
//!      run's own intervals alone had called T(1) different in 77 of 90 in-process pairs (README,
//!      "Comparing runs");
//!    - each side's diagnosis ([`Diagnosis`]: its verdict's kind and key number, the regime after
//!      it and whether it was disturbed, "A saturates from 8 threads; B saturates from 16
//!      threads"), from each file's own refitted diagnosis;
//!    - one sentence naming each figure that differs significantly, then each part of the
//!      thread-time account that changed beyond its interval (`account::change`: "serial grew
//!      from 10.0% to 15.0% of T(1) at 2 threads"). A difference beyond noise that reads a point
//!      either run measured while other work competed (`disturbed`) is not called significant:
//!      the sentence names it with the disturbed runs (`disturbed`).
//!
//! Two files that hold the same data (one file given twice, or a copy) are refused: a run
//! compared with itself differs in nothing.

use amdahl_workloads::Backend;
use serde::Serialize;

use crate::account::TimeParts;
use crate::account::change::{PartChange, part_changes};
use crate::error::{Error, Result};
use crate::fit::Diagnosis;
use crate::results::{Point, ResultsFile, TeamModel, WorkloadResult};
use crate::stats::noise_floor::Z95;

pub mod disturbed;

/// A figure `compare` tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Figure {
    /// T(1), the time on one thread (per-core speed).
    T1,
    /// S(j) at the largest thread count both files measured.
    Speedup,
    /// Amdahl's serial fraction B.
    SerialFraction,
}

impl Figure {
    /// The figure in words.
    pub fn as_str(self) -> &'static str {
        match self {
            Figure::T1 => "T(1)",
            Figure::Speedup => "S",
            Figure::SerialFraction => "serial fraction",
        }
    }
}

/// One figure of A against the other file: the difference and whether it exceeds both runs'
/// uncertainty (their own and the run-to-run noise floor).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureTest {
    /// Which figure.
    pub figure: Figure,
    /// The thread count it is read at (S: the largest common; T(1): 1; B: none).
    pub threads: Option<usize>,
    /// Its value on A and on the other.
    pub values: [f64; 2],
    /// The change from A to the other: relative (other / A - 1) for T(1) and S, the difference
    /// (other - A) for B.
    pub change: f64,
    /// Its 95% interval.
    pub change_ci95: [f64; 2],
    /// The interval excludes 0 and neither side was disturbed at a point the figure reads.
    pub significant: bool,
    /// The interval excludes 0 (whether or not a side was disturbed).
    pub beyond_noise: bool,
    /// The thread counts, on A and on the other, of the points this figure reads that were
    /// measured while other work competed for the CPUs (`disturbed`).
    pub disturbed: [Vec<usize>; 2],
}

impl FigureTest {
    /// The test of `figure` from each side's estimate and 95% interval; `relative` on the log
    /// scale. `None` when a side lacks an interval or a positive value where a ratio needs one.
    fn of(
        figure: Figure,
        threads: Option<usize>,
        a: (f64, [f64; 2]),
        b: (f64, [f64; 2]),
        relative: bool,
    ) -> Option<FigureTest> {
        let scale = |x: f64| if relative { x.ln() } else { x };
        let sd = |(v, [lo, hi]): (f64, [f64; 2])| {
            let (v, lo, hi) = (scale(v), scale(lo), scale(hi));
            // A lopsided interval: the wider side (the conservative one).
            (v - lo).max(hi - v).max(0.0) / Z95
        };
        if relative && [a.0, a.1[0], a.1[1], b.0, b.1[0], b.1[1]].iter().any(|x| x.is_nan() || *x <= 0.0) {
            return None;
        }
        let difference = scale(b.0) - scale(a.0);
        let half = Z95 * (sd(a).powi(2) + sd(b).powi(2)).sqrt();
        let [lo, hi] = [difference - half, difference + half];
        if ![difference, lo, hi].iter().all(|x| x.is_finite()) {
            return None;
        }
        let back = |x: f64| if relative { x.exp() - 1.0 } else { x };
        Some(FigureTest {
            figure,
            threads,
            values: [a.0, b.0],
            change: back(difference),
            change_ci95: [back(lo), back(hi)],
            significant: lo > 0.0 || hi < 0.0,
            beyond_noise: lo > 0.0 || hi < 0.0,
            disturbed: [Vec::new(), Vec::new()],
        })
    }
}

/// A results file with its label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MachineLabel {
    /// A, B, C...
    pub label: String,
    /// The file.
    pub file: String,
    /// CPU model.
    pub cpu: Option<String>,
    /// Host name.
    pub host: Option<String>,
    /// Usable CPUs (written as `logical_cpus`, like the results file).
    #[serde(rename = "logical_cpus")]
    pub usable_cpus: usize,
    /// Physical cores.
    pub physical_cores: usize,
}

/// One environment fact that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvDifference {
    /// What.
    pub field: String,
    /// Its value in each file, in label order.
    pub values: Vec<String>,
}

/// A with one other machine, on one workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairComparison {
    /// The other machine's label.
    pub other: String,
    /// T(1) of A / T(1) of the other (the T(1) ratio): above 1 means the other is faster on one
    /// thread.
    pub per_core_ratio: Option<f64>,
    /// Its 95% CI.
    pub per_core_ratio_ci95: Option<[f64; 2]>,
    /// The largest thread count both measured.
    pub common_threads: Option<usize>,
    /// S there on A and on the other.
    pub speedup_at_common: [Option<f64>; 2],
    /// Their 95% CIs.
    pub speedup_at_common_ci95: [Option<[f64; 2]>; 2],
    /// What each machine itself reaches there (its ceiling), where measured.
    pub machine_speedup_at_common: [Option<f64>; 2],
    /// S / the machine's ceiling there, on A and on the other.
    pub fidelity_at_common: [Option<f64>; 2],
    /// The diagnosis of A and of the other (what each curve shows, with its evidence and what
    /// qualifies it: the regime after it, the law beside it, a disturbance).
    pub diagnosis: [Option<Diagnosis>; 2],
    /// B on A and on the other.
    pub serial_fraction: [Option<f64>; 2],
    /// The largest thread count each B was fitted on (they differ when the machines do).
    pub fitted_up_to: [Option<usize>; 2],
    /// The thread counts each B was fitted on.
    pub fitted_threads: [Vec<usize>; 2],
    /// Their 95% CIs.
    pub serial_fraction_ci95: [Option<[f64; 2]>; 2],
    /// B(other) - B(A).
    pub serial_fraction_difference: Option<f64>,
    /// Its 95% interval: the B test's (each side's interval as a standard error, in quadrature).
    pub serial_fraction_difference_ci95: Option<[f64; 2]>,
    /// The tests of T(1), S at the largest common j and B, where both sides have the figure.
    pub tests: Vec<FigureTest>,
    /// The parts of the thread-time account that changed, largest first (`account::change`);
    /// absent when none did or a side has no account.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub part_changes: Vec<PartChange>,
    /// Some test is significant.
    pub significant: bool,
    /// The verdict in one sentence.
    pub sentence: String,
}

/// One workload across machines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadComparison {
    /// Workload name.
    pub name: String,
    /// Its parameters, as text.
    pub params: String,
    /// A against each other machine that ran it with the same parameters.
    pub pairs: Vec<PairComparison>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The files, labelled.
    pub machines: Vec<MachineLabel>,
    /// Whether every file was measured on one machine (the same host, CPU model and CPU counts):
    /// the files are then runs of one machine, labelled by file rather than by machine.
    pub one_machine: bool,
    /// Environment facts that differ.
    pub environment_differences: Vec<EnvDifference>,
    /// Workloads compared.
    pub workloads: Vec<WorkloadComparison>,
    /// Workloads not compared, each with the reason.
    pub not_compared: Vec<String>,
}

/// The label of the `i`-th file (from 0), as spreadsheet columns: A … Z, AA, AB … AZ, BA …
pub fn file_label(i: usize) -> String {
    let mut label = Vec::new();
    let mut n = i + 1;
    while n > 0 {
        label.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    label.reverse();
    String::from_utf8(label).expect("ASCII letters")
}

/// Compares `files` (name, contents); the first is A. Refuses files that share no workload.
pub fn compare(files: &[(String, ResultsFile)]) -> Result<Comparison> {
    if files.len() < 2 {
        return Err(Error::usage("FILE", files.len(), "compare needs at least two results files"));
    }
    let machines = files
        .iter()
        .enumerate()
        .map(|(i, (name, r))| MachineLabel {
            label: file_label(i),
            file: name.clone(),
            cpu: r.machine.cpu_brand.clone(),
            host: r.machine.hostname.clone(),
            usable_cpus: r.machine.usable_cpus,
            physical_cores: r.machine.physical_cores,
        })
        .collect();
    for (i, (name, r)) in files.iter().enumerate() {
        if let Some((first, _)) = files[..i].iter().find(|(_, earlier)| earlier == r) {
            return Err(Error::Data {
                path: name.into(),
                message: format!(
                    "holds the same data as {first} (the same file given twice, or a copy): a run compared with itself differs in nothing"
                ),
            });
        }
    }
    let mut workloads = Vec::new();
    let mut not_compared = Vec::new();
    let (_, a) = &files[0];
    for (ia, wa) in a.workloads.iter().enumerate() {
        let mut pairs = Vec::new();
        for (i, (_, other)) in files.iter().enumerate().skip(1) {
            match other.workloads.iter().position(|w| w.name == wa.name) {
                None => not_compared.push(format!("{}: not in {}", wa.name, file_label(i))),
                Some(ib) => {
                    match incompatibility(wa, &other.workloads[ib], [a.config.team_model(), other.config.team_model()])
                    {
                        Some(why) => not_compared.push(format!("{}: A and {} differ: {why}", wa.name, file_label(i))),
                        None => pairs.push(compare_pair((a, ia), (other, ib), &file_label(i))),
                    }
                }
            }
        }
        if !pairs.is_empty() {
            let params = wa.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
            workloads.push(WorkloadComparison { name: wa.name.clone(), params, pairs });
        }
    }
    for (i, (_, other)) in files.iter().enumerate().skip(1) {
        for w in other.workloads.iter().filter(|w| !a.workloads.iter().any(|wa| wa.name == w.name)) {
            not_compared.push(format!("{}: only in {}", w.name, file_label(i)));
        }
    }
    if workloads.is_empty() {
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        return Err(Error::Data {
            path: names.join(", ").into(),
            message: format!(
                "no workload can be compared: {}",
                if not_compared.is_empty() {
                    "the files hold no workloads".to_owned()
                } else {
                    not_compared.join("; ")
                }
            ),
        });
    }
    let one_machine = files.windows(2).all(|pair| same_machine(&pair[0].1.machine, &pair[1].1.machine));
    Ok(Comparison {
        machines,
        one_machine,
        environment_differences: environment_differences(files),
        workloads,
        not_compared,
    })
}

/// Whether two files were measured on one machine: the same host, CPU model and CPU counts (an
/// unknown host or CPU is no evidence of sameness).
fn same_machine(a: &crate::results::Machine, b: &crate::results::Machine) -> bool {
    a.hostname.is_some()
        && a.cpu_brand.is_some()
        && (&a.hostname, &a.cpu_brand, a.usable_cpus, a.physical_cores)
            == (&b.hostname, &b.cpu_brand, b.usable_cpus, b.physical_cores)
}

fn incompatibility(a: &WorkloadResult, b: &WorkloadResult, [team_a, team_b]: [TeamModel; 2]) -> Option<String> {
    let text = |w: &WorkloadResult| w.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    if a.command != b.command {
        return Some(format!(
            "command ({} vs {})",
            a.command.as_deref().unwrap_or("-"),
            b.command.as_deref().unwrap_or("-")
        ));
    }
    if a.workload_version != b.workload_version {
        return Some(format!(
            "{} changed its decomposition: version {} vs {}",
            a.name, a.workload_version, b.workload_version
        ));
    }
    if a.params != b.params {
        return Some(format!("parameters or size ({} vs {})", text(a), text(b)));
    }
    if a.backend != b.backend {
        return Some(format!("backend ({} vs {})", a.backend, b.backend));
    }
    if a.scaling != b.scaling {
        return Some(format!("scaling ({} vs {})", a.scaling, b.scaling));
    }
    if a.backend == Backend::Threads && team_a != team_b {
        return Some(format!(
            "the threads backend's workers ({} vs {}): spawning threads in every run was measured with the work",
            team_a.as_str(),
            team_b.as_str()
        ));
    }
    if a.rounds < 2 || b.rounds < 2 {
        return Some("fewer than 2 rounds measured".to_owned());
    }
    None
}

fn environment_differences(files: &[(String, ResultsFile)]) -> Vec<EnvDifference> {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "unknown".into());
    type Fact = (&'static str, Box<dyn Fn(&ResultsFile) -> String>);
    let facts: Vec<Fact> = vec![
        ("cpu", Box::new(move |r| opt(r.machine.cpu_brand.clone()))),
        ("logical_cpus", Box::new(|r| r.machine.usable_cpus.to_string())),
        ("physical_cores", Box::new(|r| r.machine.physical_cores.to_string())),
        ("threads_per_core", Box::new(move |r| opt(r.machine.threads_per_core.map(|t| t.to_string())))),
        ("smt_active", Box::new(move |r| opt(r.machine.smt_active.map(|t| t.to_string())))),
        (
            "memory_gib",
            Box::new(move |r| opt(r.machine.memory_bytes.map(|b| format!("{:.1}", b as f64 / (1u64 << 30) as f64)))),
        ),
        ("os", Box::new(|r| r.machine.os.clone())),
        ("kernel", Box::new(move |r| opt(r.machine.kernel.clone()))),
        ("governor", Box::new(move |r| opt(r.machine.governor.clone()))),
        ("boost", Box::new(move |r| opt(r.machine.boost.map(|b| b.to_string())))),
        ("build_profile", Box::new(|r| r.tool.profile.clone())),
        ("tool_version", Box::new(|r| r.tool.version.clone())),
        ("rustc", Box::new(move |r| opt(r.tool.rustc.clone()))),
        ("backend", Box::new(|r| r.config.backend.to_string())),
        ("pin", Box::new(|r| r.config.pin.to_string())),
        (
            "noise_floor",
            Box::new(|r| match r.config.noise_floor {
                Some(f) => format!(
                    "in-process {:.1}%,{:.1}%; commands {:.1}%,{:.1}%",
                    f.in_process.time * 100.0,
                    f.in_process.speedup * 100.0,
                    f.command.time * 100.0,
                    f.command.speedup * 100.0
                ),
                None => "none (older file)".to_owned(),
            }),
        ),
    ];
    facts
        .into_iter()
        .filter_map(|(field, get)| {
            let values: Vec<String> = files.iter().map(|(_, r)| get(r)).collect();
            values.iter().any(|v| v != &values[0]).then(|| EnvDifference { field: field.to_owned(), values })
        })
        .collect()
}

fn fitted_threads(w: &WorkloadResult) -> Vec<usize> {
    w.fits.amdahl.as_ref().map(|a| a.threads_used().to_vec()).unwrap_or_default()
}

fn fitted_up_to(w: &WorkloadResult) -> Option<usize> {
    w.fits.amdahl.as_ref().and_then(|a| a.threads_used().last().copied())
}

fn point_at(w: &WorkloadResult, j: Option<usize>) -> Option<&Point> {
    w.points.iter().find(|p| Some(p.threads) == j)
}

/// Workload `ia` of `ra` (machine A) against workload `ib` of `rb`.
fn compare_pair((ra, ia): (&ResultsFile, usize), (rb, ib): (&ResultsFile, usize), other: &str) -> PairComparison {
    let (wa, wb) = (&ra.workloads[ia], &rb.workloads[ib]);
    let common = wa.points.iter().map(|p| p.threads).filter(|j| wb.points.iter().any(|q| q.threads == *j)).max();
    let (pa, pb) = (point_at(wa, common), point_at(wb, common));
    let (a1, b1) = (point_at(wa, Some(1)), point_at(wb, Some(1)));
    let t1 = |p: Option<&Point>| Some((p?.median_ns?, p?.median_ns_ci95?));
    let speedup = |p: Option<&Point>| Some((p?.speedup?, p?.speedup_ci95?));
    let serial = |w: &WorkloadResult| w.fits.amdahl_fitted().and_then(|f| Some((f.serial_fraction, f.ci95?)));
    let serial_value = |w: &WorkloadResult| w.fits.amdahl_fitted().map(|f| f.serial_fraction);
    let mut tests: Vec<FigureTest> = [
        t1(a1).zip(t1(b1)).and_then(|(a, b)| FigureTest::of(Figure::T1, Some(1), a, b, true)),
        speedup(pa)
            .zip(speedup(pb))
            .filter(|_| common.is_some_and(|j| j > 1))
            .and_then(|(a, b)| FigureTest::of(Figure::Speedup, common, a, b, true)),
        serial(wa).zip(serial(wb)).and_then(|(a, b)| FigureTest::of(Figure::SerialFraction, None, a, b, false)),
    ]
    .into_iter()
    .flatten()
    .collect();
    disturbed::mark(&mut tests, [wa, wb], common);
    let test = |figure: Figure| tests.iter().find(|t| t.figure == figure);
    // Per-core speed: T(1) of A over T(1) of the other, and its interval from the T(1) test.
    let (ratio, ratio_ci) = match test(Figure::T1) {
        Some(t) => {
            (Some(1.0 / (1.0 + t.change)), Some([1.0 / (1.0 + t.change_ci95[1]), 1.0 / (1.0 + t.change_ci95[0])]))
        }
        None => (t1(a1).zip(t1(b1)).map(|((a, _), (b, _))| a / b), None),
    };
    let b_test = test(Figure::SerialFraction);
    let part_changes = part_changes(&accounts(wa), &accounts(wb), wa.command.is_some());
    let mut sentence = sentence(other, &tests);
    if !part_changes.is_empty() {
        let said: Vec<String> = part_changes.iter().map(PartChange::sentence).collect();
        sentence += &format!("; measured: {}", said.join("; "));
    }
    PairComparison {
        other: other.to_owned(),
        per_core_ratio: ratio,
        per_core_ratio_ci95: ratio_ci,
        common_threads: common,
        speedup_at_common: [pa.and_then(|p| p.speedup), pb.and_then(|p| p.speedup)],
        speedup_at_common_ci95: [pa.and_then(|p| p.speedup_ci95), pb.and_then(|p| p.speedup_ci95)],
        machine_speedup_at_common: [pa.and_then(|p| p.machine_speedup), pb.and_then(|p| p.machine_speedup)],
        fidelity_at_common: [pa.and_then(|p| p.fidelity), pb.and_then(|p| p.fidelity)],
        diagnosis: [wa.said(), wb.said()],
        serial_fraction: [serial_value(wa), serial_value(wb)],
        fitted_up_to: [fitted_up_to(wa), fitted_up_to(wb)],
        fitted_threads: [fitted_threads(wa), fitted_threads(wb)],
        serial_fraction_ci95: [serial(wa).map(|s| s.1), serial(wb).map(|s| s.1)],
        serial_fraction_difference: b_test.map(|t| t.change),
        serial_fraction_difference_ci95: b_test.map(|t| t.change_ci95),
        significant: tests.iter().any(|t| t.significant),
        tests,
        part_changes,
        sentence,
    }
}

/// Each point's thread count and account, where it has one.
fn accounts(w: &WorkloadResult) -> Vec<(usize, &TimeParts)> {
    w.points.iter().filter_map(|p| Some((p.threads, p.time_parts.as_ref()?))).collect()
}

/// One sentence: each figure that differs significantly, with its change, or that the two agree
/// within noise on every figure tested.
fn sentence(other: &str, tests: &[FigureTest]) -> String {
    if tests.is_empty() {
        return "nothing can be compared (no T(1), speedup or serial fraction on both sides)".to_owned();
    }
    let differ: Vec<String> = tests
        .iter()
        .filter(|t| t.significant)
        .map(|t| match t.figure {
            Figure::T1 => {
                let faster = if t.change > 0.0 { "A" } else { other };
                let factor = if t.change > 0.0 { 1.0 + t.change } else { 1.0 / (1.0 + t.change) };
                format!("T(1) {:+.1}% ({faster} is {factor:.2}x faster on one thread)", t.change * 100.0)
            }
            Figure::Speedup => format!(
                "S({}) {:.2} -> {:.2} ({:+.1}%)",
                t.threads.unwrap_or(0),
                t.values[0],
                t.values[1],
                t.change * 100.0
            ),
            Figure::SerialFraction => {
                format!("serial fraction {:.3} -> {:.3} ({:+.3})", t.values[0], t.values[1], t.change)
            }
        })
        .collect();
    let tested: Vec<&str> = tests.iter().filter(|t| !t.beyond_noise).map(|t| t.figure.as_str()).collect();
    let said = match (differ.is_empty(), tested.is_empty()) {
        (false, _) => format!("{other} differs from A significantly: {}", differ.join("; ")),
        (true, false) => format!("A and {other} agree within noise on {}", tested.join(", ")),
        (true, true) => format!("{other} is not called different from A"),
    };
    match disturbed::clause(tests, ["A", other]) {
        Some(clause) => format!("{said}; {clause}"),
        None => said,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_past_the_26th_are_labelled_aa_ab_and_never_a_again() {
        let labels: Vec<String> = (0..30).map(file_label).collect();
        assert_eq!(labels[..3], ["A", "B", "C"]);
        assert_eq!(labels[25..], ["Z", "AA", "AB", "AC", "AD"]);
        assert_eq!(file_label(26 + 26 * 26 - 1), "ZZ");
        assert_eq!(file_label(26 + 26 * 26), "AAA");
        // Every label is its own among the first thousand files.
        let many: std::collections::HashSet<String> = (0..1000).map(file_label).collect();
        assert_eq!(many.len(), 1000);
    }
}
