//! `measure machine`: the machine's facts and its own ceilings, measured now.

use amdahl::app::ceilings::MachineReport;
use amdahl::machine::Roots;
use amdahl::placement::Pin;
use amdahl::report::machine_text;
use amdahl::{Result, terminal};

use crate::cli::MachineArgs;

/// Runs `measure machine`; returns the text to print.
pub fn run(args: &MachineArgs) -> Result<String> {
    let roots = Roots::resolve(args.sysfs.as_deref(), args.procfs.as_deref());
    let pin = args.pin.map_or(Pin::Scatter, |p| p.policy());
    let report = MachineReport::measure(&roots, args.threads.as_deref(), pin, args.no_cache)?;
    if args.json {
        return report.to_json();
    }
    for w in &report.warnings {
        terminal::warning(w);
    }
    Ok(machine_text(&report.facts, report.ceilings.as_ref()))
}
