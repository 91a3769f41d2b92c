//! The run-to-run noise floor: how much a figure moves between two runs of the same work on the
//! same quiet machine, beyond what either run's own samples show.
//!
//! # Why a floor, and not blocks
//! A run's bootstrap resamples its rounds, so its intervals describe that run. Reruns differ by
//! more, and the part they add is invisible from inside a run. Measured on the 2-CPU development
//! machine (10 back-to-back runs each of `primes`, `synthetic`, an `xz` command and a sleeping
//! script; the table is in the README's "Comparing runs"):
//! - **T(1)** of in-process work moves by a standard deviation of about 2% between runs (two
//!   clusters about 4% apart, one per process), while within a run it moves by 0.2-0.4%, even
//!   between the first and last quarter of its rounds. Rebuilding teams between blocks of rounds
//!   would not see it: it belongs to the process (code and heap placement, the CPUs the VM got).
//! - **S(j)** of in-process work varies between runs no more than its interval says; a command
//!   that reads files (`xz`) adds 2-4% between runs.
//!
//! The two kinds of work differ, so the floor has a profile for each: in-process work varies in
//! T(1) (the process's own placement) and hardly in S; a command, a fresh process every sample,
//! averages placement out of T(1) but varies in S.
//!
//! So the floor is a per-machine constant, measured by reruns (`scripts/noise-floor/`), recorded
//! in every results file (`config.noise_floor`), and added to what the samples show (independent
//! errors add in quadrature, on the log scale: the floor is relative): the intervals of T(j) and
//! S(j) in the file, the bootstrap replicates the laws are fitted to (so B's interval sees it
//! too), and so each test of `measure compare`, which combines both files' intervals. Files
//! without the field count as measured without a floor (their intervals are what they were).
//!
//! What reads those intervals reads the floor too: the verdict (the shape's noise and whether a
//! law fits within it, so a command's curve needs a larger effect to be called a shape) and the
//! check that a workload beat the machine's ceiling "beyond noise". What does not: the stop rule
//! (`--ci-target` is met by the run's own interval, which more rounds can narrow and the floor
//! cannot) and the adaptive placement of new thread counts (point estimates).
//!
//! The default ([`NoiseFloors::DEFAULT`]) is the development machine's; `measure run
//! --noise-floor TIME,SPEEDUP` records another machine's, measured the same way.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The 97.5% quantile of the standard normal: a 95% interval is +- this many standard deviations.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Relative standard deviations of a run-level effect on T(j) and on S(j) (0.02 = 2%). The model:
/// a rerun multiplies T(1) by a log-normal factor of sd `time`, and each S(j), j > 1, by an
/// independent one of sd `speedup`; so T(j) = T(1) / S(j) moves by both, in quadrature
/// ([`NoiseFloor::time_at`]). Independent across j is the cautious choice for B: a factor shared
/// by every j would move B less.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct NoiseFloor {
    /// Of the time per run, T(j) (and so of T(1) ratios between runs).
    pub time: f64,
    /// Of the speedup S(j), j > 1.
    pub speedup: f64,
}

impl NoiseFloor {
    /// No run-level noise: what files without a floor were measured with.
    pub const NONE: NoiseFloor = NoiseFloor { time: 0.0, speedup: 0.0 };

    /// The largest accepted value of either: a floor of 50% would make every interval useless.
    pub const MAX: f64 = 0.5;

    /// Parses `TIME,SPEEDUP` (`2.5%,1.5%` or `0.025,0.015`; one value sets both; `0` is none).
    /// Messages name the part at fault (`TIME`, `SPEEDUP`) and never repeat the value, which
    /// the caller's message names.
    pub fn parse(text: &str) -> Result<NoiseFloor, String> {
        let value = |part: &str, which: &str| -> Result<f64, String> {
            let part = part.trim();
            let (number, scale) = match part.strip_suffix('%') {
                Some(n) => (n.trim(), 0.01),
                None => (part, 1.0),
            };
            let v = number.parse::<f64>().map_err(|_| format!("{which}is not a number or a percentage"))? * scale;
            if v.is_finite() && (0.0..=NoiseFloor::MAX).contains(&v) {
                Ok(v.abs())
            } else {
                Err(format!("{which}is out of range (0 to 50%)"))
            }
        };
        match text.split(',').collect::<Vec<_>>().as_slice() {
            [both] => value(both, "").map(|v| NoiseFloor { time: v, speedup: v }),
            [time, speedup] => Ok(NoiseFloor {
                time: value(time, &format!("its TIME part `{}` ", time.trim()))?,
                speedup: value(speedup, &format!("its SPEEDUP part `{}` ", speedup.trim()))?,
            }),
            _ => Err("give TIME,SPEEDUP (for example 2.5%,1.5%) or one value for both".to_owned()),
        }
    }

    /// The floor of T(j): the time floor at j = 1, with the speedup floor beyond.
    pub fn time_at(&self, threads: usize) -> f64 {
        if threads > 1 { self.time.hypot(self.speedup) } else { self.time }
    }

    /// Whether both parts are finite and in range (what a file may hold).
    pub fn is_valid(&self) -> bool {
        [self.time, self.speedup].iter().all(|v| v.is_finite() && (0.0..=NoiseFloor::MAX).contains(v))
    }
}

/// The floor of each kind of work: in-process workloads and external commands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct NoiseFloors {
    /// Of workloads that run in the measuring process (built-ins, a bench's closures).
    pub in_process: NoiseFloor,
    /// Of `--cmd` commands (a process per sample).
    pub command: NoiseFloor,
}

impl NoiseFloors {
    /// No run-level noise for either.
    pub const NONE: NoiseFloors = NoiseFloors { in_process: NoiseFloor::NONE, command: NoiseFloor::NONE };

    /// The development machine's, measured by reruns (standard deviation between runs, less the
    /// runs' own, over two batches of ten): in-process T(1) moved by 1.9-2.1% and S by nothing
    /// measurable (under 0.5%); an `xz` command's T(1) by 1.1% and 4.3% (one run 13% slow), its S
    /// by 1.8% and 3.7%, a sleeping script's by at most 1.1%. So 2.5% and 0.5% in-process, 2% and
    /// 3% for commands (checked on a third batch: README, "Comparing runs").
    pub const DEFAULT: NoiseFloors = NoiseFloors {
        in_process: NoiseFloor { time: 0.025, speedup: 0.005 },
        command: NoiseFloor { time: 0.02, speedup: 0.03 },
    };

    /// One floor for both kinds of work (`--noise-floor`).
    pub fn both(floor: NoiseFloor) -> NoiseFloors {
        NoiseFloors { in_process: floor, command: floor }
    }

    /// The floor of a workload: a command's or in-process.
    pub fn of(&self, command: bool) -> NoiseFloor {
        if command { self.command } else { self.in_process }
    }

    /// Whether both floors are valid.
    pub fn is_valid(&self) -> bool {
        self.in_process.is_valid() && self.command.is_valid()
    }
}

/// `ci` (a 95% interval around the positive `estimate`) widened by a relative standard deviation
/// `sd` added in quadrature on the log scale, side by side (a percentile interval may be
/// lopsided). Unchanged when `sd` is 0 or the interval is not positive.
pub fn widen(ci: [f64; 2], estimate: f64, sd: f64) -> [f64; 2] {
    if sd.is_nan() || sd <= 0.0 || !(estimate > 0.0 && ci[0] > 0.0 && ci[1] > 0.0) {
        return ci;
    }
    let extra = (Z95 * sd).powi(2);
    let below = (estimate / ci[0]).ln().max(0.0);
    let above = (ci[1] / estimate).ln().max(0.0);
    [estimate / (below * below + extra).sqrt().exp(), estimate * (above * above + extra).sqrt().exp()]
}

/// A standard normal draw from two uniforms in (0, 1] x [0, 1) (Box–Muller).
pub fn standard_normal(u1: f64, u2: f64) -> f64 {
    (-2.0 * u1.max(f64::MIN_POSITIVE).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percentages_fractions_and_refuses_the_rest() {
        assert_eq!(NoiseFloor::parse("2.5%,1.5%").unwrap(), NoiseFloor { time: 0.025, speedup: 0.015 });
        assert_eq!(NoiseFloor::parse("0.02, 0.01").unwrap(), NoiseFloor { time: 0.02, speedup: 0.01 });
        assert_eq!(NoiseFloor::parse("0").unwrap(), NoiseFloor::NONE);
        for bad in ["", "x", "60%", "-1%", "1,2,3", "nan", "inf"] {
            assert!(NoiseFloor::parse(bad).is_err(), "{bad}");
        }
        // The message names the part at fault, never the whole value again (the caller does).
        assert_eq!(NoiseFloor::parse("nan").unwrap_err(), "is out of range (0 to 50%)");
        assert_eq!(NoiseFloor::parse("1%,x").unwrap_err(), "its SPEEDUP part `x` is not a number or a percentage");
        assert_eq!(NoiseFloor::parse("-0").unwrap().time.to_bits(), 0.0_f64.to_bits());
        assert!(NoiseFloors::DEFAULT.is_valid() && !NoiseFloor { time: f64::NAN, speedup: 0.0 }.is_valid());
        assert_eq!(NoiseFloors::DEFAULT.of(true), NoiseFloors::DEFAULT.command);
    }

    #[test]
    fn widening_adds_in_quadrature_on_the_log_scale() {
        // No own width: the floor alone, +-1.96 sd.
        let [lo, hi] = widen([2.0, 2.0], 2.0, 0.01);
        assert!(((hi / 2.0).ln() - Z95 * 0.01).abs() < 1e-12 && ((2.0 / lo).ln() - Z95 * 0.01).abs() < 1e-12);
        // An own half-width of 3 sd and a floor of 4 sd: 5 sd.
        let own = (Z95 * 0.03_f64).exp();
        let [_, hi] = widen([2.0 / own, 2.0 * own], 2.0, 0.04);
        assert!(((hi / 2.0).ln() - Z95 * 0.05).abs() < 1e-12, "{hi}");
        // Nothing to widen, or nothing to widen with.
        assert_eq!(widen([1.0, 3.0], 2.0, 0.0), [1.0, 3.0]);
        assert_eq!(widen([-1.0, 3.0], 2.0, 0.1), [-1.0, 3.0]);
    }

    #[test]
    fn normal_draws_have_unit_spread() {
        let n = 20_000;
        let draws: Vec<f64> =
            (0..n).map(|i| standard_normal((i as f64 + 0.5) / n as f64, ((i * 7919) % n) as f64 / n as f64)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let sd = (draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!(mean.abs() < 0.03 && (sd - 1.0).abs() < 0.03, "{mean} {sd}");
    }
}
