//! Touch no file that is not ours, and bound every phase: the third round of attacks on the
//! binary (outputs that are one file or an input, temporary files of others, facts the loader
//! would refuse, thread limits, hooks, signals outside the sweep, FIFOs, daemons). Each test
//! asserts files, exit codes and messages. Waits are hang guards with generous bounds, never
//! timings; cases that need another user or a resource limit run the binary as `nobody` (root
//! only) and skip with a message otherwise.

mod util;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use amdahl::machine::fixture::FixtureMachine;
use util::{assert_refused, measure_command, measure_in, stderr};

fn str_path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a NUL-terminated path in a temporary folder of ours.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// Waits for `child` at most `bound` (a hang guard): its output, or a panic naming `what`.
fn finish_within(mut child: Child, bound: Duration, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > bound {
            let _ = child.kill();
            panic!("{what}: still running after {bound:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn spawn(command: &mut Command) -> Child {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("measure starts")
}

/// A quick sweep of `sleep` writing to `out`, with `more` flags.
fn quick_run<'a>(out: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "-w", "sleep:ms=1,size=4", "-t", "1,2", "--min-rounds", "2", "--max-rounds", "2"];
    args.extend(["-q", "--no-ceilings", "--out", out]);
    args.extend(more);
    args
}

// --- 1. Two outputs, one file -------------------------------------------------------------------

#[test]
fn an_export_onto_the_results_file_is_refused_at_start_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("b.json");
    std::fs::write(&b, "the user's precious results").unwrap();
    for export in ["--export-csv", "--export-markdown"] {
        let out = measure_in(dir.path(), &quick_run("b.json", &[export, "b.json", "--force"]));
        assert_refused(&out, 2, &[export, "the same file as --out"]);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "the user's precious results");
    }
    // The report of i.json is i.html: an export there is the same file.
    let out = measure_in(dir.path(), &quick_run("i.json", &["--report", "--export-markdown", "i.html"]));
    assert_refused(&out, 2, &["--export-markdown", "the same file as --report"]);
    assert!(!dir.path().join("i.json").exists(), "the claimed results file was not given back");
}

#[test]
fn differently_spelt_paths_to_one_file_are_found_before_measuring() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for (out, export) in [("./f.json", "f.json"), ("sub/../h.json", "h.json")] {
        // A budget of an hour: a refusal that came after measuring would hit the hang guard.
        let mut args = quick_run(out, &["--export-csv", export, "--budget", "3600"]);
        let max = args.iter().position(|a| *a == "--max-rounds").unwrap();
        args[max + 1] = "1000000";
        let child = spawn(measure_command().args(&args).current_dir(dir.path()));
        let done = finish_within(child, Duration::from_secs(60), "a collision found only after the run");
        assert_refused(&done, 2, &["--export-csv", "the same file as --out"]);
        assert!(!dir.path().join(export).exists(), "{export}: a refused run left its claim behind");
    }
}

#[test]
fn an_unwritable_export_folder_is_refused_before_measuring() {
    if !running_as_root() {
        eprintln!("skipped: needs root to run the binary as `nobody`");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let open = dir.path().join("open");
    let closed = dir.path().join("closed");
    for (path, mode) in [(dir.path().to_owned(), 0o755), (open.clone(), 0o777), (closed.clone(), 0o755)] {
        std::fs::create_dir_all(&path).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }
    let (out, csv) = (open.join("r.json"), closed.join("r.csv"));
    let args = quick_run(str_path(&out), &["--export-csv", str_path(&csv)]);
    let mut command = measure_command();
    command.args(&args).current_dir(&open);
    as_nobody(&mut command, None);
    let done = finish_within(spawn(&mut command), Duration::from_secs(60), "an unwritable export");
    assert_refused(&done, 74, &["closed", "cannot write there"]);
    assert!(!out.exists(), "the run measured (or kept its claim) although an output could not be written");
}

#[test]
fn a_file_of_another_user_in_a_sticky_folder_is_refused_before_measuring() {
    if !running_as_root() {
        eprintln!("skipped: needs root to run the binary as `nobody`");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sticky = dir.path().join("sticky");
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::create_dir(&sticky).unwrap();
    std::fs::set_permissions(&sticky, std::os::unix::fs::PermissionsExt::from_mode(0o1777)).unwrap();
    // Root's file, writable by all, in a sticky folder: nobody may not replace it.
    let theirs = sticky.join("g.csv");
    std::fs::write(&theirs, "root's").unwrap();
    std::fs::set_permissions(&theirs, std::os::unix::fs::PermissionsExt::from_mode(0o666)).unwrap();
    let out = sticky.join("n.json");
    let args = quick_run(str_path(&out), &["--export-csv", str_path(&theirs), "--force", "--budget", "3600"]);
    let mut command = measure_command();
    command.args(&args).current_dir(&sticky);
    as_nobody(&mut command, None);
    let done = finish_within(spawn(&mut command), Duration::from_secs(60), "an export over another user's file");
    assert_refused(&done, 74, &["g.csv", "cannot replace it", "sticky folder"]);
    assert!(!out.exists(), "the run measured although an export could not be written");
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "root's");
}

// --- 2. Temporary files of others ----------------------------------------------------------------

#[test]
fn files_that_merely_look_temporary_are_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    // A user's files with dead PIDs (2^22 + 1 is above Linux's largest) in the output folder.
    let theirs = [".thesis.tex.tmp-4242", ".r.json.tmp-4194305", ".amdahl-notes-4194305.tmp"];
    for name in theirs {
        std::fs::write(dir.path().join(name), "a user's file").unwrap();
    }
    let ours = dir.path().join(amdahl::results::output::temp_name(&out, 4_194_305));
    std::fs::write(&ours, "half a results file").unwrap();
    let done = measure_in(dir.path(), &quick_run(str_path(&out), &[]));
    assert!(done.status.success(), "{}", stderr(&done));
    for name in theirs {
        assert!(dir.path().join(name).exists(), "{name} was deleted");
    }
    assert!(!ours.exists(), "our own orphan was left");
    // A legal 250-character name keeps a legal temporary name.
    let long = format!("{}.json", "r".repeat(245));
    let done = measure_in(dir.path(), &quick_run(&long, &[]));
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(dir.path().join(&long).exists());
}

// --- 3. Outputs onto inputs ------------------------------------------------------------------------

#[test]
fn no_command_writes_over_its_own_input() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let done = measure_in(dir.path(), &quick_run("a.json", &[]));
    assert!(done.status.success(), "{}", stderr(&done));
    let before = std::fs::read(&a).unwrap();
    std::fs::hard_link(&a, dir.path().join("same.json")).unwrap();
    for (flag, target) in [("--html", "a.json"), ("--markdown", "a.json"), ("--markdown", "same.json")] {
        let out = measure_in(dir.path(), &["report", "a.json", flag, target, "--force"]);
        assert_refused(&out, 2, &[flag, "an input of this command"]);
    }
    let out = measure_in(dir.path(), &["compare", "a.json", "a.json", "--html", "a.json", "--force"]);
    assert_refused(&out, 2, &["--html", "an input of this command"]);
    // A suite file is an input of `run`.
    let suite = dir.path().join("suite.json");
    std::fs::write(&suite, r#"[{"workload": "sleep:ms=1,size=4"}]"#).unwrap();
    let out = measure_in(
        dir.path(),
        &["run", "--suite", "suite.json", "-t", "1,2", "--out", "suite.json", "--force", "-q", "--no-ceilings"],
    );
    assert_refused(&out, 2, &["--out", "an input of this command"]);
    assert_eq!(std::fs::read(&a).unwrap(), before);
    assert_eq!(std::fs::read_to_string(&suite).unwrap(), r#"[{"workload": "sleep:ms=1,size=4"}]"#);
    // The files of a --sysfs/--procfs tree are inputs too.
    FixtureMachine::default().write(dir.path()).unwrap();
    let online = dir.path().join("sys/devices/system/cpu/online");
    let before = std::fs::read(&online).unwrap();
    let args = quick_run(str_path(&online), &["--sysfs", "sys", "--procfs", "proc", "--force"]);
    assert_refused(&measure_in(dir.path(), &args), 2, &["--out", "a tree this command reads its machine from"]);
    assert_eq!(std::fs::read(&online).unwrap(), before);
}

// --- 4. Facts the loader would refuse ----------------------------------------------------------------

#[test]
fn a_non_finite_fact_is_dropped_so_the_file_loads_again() {
    let dir = tempfile::tempdir().unwrap();
    let machine = FixtureMachine { loadavg: "nan inf -1 1/100 1".into(), ..FixtureMachine::default() };
    machine.write(dir.path()).unwrap();
    let (sys, proc) = (dir.path().join("sys"), dir.path().join("proc"));
    let out = dir.path().join("r.json");
    let args = quick_run(str_path(&out), &["--sysfs", str_path(&sys), "--procfs", str_path(&proc)]);
    let done = measure_in(dir.path(), &args);
    assert!(done.status.success(), "{}", stderr(&done));
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(saved["machine"]["load_before"].is_null(), "{}", saved["machine"]["load_before"]);
    let fit = measure_in(dir.path(), &["fit", "r.json"]);
    assert!(fit.status.success(), "the file we wrote does not load: {}", stderr(&fit));
}

// --- 5. A thread limit -----------------------------------------------------------------------------

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

// --- 6. Hooks ----------------------------------------------------------------------------------------

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
    util::wait_until_catching(child.id(), libc::SIGINT);
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

// --- 7. Signals in every phase -------------------------------------------------------------------------

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
    util::wait_until_catching(child.id(), libc::SIGINT);
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
        &["run", "--dry-run", "-w", "sleep:ms=30000,size=1", "-t", "1,2"],
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

// --- 8. FIFOs as inputs ----------------------------------------------------------------------------

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

// --- 9. A daemon that keeps the command's stderr ----------------------------------------------------

#[test]
fn a_daemon_holding_stderr_neither_stretches_samples_nor_goes_unmentioned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let args = [
        "run",
        "--cmd",
        "setsid sleep 5 & sleep 0.2 # {threads}",
        "-t",
        "1,2",
        "--min-rounds",
        "2",
        "--max-rounds",
        "2",
        "-q",
        "--out",
        str_path(&out),
    ];
    let child = spawn(measure_command().args(args).current_dir(dir.path()));
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

// --- helpers for running as another user ------------------------------------------------------------

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Runs `command` as `nobody` (uid and gid 65534), with at most `tasks` processes and threads of
/// that user when given.
fn as_nobody(command: &mut Command, tasks: Option<u64>) {
    // SAFETY: between fork and exec only async-signal-safe calls: setrlimit, setgroups, setgid,
    // setuid.
    unsafe {
        command.pre_exec(move || {
            if let Some(n) = tasks {
                let limit = libc::rlimit { rlim_cur: n, rlim_max: n };
                if libc::setrlimit(libc::RLIMIT_NPROC, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Threads now running as `nobody` (they count against its process limit).
fn tasks_of_nobody() -> u64 {
    let mut tasks = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let status: PathBuf = entry.path().join("status");
        let Ok(text) = std::fs::read_to_string(status) else { continue };
        let field = |name: &str| text.lines().find(|l| l.starts_with(name)).map(str::to_owned);
        let nobody = field("Uid:").is_some_and(|l| l.split_whitespace().nth(1) == Some("65534"));
        if nobody {
            tasks += field("Threads:").and_then(|l| l.split_whitespace().nth(1)?.parse().ok()).unwrap_or(1);
        }
    }
    tasks
}
