//! The built-in workloads, one file each. See the catalogue in the crate's `ALL`.

pub mod contended;
pub mod mc_pi;
pub mod newton;
pub mod primes;
pub mod sleep;
pub mod synthetic;
pub mod three_body;
pub mod triad;

/// Runs `workload` with `params` at j in {1, 2, 3, 4, 7} on both backends and asserts that every
/// checksum equals `reference`, the checksum of a plain serial implementation.
#[cfg(test)]
pub(crate) fn assert_parallel_equals_serial(workload: &dyn crate::Workload, params: &str, reference: crate::Checksum) {
    let params = crate::Params::parse(workload, params).unwrap();
    let mut instance = workload.prepare(&params).unwrap();
    for backend in crate::Backend::ALL {
        for j in [1, 2, 3, 4, 7] {
            let team = crate::Team::new(j, backend).unwrap();
            assert_eq!(instance.run(&team), reference, "{} at j={j} on {backend}", workload.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Params, Workload};

    /// The reference parallel workloads at their default sizes have tasks enough that
    /// T / ceil(T / j) >= 0.98 j for every j up to 1024: their decomposition never caps a plan
    /// or a speedup by more than 2% on a machine of 1024 CPUs.
    #[test]
    fn default_sizes_decompose_for_1024_cpus() {
        let four: [&dyn Workload; 4] =
            [&super::primes::Primes, &super::mc_pi::McPi, &super::synthetic::Synthetic, &super::triad::Triad];
        for workload in four {
            let tasks = workload.parallelism(&Params::parse(workload, "").unwrap()).unwrap();
            for j in 1..=1024 {
                let bound = tasks as f64 / tasks.div_ceil(j) as f64;
                assert!(bound >= 0.98 * j as f64, "{} has {tasks} tasks: {bound:.1} at j = {j}", workload.name());
            }
            assert_eq!(workload.version(), 2, "{}", workload.name());
        }
        assert_eq!(super::newton::Newton.version(), 1);
    }
}
