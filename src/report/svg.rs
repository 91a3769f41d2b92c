//! SVG charts of one workload, drawn with plotters' SVG backend (no fonts needed: text is SVG
//! `<text>`): speedup against threads, efficiency, and Karp–Flatt.
//!
//! The speedup chart shows the measured S(j) with 95% CI whiskers, the ideal line S = j, the fitted
//! Amdahl curve with its ceiling 1/B, the USL curve where it is the better model, the
//! oversubscribed region (more threads than usable CPUs) shaded, and a mark at the physical core
//! count, and the machine's own ceiling (what plain pinned threads reach at each j, where it was
//! measured) as a dotted purple line. Thread axes turn logarithmic (base 2) when the largest j exceeds 32.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::fit::{Model, amdahl, usl::Usl};
use crate::results::WorkloadResult;
use crate::scaling::Scaling;
use crate::thread_set::CpuCounts;

/// One measured point: j, the value, and its 95% CI.
pub type ChartPoint = (f64, f64, Option<[f64; 2]>);

/// A labelled series of points.
pub type Series = (String, Vec<ChartPoint>);

/// Chart size in pixels.
pub const SIZE: (u32, u32) = (560, 360);

const MEASURED: RGBColor = RGBColor(31, 119, 180);
const AMDAHL: RGBColor = RGBColor(214, 39, 40);
const USL: RGBColor = RGBColor(44, 160, 44);
const IDEAL: RGBColor = RGBColor(120, 120, 120);
const SHADE: RGBColor = RGBColor(235, 235, 235);
const MACHINE: RGBColor = RGBColor(148, 103, 189);

/// The speedup chart of `w`.
pub fn speedup_chart(w: &WorkloadResult, cores: CpuCounts) -> String {
    render(|area| draw_speedup(area, w, cores))
}

/// The efficiency chart of `w`: E(j) = S(j)/j.
pub fn efficiency_chart(w: &WorkloadResult) -> String {
    let pts: Vec<ChartPoint> = w
        .points
        .iter()
        .filter_map(|p| {
            Some((
                p.threads as f64,
                p.efficiency?,
                p.speedup_ci95.map(|[lo, hi]| [lo / p.threads as f64, hi / p.threads as f64]),
            ))
        })
        .collect();
    render(|area| draw_simple(area, &format!("{}: efficiency S/j", w.name), "efficiency", &pts, Some(1.0)))
}

/// The Karp–Flatt chart of `w`: e(j) at j > 1 with CIs.
pub fn karp_flatt_chart(w: &WorkloadResult) -> String {
    let pts: Vec<ChartPoint> =
        w.points.iter().filter_map(|p| Some((p.threads as f64, p.karp_flatt?, p.karp_flatt_ci95))).collect();
    render(|area| draw_simple(area, &format!("{}: Karp-Flatt e(j)", w.name), "serial fraction e(j)", &pts, None))
}

/// Speedup curves of several machines on one chart, one colour each, for `measure compare`.
pub fn overlay_chart(title: &str, curves: &[Series]) -> String {
    render(|area| draw_overlay(area, title, curves))
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

fn render(draw: impl FnOnce(&Area<'_>) -> Drawn) -> String {
    let mut svg = String::new();
    let outcome = {
        let area = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        area.fill(&WHITE).map_err(|e| e.to_string()).and_then(|()| draw(&area).map_err(|e| e.to_string()))
    };
    match outcome {
        Ok(()) => svg,
        Err(e) => format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\"><text x=\"10\" y=\"20\">chart failed: {}</text></svg>",
            SIZE.0,
            SIZE.1,
            escape(&e)
        ),
    }
}

/// Minimal XML escaping for text placed in SVG or HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn x_range(max_j: f64) -> (f64, f64, bool) {
    let log = max_j > 32.0;
    if log { (1.0, max_j * 1.1, true) } else { (0.0, (max_j + 1.0).max(2.0), false) }
}

/// A grid of x values for smooth model curves.
fn grid(x0: f64, x1: f64, log: bool) -> Vec<f64> {
    let lo = x0.max(1.0);
    (0..=200)
        .map(|i| {
            let t = i as f64 / 200.0;
            if log { lo * (x1 / lo).powf(t) } else { lo + (x1 - lo) * t }
        })
        .collect()
}

fn draw_speedup(area: &Area<'_>, w: &WorkloadResult, cores: CpuCounts) -> Drawn {
    let pts: Vec<ChartPoint> =
        w.points.iter().filter_map(|p| Some((p.threads as f64, p.speedup?, p.speedup_ci95))).collect();
    let max_j = pts.iter().map(|p| p.0).fold(1.0, f64::max);
    let (x0, x1, log) = x_range(max_j);
    let top = pts.iter().map(|p| p.2.map_or(p.1, |c| c[1])).fold(1.0, f64::max);
    let ideal_top = if w.scaling == Scaling::Weak || top > 0.3 * max_j { max_j } else { top };
    let y1 = (top.max(ideal_top) * 1.1).max(1.2);
    let title = format!("{}: speedup S(j)", w.name);
    let mut chart = ChartBuilder::on(area);
    chart.caption(title, ("sans-serif", 16)).margin(8).x_label_area_size(36).y_label_area_size(48);
    if log {
        let mut c = chart.build_cartesian_2d((x0..x1).log_scale().base(2.0), 0.0..y1)?;
        c.configure_mesh().x_desc("threads (log scale)").y_desc("speedup").light_line_style(WHITE).draw()?;
        speedup_series(&mut c, w, cores, &pts, (x0, x1, y1, log))?;
        c.configure_series_labels()
            .position(legend_position(&pts))
            .background_style(WHITE.mix(0.85))
            .border_style(IDEAL)
            .draw()?;
    } else {
        let mut c = chart.build_cartesian_2d(x0..x1, 0.0..y1)?;
        c.configure_mesh().x_desc("threads").y_desc("speedup").light_line_style(WHITE).draw()?;
        speedup_series(&mut c, w, cores, &pts, (x0, x1, y1, log))?;
        c.configure_series_labels()
            .position(legend_position(&pts))
            .background_style(WHITE.mix(0.85))
            .border_style(IDEAL)
            .draw()?;
    }
    Ok(())
}

/// Upper left for rising curves; upper right for curves that end below 1 (the top left is where
/// their first point is).
fn legend_position(pts: &[ChartPoint]) -> SeriesLabelPosition {
    if pts.last().is_some_and(|p| p.1 < 1.0) { SeriesLabelPosition::UpperRight } else { SeriesLabelPosition::UpperLeft }
}

fn speedup_series<'a, X>(
    c: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    w: &WorkloadResult,
    cores: CpuCounts,
    pts: &[ChartPoint],
    (x0, x1, y1, log): (f64, f64, f64, bool),
) -> Drawn
where
    X: Ranged<ValueType = f64>,
{
    if (cores.usable as f64) + 0.5 < x1 {
        let from = if log { cores.usable as f64 * 1.1 } else { cores.usable as f64 + 0.5 };
        c.draw_series(std::iter::once(Rectangle::new([(from, 0.0), (x1, y1)], SHADE.filled())))?
            .label(format!("oversubscribed (> {} usable CPUs)", cores.usable))
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], SHADE.filled()));
    }
    if (cores.physical as f64) < x1 && cores.physical > 1 {
        let p = cores.physical as f64;
        c.draw_series(DashedLineSeries::new([(p, 0.0), (p, y1)], 4, 4, IDEAL.stroke_width(1)))?
            .label(format!("{} physical cores", cores.physical))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], IDEAL));
    }
    let xs = grid(x0, x1, log);
    let ideal: Vec<(f64, f64)> = xs.iter().map(|&x| (x, x.min(y1))).filter(|p| p.1 < y1).collect();
    c.draw_series(LineSeries::new(ideal, IDEAL.stroke_width(1)))?
        .label("ideal S = j")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], IDEAL));
    if let Some(b) = w.fits.amdahl.as_ref().and_then(|a| a.serial_fraction).filter(|b| *b > -0.5 && *b < 1.0) {
        let curve: Vec<(f64, f64)> =
            xs.iter().map(|&x| (x, amdahl::speedup(b, x))).filter(|p| p.1.is_finite() && p.1 <= y1).collect();
        let best = if w.fits.best == Some(Model::Amdahl) { " (best)" } else { "" };
        c.draw_series(LineSeries::new(curve, AMDAHL.stroke_width(2)))?
            .label(format!("Amdahl B = {b:.3}{best}"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], AMDAHL.stroke_width(2)));
        if let Some(ceiling) = amdahl::ceiling(b).filter(|c| *c < y1) {
            c.draw_series(DashedLineSeries::new(
                [(x0.max(1.0), ceiling), (x1, ceiling)],
                6,
                4,
                AMDAHL.stroke_width(1),
            ))?
            .label(format!("ceiling 1/B = {ceiling:.1}"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], AMDAHL));
        }
    }
    let machine: Vec<(f64, f64)> =
        w.points.iter().filter_map(|p| Some((p.threads as f64, p.machine_speedup?))).filter(|p| p.1 <= y1).collect();
    if machine.len() >= 2 {
        c.draw_series(DashedLineSeries::new(machine, 2, 3, MACHINE.stroke_width(2)))?
            .label("machine ceiling (plain threads)")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], MACHINE.stroke_width(2)));
    }
    if w.fits.best == Some(Model::Usl)
        && let Some(u) = &w.fits.usl
        && let (Some(sigma), Some(kappa)) = (u.sigma, u.kappa)
    {
        let model = Usl { lambda: 1.0, sigma, kappa };
        let curve: Vec<(f64, f64)> =
            xs.iter().map(|&x| (x, model.at(x))).filter(|p| p.1.is_finite() && p.1 <= y1).collect();
        let peak = u.peak_threads.map(|p| format!(", N* = {p:.1}")).unwrap_or_default();
        c.draw_series(LineSeries::new(curve, USL.stroke_width(2)))?
            .label(format!("USL (best){peak}"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], USL.stroke_width(2)));
    }
    c.draw_series(
        pts.iter().filter_map(|&(x, s, ci)| {
            ci.map(|[lo, hi]| ErrorBar::new_vertical(x, lo, s.clamp(lo, hi), hi, MEASURED, 6))
        }),
    )?;
    c.draw_series(pts.iter().map(|&(x, s, _)| Circle::new((x, s), 4, MEASURED.filled())))?
        .label("measured S(j), 95% CI")
        .legend(|(x, y)| Circle::new((x + 8, y), 4, MEASURED.filled()));
    Ok(())
}

fn draw_simple(area: &Area<'_>, title: &str, y_desc: &str, pts: &[ChartPoint], reference: Option<f64>) -> Drawn {
    let max_j = pts.iter().map(|p| p.0).fold(1.0, f64::max);
    let (x0, x1, log) = x_range(max_j);
    let lo = pts.iter().map(|p| p.2.map_or(p.1, |c| c[0])).fold(0.0, f64::min);
    let hi = pts.iter().map(|p| p.2.map_or(p.1, |c| c[1])).chain(reference).fold(0.1, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(area);
    chart.caption(title, ("sans-serif", 16)).margin(8).x_label_area_size(36).y_label_area_size(48);
    macro_rules! body {
        ($c:expr, $x_desc:expr) => {{
            let c = &mut $c;
            c.configure_mesh().x_desc($x_desc).y_desc(y_desc).light_line_style(WHITE).draw()?;
            if let Some(r) = reference {
                c.draw_series(DashedLineSeries::new([(x0.max(1.0), r), (x1, r)], 4, 4, IDEAL.stroke_width(1)))?;
            }
            c.draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.1)), MEASURED.stroke_width(1)))?;
            c.draw_series(pts.iter().filter_map(|&(x, y, ci)| {
                ci.map(|[a, b]| ErrorBar::new_vertical(x, a, y.clamp(a, b), b, MEASURED, 6))
            }))?;
            c.draw_series(pts.iter().map(|&(x, y, _)| Circle::new((x, y), 4, MEASURED.filled())))?;
        }};
    }
    if log {
        let mut c = chart.build_cartesian_2d((x0..x1).log_scale().base(2.0), lo..hi)?;
        body!(c, "threads (log scale)");
    } else {
        let mut c = chart.build_cartesian_2d(x0..x1, lo..hi)?;
        body!(c, "threads");
    }
    Ok(())
}

const PALETTE: [RGBColor; 6] =
    [MEASURED, AMDAHL, USL, RGBColor(148, 103, 189), RGBColor(255, 127, 14), RGBColor(23, 190, 207)];

fn draw_overlay(area: &Area<'_>, title: &str, curves: &[Series]) -> Drawn {
    let max_j = curves.iter().flat_map(|c| c.1.iter().map(|p| p.0)).fold(1.0, f64::max);
    let (x0, x1, log) = x_range(max_j);
    let top = curves.iter().flat_map(|c| c.1.iter().map(|p| p.2.map_or(p.1, |ci| ci[1]))).fold(1.0, f64::max);
    let y1 = (top * 1.1).max(1.2);
    let mut chart = ChartBuilder::on(area);
    chart.caption(title, ("sans-serif", 16)).margin(8).x_label_area_size(36).y_label_area_size(48);
    macro_rules! body {
        ($c:expr, $x_desc:expr) => {{
            let c = &mut $c;
            c.configure_mesh().x_desc($x_desc).y_desc("speedup").light_line_style(WHITE).draw()?;
            let ideal: Vec<(f64, f64)> = grid(x0, x1, log).into_iter().filter(|&x| x < y1).map(|x| (x, x)).collect();
            c.draw_series(LineSeries::new(ideal, IDEAL.stroke_width(1)))?
                .label("ideal S = j")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], IDEAL));
            for (i, (label, pts)) in curves.iter().enumerate() {
                let colour = PALETTE[i % PALETTE.len()];
                c.draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.1)), colour.stroke_width(2)))?
                    .label(label.clone())
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
                c.draw_series(pts.iter().filter_map(|&(x, y, ci)| {
                    ci.map(|[a, b]| ErrorBar::new_vertical(x, a, y.clamp(a, b), b, colour, 6))
                }))?;
                c.draw_series(pts.iter().map(|&(x, y, _)| Circle::new((x, y), 3, colour.filled())))?;
            }
            c.configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(IDEAL)
                .draw()?;
        }};
    }
    if log {
        let mut c = chart.build_cartesian_2d((x0..x1).log_scale().base(2.0), 0.0..y1)?;
        body!(c, "threads (log scale)");
    } else {
        let mut c = chart.build_cartesian_2d(x0..x1, 0.0..y1)?;
        body!(c, "threads");
    }
    Ok(())
}
