//! `three-body` — inherently sequential with a barrier per step: the planar three-body problem.
//!
//! Three equal masses start on the figure-eight orbit of Chenciner & Montgomery (Annals of
//! Mathematics 152, 2000; initial values from Simó). The time loop runs inside one parallel region
//! ([`Team::install`]); each step computes the three accelerations as three tasks over the team — a
//! fork and a barrier — then advances positions and velocities serially (symplectic Euler,
//! dt = 1e-4). The per-step work is about 100 ns, so handing it to other threads costs more than it
//! saves: a good machine shows S(j) < 1, the lesson that fine-grained parallelism of a sequential
//! integration does not pay. With `--backend threads` every step spawns its j threads (tens of
//! microseconds each), so use a smaller `size` there. Each acceleration is summed in a fixed
//! order, so every j gives the same result bit for bit.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Figure-eight three-body integration.
pub struct ThreeBody;

const PARAMS: &[ParamSpec] = &[ParamSpec::integer("size", "integration steps", 1_000_000, 1, 1 << 32)];

const DT: f64 = 1e-4;

type Vec2 = [f64; 2];

impl Workload for ThreeBody {
    fn name(&self) -> &'static str {
        "three-body"
    }
    fn kind(&self) -> Kind {
        Kind::Sequential
    }
    fn description(&self) -> &'static str {
        "figure-eight three-body orbit, size steps; each step's 3 forces split over the team"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(ThreeBodyInstance { steps: params.integer("size") }))
    }
    fn parallelism(&self, _params: &Params) -> Option<usize> {
        Some(3)
    }
}

struct ThreeBodyInstance {
    steps: u64,
}

impl Instance for ThreeBodyInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let steps = self.steps;
        team.install(|| {
            let (mut pos, mut vel) = figure_eight();
            for _ in 0..steps {
                let acc = team.map(3, |i| acceleration(&pos, i));
                advance(&mut pos, &mut vel, &acc);
            }
            checksum(&pos, &vel)
        })
    }
}

/// Chenciner–Montgomery figure-eight initial positions and velocities (G = m = 1).
fn figure_eight() -> ([Vec2; 3], [Vec2; 3]) {
    let p1 = [0.970_004_36, -0.243_087_53];
    let v3 = [-0.932_407_37, -0.864_731_46];
    let pos = [p1, [-p1[0], -p1[1]], [0.0, 0.0]];
    let vel = [[-v3[0] / 2.0, -v3[1] / 2.0], [-v3[0] / 2.0, -v3[1] / 2.0], v3];
    (pos, vel)
}

/// The acceleration of body `i`, summing the other bodies in index order.
fn acceleration(pos: &[Vec2; 3], i: usize) -> Vec2 {
    let mut acc = [0.0, 0.0];
    for (k, other) in pos.iter().enumerate() {
        if k != i {
            let (dx, dy) = (other[0] - pos[i][0], other[1] - pos[i][1]);
            let r2 = dx * dx + dy * dy;
            let inv_r3 = 1.0 / (r2 * r2.sqrt());
            acc[0] += dx * inv_r3;
            acc[1] += dy * inv_r3;
        }
    }
    acc
}

/// Symplectic Euler: kick the velocities, then drift the positions.
fn advance(pos: &mut [Vec2; 3], vel: &mut [Vec2; 3], acc: &[Vec2]) {
    for i in 0..3 {
        for d in 0..2 {
            vel[i][d] += acc[i][d] * DT;
            pos[i][d] += vel[i][d] * DT;
        }
    }
}

fn checksum(pos: &[Vec2; 3], vel: &[Vec2; 3]) -> Checksum {
    Checksum::of_f64s(pos.iter().chain(vel).flatten().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial(steps: u64) -> ([Vec2; 3], [Vec2; 3]) {
        let (mut pos, mut vel) = figure_eight();
        for _ in 0..steps {
            let acc: Vec<Vec2> = (0..3).map(|i| acceleration(&pos, i)).collect();
            advance(&mut pos, &mut vel, &acc);
        }
        (pos, vel)
    }

    #[test]
    fn momentum_is_conserved() {
        let (_, vel) = serial(5_000);
        let total: Vec2 = [0, 1].map(|d| vel.iter().map(|v| v[d]).sum());
        assert!(total[0].abs() < 1e-12 && total[1].abs() < 1e-12, "{total:?}");
    }

    #[test]
    fn parallel_equals_serial_bit_for_bit() {
        let (pos, vel) = serial(300);
        crate::builtin::assert_parallel_equals_serial(&ThreeBody, "size=300", checksum(&pos, &vel));
    }
}
