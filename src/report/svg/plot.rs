//! The charts drawn with plotters (the `charts` feature, on by default): [`super`] says what
//! each shows.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ChartPoint, Overlay, SIZE, combined, escape};
use crate::fit::{Model, amdahl, frame};
use crate::results::WorkloadResult;
use crate::scaling::Scaling;
use crate::thread_set::CpuCounts;

const LEGEND_WIDTH: u32 = 190;

const MEASURED: RGBColor = RGBColor(31, 119, 180);
const AMDAHL: RGBColor = RGBColor(214, 39, 40);
const USL: RGBColor = RGBColor(44, 160, 44);
const IDEAL: RGBColor = RGBColor(120, 120, 120);
const CORES: RGBColor = RGBColor(255, 127, 14);
const SHADE: RGBColor = RGBColor(235, 235, 235);
const MACHINE: RGBColor = RGBColor(148, 103, 189);
const SPAN: RGBColor = RGBColor(140, 86, 75);

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
enum Swatch {
    Line(RGBColor, u32),
    Dashed(RGBColor),
    Dotted(RGBColor),
    Dot(RGBColor),
    Shade(RGBColor),
    /// A thin line through a hollow triangle: points marked on a line.
    Triangle(RGBColor),
}

type Legend = Vec<(String, Swatch)>;

/// The speedup chart of `w`.
pub(super) fn speedup_chart(w: &WorkloadResult, cores: CpuCounts) -> String {
    render(|plot, legend| draw_speedup(plot, legend, w, cores))
}

/// The efficiency chart of `w`: E(j) = S(j)/j.
pub(super) fn efficiency_chart(w: &WorkloadResult) -> String {
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
    let title = format!("{}: efficiency S/j", w.name);
    render(|plot, legend| draw_simple(plot, legend, &title, "efficiency", &pts, Some((1.0, "E = 1: linear"))))
}

/// The Karp–Flatt chart of `w`: e(j) at j > 1 with CIs.
pub(super) fn karp_flatt_chart(w: &WorkloadResult) -> String {
    let pts: Vec<ChartPoint> =
        w.points.iter().filter_map(|p| Some((p.threads as f64, p.karp_flatt?, p.karp_flatt_ci95))).collect();
    let title = format!("{}: Karp-Flatt e(j)", w.name);
    render(|plot, legend| draw_simple(plot, legend, &title, "serial fraction e(j)", &pts, None))
}

/// Speedup curves of several machines on one chart, one colour each, for `measure compare`:
/// points with CIs, each machine's fitted model and its own ceiling.
pub(super) fn overlay_chart(title: &str, curves: &[Overlay]) -> String {
    render(|plot, legend| draw_overlay(plot, legend, title, curves))
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = Result<Legend, Box<dyn std::error::Error>>;

fn render(draw: impl FnOnce(&Area<'_>, &Area<'_>) -> Drawn) -> String {
    let mut svg = String::new();
    let outcome = {
        let area = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let (plot, legend_area) = area.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        area.fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&plot, &legend_area).map_err(|e| e.to_string()))
            .and_then(|legend| draw_legend(&legend_area, &legend).map_err(|e| e.to_string()))
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

/// The legend, top down, in its own area: a swatch, then the label wrapped to the width.
fn draw_legend(area: &Area<'_>, legend: &Legend) -> Result<(), Box<dyn std::error::Error>> {
    let style = ("sans-serif", 12).into_font().color(&BLACK);
    let mut y = 40;
    for (label, swatch) in legend {
        let (x, mid) = (4, y + 6);
        match *swatch {
            Swatch::Line(c, width) => area.draw(&PathElement::new([(x, mid), (x + 18, mid)], c.stroke_width(width)))?,
            Swatch::Dashed(c) => {
                area.draw(&PathElement::new([(x, mid), (x + 7, mid)], c.stroke_width(2)))?;
                area.draw(&PathElement::new([(x + 11, mid), (x + 18, mid)], c.stroke_width(2)))?;
            }
            Swatch::Dotted(c) => {
                for dx in [0, 6, 12] {
                    area.draw(&PathElement::new([(x + dx, mid), (x + dx + 3, mid)], c.stroke_width(2)))?;
                }
            }
            Swatch::Dot(c) => area.draw(&Circle::new((x + 9, mid), 4, c.filled()))?,
            Swatch::Triangle(c) => {
                area.draw(&PathElement::new([(x, mid), (x + 18, mid)], c.stroke_width(1)))?;
                area.draw(&TriangleMarker::new((x + 9, mid), 5, c.stroke_width(1)))?
            }
            Swatch::Shade(c) => area.draw(&Rectangle::new([(x, mid - 5), (x + 18, mid + 5)], c.filled()))?,
        }
        for line in wrap(label, 26) {
            area.draw(&Text::new(line, (x + 24, y), style.clone()))?;
            y += 15;
        }
        y += 6;
    }
    Ok(())
}

/// `text` in lines of at most `width` characters, broken at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// The x range and whether it is logarithmic: base 2 when every count is a power of two up to 8
/// or more, or the largest exceeds 32.
fn x_range(counts: &[f64]) -> (f64, f64, bool) {
    let max_j = counts.iter().copied().fold(1.0, f64::max);
    let powers = counts.iter().all(|&j| j >= 1.0 && (j as u64).is_power_of_two() && j.fract() == 0.0);
    let log = max_j > 32.0 || (powers && max_j >= 8.0);
    if log { (0.8, max_j * 1.25, true) } else { (0.0, (max_j + 1.0).max(2.0), false) }
}

/// Thread-count tick labels: whole numbers only.
fn integer_label(x: &f64) -> String {
    let rounded = x.round();
    if (x - rounded).abs() < 1e-6 && rounded >= 1.0 { format!("{rounded:.0}") } else { String::new() }
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

/// Builds the chart of `area` on an x axis of `counts` (linear or log 2) and runs `$body` with it.
macro_rules! with_axes {
    ($area:expr, $title:expr, $counts:expr, $y:expr, $y_desc:expr, |$c:ident, $x0:ident, $x1:ident, $log:ident| $body:block) => {{
        let ($x0, $x1, $log) = x_range($counts);
        let mut chart = ChartBuilder::on($area);
        chart.caption($title, ("sans-serif", 16)).margin(8).x_label_area_size(36).y_label_area_size(48);
        let x_desc = if $log { "threads (log 2 scale)" } else { "threads" };
        if $log {
            let mut $c = chart.build_cartesian_2d(($x0..$x1).log_scale().base(2.0), $y)?;
            $c.configure_mesh()
                .x_desc(x_desc)
                .y_desc($y_desc)
                .x_label_formatter(&integer_label)
                .light_line_style(WHITE)
                .draw()?;
            $body
        } else {
            let ticks = (($x1 - $x0) as usize + 1).min(12);
            let mut $c = chart.build_cartesian_2d($x0..$x1, $y)?;
            $c.configure_mesh()
                .x_desc(x_desc)
                .y_desc($y_desc)
                .x_labels(ticks)
                .x_label_formatter(&integer_label)
                .light_line_style(WHITE)
                .draw()?;
            $body
        }
    }};
}

fn draw_speedup(area: &Area<'_>, _legend_area: &Area<'_>, w: &WorkloadResult, cores: CpuCounts) -> Drawn {
    let pts: Vec<ChartPoint> =
        w.points.iter().filter_map(|p| Some((p.threads as f64, p.speedup?, p.speedup_ci95))).collect();
    let counts: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let max_j = counts.iter().copied().fold(1.0, f64::max);
    let top = pts.iter().map(|p| p.2.map_or(p.1, |c| c[1])).fold(1.0, f64::max);
    let ideal_top = if w.scaling == Scaling::Weak || top > 0.3 * max_j { max_j } else { top };
    let y1 = (top.max(ideal_top) * 1.1).max(1.2);
    let title = format!("{}: speedup S(j)", w.name);
    let efficiencies: Vec<Option<f64>> =
        w.points.iter().filter(|p| p.speedup.is_some()).map(|p| p.efficiency).collect();
    let label_points = combined(w);
    with_axes!(area, title, &counts, 0.0..y1, "speedup", |c, x0, x1, log| {
        let mut legend = Legend::new();
        if counts.iter().any(|&j| j > cores.usable as f64) {
            let from = if log { cores.usable as f64 * 1.1 } else { cores.usable as f64 + 0.5 };
            c.draw_series(std::iter::once(Rectangle::new([(from, 0.0), (x1, y1)], SHADE.filled())))?;
            legend.push((format!("oversubscribed (> {} usable CPUs)", cores.usable), Swatch::Shade(SHADE)));
        }
        // The core count matters where SMT siblings begin: below the usable CPUs.
        if cores.physical < cores.usable && (cores.physical as f64) < x1 && cores.physical > 1 {
            let p = cores.physical as f64;
            c.draw_series(DashedLineSeries::new([(p, 0.0), (p, y1)], 8, 3, CORES.stroke_width(2)))?;
            legend.push((format!("{} physical cores", cores.physical), Swatch::Dashed(CORES)));
        }
        let xs = grid(x0, x1, log);
        let ideal: Vec<(f64, f64)> = xs.iter().map(|&x| (x, x.min(y1))).filter(|p| p.1 < y1).collect();
        c.draw_series(LineSeries::new(ideal, IDEAL.stroke_width(1)))?;
        legend.push(("ideal S = j".to_owned(), Swatch::Line(IDEAL, 1)));
        let machine: Vec<(f64, f64)> = w
            .points
            .iter()
            .filter_map(|p| Some((p.threads as f64, p.machine_speedup?)))
            .filter(|p| p.1 <= y1)
            .collect();
        if machine.len() >= 2 {
            c.draw_series(DashedLineSeries::new(machine, 2, 4, MACHINE.stroke_width(2)))?;
            legend.push(("machine ceiling (plain pinned threads)".to_owned(), Swatch::Dotted(MACHINE)));
        }
        // A law is drawn solid over the measured counts and dotted past them (an extrapolation,
        // said in the legend); a ceiling only where the fit claims one.
        let mut extrapolated = false;
        if let Some(a) = w.fits.amdahl_fitted().filter(|a| a.serial_fraction > -0.5 && a.serial_fraction < 1.0) {
            let b = a.serial_fraction;
            extrapolated |= draw_law(&mut c, &xs, max_j, y1, AMDAHL, |x| amdahl::speedup(b, x))?;
            let best = if w.fits.best == Some(Model::Amdahl) { " (best)" } else { "" };
            legend.push((format!("Amdahl B = {b:.3}{best}"), Swatch::Line(AMDAHL, 2)));
            if let Some(ceiling) = a.ceiling.filter(|c| *c < y1) {
                c.draw_series(DashedLineSeries::new(
                    [(x0.max(1.0), ceiling), (x1, ceiling)],
                    6,
                    4,
                    AMDAHL.stroke_width(1),
                ))?;
                legend.push((format!("ceiling 1/B = {ceiling:.1}"), Swatch::Dashed(AMDAHL)));
            }
        }
        // The work/span bound, measured from the tasks (`account::work_span`): no j can beat it.
        if let Some(bound) = super::super::time_parts::work_span_of(w).map(|ws| ws.bound.share).filter(|b| *b < y1) {
            c.draw_series(DashedLineSeries::new([(x0.max(1.0), bound), (x1, bound)], 3, 3, SPAN.stroke_width(2)))?;
            legend.push((format!("work/span S <= {bound:.1} (measured)"), Swatch::Dashed(SPAN)));
        }
        if w.fits.best == Some(Model::Usl)
            && let Some(u) = w.fits.usl_fitted()
        {
            let model = u.speedup_law();
            extrapolated |= draw_law(&mut c, &xs, max_j, y1, USL, |x| model.at(x))?;
            let peak = u.peak_threads.map(|p| format!(", N* = {p:.1}")).unwrap_or_default();
            legend.push((format!("USL (best){peak}"), Swatch::Line(USL, 2)));
        }
        if extrapolated {
            legend.push((format!("extrapolated past j = {max_j}"), Swatch::Dotted(IDEAL)));
        }
        c.draw_series(pts.iter().filter_map(|&(x, s, ci)| {
            ci.map(|[lo, hi]| ErrorBar::new_vertical(x, lo, s.clamp(lo, hi), hi, MEASURED, 6))
        }))?;
        c.draw_series(pts.iter().map(|&(x, s, _)| Circle::new((x, s), 4, MEASURED.filled())))?;
        if label_points {
            let font = ("sans-serif", 11).into_font().color(&BLACK);
            c.draw_series(pts.iter().zip(&efficiencies).filter_map(|(&(x, s, _), e)| {
                Some(Text::new(format!("S {s:.2}, E {:.2}", (*e)?), (x, s), font.clone()))
            }))?;
        }
        legend.push(("measured S(j), 95% CI".to_owned(), Swatch::Dot(MEASURED)));
        Ok(legend)
    })
}

/// Draws `law` solid over [1, `max_j`] and dotted past it up to the axis; whether a dotted part
/// was drawn.
fn draw_law<'b, CT: CoordTranslate<From = (f64, f64)>>(
    c: &mut ChartContext<'_, SVGBackend<'b>, CT>,
    xs: &[f64],
    max_j: f64,
    y1: f64,
    colour: RGBColor,
    law: impl Fn(f64) -> f64,
) -> Result<bool, DrawingAreaErrorKind<std::io::Error>> {
    let at = |x: f64| (x, law(x));
    let shown = |p: &(f64, f64)| p.1.is_finite() && p.1 <= y1;
    let measured: Vec<(f64, f64)> =
        xs.iter().filter(|&&x| x <= max_j).map(|&x| at(x)).chain([at(max_j)]).filter(shown).collect();
    let beyond: Vec<(f64, f64)> =
        [at(max_j)].into_iter().chain(xs.iter().filter(|&&x| x > max_j).map(|&x| at(x))).filter(shown).collect();
    c.draw_series(LineSeries::new(measured, colour.stroke_width(2)))?;
    let dotted = beyond.len() >= 2;
    if dotted {
        c.draw_series(DashedLineSeries::new(beyond, 2, 4, colour.stroke_width(2)))?;
    }
    Ok(dotted)
}

fn draw_simple(
    area: &Area<'_>,
    _legend_area: &Area<'_>,
    title: &str,
    y_desc: &str,
    pts: &[ChartPoint],
    reference: Option<(f64, &str)>,
) -> Drawn {
    let counts: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let lo = pts.iter().map(|p| p.2.map_or(p.1, |c| c[0])).fold(0.0, f64::min);
    let hi = pts.iter().map(|p| p.2.map_or(p.1, |c| c[1])).chain(reference.map(|r| r.0)).fold(0.1, f64::max) * 1.1;
    with_axes!(area, title, &counts, lo..hi, y_desc, |c, x0, x1, _log| {
        let mut legend = Legend::new();
        if let Some((r, label)) = reference {
            c.draw_series(DashedLineSeries::new([(x0.max(1.0), r), (x1, r)], 4, 4, IDEAL.stroke_width(1)))?;
            legend.push((label.to_owned(), Swatch::Dashed(IDEAL)));
        }
        c.draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.1)), MEASURED.stroke_width(1)))?;
        c.draw_series(
            pts.iter()
                .filter_map(|&(x, y, ci)| ci.map(|[a, b]| ErrorBar::new_vertical(x, a, y.clamp(a, b), b, MEASURED, 6))),
        )?;
        c.draw_series(pts.iter().map(|&(x, y, _)| Circle::new((x, y), 4, MEASURED.filled())))?;
        legend.push(("measured, 95% CI".to_owned(), Swatch::Dot(MEASURED)));
        Ok(legend)
    })
}

const PALETTE: [RGBColor; 6] =
    [MEASURED, AMDAHL, USL, RGBColor(148, 103, 189), RGBColor(255, 127, 14), RGBColor(23, 190, 207)];

fn draw_overlay(area: &Area<'_>, _legend_area: &Area<'_>, title: &str, curves: &[Overlay]) -> Drawn {
    let counts: Vec<f64> = curves.iter().flat_map(|c| c.points.iter().map(|p| p.0)).collect();
    let top = curves.iter().flat_map(|c| c.points.iter().map(|p| p.2.map_or(p.1, |ci| ci[1]))).fold(1.0, f64::max);
    let y1 = (top * 1.1).max(1.2);
    with_axes!(area, title, &counts, 0.0..y1, "speedup", |c, x0, x1, log| {
        let mut legend = Legend::new();
        let xs = grid(x0, x1, log);
        let ideal: Vec<(f64, f64)> = xs.iter().copied().filter(|&x| x < y1).map(|x| (x, x)).collect();
        c.draw_series(LineSeries::new(ideal, IDEAL.stroke_width(1)))?;
        legend.push(("ideal S = j".to_owned(), Swatch::Line(IDEAL, 1)));
        for (i, curve) in curves.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let top_j = curve.points.iter().map(|p| p.0).fold(1.0, f64::max);
            if let Some((sigma, kappa)) = curve.model {
                let fitted: Vec<(f64, f64)> = xs
                    .iter()
                    .filter(|&&x| x <= top_j * 1.05)
                    .map(|&x| (x, 1.0 / frame::g(x, sigma, kappa)))
                    .filter(|p| p.1.is_finite() && p.1 > 0.0 && p.1 <= y1)
                    .collect();
                c.draw_series(LineSeries::new(fitted, colour.stroke_width(2)))?;
            }
            // The machine's ceiling lies near S = j, on the ideal line and the fitted curve: a
            // dashed line alone vanished under them, so each of its points is a triangle too.
            let ceiling: Vec<(f64, f64)> = curve.ceiling.iter().copied().filter(|p| p.1 <= y1).collect();
            if ceiling.len() >= 2 {
                c.draw_series(DashedLineSeries::new(ceiling.clone(), 2, 4, colour.stroke_width(1)))?;
            }
            c.draw_series(ceiling.iter().map(|&p| TriangleMarker::new(p, 5, colour.stroke_width(1))))?;
            c.draw_series(
                curve.points.iter().filter_map(|&(x, y, ci)| {
                    ci.map(|[a, b]| ErrorBar::new_vertical(x, a, y.clamp(a, b), b, colour, 6))
                }),
            )?;
            c.draw_series(curve.points.iter().map(|&(x, y, _)| Circle::new((x, y), 3, colour.filled())))?;
            legend.push((format!("{}: measured, fitted model", curve.label), Swatch::Line(colour, 2)));
            if !ceiling.is_empty() {
                legend.push((
                    format!("{}: machine ceiling (triangles)", curve.label.split(':').next().unwrap_or("")),
                    Swatch::Triangle(colour),
                ));
            }
        }
        Ok(legend)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_axes_show_whole_numbers_and_turn_log_for_powers_of_two() {
        assert_eq!(integer_label(&2.0), "2");
        assert_eq!(integer_label(&1.5), "");
        assert_eq!(integer_label(&16.0000000001), "16");
        assert!(!x_range(&[1.0, 2.0]).2);
        assert!(x_range(&[1.0, 2.0, 4.0, 8.0]).2);
        assert!(!x_range(&[1.0, 2.0, 3.0, 8.0]).2);
        assert!(x_range(&[1.0, 64.0]).2);
    }

    #[test]
    fn legend_labels_wrap_at_spaces() {
        assert_eq!(wrap("oversubscribed (> 4 usable CPUs)", 26), ["oversubscribed (> 4 usable", "CPUs)"]);
        assert_eq!(wrap("short", 26), ["short"]);
    }
}
