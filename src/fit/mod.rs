//! Models of the speedup curve, fitted to measured points, and the verdict on them ([`Verdict`],
//! chosen by `diagnose`) with the sentence rendered from it.
//!
//! Each fitter is a few lines of least squares written here rather than pulled from a numerics crate:
//! Amdahl, Karp–Flatt and Gustafson are linear in their parameter after a change of variables, and
//! the USL has at most three parameters, so the code is short, exact on exact data, and easy to
//! check by hand. Every fitter works on a [`Curve`], which carries bootstrap replicates for CIs.

pub mod amdahl;
pub mod choose;
pub mod curve;
pub mod diagnose;
pub mod diagnosis;
mod fits;
pub mod frame;
pub mod gustafson;
pub mod karp_flatt;
pub mod outcome;
#[cfg(test)]
mod r_parity;
pub mod regimes;
pub mod shape;
#[cfg(test)]
mod shape_simulations;
#[cfg(test)]
mod simulations;
pub mod student_t;
pub mod usl;
pub mod verdict;

pub use amdahl::{AmdahlEstimate, AmdahlFit};
pub use curve::{Curve, Measure, SampleKind};
pub use diagnosis::{Diagnosis, Disturbed, Law, Regime};
pub use fits::{CiMethod, Fits, Loss, Model, SpeedupBaseline};
pub use gustafson::{GustafsonEstimate, GustafsonFit};
pub use karp_flatt::{KarpFlattPoint, KarpFlattTrend};
pub use outcome::{NotFitted, Outcome};
pub use usl::{UslEstimate, UslFit};
pub use verdict::{Undetermined, Verdict};

/// Fits Amdahl's law, the USL and the Karp–Flatt trend to a strong-scaling curve and marks the
/// better of Amdahl and USL.
pub fn fit_curve(curve: &Curve) -> Fits {
    let mut amdahl = amdahl::fit(curve);
    let mut usl = usl::fit(curve);
    let choice = choose::choose(curve, &mut amdahl, &mut usl);
    let usl_significant =
        choice.p_value.is_some_and(|p| p < choose::ALPHA) && usl.fitted().is_some_and(|u| u.kappa > 0.0);
    Fits {
        amdahl: Some(amdahl),
        usl: Some(usl),
        gustafson: None,
        best: choice.best,
        usl_p_value: choice.p_value,
        karp_flatt_trend: karp_flatt::trend(curve, usl_significant),
        speedup_baseline: Some(SpeedupBaseline::of(curve)),
        loss: curve.loss,
    }
}

/// Fits Gustafson's law to a weak-scaling curve of scaled speedups.
pub fn fit_weak_curve(curve: &Curve) -> Fits {
    let gustafson = gustafson::fit(curve);
    let best = gustafson.fitted().map(|_| Model::Gustafson);
    Fits {
        amdahl: None,
        usl: None,
        gustafson: Some(gustafson),
        best,
        usl_p_value: None,
        karp_flatt_trend: None,
        speedup_baseline: Some(SpeedupBaseline::of(curve)),
        loss: Loss::Log,
    }
}
