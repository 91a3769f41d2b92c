//! `newton` — inherently sequential iterative: one long chain of Newton steps.
//!
//! Step k solves x^3 = c_k with one Newton step from the previous iterate,
//! x <- x - (x^3 - c_k) / (3 x^2), where c_k = 2 + (k mod 1000)/1000 moves the target so the chain
//! never settles. Each step needs the last, so there is nothing to split: the whole chain is one
//! task, and extra threads only wait. A good machine shows S(j) ~ 1 and a serial fraction B ~ 1.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// One long dependent chain of Newton steps.
pub struct Newton;

const PARAMS: &[ParamSpec] = &[ParamSpec::integer("size", "Newton steps in the chain", 12_000_000, 1, 1 << 40)];

impl Workload for Newton {
    fn name(&self) -> &'static str {
        "newton"
    }
    fn kind(&self) -> Kind {
        Kind::Sequential
    }
    fn description(&self) -> &'static str {
        "one chain of size Newton steps for a moving cube root; each step needs the last"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(NewtonInstance { steps: params.integer("size") }))
    }
    fn parallelism(&self, _params: &Params) -> Option<usize> {
        Some(1)
    }
}

struct NewtonInstance {
    steps: u64,
}

impl Instance for NewtonInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let steps = self.steps;
        Checksum::of_f64s(team.map(1, |_| chain(steps)))
    }
}

/// The dependent chain: returns the last iterate.
fn chain(steps: u64) -> f64 {
    let mut x = 1.0f64;
    for k in 0..steps {
        let c = 2.0 + (k % 1000) as f64 * 1e-3;
        x -= (x * x * x - c) / (3.0 * x * x);
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converges_towards_the_cube_root() {
        // After many steps at a slowly moving target the iterate tracks cbrt(c_k).
        let x = chain(1_000_000);
        let c_last = 2.0 + (999_999 % 1000) as f64 * 1e-3;
        assert!((x - f64::cbrt(c_last)).abs() < 1e-3, "{x}");
    }

    #[test]
    fn parallel_equals_serial_bit_for_bit() {
        crate::builtin::assert_parallel_equals_serial(&Newton, "size=50000", Checksum::of_f64s([chain(50_000)]));
    }
}
