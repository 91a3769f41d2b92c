//! `--target-ms`: find the `size` whose run at j = 1 takes about the target on this machine.
//!
//! Time one run at the current size (after one untimed warm-up), scale the size by target / time,
//! and repeat until a run lands within 20% of the target, at most six times. Sizes stay within the
//! parameter's declared range and are whole where the parameter is. The result is recorded in the
//! results file as `size_calibrated: true`; such runs compare only with runs of the same size.

use std::time::Duration;

use amdahl_workloads::{ParamType, Params, Team, Workload};

use super::clock::{Clock, CpuSource};
use super::sample::{Guard, SampleSite, run_sample};

/// The calibrated size, or a message naming the workload. A run that fails or panics is an
/// error here like in the sweep, never a panic of the runner.
pub fn calibrate(
    workload: &dyn Workload,
    params: &Params,
    team: &Team,
    clock: &dyn Clock,
    target: Duration,
    guard: &Guard<'_>,
) -> Result<f64, String> {
    let Some(spec) = workload.params().iter().find(|p| p.name == "size") else {
        return Err(format!("workload `{}` declares no `size` parameter to calibrate", workload.name()));
    };
    let target_ns = target.as_nanos() as f64;
    let mut size = params.get("size").unwrap_or(spec.default);
    for _ in 0..6 {
        let mut trial = params.clone();
        trial.set("size", size);
        let mut instance = workload.prepare(&trial).map_err(|e| e.to_string())?;
        let site = SampleSite { name: workload.name(), during: "while calibrating --target-ms" };
        // One untimed-for-the-decision run, then the one that decides.
        run_sample(instance.as_mut(), team, clock, CpuSource::Process, guard, &site).0?;
        let wall = run_sample(instance.as_mut(), team, clock, CpuSource::Process, guard, &site).0?.measurement;
        let ratio = target_ns / wall.wall_ns.max(1) as f64;
        if (0.8..=1.25).contains(&ratio) {
            break;
        }
        let mut next = (size * ratio.clamp(0.01, 100.0)).clamp(spec.min, spec.max);
        if spec.ty == ParamType::Integer {
            next = next.round().max(spec.min);
        }
        if next == size {
            break;
        }
        size = next;
    }
    Ok(size)
}
