//! Outputs: nothing measured is lost, nothing is written where it was not asked, and no file that
//! is not ours is replaced or removed (two runs with one `--out`, reports beside results, chart
//! names from files, devices, FIFOs and links, other users' files, temporary files that only look
//! like ours, standard output closed or named `-`). Each test asserts files and exit codes, never
//! timings; cases that need another user run the binary as `nobody` when root, else skip.

use amdahl::machine::fixture::FixtureMachine;
use serde_json::Value;
use std::path::Path;
use std::process::Child;
use std::time::Duration;

use crate::util::{
    Run, as_nobody, assert_refused, finish_within, measure, measure_command, measure_in, quick_run, read_json,
    reference, running_as_root, small_results, spawn, stderr, stdout, str_path, two_rounds, wait_for,
};

#[test]
fn of_two_runs_with_the_same_out_the_first_wins_and_the_second_measures_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let first = Run::of("sleep:ms=5").rounds(3).out(&out).in_dir(dir.path()).spawn();
    wait_for(&out, |j| j["run"]["status"] == "running");
    let second = measure(&["run", "-w", "synthetic:size=1000", "--out", str_path(&out)]);
    assert_refused(&second, 2, &["already exists", "--force"]);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let saved = read_json(&out);
    assert_eq!(
        (saved["run"]["status"].as_str(), saved["workloads"][0]["name"].as_str()),
        (Some("complete"), Some("sleep"))
    );

    // Default names in one folder: each run claims its own.
    let runs: Vec<Child> = (0..2).map(|_| Run::of("synthetic:size=1000").in_dir(dir.path()).spawn()).collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let files = std::fs::read_dir(dir.path().join("results")).unwrap().count();
    assert_eq!(files, 2);
}

#[test]
fn the_report_never_replaces_the_results_nor_an_existing_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.html");
    let run = |out: &Path| Run::of("synthetic:size=1000").args(&["--report"]).out(out).output();
    let done = run(&out);
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(read_json(&out)["schema"], "amdahl-results");
    assert!(std::fs::read_to_string(dir.path().join("x.report.html")).unwrap().starts_with("<!DOCTYPE html>"));

    // An existing page is refused before anything is measured, and no results file is left.
    let out = dir.path().join("y.json");
    std::fs::write(dir.path().join("y.html"), "precious").unwrap();
    assert_refused(&run(&out), 2, &["y.html", "already exists", "--force"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("y.html")).unwrap(), "precious");
    assert!(!out.exists());
}

#[test]
fn names_in_a_results_file_cannot_write_outside_the_chart_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut json = read_json(&small_results(dir.path()));
    let evil = dir.path().join("evil.json");
    let escape = dir.path().join("escaped");
    json["workloads"][0]["name"] = Value::from(format!("../../{}", str_path(&escape)));
    std::fs::write(&evil, serde_json::to_vec(&json).unwrap()).unwrap();
    let charts = dir.path().join("charts");
    let out = measure(&["report", "--svg-dir", str_path(&charts), str_path(&evil)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written: Vec<String> =
        std::fs::read_dir(&charts).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    // Two thread counts: one combined chart (the speedup, its points labelled with E), and the
    // thread-time account's bars.
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written.iter().all(|n| (n.ends_with("-speedup.svg") || n.ends_with("-parts.svg")) && !n.contains('/')),
        "{written:?}"
    );
    let outside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(outside.len(), 3, "only small.json, evil.json and charts/: {outside:?}");
    // Again without --force: the charts exist, nothing is replaced.
    assert_refused(&measure(&["report", "--svg-dir", str_path(&charts), str_path(&evil)]), 2, &["already exists"]);
}

#[test]
fn force_never_replaces_a_device_a_fifo_or_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(str_path(&fifo)).unwrap();
    // SAFETY: mkfifo on a NUL-terminated path in our temporary folder.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let mut targets = vec![(fifo.clone(), "not a regular file")];
    let device = dir.path().join("null");
    let d = std::ffi::CString::new(str_path(&device)).unwrap();
    // SAFETY: mknod of a character device (1, 3: like /dev/null) in our temporary folder; it needs
    // root, and the test checks it only where that worked.
    if unsafe { libc::mknod(d.as_ptr(), libc::S_IFCHR | 0o600, libc::makedev(1, 3)) } == 0 {
        targets.push((device.clone(), "not a regular file"));
    }
    let target = dir.path().join("real.json");
    std::fs::write(&target, "precious").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    targets.push((link, "symbolic link"));
    for (path, what) in &targets {
        let out = measure(&["run", "-w", "synthetic:size=1000", "--force", "--out", str_path(path)]);
        assert_refused(&out, 2, &[what]);
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    if targets.len() == 3 {
        assert!(std::fs::symlink_metadata(&device).unwrap().file_type().is_char_device());
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
}

#[test]
fn orphaned_temporary_files_in_the_output_folder_are_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    // Left by a process that died mid-write: PID 2^22 + 1 is above Linux's largest.
    let orphan = dir.path().join(amdahl::results::output::temp_name(&out, 4_194_305));
    std::fs::write(&orphan, "half a file").unwrap();
    let done = measure(&two_rounds(&["-w", "synthetic:size=1000", "--out", str_path(&out)]));
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(!orphan.exists());
}

#[test]
fn a_dash_is_standard_output_for_the_results_json_and_refused_for_a_folder_of_charts() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--export-json", "--out"] {
        let out = measure_in(dir.path(), &two_rounds(&["-w", "synthetic:size=100000", "--no-ceilings", flag, "-"]));
        assert!(out.status.success(), "{flag}: {}", stderr(&out));
        let printed: Value = serde_json::from_slice(&out.stdout).expect("the results JSON on standard output");
        assert_eq!(printed["workloads"][0]["name"], "synthetic");
        assert!(!dir.path().join("-").exists(), "{flag} - wrote a file named -");
    }
    // Both runs were saved under their default names, in results/.
    assert_eq!(std::fs::read_dir(dir.path().join("results")).unwrap().count(), 2);

    let results = small_results(dir.path());
    let out = measure_in(dir.path(), &["report", str_path(&results), "--svg-dir", "-"]);
    assert_refused(&out, 2, &["--svg-dir", "standard output"]);
    assert!(!dir.path().join("-").exists());
}

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

#[test]
fn a_closed_stdout_is_an_io_error_and_a_broken_pipe_is_not() {
    let closed = std::process::Command::new("sh")
        .args(["-c", "exec \"$0\" list >&-", env!("CARGO_BIN_EXE_measure")])
        .output()
        .unwrap();
    assert_refused(&closed, 74, &["<stdout>", "standard output is closed"]);
    // A reader that stops reading early is no error: `measure list | head -1`.
    let piped = std::process::Command::new("sh")
        .args(["-c", "\"$0\" list | head -c 1 >/dev/null; exit 0", env!("CARGO_BIN_EXE_measure")])
        .output()
        .unwrap();
    assert!(piped.stderr.is_empty(), "{}", String::from_utf8_lossy(&piped.stderr));
    // Redirected to /dev/null on purpose: fine.
    let null = measure_command().arg("list").stdout(std::process::Stdio::null()).output().unwrap();
    assert_eq!(null.status.code(), Some(0), "{}", String::from_utf8_lossy(&null.stderr));
}

#[test]
fn a_report_to_dash_goes_to_stdout_and_only_one_output_may() {
    let dir = tempfile::tempdir().unwrap();
    let input = reference();
    let input = input.to_str().unwrap();
    let out = measure_in(dir.path(), &["report", input, "--markdown", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("synthetic"), "{}", stdout(&out));
    let out = measure_in(dir.path(), &["report", input, "--html", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("<!DOCTYPE html>") || stdout(&out).contains("<html"), "{}", stdout(&out));
    let out = measure_in(dir.path(), &["report", input, "--html", "-", "--markdown", "-"]);
    assert_refused(&out, 2, &["--markdown", "standard output, which --html already writes to"]);
    assert!(!dir.path().join("-").exists(), "a file named `-` was written");
}

#[test]
fn a_run_exports_to_stdout_in_place_of_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        measure_in(dir.path(), &two_rounds(&["-w", "synthetic:size=100000", "--out", "r.json", "--export-csv", "-"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().next().is_some_and(|header| header.contains("threads")), "{text}");
    assert!(!dir.path().join("-").exists(), "a file named `-` was written");
    let out = measure_in(
        dir.path(),
        &two_rounds(&["-w", "synthetic:size=100000", "--out", "s.json", "--export-csv", "-", "--json"]),
    );
    assert_refused(&out, 2, &["--export-csv", "--json"]);
}
