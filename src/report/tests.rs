//! Charts and pages rendered from a small fixed results file (a fake-clock sweep of `synthetic`
//! with B = 0.25 at j = 1..6 on a machine of 4 usable CPUs and 2 cores), checked by structure:
//! element counts (a snapshot) and the labels a reader needs. Pixels are never compared.

use std::collections::BTreeMap;

use super::svg::{efficiency_chart, karp_flatt_chart, speedup_chart};
use super::{Exporter, Html, Markdown};
use crate::config::RunRequest;
use crate::machine::MachineFacts;
use crate::results::ResultsFile;
use crate::sweep::{FakeClock, RunContext, run};
use crate::thread_set::CpuCounts;

const CPUS: CpuCounts = CpuCounts { usable: 4, physical: 2, sockets: 1 };
const CORES: CpuCounts = CpuCounts { usable: 4, physical: 2, sockets: 1 };

/// A results file of a whole fake-clock run of `synthetic` at j = 1..6.
pub(crate) fn fixture() -> ResultsFile {
    let dir = tempfile::tempdir().unwrap();
    let config = RunRequest {
        workloads: vec!["synthetic:b=0.25,size=120000".into()],
        threads: Some("1-6".into()),
        out: Some(dir.path().join("r.json")),
        noise_floor: Some("0".into()),
        ..Default::default()
    }
    .resolve(CPUS)
    .unwrap();
    let (machine, journal) = (MachineFacts::fake(CPUS), crate::sweep::Journal::new());
    let clock = FakeClock::exact();
    let context = RunContext { results_dir: dir.path().into(), ..RunContext::quiet(&clock, &machine, &journal) };
    run(&config, context).unwrap().results
}

/// How many elements of each tag an SVG holds.
fn element_counts(svg: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for piece in svg.split('<').skip(1) {
        let tag: String = piece.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if !tag.is_empty() {
            *counts.entry(tag).or_insert(0) += 1;
        }
    }
    counts
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn speedup_chart_structure() {
    let results = fixture();
    let svg = speedup_chart(&results.workloads[0], CORES);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    for label in [
        "synthetic: speedup S(j)",
        "oversubscribed (&gt; 4 usable",
        "2 physical cores",
        "ideal S = j",
        "Amdahl B = 0.250 (best)",
        "ceiling 1/B = 4.0",
        "extrapolated past j = 6",
        "measured S(j), 95% CI",
        "threads",
    ] {
        assert!(svg.contains(label), "missing label {label}");
    }
    // Snapshot of every element kind: 6 points, 6 CI whisker centres and 1 legend marker as
    // circles; grid lines as lines; curves, whiskers, legend swatches and the dashes of the ceiling,
    // of the law's dotted extrapolation past j = 6 and of the core mark as polylines; background,
    // shaded region and its legend swatch as rects (the legend sits beside the plot, without a box).
    assert_eq!(
        element_counts(&svg),
        counts(&[("circle", 13), ("line", 171), ("polyline", 106), ("rect", 3), ("svg", 1), ("text", 26)])
    );
}

#[test]
fn efficiency_and_karp_flatt_chart_structure() {
    let results = fixture();
    let w = &results.workloads[0];
    let efficiency = efficiency_chart(w);
    // 6 points + 6 whisker centres + the legend's dot; the line through them, the dashes of E = 1
    // and the legend's swatches.
    assert_eq!(
        element_counts(&efficiency),
        counts(&[("circle", 13), ("line", 158), ("polyline", 69), ("rect", 1), ("svg", 1), ("text", 19)])
    );
    assert!(efficiency.contains("synthetic: efficiency S/j"));
    let kf = karp_flatt_chart(w);
    // e(j) exists for j = 2..6: 5 points + 5 whisker centres + the legend's dot; the line and the
    // whisker strokes.
    assert_eq!(
        element_counts(&kf),
        counts(&[("circle", 11), ("line", 156), ("polyline", 17), ("rect", 1), ("svg", 1), ("text", 18)])
    );
    assert!(kf.contains("Karp-Flatt e(j)"));
}

#[test]
fn html_is_self_contained_and_complete() {
    let results = fixture();
    let html = String::from_utf8(Html.render(&results).unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"));
    // Speedup, the account's stacked bars, efficiency and Karp-Flatt.
    assert_eq!(html.matches("<svg").count(), 4);
    assert_eq!(html.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"parts\"").count(), 1);
    for part in ["usable CPUs (N)", "Summary", "bounded by a serial fraction: B = 0.250", "oversubscribed"] {
        assert!(html.contains(part), "missing {part}");
    }
}

#[test]
fn markdown_summary() {
    let md = String::from_utf8(Markdown.render(&fixture()).unwrap()).unwrap();
    assert!(md.contains("| synthetic | synthetic | 2.67 (j = 6) | Amdahl B = 0.2500 [0.2500, 0.2500] |"), "{md}");
    assert!(md.contains("| S | 1.00 | 1.60 | 2.00 | 2.29 | 2.50 | 2.67 |"), "{md}");
    // The fixture was measured with `--noise-floor 0`, and says so; a floor is named by its parts.
    assert!(md.contains("95% CIs are the run's own (--noise-floor 0"), "{md}");
    let floor = crate::stats::NoiseFloors::DEFAULT;
    assert_eq!(
        super::table::noise_floor_text(&floor),
        "95% CIs include the run-to-run noise floor (--noise-floor): T 2.5% and S 0.5% in-process, T 2.0% and S 3.0% for commands"
    );
}

#[test]
fn markdown_shows_names_from_a_file_as_text_never_as_html() {
    let mut results = fixture();
    results.workloads[0].name = "<script>alert(1)</script>|x\u{1b}[2J".into();
    let md = String::from_utf8(Markdown.render(&results).unwrap()).unwrap();
    assert!(!md.contains("<script>") && !md.contains('\u{1b}'), "{md}");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;\\|x [2J"), "{md}");
}

#[test]
fn fewer_than_four_counts_get_one_chart_with_labelled_points_and_the_page_a_glossary() {
    let mut results = fixture();
    results.workloads[0].points.truncate(2);
    let w = &results.workloads[0];
    assert!(super::svg::combined(w));
    let html = String::from_utf8(Html.render(&results).unwrap()).unwrap();
    assert_eq!(html.matches("<svg").count(), 2, "one chart for two thread counts, and the account's bars");
    let e = w.points[1].efficiency.unwrap();
    assert!(html.contains(&format!("S {:.2}, E {e:.2}", w.points[1].speedup.unwrap())), "points carry S and E");
    for term in ["Glossary", "<dt>T(j)</dt>", "<dt>Karp-Flatt e(j)</dt>", "<dt>util</dt>", "<b>disturbed</b>"] {
        assert!(html.contains(term), "missing {term}");
    }
}

#[test]
fn a_run_of_one_thread_count_says_whose_interval_stopped_it() {
    use crate::results::StopReason;
    let mut file = fixture();
    let w = &mut file.workloads[0];
    w.stop = StopReason::Converged;
    w.points.truncate(1);
    let table = String::from_utf8(super::Table.render(&file).unwrap()).unwrap();
    assert!(table.contains("T(1)'s CI within target") && !table.contains("every S(j)"), "{table}");
    let mut file = fixture();
    file.workloads[0].stop = StopReason::Converged;
    let table = String::from_utf8(super::Table.render(&file).unwrap()).unwrap();
    assert!(table.contains("every S(j) CI within target"), "{table}");
}

#[test]
fn headings_leave_out_what_says_nothing_a_closures_fixed_size_and_a_commands_backend() {
    let results = fixture();
    let mut w = results.workloads[0].clone();
    // Every parameter the run recorded, `synthetic`'s `skew` and `slow` at their defaults too.
    assert_eq!(super::setting_words(&w), "synthetic, rayon; b=0.25 size=120000 skew=1 slow=0");
    // A bench closure declares `size` with one possible value: recorded, not shown.
    w.params = [("size".to_owned(), 1.0)].into();
    w.fixed_params = vec!["size".to_owned()];
    assert_eq!(super::setting_words(&w), "synthetic, rayon");
    // A command runs its own processes: no team backend, in the table, the page and the Markdown.
    w.command = Some("xz -T{threads} f".to_owned());
    assert_eq!(super::setting_words(&w), "synthetic; command `xz -T{threads} f`");
    let mut commands = results.clone();
    commands.workloads = vec![w];
    let page = String::from_utf8(Html.render(&commands).unwrap()).unwrap();
    assert!(page.contains("(synthetic; command `xz -T{threads} f`; ") && !page.contains("rayon"), "{page}");
    let md = String::from_utf8(Markdown.render(&commands).unwrap()).unwrap();
    assert!(!md.contains("backend"), "{md}");
    let table = String::from_utf8(super::Table.render(&commands).unwrap()).unwrap();
    assert!(table.starts_with("synthetic (synthetic; command `xz -T{threads} f`): "), "{table}");
}

#[test]
fn the_table_ends_with_its_key() {
    let table = String::from_utf8(super::Table.render(&fixture()).unwrap()).unwrap();
    let key = table.find("key: T(j) the median time of one run at j threads").expect("a key under the table");
    assert!(key > table.find("=> ").unwrap(), "the key comes after the tables: {table}");
    for word in ["S(j) the paired speedup", "Karp-Flatt", "util", "S_max", "fid", "* the better model", "disturbed"] {
        assert!(table[key..].contains(word), "the key lacks {word}");
    }
}

#[test]
fn a_bench_runs_page_holds_its_changes_and_a_chart_each_or_one_line_without_charts() {
    let results = fixture();
    let changes =
        "changes since the last run:\n  synthetic: S(6) 2.67 -> 2.67, +0%, within noise (vs run-000001.json)\n";
    let page = Html::with_section_drawn(&results, "Changes since the baseline", changes, true);
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert!(!page.contains("<script") && !page.contains("src=\"http") && !page.contains("href=\"http"));
    assert!(page.contains("<h2>Changes since the baseline</h2>") && page.contains("(vs run-000001.json)"));
    // Six thread counts: the speedup, account, efficiency and Karp-Flatt charts, one SVG each.
    assert_eq!(page.matches("<svg").count(), 4);
    assert!(!page.contains("No charts"));
    let bare = Html::with_section_drawn(&results, "Changes since the baseline", changes, false);
    assert_eq!(bare.matches("<svg").count(), 0);
    assert_eq!(bare.matches("No charts: this build of amdahl leaves out its `charts` feature").count(), 1);
    assert!(bare.contains("features = [\"charts\"]") || bare.contains("features = [&quot;charts&quot;]"));
}

/// The work/span bound measured from the tasks is drawn on the speedup chart, with its legend
/// entry, where the j = 1 point has span runs; the fixture's fake-clock runs, without them, draw none.
#[test]
fn the_work_span_bound_is_drawn_where_the_span_runs_measured_it() {
    let mut results = fixture();
    let w = &mut results.workloads[0];
    assert!(!speedup_chart(w, CORES).contains("work/span"));
    let one = w.points.iter_mut().find(|p| p.threads == 1).unwrap();
    let t1 = one.median_ns.unwrap();
    assert!(!one.profile.is_empty(), "the fake clock takes profile runs");
    for run in &mut one.profile {
        // Half of T(1) in the longest task of each call, no serial code: S <= 2.
        (run.serial_code_ns, run.longest_tasks_ns) = (0, Some((t1 / 2.0) as u64));
    }
    let svg = speedup_chart(w, CORES);
    assert!(svg.contains("work/span S &lt;= 2.0"), "{svg}");
}
