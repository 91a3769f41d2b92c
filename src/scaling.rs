//! `Scaling`: how the amount of work relates to the thread count — strong scaling (Amdahl's law:
//! fixed total work) or weak scaling (Gustafson's law: the work grows with j).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the work relates to the thread count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Scaling {
    /// Fixed total work (Amdahl).
    Strong,
    /// Work grows with j: size x j at j threads (Gustafson).
    Weak,
}

impl Scaling {
    /// The name written to results files.
    pub fn as_str(self) -> &'static str {
        match self {
            Scaling::Strong => "strong",
            Scaling::Weak => "weak",
        }
    }
}

impl std::fmt::Display for Scaling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
