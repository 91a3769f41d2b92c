//! `Where`: which functions hold a point's serial part — the leader's samples outside the
//! parallel calls, by function.
//!
//! Beyond the serial part, the same samples, stamped with their time, say which functions kept
//! the other workers idle ([`blame`]), which grow with j for the same work ([`growth`]) and what
//! speeding one up would buy ([`what_if`]), all from one tally per point ([`functions`]) read
//! against the run's recorded calls ([`timeline`]).
//!
//! # Method
//! - Each profile run's workers are sampled on their own CPU-time clocks (the team's sampler,
//!   `amdahl_workloads::Samples`: per-thread timers and a frame-pointer walk); a sample of the
//!   run's **leader** taken inside the window and outside every parallel call is a sample of the
//!   serial part ([`Phase::Serial`]). A point's profile runs are tallied together ([`Tally`]),
//!   stacks as raw addresses; symbols are resolved once, when the workload's sweep ends, outside
//!   any run ([`symbols`]).
//! - A sample's **function** is, of the functions inlined where its address lies, the outermost
//!   that is the program's own code (not the toolchain's library nor a registry's dependency;
//!   the machine function when none is): its **self** share is the serial samples whose interrupted
//!   program counter lies in it; its **inclusive** share those with it anywhere on the walked
//!   stack (each function counted once a sample). Both are shares of the serial samples; times
//!   the account's serial share of the thread-time they are points of the thread-time.
//! - Functions on (nearly) every serial sample's stack that hold none of them ([`ROOT`]) are the
//!   run's roots (the thread's start, the harness's closures) and are left out.
//! - A function's **location** is the file and line of its most sampled address (its hot line,
//!   or, for a caller, its hottest call site).
//! - **Source.** The samples come from `perf_event` where it is built in and allowed, else from
//!   the per-thread timers ([`Source`], `amdahl_workloads::Samples::source`); both give the same
//!   stacks of return addresses, tallied alike. The point's `where` says which took most of its
//!   samples and, when the timers did, why not `perf_event`.
//! - **Frames.** When most samples have no caller (code built without frame pointers), the
//!   attribution is by the sampled function alone ([`Frames::LeafOnly`]) and says so; without
//!   symbols (no debug info, or the `where` feature off) the functions are unknown and the note
//!   says how to get them, rather than naming addresses.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use amdahl_workloads::Source;
use amdahl_workloads::{Phase, Trace};

pub mod blame;
#[cfg(all(feature = "perf-event2", target_os = "linux"))]
pub mod command_symbols;
pub mod functions;
pub mod growth;
pub mod sentence;
pub mod symbols;
#[cfg(test)]
mod tests;
pub mod timeline;
pub mod what_if;

/// The functions a point's `where` keeps: the top five by self share.
pub const TOP: usize = 5;

/// The inclusive share from which a function with no self share is a root of the run, left out.
pub const ROOT: f64 = 0.999;

/// Where a point's serial part runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Where {
    /// Samples of the leader in the window outside the parallel calls (the serial part), over
    /// the point's profile runs.
    pub serial_samples: u64,
    /// Every sample of the point's profile runs, all workers.
    pub samples: u64,
    /// How a sample's callers were found.
    pub frames: Frames,
    /// The functions holding the serial part, by self share, most first (at most [`TOP`]);
    /// empty when they are unknown (see `note`).
    pub functions: Vec<FunctionShare>,
    /// What limits the attribution: no symbols, no frame pointers, no samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What took most of the point's samples (absent when there were none, and in files before
    /// it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Why `perf_event` did not take the samples the timers took (the feature, the kernel's
    /// `perf_event_paranoid`, a refused call), when they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perf_event: Option<String>,
}

/// How a sample's callers were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Frames {
    /// By frame pointers: self and inclusive shares.
    Walked,
    /// Most samples had no caller (no frame pointers): by the sampled function alone.
    LeafOnly,
}

/// One function's share of the serial samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct FunctionShare {
    /// Its name, demangled, without the hash.
    pub function: String,
    /// `file:line` of its most sampled address, when the debug info says (paths relative to the
    /// working directory or amdahl's workspace, from the toolchain's `library/` or from the
    /// dependency's own folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Serial samples whose program counter lies in it.
    pub self_share: f64,
    /// Serial samples with it anywhere on the stack.
    pub inclusive_share: f64,
}

/// One function's serial samples: its own (self), those with it on the stack (inclusive), and
/// the latter by location (its hottest line or call site).
#[derive(Debug, Default)]
struct Counts {
    own: u64,
    inclusive: u64,
    locations: HashMap<Option<String>, u64>,
}

/// A point's samples over its profile runs, unresolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// The serial samples' stacks (program counter, then return addresses) and their counts.
    stacks: HashMap<Vec<usize>, u64>,
    serial: u64,
    samples: u64,
    /// Serial samples with at least one caller.
    walked: u64,
    /// Why a run had no samples, the first time.
    unavailable: Option<String>,
    /// Samples taken by `perf_event` and by the timers.
    perf_samples: u64,
    timer_samples: u64,
    /// Why `perf_event` did not sample a run, the first time.
    perf_refused: Option<String>,
    /// Samples lost to a full buffer (the latest part of a long run), and `perf_event` rings
    /// found full (their losses not always counted).
    dropped: u64,
    filled: u64,
}

impl Tally {
    /// Adds one profile run's samples.
    pub fn add(&mut self, trace: &Trace) {
        self.add_samples(&trace.samples, Some(trace.leader));
    }

    /// Adds one run's samples: the serial ones of worker `leader`, or of any worker with `None`
    /// (a command's, whose threads are marked serial by concurrency:
    /// `amdahl_workloads::command_samples`).
    pub fn add_samples(&mut self, s: &amdahl_workloads::Samples, leader: Option<usize>) {
        if let Some(why) = &s.unavailable {
            self.unavailable.get_or_insert_with(|| why.clone());
        }
        self.samples += s.taken.len() as u64;
        self.dropped = self.dropped.saturating_add(s.dropped);
        self.filled = self.filled.saturating_add(s.filled);
        match s.source {
            Source::PerfEvent => self.perf_samples += s.taken.len() as u64,
            Source::Timer => self.timer_samples += s.taken.len() as u64,
        }
        if let Some(why) = &s.perf_event {
            self.perf_refused.get_or_insert_with(|| why.clone());
        }
        for sample in s.taken.iter().filter(|x| leader.is_none_or(|l| x.worker == l) && x.phase == Phase::Serial) {
            self.serial += 1;
            self.walked += u64::from(sample.frames.len() > 1);
            *self.stacks.entry(sample.frames.clone()).or_default() += 1;
        }
    }

    /// Nothing was sampled and nothing said why: no profile runs.
    pub fn is_empty(&self) -> bool {
        self.samples == 0 && self.unavailable.is_none()
    }

    /// The attribution, symbols resolved by `resolve` (an address to its function; see
    /// [`symbols::resolve`]). `None` for an empty tally.
    pub fn attribute(&self, resolve: &mut dyn FnMut(usize) -> Option<symbols::Symbol>) -> Option<Where> {
        if self.is_empty() {
            return None;
        }
        let frames = if 2 * self.walked >= self.serial { Frames::Walked } else { Frames::LeafOnly };
        let mut cache: HashMap<usize, Option<symbols::Symbol>> = HashMap::new();
        let mut lookup = |addr: usize| cache.entry(addr).or_insert_with(|| resolve(addr)).clone();
        let mut by: HashMap<String, Counts> = HashMap::new();
        let mut known = 0u64;
        for (stack, &count) in &self.stacks {
            let mut seen: Vec<String> = Vec::new();
            let depth = if frames == Frames::Walked { stack.len() } else { 1 };
            for (i, &addr) in stack.iter().take(depth).enumerate() {
                // A return address points after its call: look up the call itself.
                let Some(symbol) = lookup(if i == 0 { addr } else { addr.saturating_sub(1) }) else { continue };
                let entry = by.entry(symbol.function.clone()).or_default();
                if i == 0 {
                    entry.own += count;
                    known += count;
                }
                if !seen.contains(&symbol.function) {
                    entry.inclusive += count;
                    seen.push(symbol.function.clone());
                    *entry.locations.entry(symbol.location.clone()).or_default() += count;
                }
            }
        }
        let serial = self.serial.max(1) as f64;
        let mut functions: Vec<FunctionShare> = by
            .into_iter()
            .map(|(function, c)| FunctionShare {
                location: c
                    .locations
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .and_then(|l| l.0),
                function,
                self_share: c.own as f64 / serial,
                inclusive_share: c.inclusive as f64 / serial,
            })
            .collect();
        // A function on every serial sample's stack that runs none of it is a root of the run (the
        // thread's start, the harness): it says nothing.
        functions.retain(|f| f.self_share > 0.0 || f.inclusive_share < ROOT);
        functions.sort_by(|a, b| {
            b.self_share
                .total_cmp(&a.self_share)
                .then(b.inclusive_share.total_cmp(&a.inclusive_share))
                .then(a.function.cmp(&b.function))
        });
        functions.truncate(TOP);
        let note = if self.serial == 0 {
            Some(match &self.unavailable {
                Some(why) => format!("no samples: {why}"),
                None => "no samples of the serial part (it ran shorter than the sampling interval)".to_owned(),
            })
        } else if known == 0 {
            Some(format!("functions unknown: {}", symbols::missing()))
        } else if frames == Frames::LeafOnly {
            Some(
                "by the sampled function alone: the code has no frame pointers (build with \
                 RUSTFLAGS=\"-C force-frame-pointers=yes\" for callers)"
                    .to_owned(),
            )
        } else {
            None
        };
        let lost = (self.dropped > 0 || self.filled > 0).then(|| {
            let count = if self.dropped > 0 { format!("{} ", self.dropped) } else { String::new() };
            format!(
                "{count}samples lost to a full buffer: the latest part of a long profile run is missing from these shares"
            )
        });
        let note = match (note, lost) {
            (Some(note), Some(lost)) => Some(format!("{note}; {lost}")),
            (note, lost) => note.or(lost),
        };
        let source = match (self.perf_samples, self.timer_samples) {
            (0, 0) => None,
            (perf, timer) if perf > timer => Some(Source::PerfEvent),
            _ => Some(Source::Timer),
        };
        let perf_event = (source != Some(Source::PerfEvent)).then(|| self.perf_refused.clone()).flatten();
        Some(Where { serial_samples: self.serial, samples: self.samples, frames, functions, note, source, perf_event })
    }
}
