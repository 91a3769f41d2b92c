//! Profile runs of real teams: what the trace holds, whatever the machine's load (no assertion
//! on a duration beyond what CPU-clock spins and sleeps guarantee).

use super::*;
use crate::RunQueue;
use crate::cpu_time::ThreadClock;

/// Spins until the calling thread has had `ms` of CPU time, however busy the machine is.
fn spin_cpu(ms: u64) {
    let clock = ThreadClock::current().unwrap();
    let start = clock.read_ns().unwrap();
    while clock.read_ns().unwrap() - start < ms * 1_000_000 {
        std::hint::spin_loop();
    }
}

/// Runs `work` as a profile run of `team`, led from inside `Team::install`.
fn profile(team: &Team, work: impl FnOnce() + Send) -> Trace {
    team.install(|| {
        let profile = team.start_profile().unwrap();
        profile.begin();
        work();
        profile.end();
        profile.finish().unwrap()
    })
}

/// Every worker's parts of the calls add up to the calls' time exactly.
fn assert_adds_up(trace: &Trace) {
    for (i, w) in trace.workers.iter().enumerate() {
        assert_eq!(w.task_ns + w.dispatch_ns + w.imbalance_ns, trace.in_calls_ns(), "worker {i}: {trace:?}");
    }
    assert!(trace.outside_ns <= trace.wall_ns && trace.untracked_ns <= trace.outside_ns);
}

#[test]
fn every_call_of_the_leader_is_traced_and_each_workers_window_adds_up() {
    for backend in Backend::ALL {
        for j in [1, 2, 3] {
            let team = Team::new(j, backend).unwrap();
            let trace = profile(&team, || {
                team.map(10, |i| i * 2);
                team.map_reduce(40, 0u64, |i| i as u64, |a, b| a + b);
                let mut data = vec![1u32; 100];
                team.map_chunks_mut(&mut data, 7, |_, c| c.len());
                team.reduce_chunks_mut(&mut data, 9, 0usize, |_, c| c.len(), |a, b| a + b);
            });
            assert_eq!((trace.threads, trace.calls, trace.call_records.len()), (j, 4, 4), "{backend} j={j}");
            assert_eq!(trace.workers.len(), j);
            assert_adds_up(&trace);
            for call in &trace.call_records {
                assert!(
                    call.start_ns <= call.barrier_ns && call.barrier_ns <= call.end_ns && call.end_ns <= trace.wall_ns
                );
                assert_eq!(call.workers.len(), j);
                for span in call.workers.iter().flatten() {
                    assert!(call.start_ns <= span.first_ns && span.last_ns <= call.barrier_ns);
                    assert!(span.busy_ns <= span.last_ns - span.first_ns);
                }
            }
            if backend == Backend::Threads {
                // A static block per worker: every worker works in every call of at least j tasks.
                assert!(trace.call_records.iter().all(|c| c.workers.iter().all(Option::is_some)), "{trace:?}");
            }
            match &trace.run_queue {
                RunQueue::Measured => assert!(trace.workers.iter().all(|w| w.run_queue_ns.is_some())),
                RunQueue::Missing(why) => {
                    assert!(!why.is_empty() && trace.workers.iter().all(|w| w.run_queue_ns.is_none()))
                }
            }
        }
    }
}

#[test]
fn calls_inside_a_task_and_outside_a_run_are_not_traced() {
    for backend in Backend::ALL {
        let team = Team::new(2, backend).unwrap();
        let trace = profile(&team, || {
            team.map(2, |_| team.map(4, |i| i).len());
        });
        assert_eq!(trace.calls, 1, "{backend}: the nested call counts in its task");
        assert_adds_up(&trace);
        // After the run, calls go untraced: a second run starts from nothing.
        team.install(|| team.map(4, |i| i));
        assert_eq!(profile(&team, || ()).calls, 0);
    }
}

#[test]
fn a_run_starts_only_on_a_worker_and_only_once() {
    let team = Team::new(2, Backend::Rayon).unwrap();
    assert!(team.start_profile().unwrap_err().contains("inside Team::install"));
    team.install(|| {
        let first = team.start_profile().unwrap();
        assert!(team.start_profile().unwrap_err().contains("already"));
        drop(first);
        // A run dropped unfinished is disarmed: the next one starts.
        let again = team.start_profile().unwrap();
        again.begin();
        again.end();
        assert!(again.finish().is_ok());
    });
}

#[test]
fn the_leaders_code_outside_calls_is_outside_and_on_its_cpu() {
    for backend in Backend::ALL {
        let team = Team::new(2, backend).unwrap();
        let trace = profile(&team, || {
            spin_cpu(20);
            team.map(2, |_| ());
        });
        assert!(trace.outside_ns >= 20_000_000, "{backend}: {trace:?}");
        assert!(trace.workers[trace.leader].work_cpu_ns >= 19_000_000, "{backend}: {trace:?}");
        assert_eq!(trace.untracked_ns, 0, "{backend}: the other worker only idled");
        assert_adds_up(&trace);
    }
}

#[test]
fn a_task_that_sleeps_is_in_its_task_but_off_its_cpu() {
    for backend in Backend::ALL {
        let team = Team::new(2, backend).unwrap();
        let trace = profile(&team, || {
            team.map(2, |_| std::thread::sleep(std::time::Duration::from_millis(30)));
        });
        let task: u64 = trace.workers.iter().map(|w| w.task_ns).sum();
        let cpu: u64 = trace.workers.iter().map(|w| w.work_cpu_ns).sum();
        assert!(task >= 60_000_000, "{backend}: {trace:?}");
        assert!(cpu < task / 4, "{backend}: sleeping is not on a CPU: {trace:?}");
    }
}

#[test]
fn the_users_own_rayon_code_is_untracked_and_a_serial_install_is_not() {
    for backend in Backend::ALL {
        let team = Team::new(2, backend).unwrap();
        // rayon's broadcast runs on every worker of the current pool: the team's.
        let trace = profile(&team, || {
            team.install(|| rayon::broadcast(|_| spin_cpu(20)));
        });
        let other = 1 - trace.leader;
        assert!(trace.untracked_ns >= 10_000_000 && trace.untracked_ns <= trace.outside_ns, "{backend}: {trace:?}");
        assert!(trace.workers[other].untracked_cpu_ns >= 20_000_000, "{backend}: {trace:?}");
        let serial = profile(&team, || {
            team.install(|| spin_cpu(20));
            team.map(2, |_| ());
        });
        assert_eq!(serial.untracked_ns, 0, "{backend}: {serial:?}");
        assert!(serial.outside_ns >= 20_000_000);
    }
}

#[test]
fn a_run_of_many_nested_installs_keeps_a_bounded_record() {
    let team = Team::new(2, Backend::Rayon).unwrap();
    let trace = profile(&team, || {
        for _ in 0..2 * recorder::BOUNDARIES_KEPT {
            team.install(|| ());
        }
        team.map(2, |_| ());
    });
    assert_eq!((trace.calls, trace.untracked_ns), (1, 0));
    assert_adds_up(&trace);
}

/// Each call's longest task is kept, and their sum is no more than the calls' time: a call of
/// eight tasks, one of which spins 3 ms of CPU, then a call whose tasks all spin 1 ms.
#[test]
fn each_calls_longest_task_is_summed_into_the_span() {
    for backend in Backend::ALL {
        for j in [1, 2] {
            let team = Team::new(j, backend).unwrap();
            let work = || {
                team.map(8, |i| spin_cpu(if i == 5 { 3 } else { 0 }));
                team.map_reduce(4, (), |_| spin_cpu(1), |_, _| ());
            };
            assert_eq!(profile(&team, work).longest_tasks_ns, None, "tasks are timed only when asked");
            team.time_tasks_in_profiles(true);
            let trace = profile(&team, work);
            // A task that had 3 ms of CPU took at least 3 ms of wall time; the second call's at
            // least 1 ms.
            let longest = trace.longest_tasks_ns.unwrap();
            assert!(longest >= 4_000_000, "{backend} j={j}: {trace:?}");
            assert!(longest <= trace.in_calls_ns(), "{backend} j={j}: {trace:?}");
        }
    }
}
