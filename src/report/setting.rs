//! How a workload was run, in the words every heading uses: its kind, the team backend (not for a
//! command, which runs its own processes), weak scaling, and its parameters or command. A
//! parameter the workload declares with one possible value (a bench closure's `size`) says
//! nothing and is left out.

use crate::results::WorkloadResult;
use crate::scaling::Scaling;

/// `parallel, rayon; size=1500000`, `parallel, rayon` (a closure), `io-bound; command `xz -T{threads}``.
pub fn setting_words(w: &WorkloadResult) -> String {
    let mut out = w.kind.as_str().to_owned();
    if w.command.is_none() {
        out += ", ";
        out += w.backend.as_str();
    }
    if w.scaling == Scaling::Weak {
        out += ", weak scaling";
    }
    let what: Vec<String> = match &w.command {
        Some(command) => vec![format!("command `{command}`")],
        None => w
            .params
            .iter()
            .filter(|(name, _)| !w.fixed_params.contains(name))
            .map(|(name, value)| format!("{name}={value}"))
            .collect(),
    };
    if !what.is_empty() {
        out += "; ";
        out += &what.join(" ");
    }
    if w.size_calibrated {
        out += ", size calibrated";
    }
    out
}
