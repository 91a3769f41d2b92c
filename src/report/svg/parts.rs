//! The thread-time account as a picture: one 100%-stacked bar per thread count of the parts of
//! j x T(j) (`account::TimeParts`), in the fixed colours of [`PART_COLOURS`] (every picture of
//! the account uses that one table), and for a command its concurrency histogram as a strip under
//! each bar (`account::command`: the share of T(j) with 0, 1, 2, ... of its threads on a CPU,
//! from light to dark).
//!
//! Written by hand, not with plotters: rectangles and text only, so it is drawn without the
//! `charts` feature too. A bar's parts are drawn in the order of the account from the bottom;
//! negative inflation (the work got cheaper than at one thread) is drawn inside useful (its
//! height is useful + inflation), so that every bar's heights add up to exactly 100%.

use std::fmt::Write;

use super::escape;
use crate::account::command::mean_shares;
use crate::account::{PartName, TimeParts};
use crate::results::WorkloadResult;

/// The colour of each part, the same in every picture and table of the account.
pub const PART_COLOURS: [(PartName, &str); 7] = [
    (PartName::Useful, "#4c78a8"),
    (PartName::Inflation, "#9ecae9"),
    (PartName::Serial, "#e45756"),
    (PartName::Imbalance, "#f58518"),
    (PartName::Dispatch, "#eeca3b"),
    (PartName::Blocked, "#72b7b2"),
    (PartName::RunQueue, "#b279a2"),
];

/// The colour of the merged time (the user's own rayon code, off its CPUs).
pub const MERGED_COLOUR: &str = "#9d755d";

/// The colour of `part`.
pub fn part_colour(part: PartName) -> &'static str {
    PART_COLOURS.iter().find(|(p, _)| *p == part).map_or("#999999", |(_, c)| c)
}

/// Height of the bars, and of a histogram strip, in pixels.
const BAR_HEIGHT: f64 = 260.0;
const STRIP_HEIGHT: f64 = 14.0;
const TOP: f64 = 40.0;
const LEFT: f64 = 50.0;
const BAR_WIDTH: f64 = 34.0;
const GAP: f64 = 18.0;
const LEGEND_WIDTH: f64 = 150.0;

/// The drawn heights of one account's parts, as shares adding up to 1 (see the module docs):
/// name, colour and share, from the bottom.
pub fn drawn_shares(a: &TimeParts) -> Vec<(&'static str, &'static str, f64)> {
    let inflation = a.inflation.map_or(0.0, |p| p.share);
    let mut parts: Vec<(&'static str, &'static str, f64)> = PART_COLOURS
        .iter()
        .filter_map(|&(part, colour)| {
            let share = match part {
                PartName::Useful => a.useful.share + inflation.min(0.0),
                PartName::Inflation => inflation.max(0.0),
                _ => a.share(part)?.share,
            };
            Some((part.as_str(), colour, share.max(0.0)))
        })
        .collect();
    if let Some(m) = &a.merged {
        parts.push(("merged", MERGED_COLOUR, m.part.share.max(0.0)));
    }
    let total: f64 = parts.iter().map(|p| p.2).sum();
    if total > 0.0 {
        parts.iter_mut().for_each(|p| p.2 /= total);
    }
    parts
}

/// The stacked-bar chart of `w`'s account, or `None` when no point has one.
pub fn parts_chart(w: &WorkloadResult) -> Option<String> {
    let bars: Vec<(usize, &TimeParts, Vec<f64>)> = w
        .points
        .iter()
        .filter_map(|p| Some((p.threads, p.time_parts.as_ref()?, mean_shares(&p.concurrency))))
        .collect();
    if bars.is_empty() {
        return None;
    }
    let strips = bars.iter().any(|(_, _, h)| !h.is_empty());
    // One grey per level in every strip: from the highest level any bar reached.
    let top_level = bars.iter().map(|(_, _, h)| h.len()).max().unwrap_or(0).max(2) - 1;
    let width = LEFT + bars.len() as f64 * (BAR_WIDTH + GAP) + GAP + LEGEND_WIDTH;
    let height = TOP + BAR_HEIGHT + 30.0 + if strips { STRIP_HEIGHT + 24.0 } else { 0.0 };
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"parts\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = write!(
        out,
        "<text x=\"{LEFT}\" y=\"20\" font-size=\"14\">{}: where the thread-time j x T(j) goes</text>",
        escape(&w.name)
    );
    // The axis: 0, 50 and 100%.
    for pct in [0.0, 50.0, 100.0] {
        let y = TOP + BAR_HEIGHT * (1.0 - pct / 100.0);
        let _ = write!(
            out,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{pct:.0}%</text><line x1=\"{LEFT}\" x2=\"{:.0}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>",
            LEFT - 6.0,
            y + 4.0,
            width - LEGEND_WIDTH
        );
    }
    for (i, (threads, account, histogram)) in bars.iter().enumerate() {
        let x = LEFT + GAP + i as f64 * (BAR_WIDTH + GAP);
        let mut bottom = TOP + BAR_HEIGHT;
        for (name, colour, share) in drawn_shares(account) {
            let h = share * BAR_HEIGHT;
            bottom -= h;
            let _ = write!(
                out,
                "<rect class=\"part\" data-j=\"{threads}\" data-part=\"{name}\" x=\"{x:.1}\" y=\"{bottom:.3}\" width=\"{BAR_WIDTH}\" height=\"{h:.3}\" fill=\"{colour}\"><title>j = {threads}: {name} {:.1}%</title></rect>",
                100.0 * share
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{threads}</text>",
            x + BAR_WIDTH / 2.0,
            TOP + BAR_HEIGHT + 16.0
        );
        if !histogram.is_empty() {
            let y = TOP + BAR_HEIGHT + 26.0;
            let mut left = x;
            for (k, share) in histogram.iter().enumerate() {
                let w = share * BAR_WIDTH;
                // Level 0 white-grey, the highest level near black.
                let grey = 230 - (200 * k.min(top_level) / top_level) as u32;
                let _ = write!(
                    out,
                    "<rect class=\"level\" data-j=\"{threads}\" data-level=\"{k}\" x=\"{left:.3}\" y=\"{y:.1}\" width=\"{w:.3}\" height=\"{STRIP_HEIGHT}\" fill=\"rgb({grey},{grey},{grey})\"><title>j = {threads}: {k} thread{} on a CPU {:.1}% of T(j)</title></rect>",
                    if k == 1 { "" } else { "s" },
                    100.0 * share
                );
                left += w;
            }
        }
    }
    if strips {
        let _ =
            write!(out, "<text x=\"{LEFT}\" y=\"{:.0}\">j; strips: 0, 1, 2, ... threads on a CPU</text>", height - 6.0);
    } else {
        let _ = write!(
            out,
            "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">threads j</text>",
            LEFT + (width - LEGEND_WIDTH - LEFT) / 2.0,
            height - 6.0
        );
    }
    // The legend, top to bottom in the order of the bars' stacking, top first.
    let legend_x = width - LEGEND_WIDTH + 10.0;
    let merged = bars.iter().any(|(_, a, _)| a.merged.is_some());
    let mut names: Vec<(&str, &str)> = PART_COLOURS.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    if merged {
        names.push(("merged", MERGED_COLOUR));
    }
    for (k, (name, colour)) in names.iter().rev().enumerate() {
        let y = TOP + k as f64 * 18.0;
        let _ = write!(
            out,
            "<rect x=\"{legend_x:.0}\" y=\"{y:.0}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{:.0}\" y=\"{:.0}\">{name}</text>",
            legend_x + 18.0,
            y + 10.0
        );
    }
    out += "</svg>";
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Part;

    fn part(share: f64) -> Part {
        Part { share, ci95: None }
    }

    fn account(inflation: f64) -> TimeParts {
        TimeParts {
            profile_runs: 5,
            useful: part(0.6),
            inflation: Some(part(inflation)),
            serial: part(0.1),
            imbalance: part(0.1),
            dispatch: part(0.05),
            blocked: part(0.05),
            run_queue: Some(part(0.1 - inflation)),
            merged: None,
            serial_share_of_t1: None,
            cpu_factor: None,
            profile_over_timed: None,
            distorted: false,
        }
    }

    /// The `height` attributes of the `rect`s of `class` at `threads`.
    fn heights(svg: &str, class: &str, threads: usize, attribute: &str) -> Vec<f64> {
        let mark = format!("class=\"{class}\" data-j=\"{threads}\"");
        svg.split("<rect ")
            .filter(|r| r.starts_with(&mark))
            .map(|r| {
                let at = r.find(&format!(" {attribute}=\"")).unwrap() + attribute.len() + 3;
                r[at..at + r[at..].find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn one_bar_per_j_whose_parts_fill_it() {
        let mut w = crate::report::tests::fixture().workloads[0].clone();
        w.points.retain(|p| [1, 2, 4].contains(&p.threads));
        for (p, inflation) in w.points.iter_mut().zip([0.0, 0.05, -0.02]) {
            p.time_parts = Some(account(inflation));
        }
        let svg = parts_chart(&w).unwrap();
        for j in [1, 2, 4] {
            let h = heights(&svg, "part", j, "height");
            assert_eq!(h.len(), PART_COLOURS.len(), "one rect a part at j = {j}");
            assert!((h.iter().sum::<f64>() - BAR_HEIGHT).abs() < 0.01, "j = {j}: {h:?}");
        }
        assert_eq!(svg.matches("class=\"part\" data-j=\"2\" data-part=\"serial\"").count(), 1);
        assert!(heights(&svg, "level", 1, "width").is_empty(), "no strip for in-process work");
        // Negative inflation is drawn inside useful: at j = 4 useful is 0.58 of the bar.
        let useful = heights(&svg, "part", 4, "height")[0];
        assert!((useful - 0.58 * BAR_HEIGHT).abs() < 0.01, "{useful}");
    }

    #[test]
    fn a_commands_histogram_is_a_strip_under_its_bar_as_wide_as_it() {
        use crate::account::Concurrency;
        let mut w = crate::report::tests::fixture().workloads[0].clone();
        w.points.retain(|p| p.threads == 2);
        let p = &mut w.points[0];
        p.time_parts = Some(account(0.0));
        p.concurrency = vec![Concurrency {
            round: 0,
            levels_ns: vec![10, 30, 60],
            polls: 3,
            longest_gap_ns: 50,
            polled_cpu_ns: 150,
            poller_cpu_ns: None,
            most_threads: 2,
            processes: 1,
        }];
        let svg = parts_chart(&w).unwrap();
        let widths = heights(&svg, "level", 2, "width");
        assert_eq!(widths.len(), 3);
        assert!((widths.iter().sum::<f64>() - BAR_WIDTH).abs() < 0.01, "{widths:?}");
        assert!((widths[2] - 0.6 * BAR_WIDTH).abs() < 0.01);
        w.points[0].time_parts = None;
        assert!(parts_chart(&w).is_none(), "no account, no chart");
    }
}
