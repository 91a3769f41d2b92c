//! `Fits`: every model fitted to one curve, which of them explains it best, and how each interval
//! was computed. These are the typed results of fitting; `results` writes them into the file as
//! they are (their serde names are the file's field names and values).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AmdahlEstimate, AmdahlFit, Curve, GustafsonEstimate, GustafsonFit, KarpFlattTrend, UslEstimate, UslFit};

/// The fitted models of a workload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Fits {
    /// Amdahl's law (strong scaling).
    pub amdahl: Option<AmdahlFit>,
    /// The Universal Scalability Law (strong scaling).
    #[serde(default)]
    pub usl: Option<UslFit>,
    /// Gustafson's law (weak scaling).
    #[serde(default)]
    pub gustafson: Option<GustafsonFit>,
    /// The better model on these points; null when none fitted.
    #[serde(default)]
    pub best: Option<Model>,
    /// The p-value of the F test of Amdahl's law (kappa = 0) against the USL on the same points
    /// (the USL is chosen when it is below 0.05); null when it cannot be computed.
    #[serde(default)]
    pub usl_p_value: Option<f64>,
    /// Whether Karp–Flatt e(j) rises with j beyond noise.
    #[serde(default)]
    pub karp_flatt_trend: Option<KarpFlattTrend>,
    /// What the speedups of the fitted curve are relative to; null when nothing was fitted.
    #[serde(default)]
    pub speedup_baseline: Option<SpeedupBaseline>,
    /// The loss Amdahl's law and the USL were fitted with, which their intervals and the F test
    /// share: `log` (least squares on ln cost, the default; absent from a file means `log`) or
    /// `absolute` (least squares on the measured values, `measure fit --loss absolute`).
    #[serde(default, skip_serializing_if = "Loss::is_log")]
    pub loss: Loss,
}

impl Fits {
    /// Amdahl's estimate, when it was fitted.
    pub fn amdahl_fitted(&self) -> Option<&AmdahlEstimate> {
        self.amdahl.as_ref()?.fitted()
    }

    /// The USL's estimate, when it was fitted.
    pub fn usl_fitted(&self) -> Option<&UslEstimate> {
        self.usl.as_ref()?.fitted()
    }

    /// Gustafson's estimate, when it was fitted.
    pub fn gustafson_fitted(&self) -> Option<&GustafsonEstimate> {
        self.gustafson.as_ref()?.fitted()
    }
}

/// The loss of the estimation frame (`frame`): what the least squares of Amdahl's law and the USL
/// minimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// Squared residuals of ln cost: timing noise is multiplicative, so every point weighs alike
    /// whatever its size. The default.
    #[default]
    Log,
    /// Squared residuals of the measured values (throughput X(N), speedup S(j), or the rate 1/T of
    /// times) with the scale free: X(N) = gamma N / (1 + sigma (N - 1) + kappa N (N - 1)), as R's
    /// `usl` package (version 2 and later) fits it with `nls` (our paired-round speedups keep
    /// their scale fixed at 1, as under the log loss).
    Absolute,
}

impl Loss {
    /// Whether this is the default, [`Loss::Log`] (which files leave out).
    pub fn is_log(&self) -> bool {
        *self == Loss::Log
    }

    /// The name in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Loss::Log => "log",
            Loss::Absolute => "absolute",
        }
    }
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a fitted curve's speedups S(j) are relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SpeedupBaseline {
    /// The measured time (or throughput) at j = 1: S(j) = T(1)/T(j).
    Measured,
    /// A fitted scale: there is no point at j = 1, so S(N) = X(N)/lambda with the USL's fitted
    /// throughput at one thread, lambda.
    Fitted,
}

impl SpeedupBaseline {
    /// The baseline of `curve`'s speedups: measured when it has a point at j = 1.
    pub fn of(curve: &Curve) -> SpeedupBaseline {
        if curve.threads.first() == Some(&1) { SpeedupBaseline::Measured } else { SpeedupBaseline::Fitted }
    }
}

/// A model of the speedup curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// Amdahl's law, S(j) = 1/(B + (1-B)/j).
    Amdahl,
    /// The Universal Scalability Law.
    Usl,
    /// Gustafson's law (weak scaling).
    Gustafson,
}

impl Model {
    /// The name in results files and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Amdahl => "amdahl",
            Model::Usl => "usl",
            Model::Gustafson => "gustafson",
        }
    }
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a 95% confidence interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CiMethod {
    /// Percentile interval of the parameter refitted on bootstrap replicates of the curve.
    Bootstrap,
    /// Estimate +- t(0.975; dof) x standard error from the residuals (one sample per point).
    T,
    /// Two-sided t interval from the Gauss–Newton covariance of the parameters (USL).
    CovarianceT,
}
