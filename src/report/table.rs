//! The terminal table: per workload, one row per thread count, then the fitted serial fraction.

use crate::quantity::TimeUnit as Unit;
pub use crate::quantity::format_duration_ns;
use crate::stats::NoiseFloors;
pub use crate::thread_set::threads_text;
use std::fmt::Write;

use super::{Exporter, Marked};
use crate::error::Result;
use crate::fit::amdahl::MIN_CEILING_COUNTS;
use crate::fit::diagnose::{ceiling_text, ceiling_text_to};
use crate::fit::outcome::Estimate;
use crate::fit::{
    AmdahlEstimate, Fits, GustafsonEstimate, KarpFlattTrend, Loss, Model, Outcome, SpeedupBaseline, UslEstimate,
};
use crate::fit_command::CurveReport;
use crate::predict::{Law, PredictionRow, WorkloadPrediction};
use crate::results::{ResultsFile, Tag, WorkloadResult};

/// Plain-text tables of every workload.
pub struct Table;

impl Exporter for Table {
    fn render(&self, results: &ResultsFile) -> Result<Vec<u8>> {
        Ok(Table::marked(results).into_text().into_bytes())
    }
}

impl Table {
    /// The tables of every workload, their verdict lines marked for the terminal.
    pub fn marked(results: &ResultsFile) -> Marked {
        let mut out = Marked::default();
        for workload in &results.workloads {
            out.append(workload_table(workload));
            out.push("\n");
        }
        if results.workloads.iter().any(|w| !w.points.is_empty()) {
            out.push(KEY);
        }
        if let Some(floor) = &results.config.noise_floor {
            let _ = writeln!(out, "{}", noise_floor_text(floor));
        }
        out
    }
}

/// The table's key, in the words of the README's "How to read the table" (which says more).
pub const KEY: &str = "\
key: T(j) the median time of one run at j threads [95% CI]; S(j) the paired speedup T1/Tj; E = S/j;
  Karp-Flatt the serial fraction each point implies (constant under Amdahl's law); util = CPU time /
  (wall x min(j, usable CPUs)), near 1 computing, near 0 waiting, - under 1 ms; S_max what plain
  pinned threads reach on this machine, fid = S/S_max; * the better model; => the diagnosis; tags:
  oversubscribed (j > CPUs), smt (j > cores), disturbed (other work competed), over-quota
";

/// What the intervals of a file include beyond its own samples: the run-to-run noise floor it
/// records (`stats::noise_floor`), in one sentence for the table, Markdown and HTML.
pub fn noise_floor_text(f: &NoiseFloors) -> String {
    if *f == NoiseFloors::NONE {
        return "95% CIs are the run's own (--noise-floor 0: no run-to-run floor added)".to_owned();
    }
    format!(
        "95% CIs include the run-to-run noise floor (--noise-floor): T {:.1}% and S {:.1}% in-process, T {:.1}% and S {:.1}% for commands",
        f.in_process.time * 100.0,
        f.in_process.speedup * 100.0,
        f.command.time * 100.0,
        f.command.speedup * 100.0
    )
}

/// What a workload's intervals include from its earlier runs on the machine
/// (`stats::reruns`), in one line for the table and HTML; `None` without a rerun floor.
pub fn rerun_floor_text(w: &WorkloadResult) -> Option<String> {
    let r = w.rerun_floor.as_ref()?;
    let minutes = r.oldest_s.div_ceil(60).max(1);
    let age = if minutes < 120 { format!("{minutes} min") } else { format!("{} h", minutes / 60) };
    let speedups = match r.speedup.as_slice() {
        [] => String::new(),
        [one] => format!(" and S({}) {:.1}%", one.threads, one.sd * 100.0),
        all => {
            let least = all.iter().map(|f| f.sd).fold(f64::INFINITY, f64::min);
            let most = r.largest_speedup().unwrap_or(all[0]);
            format!(" and S(j) {:.1}% to {:.1}% (the most at j = {})", least * 100.0, most.sd * 100.0, most.threads)
        }
    };
    let left_out = match r.left_out {
        0 => String::new(),
        n => format!(
            "{n} left out: a figure a factor 1.28 or more from the runs' median, taken as no state of the machine; "
        ),
    };
    Some(format!(
        "reruns: {} earlier runs of this workload here ({left_out}the oldest {age} ago) differ beyond their own intervals by T(1) {:.1}%{speedups} (sd, expanded for their count{}); the CIs of T(j), S(j) and the fits include that where it exceeds the noise floor",
        r.runs,
        r.time * 100.0,
        if r.capped { "; a spread above 10% taken as 10%: they may mix different code under one name" } else { "" }
    ))
}

/// The table of one workload: its heading, the plan's notes, a row per thread count, the
/// bandwidth, the thread-time account, the fits, the verdict and the error.
pub fn workload_table(w: &WorkloadResult) -> Marked {
    let mut out = Marked::from(heading(w));
    if let Some(limit) = &w.limit {
        let _ = writeln!(out, "  plan: {}", limit.message);
    }
    for added in &w.added {
        let _ = writeln!(
            out,
            "  plan: added j = {} from round {}, where Amdahl's law and the USL differed most ({:.1}%)",
            added.threads,
            added.round + 1,
            added.disagreement * 100.0
        );
    }
    out.push(&point_rows(w));
    if let Some(line) = rerun_floor_text(w) {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(bytes) = w.bytes_per_run {
        let rates: Vec<String> = w
            .points
            .iter()
            .filter_map(|p| Some(format!("{:.1} GB/s at j = {}", bytes as f64 / p.median_ns?, p.threads)))
            .collect();
        if !rates.is_empty() {
            let _ = writeln!(out, "  bandwidth (STREAM counting): {}", rates.join(", "));
        }
    }
    out.push(&super::time_parts_lines(w));
    out.push(&super::where_lines(w));
    out.push(&super::functions_lines(w));
    out.push(&fits_lines(&w.fits));
    if let Some(d) = &w.diagnosis {
        out.verdict_line("  ", d, w.said().as_ref());
    }
    if let Some(e) = &w.error {
        let _ = writeln!(out, "  error: {e}");
    }
    out
}

/// The first line of a workload's table: its name, kind, backend, scaling, parameters (or
/// command), rounds and why it stopped.
fn heading(w: &WorkloadResult) -> String {
    format!("{} ({}): {} rounds, {}\n", w.name, super::setting_words(w), w.rounds, stop_text(w))
}

/// The header and a row per thread count: T(j) and S(j) with their intervals, E, Karp–Flatt,
/// utilisation, and (when the machine's ceilings were measured) S_max and fidelity, then the tags.
fn point_rows(w: &WorkloadResult) -> String {
    let mut out = String::new();
    let ceilings = w.points.iter().any(|p| p.machine_speedup.is_some());
    let fidelity_header = if ceilings { format!("  {:>5}  {:>5}", "S_max", "fid") } else { String::new() };
    let _ = writeln!(
        out,
        "  {:>4}  {:<28}  {:<22}  {:>6}  {:>11}  {:>5}{fidelity_header}  tags",
        "j", "T(j) median [95% CI]", "S(j) [95% CI]", "E", "Karp-Flatt", "util"
    );
    for p in &w.points {
        let t = match (p.median_ns, p.median_ns_ci95) {
            (Some(m), Some([lo, hi])) => {
                let unit = Unit::for_ns(m);
                format!("{} [{}, {}] {}", unit.fmt(m), unit.fmt(lo), unit.fmt(hi), unit.name)
            }
            _ => "-".to_owned(),
        };
        let s = match (p.speedup, p.speedup_ci95) {
            (Some(s), Some([lo, hi])) => format!("{s:.3} [{lo:.3}, {hi:.3}]"),
            _ => "-".to_owned(),
        };
        let fidelity = if ceilings {
            format!("  {:>5}  {:>5}", opt(p.machine_speedup, 2), opt(p.fidelity, 2))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {:>4}  {:<28}  {:<22}  {:>6}  {:>11}  {:>5}{fidelity}  {}",
            p.threads,
            t,
            s,
            opt(p.efficiency, 3),
            opt(p.karp_flatt.map(unsigned_zero), 4),
            opt(p.utilisation, 2),
            Tag::join(&p.tags, ",")
        );
    }
    out
}

/// `x`, or 0 when it prints as zero at four decimals (so a tiny negative is not "-0.0000").
fn unsigned_zero(x: f64) -> f64 {
    if (x * 1e4).round() == 0.0 { 0.0 } else { x }
}

/// The lines that show the fitted models, the better one marked with `*`; first the loss, when it
/// is not the default (least squares on ln cost).
pub fn fits_lines(fits: &Fits) -> String {
    let mut out = String::new();
    if fits.loss == Loss::Absolute {
        let _ = writeln!(
            out,
            "  loss: absolute (--loss absolute): least squares on the measured values with their scale free, as R's usl; the intervals and the choice of law use it too"
        );
    }
    let best = |model: Model| if fits.best == Some(model) { "*" } else { " " };
    let lines = [
        fits.amdahl.as_ref().map(|fit| law_line("Amdahl", fit, |a| amdahl_line(a, best(Model::Amdahl)))),
        fits.usl.as_ref().map(|fit| law_line("USL", fit, |u| usl_line(u, best(Model::Usl)))),
        fits.gustafson.as_ref().map(|fit| law_line("Gustafson", fit, |g| gustafson_line(g, best(Model::Gustafson)))),
        fits.karp_flatt_trend.as_ref().map(karp_flatt_line),
    ];
    for line in lines.into_iter().flatten() {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// The line of one law: its estimate, or why it was not fitted.
fn law_line<T: Estimate>(law: &str, fit: &Outcome<T>, fitted: impl Fn(&T) -> String) -> String {
    match fit {
        Outcome::Fitted(estimate) => fitted(estimate),
        Outcome::NotFitted(not) => format!("  {law}: not fitted: {}", not.reason),
    }
}

fn amdahl_line(amdahl: &AmdahlEstimate, best: &str) -> String {
    let b = amdahl.serial_fraction;
    let ci = match (amdahl.ci95, &amdahl.no_interval) {
        (Some([lo, hi]), _) => format!(" [{:.4}, {:.4}]", unsigned_zero(lo), unsigned_zero(hi)),
        (None, Some(why)) => format!(" ({why})"),
        (None, None) => String::new(),
    };
    let tail = match amdahl.ceiling {
        _ if b > 1.0 => "above 1: more threads make it slower, which no serial fraction explains".to_owned(),
        Some(c) => format!("ceiling 1/B = {}", ceiling_text(c)),
        None if amdahl.superlinear => "superlinear: faster than j times".to_owned(),
        None if amdahl.threads_used.len() < MIN_CEILING_COUNTS => {
            "no ceiling claimed: two thread counts fix B, not the law's bend".to_owned()
        }
        None if amdahl.ci95.is_some_and(|[lo, _]| lo > 0.0) => {
            "no ceiling claimed: 1/B would be below a measured speedup".to_owned()
        }
        None if b > 0.0 => "no ceiling claimed: B's interval reaches 0".to_owned(),
        None => "no ceiling (B <= 0)".to_owned(),
    };
    let used = threads_text(&amdahl.threads_used);
    format!(" {best}Amdahl: serial fraction B = {:.4}{ci}, {tail} (fit on j = {used})", unsigned_zero(b))
}

fn usl_line(usl: &UslEstimate, best: &str) -> String {
    let (sigma, kappa) = (usl.sigma, usl.kappa);
    let ci = |c: Option<[f64; 2]>, d: usize| c.map(|[lo, hi]| format!(" [{lo:.d$}, {hi:.d$}]")).unwrap_or_default();
    let lambda = usl.lambda.map(|l| format!(", lambda = {l:.4}{}", ci(usl.lambda_ci95, 4))).unwrap_or_default();
    let peak = match usl.peak_threads {
        Some(p) => format!("peak at N* = {p:.1} threads{}", ci(usl.peak_threads_ci95, 1)),
        None if kappa > 0.0 => "no peak (sigma >= 1: slower from the first added thread)".to_owned(),
        None => "no peak (kappa = 0)".to_owned(),
    };
    format!(
        " {best}USL: sigma = {sigma:.4}{}, kappa = {kappa:.5}{}{lambda}; {peak}",
        ci(usl.sigma_ci95, 4),
        ci(usl.kappa_ci95, 5)
    )
}

fn gustafson_line(g: &GustafsonEstimate, best: &str) -> String {
    let ci = g.ci95.map(|[lo, hi]| format!(" [{lo:.4}, {hi:.4}]")).unwrap_or_default();
    format!(" {best}Gustafson: serial fraction a = {:.4}{ci} (S = j - a(j-1))", g.serial_fraction)
}

fn karp_flatt_line(t: &KarpFlattTrend) -> String {
    let ci = t.ci95.map(|[lo, hi]| format!(" [{:.4}, {:.4}]", unsigned_zero(lo), unsigned_zero(hi)));
    let verdict = match t.ci95 {
        _ if t.rising => "rises beyond noise",
        Some([_, hi]) if hi < 0.0 && unsigned_zero(hi) != 0.0 => "falls beyond noise",
        _ => "no rise beyond noise",
    };
    let slope = unsigned_zero(t.slope_per_thread);
    format!("  Karp-Flatt trend: {slope:+.4} per thread{}: {verdict}", ci.unwrap_or_default())
}

/// The table of an imported curve: points, fits, diagnosis.
pub fn curve_table(report: &CurveReport) -> Marked {
    let mut out = Marked::from(format!("{} ({}):\n", report.file, report.measure));
    let fitted = report.fits.speedup_baseline == Some(SpeedupBaseline::Fitted);
    let column = if fitted { "S(j)* [95% CI]" } else { "S(j) [95% CI]" };
    let _ = writeln!(out, "  {:>6}  {:>7}  {:>14}  {:<22}  {:>11}", "j", "samples", "value", column, "Karp-Flatt");
    for p in &report.points {
        let s = match (p.speedup, p.speedup_ci95) {
            (Some(s), Some([lo, hi])) => format!("{s:.3} [{lo:.3}, {hi:.3}]"),
            (Some(s), None) => format!("{s:.3}"),
            _ => "-".to_owned(),
        };
        let kf = report.karp_flatt.iter().find(|k| k.threads == p.threads).and_then(|k| k.value).map(unsigned_zero);
        let _ = writeln!(out, "  {:>6}  {:>7}  {:>14.6}  {:<22}  {:>11}", p.threads, p.samples, p.value, s, opt(kf, 4));
    }
    if fitted && let Some(lambda) = report.fits.usl_fitted().and_then(|u| u.lambda) {
        let _ = writeln!(
            out,
            "  * S(j) = value / {lambda:.4}, the USL's fitted single-thread rate: no j = 1 row was measured"
        );
    }
    out.push(&fits_lines(&report.fits));
    if let Some(d) = &report.diagnosis {
        out.verdict_line("  ", d, report.said().as_ref());
    }
    out
}

/// `measure predict FILE`: each workload's model, its ceiling and its table of predictions.
pub fn predictions_text(predictions: &[WorkloadPrediction]) -> String {
    let mut out = String::new();
    for p in predictions {
        let ceiling = p.ceiling.map(|c| format!("; ceiling {}", ceiling_text(c))).unwrap_or_default();
        let _ = writeln!(out, "{} ({} model{ceiling}):", p.name, p.model.map_or("no", |m| m.as_str()));
        out += &prediction_table(&p.rows);
        out.push('\n');
    }
    out
}

/// `measure predict --serial B` (or `--parallel`, `--scaling weak`): the law, its ceiling and its
/// table of predictions.
pub fn law_prediction_text(law: Law, rows: &[PredictionRow]) -> String {
    let head = match law {
        Law::Gustafson(a) => {
            format!("Gustafson's law, serial fraction a = {} (weak scaling: S = j - a(j-1))\n", number(a))
        }
        Law::Amdahl(b) => {
            let ceiling = law
                .ceiling()
                .map_or_else(|| "; no ceiling".into(), |c| format!("; ceiling 1/B = {}", ceiling_text_to(c, 4)));
            format!(
                "Amdahl's law, serial fraction B = {} ({}% parallel){ceiling}\n",
                number(b),
                number((1.0 - b) * 100.0)
            )
        }
        Law::Usl(sigma, kappa) => format!("USL, sigma = {} and kappa = {}\n", number(sigma), number(kappa)),
    };
    head + &prediction_table(rows)
}

/// A table of predicted speedups.
pub fn prediction_table(rows: &[PredictionRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:>6}  {:<24}  {:>10}  {:>22}",
        "j", "speedup [95% CI]", "efficiency", "gain per added thread"
    );
    for r in rows {
        let s = match r.speedup_ci95 {
            Some([lo, hi]) => format!("{:.4} [{lo:.3}, {hi:.3}]", r.speedup),
            None => format!("{:.4}", r.speedup),
        };
        let mark = if r.extrapolated { "  (extrapolated)" } else { "" };
        let _ = writeln!(
            out,
            "  {:>6}  {:<24}  {:>10.4}  {:>22}{mark}",
            r.threads,
            s,
            r.efficiency,
            opt(r.marginal_gain, 4)
        );
    }
    out
}

/// A number as a person writes it: at most 6 significant digits, no trailing zeros, no rounding
/// noise (`0.05`, not `0.050000000000000044`); scientific below 1e-4.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return "-".to_owned();
    }
    if x != 0.0 && x.abs() < 1e-4 {
        return format!("{x:.3e}");
    }
    let digits = (6 - (x.abs().max(1e-300).log10().floor() as i32 + 1)).clamp(0, 12) as usize;
    let text = format!("{x:.digits$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

fn stop_text(w: &WorkloadResult) -> &'static str {
    use crate::results::StopReason::*;
    match w.stop {
        // One thread count: the stop rule read T(1)'s interval, there is no S.
        Converged if w.points.len() == 1 => "T(1)'s CI within target",
        Converged => "every S(j) CI within target",
        Budget => "stopped by the time budget",
        MaxRounds => "stopped at --max-rounds",
        Failed => "FAILED",
        Interrupted => "interrupted",
        Running => "still running when saved (the process did not finish)",
    }
}

fn opt(value: Option<f64>, digits: usize) -> String {
    value.map(|v| format!("{v:.digits$}")).unwrap_or_else(|| "-".to_owned())
}

#[cfg(test)]
mod tidy_tests {
    use super::*;

    #[test]
    fn numbers_and_thread_lists_read_as_a_person_writes_them() {
        assert_eq!(number(0.050000000000000044), "0.05");
        assert_eq!(number(20.000000000000004), "20");
        assert_eq!(number(1.9047619047619047), "1.90476");
        assert_eq!(number(1e-7), "1.000e-7");
        assert_eq!(number(f64::INFINITY), "-");
        assert_eq!(threads_text(&(1..=100).collect::<Vec<_>>()), "1-100");
        assert_eq!(threads_text(&[1, 2, 4, 5, 6, 8]), "1, 2, 4-6, 8");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(format_duration_ns(1.5e9), "1.50 s");
        assert_eq!(format_duration_ns(123_456_789.0), "123.5 ms");
        assert_eq!(format_duration_ns(4_200.0), "4.20 us");
        assert_eq!(format_duration_ns(12.0), "12.00 ns");
    }

    #[test]
    fn the_table_says_what_a_workloads_reruns_added_to_its_intervals() {
        use crate::stats::reruns::{RerunFloor, SpeedupFloor};
        let mut w = crate::report::tests::fixture().workloads.remove(0);
        assert_eq!(rerun_floor_text(&w), None);
        let s = |threads, sd| SpeedupFloor { threads, sd };
        let floor =
            RerunFloor { time: 0.001, speedup: vec![s(2, 0.024)], runs: 9, left_out: 0, oldest_s: 230, capped: false };
        w.rerun_floor = Some(floor.clone());
        let text = rerun_floor_text(&w).unwrap();
        assert!(text.starts_with("reruns: 9 earlier runs of this workload here (the oldest 4 min ago) differ beyond their own intervals by T(1) 0.1% and S(2) 2.4% (sd, expanded for their count);"), "{text}");
        assert!(workload_table(&w).into_text().contains(&format!("  {text}\n")));
        w.rerun_floor = Some(RerunFloor {
            speedup: vec![s(2, 0.004), s(4, 0.031), s(8, 0.012)],
            oldest_s: 9000,
            capped: true,
            ..floor
        });
        let text = rerun_floor_text(&w).unwrap();
        assert!(
            text.contains("(the oldest 2 h ago)") && text.contains("S(j) 0.4% to 3.1% (the most at j = 4)"),
            "{text}"
        );
        assert!(text.contains("a spread above 10% taken as 10%: they may mix different code under one name"), "{text}");
        w.rerun_floor = Some(RerunFloor { left_out: 1, ..w.rerun_floor.clone().unwrap() });
        let text = rerun_floor_text(&w).unwrap();
        assert!(text.contains("9 earlier runs of this workload here (1 left out: a figure a factor 1.28 or more from the runs' median, taken as no state of the machine; the oldest 2 h ago)"), "{text}");
    }
}
