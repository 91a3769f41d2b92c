//! `triad` — memory-bound: the STREAM triad `a = b + s*c` (McCalpin, "Memory Bandwidth and Machine
//! Balance in Current High Performance Computers", IEEE TCCA Newsletter, 1995).
//!
//! Three arrays of `mib` MiB each, far larger than the last-level cache, so every pass streams them
//! from memory; the arrays are allocated and initialised in `prepare`, outside the timed region. A
//! run makes `size` passes over [`tasks`] equal chunks: 65,536 at the default `mib` (chunks of 512
//! elements, one 4 KiB page of each array; never fewer than 512 elements, so small arrays get
//! fewer chunks), enough that T / ceil(T / j) >= 0.98 j for every j up to 1024. Each chunk's sum,
//! tagged with its index, is folded in the workers ([`Team::reduce_chunks_mut`]) into the checksum
//! (the values are small integers, so the arithmetic is exact and the sums the same at every j). Bytes moved are counted as STREAM does,
//! 24 per element per pass. A good machine shows speedup that saturates once a few cores fill the
//! memory bandwidth: Karp–Flatt rises with j although there is no serial code.
//!
//! Version 2 (this decomposition): version 1 had chunks of 65,536 elements, 512 at the default
//! `mib`, and folded the chunk sums in the caller.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError, caches};

/// STREAM triad over arrays larger than the cache.
pub struct Triad;

/// The most chunks.
pub const MAX_TASKS: usize = 1 << 16;

/// The fewest elements in one chunk.
pub const MIN_CHUNK: usize = 512;

/// The elements of one chunk of arrays of `len` elements: at least [`MIN_CHUNK`], and as few as
/// give at most [`MAX_TASKS`] chunks.
pub fn chunk_len(len: usize) -> usize {
    len.div_ceil(MAX_TASKS).max(MIN_CHUNK)
}

/// The chunks of arrays of `len` elements.
pub fn tasks(len: usize) -> usize {
    len.div_ceil(chunk_len(len)).max(1)
}
const SCALAR: f64 = 3.0;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::integer("size", "passes over the arrays", 2, 1, 1_000_000),
    ParamSpec::integer("mib", "MiB per array (three arrays)", 256, 1, 1 << 20),
];

impl Workload for Triad {
    fn name(&self) -> &'static str {
        "triad"
    }
    fn kind(&self) -> Kind {
        Kind::MemoryBound
    }
    fn description(&self) -> &'static str {
        "STREAM triad a = b + 3c over three arrays of mib MiB, size passes"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        let len = (params.integer("mib") << 20) as usize / size_of::<f64>();
        let fail = |what: &str| WorkloadError { workload: "triad".into(), message: format!("cannot allocate {what}") };
        let alloc = |what: &str, init: &dyn Fn(usize) -> f64| -> Result<Vec<f64>, WorkloadError> {
            let mut v = Vec::new();
            v.try_reserve_exact(len).map_err(|_| fail(what))?;
            v.extend((0..len).map(init));
            Ok(v)
        };
        Ok(Box::new(TriadInstance {
            a: alloc("array a", &|_| 0.0)?,
            b: alloc("array b", &|k| (k % 1024) as f64)?,
            c: alloc("array c", &|k| (k % 7) as f64)?,
            passes: params.integer("size"),
        }))
    }
    fn warnings(&self, params: &Params) -> Vec<String> {
        let total = 3 * (params.integer("mib") << 20);
        match caches::last_level_cache_bytes() {
            Some(llc) if total < 4 * llc => vec![format!(
                "triad: the three arrays ({} MiB) are not well beyond the last-level cache ({} MiB): \
                 this measures the cache, not memory; use mib >= {}",
                total >> 20,
                llc >> 20,
                (4 * llc / 3).div_ceil(1 << 20)
            )],
            _ => Vec::new(),
        }
    }
    fn parallelism(&self, params: &Params) -> Option<usize> {
        usize::try_from(params.integer("mib") << 20).ok().map(|bytes| tasks(bytes / size_of::<f64>()))
    }
    fn version(&self) -> u32 {
        2
    }
}

struct TriadInstance {
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
    passes: u64,
}

impl Instance for TriadInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let (b, c) = (&self.b, &self.c);
        let chunk = chunk_len(self.a.len());
        let mut sum = 0;
        for _ in 0..self.passes {
            sum = team.reduce_chunks_mut(
                &mut self.a,
                chunk,
                0u64,
                |i, a| Checksum::tagged(i as u64, triad_chunk(a, &b[i * chunk..], &c[i * chunk..]).to_bits()),
                u64::wrapping_add,
            );
        }
        Checksum::of_u64s([sum])
    }

    fn bytes_per_run(&self) -> Option<u64> {
        Some(self.passes * 3 * (self.a.len() * size_of::<f64>()) as u64)
    }
}

/// `a = b + s*c` over one chunk; returns the chunk's sum of `a`.
fn triad_chunk(a: &mut [f64], b: &[f64], c: &[f64]) -> f64 {
    let mut sum = 0.0;
    for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
        *a = b + SCALAR * c;
        sum += *a;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_equals_serial() {
        let len: usize = (1 << 20) / 8;
        let b: Vec<f64> = (0..len).map(|k| (k % 1024) as f64).collect();
        let c: Vec<f64> = (0..len).map(|k| (k % 7) as f64).collect();
        let chunk = chunk_len(len);
        assert_eq!(tasks(len), 256);
        let sum = (0..tasks(len)).fold(0u64, |sum, i| {
            let r = i * chunk..((i + 1) * chunk).min(len);
            let chunk_sum: f64 = b[r.clone()].iter().zip(&c[r]).fold(0.0, |s, (b, c)| s + (b + SCALAR * c));
            sum.wrapping_add(Checksum::tagged(i as u64, chunk_sum.to_bits()))
        });
        crate::builtin::assert_parallel_equals_serial(&Triad, "mib=1,size=2", Checksum::of_u64s([sum]));
    }

    #[test]
    fn chunks_at_the_default_and_odd_sizes() {
        assert_eq!((chunk_len(256 << 17), tasks(256 << 17)), (512, 65_536));
        assert_eq!((chunk_len(1 << 30), tasks(1 << 30)), (16_384, 65_536));
        assert_eq!((chunk_len(1000), tasks(1000)), (512, 2));
    }

    #[test]
    fn counts_bytes_like_stream() {
        let params = Params::parse(&Triad, "mib=1,size=3").unwrap();
        assert_eq!(Triad.prepare(&params).unwrap().bytes_per_run(), Some((3 * 3) << 20));
    }
}
