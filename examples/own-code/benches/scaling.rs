//! Your own code under `cargo bench`: a parallel sort and a sequential hash chain.
use amdahl::{Kind, Team};
use rayon::slice::ParallelSliceMut;
use std::hint::black_box;

/// Sorts 4 million integers over the team (OWN_CODE_SERIAL_SORT=1: on one thread).
fn sort() -> amdahl::FunctionWorkload {
    let serial = std::env::var("OWN_CODE_SERIAL_SORT").is_ok_and(|v| v == "1");
    amdahl::function("parallel-sort", Kind::Parallel)
        // Untimed, once: the input. Untimed, before every sample: a fresh unsorted copy.
        .setup(|_| (0..4_000_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7).collect::<Vec<_>>())
        .each_sample(|input: &Vec<u64>| input.clone())
        // Timed: the sort; what it returns must be the same at every thread count.
        .run(move |v: &mut Vec<u64>, team: &Team| {
            if serial {
                v.sort_unstable()
            } else {
                team.install(|| v.par_sort_unstable())
            }
            (v[0], v[v.len() / 2], v[v.len() - 1])
        })
}

/// A hash chain: each step needs the one before, so no thread can help.
fn hash_chain() -> amdahl::FunctionWorkload {
    amdahl::function("hash-chain", Kind::Sequential).run(|_, _| {
        (0..black_box(20_000_000u64)).fold(0xcbf2_9ce4_8422_2325, |h, i| (h ^ i).wrapping_mul(0x100_0000_01b3))
    })
}

amdahl::main!(sort(), hash_chain());
