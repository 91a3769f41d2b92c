//! Times one run of each built-in workload at its default size, at j = 1 and j = 2 (rayon).
//! A rough look for sizing defaults, not a measurement: `measure run` is the tool for that.
//!
//! `cargo run --release -p amdahl-workloads --example one_run`

use std::time::Instant;

use amdahl_workloads::{ALL, Backend, Params, Team};

fn main() {
    for workload in ALL {
        let params = Params::defaults(*workload).expect("defaults are valid");
        let mut instance = match workload.prepare(&params) {
            Ok(instance) => instance,
            Err(err) => {
                eprintln!("{err}");
                continue;
            }
        };
        let mut line = format!("{:<11}", workload.name());
        for (j, backend) in [(1, Backend::Rayon), (2, Backend::Rayon), (1, Backend::Threads), (2, Backend::Threads)] {
            let team = Team::new(j, backend).expect("team");
            instance.run(&team);
            let start = Instant::now();
            instance.run(&team);
            line += &format!("  {backend} j={j}: {:>7.1} ms", start.elapsed().as_secs_f64() * 1e3);
        }
        println!("{line}");
    }
}
