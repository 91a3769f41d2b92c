//! SVG charts of one workload, drawn with plotters' SVG backend (no fonts needed: text is SVG
//! `<text>`): speedup against threads, efficiency, and Karp–Flatt; and the overlay of several
//! machines for `measure compare`.
//!
//! The speedup chart shows the measured S(j) with 95% CI whiskers, the ideal line S = j (grey,
//! solid), the fitted Amdahl curve with its ceiling 1/B (red, the ceiling dashed), the USL curve
//! where it is the better model (green), the oversubscribed region (more threads than usable CPUs)
//! shaded (when measured there), a mark at the physical core count where SMT siblings follow it
//! (orange, dashed), and the machine's own ceiling
//! (what plain pinned threads reach at each j, where measured; purple, dotted). With fewer than
//! four thread counts it is the workload's only chart, each point labelled with its efficiency.
//!
//! Every chart keeps its legend to the right of the plot, never over a point. Thread axes show
//! whole numbers only, and turn logarithmic (base 2) when the counts are all powers of two up to
//! 8 or more, or exceed 32.
//!
//! Beside them, the thread-time account as one 100%-stacked bar per j (`parts`, drawn by hand in
//! the fixed colours of `PART_COLOURS`, with a command's concurrency histogram as a strip).
//!
//! The drawing needs plotters, behind the `charts` feature (on by default). Without it (a bench's
//! `default-features = false`), every chart is a one-line SVG that says so, and the pages that
//! hold charts are still written.

use crate::results::WorkloadResult;
use crate::thread_set::CpuCounts;

#[cfg(feature = "charts")]
mod plot;

pub mod parts;
pub use parts::{MERGED_COLOUR, PART_COLOURS, part_colour, parts_chart};

/// One measured point: j, the value, and its 95% CI.
pub type ChartPoint = (f64, f64, Option<[f64; 2]>);

/// A labelled series of points.
pub type Series = (String, Vec<ChartPoint>);

/// One machine's curve on the overlay of `measure compare`: its points, its better model's
/// fitted curve (sigma, kappa of the cost model) and its own ceiling, where known.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// The machine, as the legend names it.
    pub label: String,
    /// Measured S(j) with CIs.
    pub points: Vec<ChartPoint>,
    /// The better model: sigma and kappa (0 for Amdahl).
    pub model: Option<(f64, f64)>,
    /// The machine's own ceiling at each measured j.
    pub ceiling: Vec<(f64, f64)>,
}

/// Whether charts are drawn: this build has the `charts` feature (plotters).
pub const CHARTS: bool = cfg!(feature = "charts");

/// Chart size in pixels: the plot, and the legend to its right.
pub const SIZE: (u32, u32) = (720, 360);
/// The speedup chart of `w`.
pub fn speedup_chart(w: &WorkloadResult, cores: CpuCounts) -> String {
    #[cfg(feature = "charts")]
    return plot::speedup_chart(w, cores);
    #[cfg(not(feature = "charts"))]
    return without_charts(&w.name, cores);
}

/// The efficiency chart of `w`: E(j) = S(j)/j.
pub fn efficiency_chart(w: &WorkloadResult) -> String {
    #[cfg(feature = "charts")]
    return plot::efficiency_chart(w);
    #[cfg(not(feature = "charts"))]
    return without_charts(&w.name, ());
}

/// The Karp–Flatt chart of `w`: e(j) at j > 1 with CIs.
pub fn karp_flatt_chart(w: &WorkloadResult) -> String {
    #[cfg(feature = "charts")]
    return plot::karp_flatt_chart(w);
    #[cfg(not(feature = "charts"))]
    return without_charts(&w.name, ());
}

/// Speedup curves of several machines on one chart, one colour each, for `measure compare`:
/// points with CIs, each machine's fitted model and its own ceiling.
pub fn overlay_chart(title: &str, curves: &[Overlay]) -> String {
    #[cfg(feature = "charts")]
    return plot::overlay_chart(title, curves);
    #[cfg(not(feature = "charts"))]
    return without_charts(title, curves);
}

/// The chart that stands in for one when plotters is not built in.
#[cfg(not(feature = "charts"))]
fn without_charts<T>(title: &str, _: T) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"40\"><text x=\"10\" y=\"24\">{}: charts need amdahl's `charts` feature</text></svg>",
        SIZE.0,
        escape(title)
    )
}

/// Whether `w` gets one combined chart (fewer than four thread counts) instead of three.
pub fn combined(w: &WorkloadResult) -> bool {
    w.points.iter().filter(|p| p.speedup.is_some()).count() < 4
}

/// Minimal XML escaping for text placed in SVG or HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
