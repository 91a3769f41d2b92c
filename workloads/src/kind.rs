//! What kind of scaling curve a workload is expected to show.

use std::fmt;

/// The kind of a workload: tells the fitter and the diagnosis what to expect, and whether points
/// beyond the usable CPU count belong in the fit (only for [`Kind::IoBound`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Kind {
    /// Embarrassingly parallel: independent tasks, S(j) ~ j.
    Parallel,
    /// Inherently sequential: each step needs the last, S(j) ~ 1 or below.
    Sequential,
    /// Threads mostly wait (sleep, I/O): scales past the core count.
    IoBound,
    /// Limited by memory bandwidth: saturates early.
    MemoryBound,
    /// Threads fight over a shared resource (a lock): retrograde.
    Contended,
    /// A known serial fraction by construction: S(j) = 1/(B + (1-B)/j).
    Synthetic,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 6] =
        [Kind::Parallel, Kind::Sequential, Kind::IoBound, Kind::MemoryBound, Kind::Contended, Kind::Synthetic];

    /// The kebab-case name used on the command line and in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Parallel => "parallel",
            Kind::Sequential => "sequential",
            Kind::IoBound => "io-bound",
            Kind::MemoryBound => "memory-bound",
            Kind::Contended => "contended",
            Kind::Synthetic => "synthetic",
        }
    }

    /// Parses the name written by [`Kind::as_str`].
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Whether threads of this kind mostly wait rather than compute, so that points beyond the
    /// usable CPU count are meaningful.
    pub fn waits(self) -> bool {
        self == Kind::IoBound
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::from_name("quantum"), None);
    }
}
