//! The machine's own ceilings as a front-end asks for them: which placement they are measured
//! with, the bench that measures them, and the cache (`measure run`, `measure machine`, a bench
//! harness); and `measure machine`'s report of the facts with fresh ceilings.

use crate::error::{Error, Result};
use crate::machine::ceiling_cache::{self, CeilingCache};
use crate::machine::ceilings::{Bench, CeilingPlan};
use crate::machine::{MachineFacts, Roots, environment};
use crate::placement::Pin;
use crate::plan::default_plan;
use crate::results::{Ceilings, Machine};
use crate::sweep::Freshness;
use crate::thread_set::ThreadSet;
use amdahl_workloads::Kind;

/// What measuring the ceilings needs, resolved once per command.
pub struct CeilingSetup<'a> {
    machine: &'a MachineFacts,
    placement: Pin,
    cpus: Vec<usize>,
    cache: Option<CeilingCache>,
}

impl<'a> CeilingSetup<'a> {
    /// The ceilings of `machine` pinned by `pin` (`scatter` when the run is unpinned: the spread
    /// the scheduler itself aims for), cached unless `no_cache`.
    pub fn new(machine: &'a MachineFacts, pin: Pin, no_cache: bool) -> CeilingSetup<'a> {
        let placement = if pin == Pin::None { Pin::Scatter } else { pin };
        CeilingSetup {
            machine,
            placement,
            cpus: machine.placement(placement),
            cache: if no_cache { None } else { CeilingCache::default_location() },
        }
    }

    fn bench(&self) -> Bench<'_> {
        Bench {
            cpus: &self.cpus,
            placement: self.placement,
            roots: self.machine.roots(),
            largest_cache_bytes: self.machine.fingerprint().largest_data_cache_bytes(),
            memory_bytes: self.machine.fingerprint().memory_bytes,
        }
    }

    /// Measures, or recalls from the cache, the ceilings of `plan`.
    pub fn provide(&self, plan: &CeilingPlan) -> (Ceilings, Vec<String>) {
        ceiling_cache::provide(plan, &self.bench(), self.machine.fingerprint(), self.cache.as_ref())
    }

    /// Measures the ceilings of `plan` anew and stores them (what `measure machine` does).
    pub fn refresh(&self, plan: &CeilingPlan) -> (Ceilings, Vec<String>) {
        ceiling_cache::measure_and_store(plan, &self.bench(), self.machine.fingerprint(), self.cache.as_ref())
    }

    /// The sweep's source of ceilings: from the cache when it may, measured when it must.
    pub fn source(&self) -> impl Fn(&CeilingPlan, Freshness) -> (Ceilings, Vec<String>) + '_ {
        |plan, freshness| match freshness {
            Freshness::Cached => self.provide(plan),
            Freshness::Measure => self.refresh(plan),
        }
    }
}

/// What `measure machine` reports: the facts, the warnings about them, and the ceilings
/// measured now (`None` for a fixture tree: they would be this machine's).
#[derive(Debug)]
pub struct MachineReport {
    /// The fingerprint.
    pub facts: Machine,
    /// What may disturb measurements here, and facts that could not be read.
    pub warnings: Vec<String>,
    /// The ceilings, measured anew.
    pub ceilings: Option<Ceilings>,
}

impl MachineReport {
    /// Reads the machine under `roots` and measures its ceilings at `threads` (`--threads`: the
    /// text; default the default plans of parallel and I/O-bound work) pinned by `pin`, storing
    /// them in the cache unless `no_cache`.
    pub fn measure(roots: &Roots, threads: Option<&str>, pin: Pin, no_cache: bool) -> Result<MachineReport> {
        let machine = MachineFacts::read(roots);
        let facts = machine.fingerprint().clone();
        let cpus = machine.cpu_counts();
        let before = facts.environment.as_ref().map(|e| e.before.clone()).unwrap_or_default();
        let mut warnings =
            environment::before_warnings(&before, facts.busy_before.as_ref(), cpus.usable, cfg!(debug_assertions));
        warnings.extend(machine.fact_warnings(false));
        let ceilings = if roots.is_live() {
            let (compute, timer) = match threads {
                Some(text) => {
                    let set = ThreadSet::parse(text, cpus)?;
                    (set.clone(), set)
                }
                None => {
                    (default_plan(Kind::Parallel, cpus, None).threads, default_plan(Kind::IoBound, cpus, None).threads)
                }
            };
            let plan = CeilingPlan {
                compute: compute.counts().to_vec(),
                bandwidth: compute.counts().to_vec(),
                timer: timer.counts().to_vec(),
            };
            let (ceilings, more) = CeilingSetup::new(&machine, pin, no_cache).refresh(&plan);
            warnings.extend(more);
            Some(ceilings)
        } else {
            warnings.push(
                "the ceilings are not measured for a fixture tree (--sysfs/--procfs): they would be this machine's"
                    .to_owned(),
            );
            None
        };
        Ok(MachineReport { facts, warnings, ceilings })
    }

    /// `measure machine --json`: `{facts, warnings, ceilings}` (the facts without their own
    /// `ceilings`, which are the cached ones).
    pub fn to_json(&self) -> Result<String> {
        let mut facts = serde_json::to_value(&self.facts).map_err(Error::encode("the machine's facts"))?;
        if let Some(object) = facts.as_object_mut() {
            object.remove("ceilings");
        }
        let value = serde_json::json!({ "facts": facts, "warnings": self.warnings, "ceilings": self.ceilings });
        Ok(format!("{value:#}\n"))
    }
}
