//! `Pin`: where a team's threads run (`--pin none|compact|scatter`), recorded per run.
//!
//! The CPU order each policy gives is computed from the machine's topology by
//! `machine::Topology::placement`; a team pins its worker i to the i-th CPU of that order.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How threads are placed on CPUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Pin {
    /// Not pinned: the operating system's scheduler places and moves threads.
    #[default]
    None,
    /// One socket's physical cores first, then their SMT siblings, then the next socket: threads
    /// share caches and one memory controller as long as they can.
    Compact,
    /// Round-robin over sockets (NUMA nodes where known), physical cores before SMT siblings:
    /// threads get the most cache and memory bandwidth each.
    Scatter,
}

impl Pin {
    /// Every policy.
    pub const ALL: [Pin; 3] = [Pin::None, Pin::Compact, Pin::Scatter];

    /// The name on the command line and in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            Pin::None => "none",
            Pin::Compact => "compact",
            Pin::Scatter => "scatter",
        }
    }

    /// Whether serde may leave the field out (old files have no `pin`).
    pub fn is_none(&self) -> bool {
        *self == Pin::None
    }
}

impl std::fmt::Display for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
