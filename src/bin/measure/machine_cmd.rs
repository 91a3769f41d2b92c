//! `measure machine`: the machine's facts and its own ceilings; and the ceilings of `measure run`.

use amdahl::error::exit_code;
use amdahl::machine::ceiling_cache::{self, CeilingCache};
use amdahl::machine::ceilings::{Bench, CeilingPlan};
use amdahl::machine::{self, Roots, Topology, environment};
use amdahl::placement::Pin;
use amdahl::plan::default_plan;
use amdahl::report::machine_text;
use amdahl::results::{Ceilings, Machine};
use amdahl::thread_set::ThreadSet;
use amdahl::{Error, Result};
use amdahl_workloads::Kind;

use crate::cli::MachineArgs;

/// What measuring the ceilings needs, resolved once per command.
pub struct CeilingSetup<'a> {
    roots: &'a Roots,
    machine: &'a Machine,
    placement: Pin,
    cpus: Vec<usize>,
    cache: Option<CeilingCache>,
}

impl<'a> CeilingSetup<'a> {
    /// The ceilings of `machine` pinned by `pin` (`scatter` when the run is unpinned: the spread
    /// the scheduler itself aims for), cached unless `no_cache`.
    pub fn new(roots: &'a Roots, machine: &'a Machine, pin: Pin, no_cache: bool) -> CeilingSetup<'a> {
        let placement = if pin == Pin::None { Pin::Scatter } else { pin };
        CeilingSetup {
            roots,
            machine,
            placement,
            cpus: Topology::read(roots).placement(placement),
            cache: if no_cache { None } else { CeilingCache::default_location() },
        }
    }

    fn bench(&self) -> Bench<'_> {
        Bench {
            cpus: &self.cpus,
            placement: self.placement,
            roots: self.roots,
            largest_cache_bytes: self
                .machine
                .caches
                .iter()
                .filter(|c| c.kind != "Instruction")
                .map(|c| c.size_bytes)
                .max(),
            memory_bytes: self.machine.memory_bytes,
        }
    }

    /// Measures, or recalls from the cache, the ceilings of `plan`.
    pub fn provide(&self, plan: &CeilingPlan) -> (Ceilings, Vec<String>) {
        ceiling_cache::provide(plan, &self.bench(), self.machine, self.cache.as_ref())
    }

    /// Measures the ceilings of `plan` anew and stores them (what `measure machine` does).
    pub fn refresh(&self, plan: &CeilingPlan) -> (Ceilings, Vec<String>) {
        ceiling_cache::measure_and_store(plan, &self.bench(), self.machine, self.cache.as_ref())
    }
}

/// Runs `measure machine`.
pub fn run(args: &MachineArgs) -> Result<(String, u8)> {
    let roots = Roots::resolve(args.sysfs.as_deref(), args.procfs.as_deref());
    let facts = machine::fingerprint(&roots);
    let cpus = facts.cpu_counts();
    let before = facts.environment.as_ref().map(|e| e.before.clone()).unwrap_or_default();
    let mut warnings =
        environment::before_warnings(&before, facts.busy_before.as_ref(), cpus.usable, cfg!(debug_assertions));
    warnings.extend(machine::fact_warnings(&roots, false));
    let ceilings = if roots.is_live() {
        let (compute, timer) = match &args.threads {
            Some(text) => {
                let set = ThreadSet::parse(text, cpus)?;
                (set.clone(), set)
            }
            None => (default_plan(Kind::Parallel, cpus, None).threads, default_plan(Kind::IoBound, cpus, None).threads),
        };
        let plan = CeilingPlan {
            compute: compute.counts().to_vec(),
            bandwidth: compute.counts().to_vec(),
            timer: timer.counts().to_vec(),
        };
        let setup = CeilingSetup::new(&roots, &facts, args.pin.map_or(Pin::Scatter, |p| p.policy()), args.no_cache);
        let (ceilings, more) = setup.refresh(&plan);
        warnings.extend(more);
        Some(ceilings)
    } else {
        warnings.push(
            "the ceilings are not measured for a fixture tree (--sysfs/--procfs): they would be this machine's"
                .to_owned(),
        );
        None
    };
    let text = if args.json {
        let mut facts_json = serde_json::to_value(&facts).map_err(Error::encode("the machine's facts"))?;
        if let Some(object) = facts_json.as_object_mut() {
            object.remove("ceilings");
        }
        let value = serde_json::json!({ "facts": facts_json, "warnings": warnings, "ceilings": ceilings });
        format!("{value:#}\n")
    } else {
        for w in &warnings {
            crate::colour::warning(w);
        }
        machine_text(&facts, ceilings.as_ref())
    };
    Ok((text, exit_code::OK))
}
