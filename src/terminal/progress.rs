//! The progress bar on stderr: one line per workload, redrawn only when the sweep reports a finished
//! round (between samples, never inside a timed one), hidden when stderr is not a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::report::printable;
use crate::results::WorkloadResult;
use crate::sweep::Observer;

/// Draws progress with indicatif, or prints only warnings when quiet.
pub struct Bar {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Bar {
    /// A bar on stderr; `quiet` shows none.
    pub fn new(quiet: bool) -> Bar {
        Bar { bar: None, quiet }
    }
}

impl Observer for Bar {
    fn workload_started(&mut self, name: &str, index: usize, total: usize) {
        if self.quiet {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>18} [{bar:30}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(format!("{}/{} {}", index + 1, total, printable(name)));
        bar.set_message("preparing and warming up");
        self.bar = Some(bar);
    }

    fn round_finished(&mut self, rounds: usize, worst: Option<f64>, spent: Duration, allowed: Duration) {
        if let Some(bar) = &self.bar {
            let share = spent.as_secs_f64() / allowed.as_secs_f64().max(1e-9);
            bar.set_position((share.min(1.0) * 1000.0) as u64);
            let ci = worst.map(|w| format!(", widest S CI +-{:.1}%", w * 100.0)).unwrap_or_default();
            bar.set_message(format!("round {rounds}{ci}"));
        }
    }

    fn workload_finished(&mut self, _result: &WorkloadResult) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn warning(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| super::colour::warning(message)),
            None => super::colour::warning(message),
        }
    }
}
