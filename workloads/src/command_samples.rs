//! Samples of a command's process tree from `perf_event` (feature `perf-event2`): what the
//! command's own threads ran, for its profile runs.
//!
//! # Method
//! - **Armed before the spawn.** [`CommandSampler::arm`] opens one `cpu-clock` event per CPU on
//!   the *calling* thread, disabled, with `inherit` and `enable_on_exec`: the child forked next
//!   inherits them and they turn on at its `exec`, and every thread and process it starts
//!   inherits them in turn, from its first instruction — no thread of the tree is missed, and no
//!   sampling waits on a scan of `/proc`. The kernel writes an inherited event's records into
//!   its parent's ring, so the rings stay ours. Threads of ours started by the calling thread
//!   meanwhile (the command's pipe readers, the poller) inherit the events disabled and never
//!   `exec`: they are not sampled. One event per CPU because the kernel maps no ring of an
//!   inherited event that follows its task across CPUs.
//! - **Records.** Each sample has its process and thread, a `CLOCK_MONOTONIC` time stamp and the
//!   user call chain (the kernel's frame-pointer walk: a command built without frame pointers
//!   gives its leaf and maybe no callers). The command's executable mappings come from the
//!   kernel's `MMAP` records (the `exec`'d binary and every library mapped after it).
//! - **Addresses by file.** A process's addresses are its own, and differ from run to run
//!   (address-space randomisation), so each address is kept as the file it lies in and its offset
//!   there: a frame is `file << FILE_SHIFT | offset`, the file an index of a table kept for the
//!   process ([`mapped_file`]). An address in no file mapping (the vDSO, generated code) is 0.
//!   The `amdahl` crate names them from the file's ELF symbols.
//! - **Serial samples.** A sample is marked [`Phase::Serial`] when no other thread of the tree
//!   has a sample within one sampling interval of it (each running thread is sampled once an
//!   interval of its CPU time, so a second thread on a CPU then leaves one), [`Phase::InCall`]
//!   otherwise: an estimate, wrong by up to an interval at each change of concurrency.
//! - The rings are read once the command has exited, outside its run; records the kernel could
//!   not write are counted as dropped.

use std::collections::HashMap;
use std::ffi::OsString;
use std::sync::Mutex;

use perf_event::data::Record as Parsed;
use perf_event::events::Software;
use perf_event::{Builder, Clock, SampleFlag, Sampler as Ring};

use crate::team::perf_sampler::{RING_BYTES, RING_LEAST, RINGS_TOTAL, probe, ring_full, user_frames};
use crate::team::sampler::{Phase, Sample, Samples, Source};

/// A frame's file index is kept above this bit; its offset in the file below.
pub const FILE_SHIFT: u32 = 40;

/// The files of the commands' mappings, by index (index 0: none).
static FILES: Mutex<Vec<OsString>> = Mutex::new(Vec::new());

/// The file of index `index` in the frames of command samples (`None` for 0 or an unknown index).
pub fn mapped_file(index: usize) -> Option<OsString> {
    let files = FILES.lock().unwrap_or_else(|e| e.into_inner());
    index.checked_sub(1).and_then(|i| files.get(i)).cloned()
}

fn file_index(name: &OsString) -> usize {
    let mut files = FILES.lock().unwrap_or_else(|e| e.into_inner());
    match files.iter().position(|f| f == name) {
        Some(i) => i + 1,
        None => {
            files.push(name.clone());
            files.len()
        }
    }
}

/// One executable mapping of a process of the tree.
struct Mapping {
    start: u64,
    end: u64,
    pgoff: u64,
    file: usize,
}

/// The events armed for the next command's run.
pub struct CommandSampler {
    rings: Vec<Ring>,
    interval_ns: u64,
    /// Each ring's data bytes.
    bytes: usize,
}

impl std::fmt::Debug for CommandSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandSampler").field("cpus", &self.rings.len()).finish()
    }
}

impl CommandSampler {
    /// Opens the events on the calling thread (see the module docs), sampling every
    /// `interval_ns` of each thread's CPU time; call it right before spawning the command, and
    /// [`CommandSampler::finish`] after its exit.
    pub fn arm(interval_ns: u64) -> Result<CommandSampler, String> {
        probe()?;
        // SAFETY: sysconf has no preconditions.
        let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_CONF) }.max(1) as usize;
        let bytes = 1 << (RINGS_TOTAL / cpus).clamp(RING_LEAST, RING_BYTES).ilog2();
        let mut rings = Vec::with_capacity(cpus);
        for cpu in 0..cpus {
            let opened = Builder::new(Software::CPU_CLOCK)
                .observe_self()
                .one_cpu(cpu)
                .inherit(true)
                .enable_on_exec(true)
                .mmap(true)
                .sample_period(interval_ns)
                .sample(SampleFlag::IP | SampleFlag::TID | SampleFlag::TIME | SampleFlag::CALLCHAIN)
                .exclude_kernel(true)
                .exclude_hv(true)
                .exclude_callchain_kernel(true)
                .sample_max_stack(crate::team::sampler::MAX_DEPTH as u16)
                .clockid(Clock::MONOTONIC)
                .enabled(false)
                .build()
                .and_then(|counter| counter.sampled(bytes));
            match opened {
                Ok(ring) => rings.push(ring),
                // An offline CPU has no events; the command cannot run there either.
                Err(e) if e.raw_os_error() == Some(libc::ENODEV) => {}
                Err(e) => return Err(format!("perf_event refused an event on CPU {cpu} for the command: {e}")),
            }
        }
        Ok(CommandSampler { rings, interval_ns, bytes })
    }

    /// Stops the events (the command has exited) and returns its samples, each thread of the
    /// tree a worker in the order first seen.
    pub fn finish(mut self) -> Samples {
        for ring in &mut self.rings {
            let _ = ring.disable();
        }
        let mut samples = Samples { source: Source::PerfEvent, ..Samples::default() };
        let mut maps: HashMap<u32, Vec<Mapping>> = HashMap::new();
        // (pid, tid, time, frames)
        let mut raw: Vec<(u32, u32, u64, Vec<usize>)> = Vec::new();
        // From the time the first ring filled (or lost records), the other CPUs' samples have
        // no company on it: none is marked serial after it.
        let mut complete_until = u64::MAX;
        for ring in &mut self.rings {
            let (mut used, mut last, dropped_before) = (0, 0, samples.dropped);
            while let Some(record) = ring.next_record() {
                used += record.len() + 8;
                match record.parse_record() {
                    Ok(Parsed::Sample(s)) => {
                        let frames = user_frames(s.callchain().unwrap_or(&[]), s.ip());
                        last = last.max(s.time().unwrap_or(0));
                        if !frames.is_empty() {
                            raw.push((s.pid().unwrap_or(0), s.tid().unwrap_or(0), s.time().unwrap_or(0), frames));
                        }
                    }
                    Ok(Parsed::Mmap(m)) => {
                        let name = m.filename_os().to_os_string();
                        if name.to_string_lossy().starts_with('/') {
                            maps.entry(m.pid).or_default().push(Mapping {
                                start: m.addr,
                                end: m.addr.saturating_add(m.len),
                                pgoff: m.pgoff,
                                file: file_index(&name),
                            });
                        }
                    }
                    Ok(Parsed::Lost(lost)) => samples.dropped += lost.lost,
                    Ok(_) => {}
                    Err(_) => samples.dropped += 1,
                }
            }
            let full = ring_full(used, self.bytes);
            samples.filled += u64::from(full);
            if full || samples.dropped > dropped_before {
                complete_until = complete_until.min(last);
            }
        }
        raw.sort_by_key(|r| r.2);
        let mut serial = serial_marks(&raw.iter().map(|r| (r.1, r.2)).collect::<Vec<_>>(), self.interval_ns);
        for (mark, r) in serial.iter_mut().zip(&raw) {
            *mark &= r.2 <= complete_until;
        }
        let mut workers: HashMap<u32, usize> = HashMap::new();
        for ((pid, tid, _, frames), serial) in raw.into_iter().zip(serial) {
            let next = workers.len();
            let worker = *workers.entry(tid).or_insert(next);
            let mapped = maps.get(&pid).map_or(&[][..], |m| m.as_slice());
            samples.taken.push(Sample {
                worker,
                // A command has no recorded calls to read a time against.
                at_ns: None,
                phase: if serial { Phase::Serial } else { Phase::InCall },
                frames: frames.iter().map(|&a| by_file(mapped, a as u64)).collect(),
            });
        }
        samples
    }
}

/// `address` as `file << FILE_SHIFT | offset` in the latest mapping holding it, or 0.
fn by_file(maps: &[Mapping], address: u64) -> usize {
    maps.iter()
        .rev()
        .find(|m| m.start <= address && address < m.end)
        .map_or(0, |m| (m.file << FILE_SHIFT) | ((address - m.start + m.pgoff) & ((1 << FILE_SHIFT) - 1)) as usize)
}

/// For samples `(thread, time)` in time order: whether no other thread has a sample within
/// `interval_ns` of each.
fn serial_marks(samples: &[(u32, u64)], interval_ns: u64) -> Vec<bool> {
    let mut marks = vec![true; samples.len()];
    let mut first = 0;
    for (i, &(tid, at)) in samples.iter().enumerate() {
        while samples[first].1 + interval_ns < at {
            first += 1;
        }
        let near = samples[first..].iter().take_while(|&&(_, t)| t <= at + interval_ns);
        marks[i] = near.into_iter().all(|&(other, _)| other == tid);
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_is_serial_when_no_other_thread_is_sampled_within_an_interval() {
        // Thread 1 alone to 3 ms, threads 1 and 2 from 4 ms, thread 1 alone again from 9 ms.
        let samples = [
            (1, 0),
            (1, 1_000),
            (1, 2_000),
            (1, 3_000),
            (2, 4_100),
            (1, 4_200),
            (2, 5_100),
            (1, 5_200),
            (1, 9_000),
            (1, 10_000),
        ];
        let marks = serial_marks(&samples, 1_000);
        assert_eq!(marks, [true, true, true, true, false, false, false, false, true, true]);
    }

    #[test]
    fn an_address_is_its_file_and_offset_in_the_latest_mapping_that_holds_it() {
        let maps = [
            Mapping { start: 0x1000, end: 0x3000, pgoff: 0x0, file: 1 },
            Mapping { start: 0x5000, end: 0x6000, pgoff: 0x2000, file: 2 },
            Mapping { start: 0x1000, end: 0x2000, pgoff: 0x10000, file: 3 },
        ];
        assert_eq!(by_file(&maps, 0x1010), (3 << FILE_SHIFT) | 0x10010);
        assert_eq!(by_file(&maps, 0x2010), (1 << FILE_SHIFT) | 0x1010);
        assert_eq!(by_file(&maps, 0x5008), (2 << FILE_SHIFT) | 0x2008);
        assert_eq!(by_file(&maps, 0x9000), 0);
    }
}
