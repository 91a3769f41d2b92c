//! Progress events. The library never prints: it tells an [`Observer`] what happened, between
//! samples (never inside a timed one), and the binary decides how to show it.

use std::time::Duration;

use crate::results::{Ceilings, WorkloadResult};

/// Receives progress events from a run.
pub trait Observer {
    /// Workload `index` of `total` is about to be prepared.
    fn workload_started(&mut self, _name: &str, _index: usize, _total: usize) {}
    /// A round finished: `rounds` done so far; `worst_half_width` is the largest relative CI
    /// half-width of S(j) (once there are two rounds); time spent and allowed for this workload.
    fn round_finished(&mut self, _rounds: usize, _worst_half_width: Option<f64>, _spent: Duration, _allowed: Duration) {
    }
    /// A workload is done (or failed).
    fn workload_finished(&mut self, _result: &WorkloadResult) {}
    /// The machine's ceilings were measured (or recalled from the cache).
    fn ceilings_measured(&mut self, _ceilings: &Ceilings) {}
    /// A warning to show now.
    fn warning(&mut self, _message: &str) {}
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {}
