use std::hint::black_box;
use std::sync::mpsc;

use super::*;

/// The calling thread as a sampling target.
fn me() -> Target {
    Target {
        clock: ThreadClock::current().expect("a CPU clock"),
        tid: crate::thread_state::current_tid().expect("a thread id"),
        stack: StackBounds::current().expect("stack bounds"),
    }
}

/// Spins `body` until the calling thread has used `cpu_ns` of CPU time: a stop condition no
/// loaded machine can cut short.
fn for_cpu(cpu_ns: u64, mut body: impl FnMut()) {
    let clock = ThreadClock::current().unwrap();
    let start = clock.read_ns().unwrap();
    while clock.read_ns().unwrap() < start + cpu_ns {
        body();
    }
}

#[inline(never)]
fn spin(n: u64) -> u64 {
    (0..n).fold(1u64, |x, i| black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i)))
}

#[test]
fn the_walk_follows_frames_upward_within_the_stack_and_stops_at_anything_else() {
    // A fake stack: frame records (caller's frame pointer, return address) at words 2, 6, 10; the
    // third points back down (a loop), which must end the walk after its return address.
    let mut stack = [0usize; 16];
    let base = stack.as_ptr() as usize;
    let at = |word: usize| base + word * std::mem::size_of::<usize>();
    stack[2] = at(6);
    stack[3] = 0x1111;
    stack[6] = at(10);
    stack[7] = 0x2222;
    stack[10] = at(2);
    stack[11] = 0x3333;
    // The walk reads the frames through their addresses: keep the writes.
    black_box(&stack);
    let high = at(16);
    let walk = Walk { next: Some(0xaaaa), fp: at(2), low: base, high };
    assert_eq!(walk.collect::<Vec<_>>(), [0xaaaa, 0x1111, 0x2222, 0x3333]);
    // A frame pointer outside [low, high), or misaligned: the leaf alone.
    for fp in [base.wrapping_sub(64), high, at(2) + 1, 0] {
        let walk = Walk { next: Some(0xaaaa), fp, low: base, high };
        assert_eq!(walk.collect::<Vec<_>>(), [0xaaaa], "fp {fp:#x}");
    }
    // A frame straddling the top of the stack is not read.
    let walk = Walk { next: Some(0xaaaa), fp: at(15), low: base, high };
    assert_eq!(walk.collect::<Vec<_>>(), [0xaaaa]);
}

#[test]
fn a_busy_thread_is_sampled_in_its_own_code_and_a_stopped_sampler_is_quiet() {
    let (tx, rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        tx.send(me()).unwrap();
        go_rx.recv().unwrap();
        for_cpu(100_000_000, || {
            black_box(spin(10_000));
        });
        done_tx.send(()).unwrap();
        go_rx.recv().unwrap();
        // Stopped: this work is never sampled.
        for_cpu(20_000_000, || {
            black_box(spin(10_000));
        });
    });
    let mut sampler = Sampler::new(vec![Some(rx.recv().unwrap())], Some(1_000_000)).timer_only();
    sampler.start();
    sampler.set_phase(0, Phase::Serial);
    go_tx.send(()).unwrap();
    done_rx.recv().unwrap();
    let samples = sampler.stop();
    go_tx.send(()).unwrap();
    worker.join().unwrap();
    assert_eq!(samples.unavailable, None);
    // 100 ms of CPU time at a 1 ms interval, expiring at the tick (at most 10 ms): at least 10.
    assert!(samples.taken.len() >= 10, "{} samples", samples.taken.len());
    assert!(samples.taken.iter().all(|s| s.worker == 0 && s.phase == Phase::Serial && !s.frames.is_empty()));
    assert!(samples.taken.iter().all(|s| s.frames.len() <= MAX_DEPTH && s.frames.iter().all(|&f| f != 0)));
    assert_eq!(samples.dropped, 0);
}

/// Hammers the handler where a signal is most dangerous: inside the allocator, during a panic's
/// unwinding, and in threads that exit with their timer still armed. Passing means no deadlock
/// and no crash, and samples were taken in every case.
#[test]
fn samples_landing_in_the_allocator_in_unwinding_and_in_exiting_threads_are_safe() {
    let allocating = std::thread::spawn(|| {
        let mut sampler = Sampler::new(vec![Some(me())], Some(100_000)).timer_only();
        sampler.start();
        let mut keep: Vec<Vec<u8>> = Vec::new();
        let mut n = 1usize;
        for_cpu(150_000_000, || {
            n = n.wrapping_mul(31).wrapping_add(7) % 4096;
            keep.push(vec![n as u8; n + 1]);
            if keep.len() > 64 {
                keep.swap_remove(n % 64);
            }
            let boxed: Box<[u64]> = (0..n as u64).collect();
            black_box(boxed);
        });
        sampler.stop()
    });
    let unwinding = std::thread::spawn(|| {
        let mut sampler = Sampler::new(vec![Some(me())], Some(100_000)).timer_only();
        sampler.start();
        for_cpu(150_000_000, || {
            // resume_unwind unwinds as a panic does, without calling the (process-wide) hook.
            let caught = std::panic::catch_unwind(|| {
                let _owned: Vec<u8> = (0..64).collect();
                black_box(spin(100));
                std::panic::resume_unwind(Box::new(7u32));
            });
            assert!(caught.is_err());
        });
        sampler.stop()
    });
    // Threads that exit while sampled: each arms its own sampler and leaves it running; the
    // sampler is stopped after the thread is gone.
    let mut exited = Samples::default();
    for _ in 0..20 {
        let thread = std::thread::spawn(|| {
            let mut sampler = Sampler::new(vec![Some(me())], Some(100_000)).timer_only();
            sampler.start();
            for_cpu(5_000_000, || {
                black_box(spin(1000));
            });
            sampler
        });
        let mut sampler = thread.join().unwrap();
        let samples = sampler.stop();
        assert_eq!(samples.unavailable, None);
        exited.taken.extend(samples.taken);
    }
    for (case, thread) in [("allocator", allocating), ("unwinding", unwinding)] {
        let samples = thread.join().unwrap();
        assert_eq!(samples.unavailable, None, "{case}");
        assert!(samples.taken.len() >= 10, "{case}: {} samples", samples.taken.len());
    }
    // 20 threads of 5 ms CPU time each, expiring at the tick: some samples.
    assert!(!exited.taken.is_empty());
}
