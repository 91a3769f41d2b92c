//! Blame for idle time: which functions kept the other workers waiting, dividing the account's
//! serial and imbalance parts among them (`functions` tallies it; the method is in its docs).
//!
//! A function's **share** of a part is its blame over the blame of every function in that part;
//! times the part's share of j x T(j) (`account::TimeParts`) it is points of the thread-time.
//! Run-queue wait is not divided: the account keeps it apart.

use super::functions::{FunctionCpu, Functions};
use crate::account::{Cause, PartName, TimeParts};

/// The idle part a blame divides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blamed {
    /// The others idle while the leader ran serial code.
    Serial,
    /// Workers idle in calls after their last task.
    Imbalance,
}

impl Blamed {
    fn of(self, f: &FunctionCpu) -> u64 {
        match self {
            Blamed::Serial => f.serial_blame_ns,
            Blamed::Imbalance => f.imbalance_blame_ns,
        }
    }
}

/// One function's share of a part's blame.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    /// The function.
    pub function: String,
    /// Its blame over every function's in the part (0..1).
    pub share: f64,
    /// Its blame, idle capacity in thread-nanoseconds per run.
    pub ns_per_run: f64,
}

/// The functions' shares of `part`'s blame, most first; empty when nothing was blamed.
pub fn shares(f: &Functions, part: Blamed) -> Vec<Share> {
    let total = f.functions.iter().fold(0u64, |t, x| t.saturating_add(part.of(x)));
    if total == 0 {
        return Vec::new();
    }
    let runs = f.runs.len().max(1) as f64;
    let mut out: Vec<Share> = f
        .functions
        .iter()
        .filter(|x| part.of(x) > 0)
        .map(|x| Share {
            function: x.function.clone(),
            share: part.of(x) as f64 / total as f64,
            ns_per_run: part.of(x) as f64 / runs,
        })
        .collect();
    out.sort_by(|a, b| b.share.total_cmp(&a.share).then_with(|| a.function.cmp(&b.function)));
    out
}

/// The share of the imbalance blame from which the sentence names one function as its cause.
pub const NAMED: f64 = 0.5;

/// The clause naming the function blamed for the imbalance, when the account's reading (`cause`)
/// is that imbalance grows or is the rest of Amdahl's B, at that point's `functions` and account;
/// `None` otherwise, or when no function holds [`NAMED`] of the blame.
pub fn clause(cause: &Cause, at: Option<&Functions>, parts: Option<&TimeParts>) -> Option<String> {
    let threads = match cause {
        Cause::Grows { part: PartName::Imbalance, threads, .. }
        | Cause::SerialShare { rest_of_b: Some(PartName::Imbalance), threads, .. } => threads,
        _ => return None,
    };
    let top = shares(at?, Blamed::Imbalance).into_iter().next().filter(|s| s.share >= NAMED)?;
    let points = parts
        .map_or(String::new(), |p| format!(", {:.1} points of the thread-time", 100.0 * top.share * p.imbalance.share));
    Some(format!(
        "; the idle time in calls at j={threads} is blamed on `{}` (running while the others waited): {:.0}% of it{points}",
        top.function,
        100.0 * top.share
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::functions::RunCpu;

    fn f(name: &str, serial: u64, imbalance: u64) -> FunctionCpu {
        FunctionCpu {
            function: name.into(),
            inlined: None,
            location: None,
            cpu_ns: vec![1, 1],
            path_ns: vec![0, 0],
            serial_blame_ns: serial,
            imbalance_blame_ns: imbalance,
        }
    }

    #[test]
    fn shares_of_each_part_add_up_to_one() {
        let at = Functions {
            runs: vec![RunCpu { wall_ns: 10, cpu_ns: 10, samples: 1 }; 2],
            functions: vec![f("slow", 0, 900), f("even", 0, 100), f("serial", 400, 0)],
            untimed_samples: 0,
            left_out_ns: Vec::new(),
        };
        let imb = shares(&at, Blamed::Imbalance);
        assert_eq!(imb.iter().map(|s| s.function.as_str()).collect::<Vec<_>>(), ["slow", "even"]);
        assert!((imb[0].share - 0.9).abs() < 1e-12 && (imb[0].ns_per_run - 450.0).abs() < 1e-12);
        let serial = shares(&at, Blamed::Serial);
        assert_eq!((serial.len(), serial[0].share), (1, 1.0));
        let none = Functions { functions: vec![f("x", 0, 0)], ..at };
        assert!(shares(&none, Blamed::Imbalance).is_empty());
    }
}
