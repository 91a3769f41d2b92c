//! Statistics of samples: robust summaries, a seeded percentile bootstrap, the paired speedup, and
//! the run-to-run noise floor added to a run's own intervals (`noise_floor`), the machine's states
//! within a run (`states`: the spread between stretches of rounds, a shift of level), and the
//! spread between a workload's reruns on one machine, measured from its earlier runs (`reruns`).

mod bootstrap;
pub mod noise_floor;
pub mod reruns;
mod speedup;
pub mod states;
mod summary;

pub use bootstrap::{Bootstrap, MAX_RESAMPLE_SIZE, RESAMPLES, percentile, resample_size};
pub use noise_floor::{NoiseFloor, NoiseFloors};
pub use speedup::{PairedSpeedup, paired_speedup};
pub use summary::{Summary, mad, mean, median, sd};

/// `Some(x)` for finite `x`, else `None`: results never hold NaN or infinities.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
