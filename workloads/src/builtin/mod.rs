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
