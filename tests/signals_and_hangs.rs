//! No phase hangs, and a signal stops every phase: signals during a sweep (every completed round
//! saved, the exit code of the first), hung commands and in-process work (`--timeout`), hooks that
//! hang or leave a daemon, signals during setup, `machine` and `--dry-run`, FIFOs as inputs or
//! facts, a thread limit at the ceilings. Waits are hang guards with generous bounds, never timings.

use amdahl::machine::fixture::FixtureMachine;
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use crate::util::{
    Run, as_nobody, assert_refused, finish_within, measure, measure_command, measure_in, mkfifo, quick_run, read_json,
    running_as_root, signal, spawn, spawn_in, stderr, stdout, str_path, tasks_of_nobody, two_rounds, wait_for,
    wait_until_catching,
};

fn rounds_of(json: &Value) -> u64 {
    json["workloads"].get(0).and_then(|w| w["rounds"].as_u64()).unwrap_or(0)
}

#[test]
fn two_signals_at_once_save_every_completed_round_and_exit_by_the_first() {
    for (sig, code) in [(libc::SIGTERM, 143), (libc::SIGINT, 130), (libc::SIGHUP, 129)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.json");
        let forever = Run::of("sleep:ms=1").threads("1-8").rounds(100_000).args(&["--budget", "600"]);
        let child = forever.out(&out).in_dir(dir.path()).spawn();
        let seen = rounds_of(&wait_for(&out, |j| rounds_of(j) >= 2));
        // Like GNU timeout: the process, then its group, nearly at once.
        signal(&child, sig);
        signal(&child, sig);
        let done = child.wait_with_output().unwrap();
        assert_eq!(done.status.code(), Some(code), "{}", stderr(&done));
        let saved = read_json(&out);
        assert_eq!(saved["run"]["status"], "interrupted", "{}", stderr(&done));
        assert!(rounds_of(&saved) >= seen, "{} rounds saved, {seen} seen before", rounds_of(&saved));
        let samples = saved["workloads"][0]["points"][0]["samples_ns"].as_array().unwrap().len() as u64;
        assert_eq!(samples, rounds_of(&saved));
        // The saved file loads and refits.
        let fit = measure(&["fit", str_path(&out)]);
        assert!(fit.status.success(), "{}", stderr(&fit));
    }
}

#[test]
fn one_signal_finishes_the_sample_summarises_and_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let forever = Run::of("sleep:ms=1").threads("1-4").rounds(100_000).args(&["--budget", "600"]);
    let child = forever.shown().out(&out).in_dir(dir.path()).spawn();
    wait_for(&out, |j| rounds_of(j) >= 2);
    signal(&child, libc::SIGINT);
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130), "{}", stderr(&done));
    assert!(stdout(&done).contains("sleep (io-bound") && stdout(&done).contains("interrupted"), "{}", stdout(&done));
    let saved = read_json(&out);
    assert_eq!(
        (saved["run"]["status"].as_str(), saved["workloads"][0]["stop"].as_str()),
        (Some("interrupted"), Some("interrupted"))
    );
    assert!(saved["workloads"][0]["fits"]["amdahl"]["serial_fraction"].is_number());
}

/// Whether a process whose command line contains `needle` is running.
fn running(needle: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).replace('\0', " ").contains(needle))
    })
}

#[test]
fn a_hung_command_times_out_and_ctrl_c_kills_its_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let hung = "sh -c 'sleep 987651; echo {threads}'";
    let done = measure_in(
        dir.path(),
        &["run", "--cmd", hung, "--name", "hung", "-t", "1,2", "--timeout", "1", "-q", "--out", str_path(&out)],
    );
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    let saved = read_json(&out);
    assert_eq!(saved["run"]["status"], "complete");
    let error = saved["workloads"][0]["error"].as_str().unwrap();
    assert!(error.contains("timed out after 1.000 s") && error.contains("j=1"), "{error}");
    assert!(!running("sleep 987651"), "the command outlived its timeout");

    // No timeout: Ctrl-C kills the command's group, saves, and exits 130 at once.
    let out = dir.path().join("s.json");
    let child = spawn_in(
        dir.path(),
        &[
            "run",
            "--cmd",
            "sh -c 'sleep 987652; echo {threads}'",
            "-t",
            "1,2",
            "--timeout",
            "none",
            "-q",
            "--out",
            str_path(&out),
        ],
    );
    wait_for(&out, |j| j["run"]["status"] == "running");
    let start = Instant::now();
    while !running("sleep 987652") {
        assert!(start.elapsed() < Duration::from_secs(30), "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, libc::SIGINT);
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130), "{}", stderr(&done));
    assert_eq!(read_json(&out)["run"]["status"], "interrupted");
    assert!(read_json(&out)["workloads"][0]["error"].is_null(), "an interrupted command is not a failure");
    assert!(!running("sleep 987652"), "the command was orphaned");
}

#[test]
fn in_process_work_that_does_not_return_is_saved_and_ends_with_124() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    // 64 tasks of 60 s: an hour at j = 1 (known from its parameters: refused unless allowed).
    let args = ["-w", "synthetic:size=1000", "-w", "sleep:ms=60000", "--timeout", "1s", "--out", str_path(&out)];
    let done = measure_in(dir.path(), &two_rounds(&[&args[..], &["--allow-overrun"]].concat()));
    assert_eq!(done.status.code(), Some(124), "{}", stderr(&done));
    assert!(stderr(&done).contains("workload `sleep` did not return within 1s at j = 1"), "{}", stderr(&done));
    let saved = read_json(&out);
    assert_eq!(saved["run"]["status"], "interrupted");
    assert_eq!(rounds_of(&saved), 2, "the finished workload is kept");
}

#[test]
fn a_thread_limit_fails_the_ceilings_with_a_warning_instead_of_deadlocking() {
    if !running_as_root() {
        eprintln!("skipped: needs root to run the binary as `nobody` under a thread limit");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    // The main thread, the signal thread and one more: a team of 4 cannot be had.
    let limit = tasks_of_nobody() + 3;
    let mut command = measure_command();
    command.args(["machine", "--no-cache", "-t", "1,2,4"]).current_dir(dir.path());
    as_nobody(&mut command, Some(limit));
    let done = finish_within(spawn(&mut command), Duration::from_secs(120), "measure machine under a thread limit");
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert!(stderr(&done).contains("cannot start thread"), "{}", stderr(&done));
    assert!(!stderr(&done).contains("panicked"), "{}", stderr(&done));
}

#[test]
fn a_hanging_hook_obeys_the_timeout_and_leaves_nothing_running() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("survived");
    let hook = format!("sleep 3; touch {}", marker.display());
    for flag in ["--setup", "--prepare", "--cleanup"] {
        let mut args = quick_run("r.json", &[flag, &hook, "--timeout", "300ms", "--force"]);
        args[2] = "sleep:ms=1,size=2";
        let child = spawn(measure_command().args(&args).current_dir(dir.path()));
        let done = finish_within(child, Duration::from_secs(60), flag);
        let err = stderr(&done);
        assert!(err.contains(flag) && err.contains("timed out after 0.300 s"), "{flag}: {err}");
    }
    std::thread::sleep(Duration::from_millis(3500));
    assert!(!marker.exists(), "a hook outlived its timeout");
}

#[test]
fn a_hook_that_leaves_a_daemon_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let args = quick_run("r.json", &["--setup", "setsid sleep 3 & sleep 0.3"]);
    let done =
        finish_within(spawn(measure_command().args(&args).current_dir(dir.path())), Duration::from_secs(60), "setup");
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    let warnings = saved["workloads"][0]["warnings"].to_string();
    assert!(warnings.contains("--setup") && warnings.contains("left a process running"), "{warnings}");
}

#[test]
fn the_first_signal_ends_a_hanging_setup_and_its_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("survived");
    let started = dir.path().join("started");
    let hook = format!("touch {}; sleep 3; touch {}", started.display(), marker.display());
    let args = quick_run("r.json", &["--setup", &hook]);
    let child = spawn(measure_command().args(&args).current_dir(dir.path()));
    // The hook is running and the handlers are in: no guessed sleep (a loaded machine is slow).
    wait_until_catching(child.id(), libc::SIGINT);
    let start = Instant::now();
    while !started.exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "the hook never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: kill sends SIGINT to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let done = finish_within(child, Duration::from_secs(30), "a hanging --setup after Ctrl-C");
    assert_eq!(done.status.code(), Some(130), "{}", stderr(&done));
    std::thread::sleep(Duration::from_millis(3000));
    assert!(!marker.exists(), "the hook's process group survived the signal");
}

/// `measure args` started with SIGINT ignored (as a background job of a script is), sent SIGINT
/// once after `after` and once its handler is in (before, the signal would be ignored as it was
/// started): it must end by the signal (130).
fn ends_on_one_sigint(args: &[&str], after: Duration, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = measure_command();
    command.args(args).current_dir(dir.path());
    // SAFETY: between fork and exec only async-signal-safe calls: signal().
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            Ok(())
        });
    }
    let child = spawn(&mut command);
    std::thread::sleep(after);
    wait_until_catching(child.id(), libc::SIGINT);
    // SAFETY: kill sends SIGINT to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let done = finish_within(child, Duration::from_secs(20), what);
    assert_eq!(done.status.code(), Some(130), "{what}: {}", stderr(&done));
}

#[test]
fn machine_and_dry_run_obey_the_first_signal() {
    ends_on_one_sigint(
        &["machine", "--no-cache"],
        Duration::ZERO,
        "measure machine, signalled as soon as it can catch it",
    );
    ends_on_one_sigint(
        // A cost no parameter tells (a `sleep` this long is refused before anything runs).
        &["run", "--dry-run", "-w", "synthetic:size=100000000000", "-t", "1,2"],
        Duration::from_millis(500),
        "run --dry-run of a slow workload",
    );
    ends_on_one_sigint(
        &["run", "--dry-run", "--cmd", "sleep 30 # {threads}", "-t", "1,2"],
        Duration::from_millis(500),
        "run --dry-run of a slow command",
    );
}

#[test]
fn a_fifo_in_a_fixture_tree_is_no_fact_and_no_hang() {
    let dir = tempfile::tempdir().unwrap();
    FixtureMachine::default().write(dir.path()).unwrap();
    let online = dir.path().join("sys/devices/system/cpu/online");
    std::fs::remove_file(&online).unwrap();
    mkfifo(&online);
    mkfifo(&dir.path().join("proc/loadavg.fifo"));
    let (sys, proc) = (dir.path().join("sys"), dir.path().join("proc"));
    let mut command = measure_command();
    command.args(["machine", "--json", "--sysfs", str_path(&sys), "--procfs", str_path(&proc)]);
    let done = finish_within(spawn(&mut command), Duration::from_secs(30), "a FIFO in --sysfs");
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
}

#[test]
fn fifos_as_inputs_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("in.json");
    mkfifo(&fifo);
    for args in [
        vec!["fit", "in.json"],
        vec!["report", "in.json"],
        vec!["compare", "in.json", "in.json"],
        vec!["run", "--suite", "in.json", "--dry-run"],
    ] {
        let child = spawn(measure_command().args(&args).current_dir(dir.path()));
        let done = finish_within(child, Duration::from_secs(30), &args.join(" "));
        assert_refused(&done, 65, &["in.json", "is not a regular file"]);
    }
}

#[test]
fn a_daemon_holding_stderr_neither_stretches_samples_nor_goes_unmentioned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let child = Run::of_all(&[])
        .args(&["--cmd", "setsid sleep 5 & sleep 0.2 # {threads}"])
        .out(&out)
        .in_dir(dir.path())
        .spawn();
    let done = finish_within(child, Duration::from_secs(60), "a command whose daemon keeps stderr");
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let workload = &saved["workloads"][0];
    // Every sample ended at the command's exit (0.2 s), not the daemon's (5 s).
    for point in workload["points"].as_array().unwrap() {
        for ns in point["samples_ns"].as_array().unwrap() {
            assert!(ns.as_u64().unwrap() < 4_000_000_000, "a sample waited for the daemon: {ns} ns");
        }
    }
    let warnings = workload["warnings"].to_string();
    assert!(warnings.contains("left a process running"), "{warnings}");
}
