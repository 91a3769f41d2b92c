//! The machine seam end to end: `measure run` on fixture trees of machines we do not have; its
//! facts and ceilings under attack (`facts`); busyness judged from a sample of `stat` (`busy`).

mod busy;
mod facts;

use crate::util::{Run, measure_command, measure_in, stderr};
use amdahl::machine::fixture::FixtureMachine;

#[test]
fn a_fixture_machine_gives_its_cpu_counts_facts_and_each_warning_once() {
    let dir = tempfile::tempdir().unwrap();
    // 192 CPUs on 2 sockets with SMT, powersave, turbo on, a cgroup quota of 2 CPUs.
    let machine = FixtureMachine {
        sockets: 2,
        cores_per_socket: 48,
        threads_per_core: 2,
        cpu_max: Some("200000 100000".into()),
        governor: Some("powersave".into()),
        no_turbo: Some("0".into()),
        ..FixtureMachine::default()
    };
    machine.write(dir.path()).unwrap();
    let (sys, proc) = (dir.path().join("sys"), dir.path().join("proc"));
    let out_path = dir.path().join("r.json");
    let roots = ["--sysfs", sys.to_str().unwrap(), "--procfs", proc.to_str().unwrap()];
    let out = Run::of("synthetic:size=1000").threads("1-N").args(&roots).out(&out_path).in_dir(dir.path()).output();
    assert!(out.status.success(), "{}", stderr(&out));
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    let m = &saved["machine"];
    assert_eq!(
        (m["logical_cpus"].as_u64(), m["physical_cores"].as_u64(), m["sockets"].as_u64()),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(
        (m["cpu_quota"].as_f64(), m["numa_nodes"].as_u64(), m["online_cpus"].as_u64()),
        (Some(2.0), Some(2), Some(192))
    );
    assert_eq!(m["environment"]["before"]["governor"], "powersave");
    assert!(m["environment"]["after"].is_object());
    // N = 2 from the quota: the set 1-N is 1, 2; no SMT sibling is usable, so no `smt` tag (other
    // tags, such as `disturbed` by the tests running beside this one, may be there).
    let points = saved["workloads"][0]["points"].as_array().unwrap();
    assert_eq!(points.iter().map(|p| p["threads"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    assert!(points.iter().all(|p| !p["tags"].as_array().unwrap().iter().any(|t| t == "smt")));
    let warnings: Vec<&str> = saved["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    let err = stderr(&out);
    for part in ["governor is `powersave`", "turbo/boost is on"] {
        assert_eq!(warnings.iter().filter(|w| w.contains(part)).count(), 1, "{part}: {warnings:#?}");
        assert_eq!(err.matches(part).count(), 1, "{part}: {err}");
    }
}

#[test]
fn the_environment_variables_re_root_the_seam_too() {
    let dir = tempfile::tempdir().unwrap();
    FixtureMachine { sockets: 1, cores_per_socket: 3, ..FixtureMachine::default() }.write(dir.path()).unwrap();
    let out = measure_command()
        .args(["predict", "--serial", "0.1", "-t", "1-N", "--json"])
        .env("AMDAHL_SYSFS", dir.path().join("sys"))
        .env("AMDAHL_PROCFS", dir.path().join("proc"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let threads: Vec<u64> = v["rows"].as_array().unwrap().iter().map(|r| r["threads"].as_u64().unwrap()).collect();
    assert_eq!(threads, [1, 2, 3]);
}

/// Stores exact, plausible ceilings at j = 1, 2 in the cache folder `dir`, under this machine's
/// key for a run without `--pin` (over what is there); returns them as JSON.
fn stored_ceilings(dir: &std::path::Path) -> serde_json::Value {
    use amdahl::machine::ceiling_cache::{CacheKey, CeilingCache};
    use amdahl::results::{BandwidthCeiling, Ceilings, ComputeCeiling, TimerCeiling};
    let facts = amdahl::machine::MachineFacts::read(&amdahl::machine::Roots::default());
    // Plausible on this machine (`ceiling_cache::implausible` allows 1.25 a usable CPU), and more
    // than its CPUs give a run.
    let usable = facts.fingerprint().usable_cpus;
    let speedup = |j: usize| if j == 1 { 1.0 } else { j.min(usable) as f64 * 1.2 };
    let compute = |j: usize| ComputeCeiling { threads: j, speedup: speedup(j), relative_clock: 1.0, mhz: None };
    let ceilings = Ceilings {
        placement: amdahl::placement::Pin::Scatter,
        compute: (1..=2).map(compute).collect(),
        bandwidth: (1..=2).map(|j| BandwidthCeiling { threads: j, gb_per_s: 10.0 * j as f64 }).collect(),
        timer: (1..=2).map(|j| TimerCeiling { threads: j, speedup: j as f64 }).collect(),
        ..Ceilings::default()
    };
    let key = CacheKey::of(facts.fingerprint(), amdahl::placement::Pin::Scatter);
    CeilingCache { dir: dir.to_owned(), even_when_busy: true }
        .store(&key, &ceilings, std::time::SystemTime::now())
        .unwrap();
    serde_json::to_value(&ceilings).unwrap()
}

#[test]
fn measure_machine_gives_facts_and_ceilings_and_caches_them_for_run() {
    let cache = tempfile::tempdir().unwrap();
    let machine = |args: &[&str]| {
        // Ceilings measured on a busy machine are not cached: the tests beside this one keep it
        // busy, and what this test checks is the cache.
        measure_command()
            .env("XDG_CACHE_HOME", cache.path())
            .env("AMDAHL_CACHE_WHEN_BUSY", "1")
            .args(args)
            .output()
            .expect("measure runs")
    };
    let out = machine(&["machine", "--json", "-t", "1,2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["facts"]["logical_cpus"].as_u64().unwrap() >= 1);
    assert!(v["facts"].get("ceilings").is_none(), "the ceilings are beside the facts, not in them");
    for (ceiling, field) in [("compute", "speedup"), ("bandwidth", "gb_per_s"), ("timer", "speedup")] {
        let rows = v["ceilings"][ceiling].as_array().unwrap();
        assert_eq!(rows.iter().map(|r| r["threads"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2], "{ceiling}");
        assert!(rows.iter().all(|r| r[field].as_f64().unwrap() > 0.0), "{ceiling}");
    }
    assert_eq!(v["ceilings"]["compute"][0]["relative_clock"], 1.0);
    let entries = || std::fs::read_dir(cache.path().join("amdahl")).map_or(0, |d| d.count());
    if entries() == 0 {
        // Measured on a loaded machine, ceilings can come out cut short or impossible: then they
        // are rightly not cached, and the warnings say so.
        let warnings = v["warnings"].to_string();
        assert!(warnings.contains("not cached"), "measure machine neither cached nor said why: {warnings}");
    }
    // The read path is tested on exact ceilings stored over that entry: a run on a loaded machine
    // can beat a live entry (two threads get more of busy CPUs' time than one) and then rightly
    // measures them again; these, at the most a CPU gives, no run on a loaded machine beats.
    let cached = stored_ceilings(&cache.path().join("amdahl"));
    assert_eq!(entries(), 1);
    // A run at counts the cache holds reads them from it and says so in the file.
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("r.json");
    let args = crate::util::two_rounds(&["-w", "synthetic:size=1000"]);
    let run = |extra: &[&str]| {
        let all: Vec<&str> = args.iter().chain(extra).copied().collect();
        let out = machine(&[&all[..], &["--force", "--out", out_path.to_str().unwrap()]].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&out_path).unwrap()).unwrap()
    };
    let saved = run(&[]);
    let ceilings = &saved["machine"]["ceilings"];
    assert_eq!(ceilings["cached"], true, "{}", saved["warnings"]);
    assert_eq!(ceilings["compute"], cached["compute"]);
    let point = &saved["workloads"][0]["points"][1];
    let (s, m, f) = (
        point["speedup"].as_f64().unwrap(),
        point["machine_speedup"].as_f64().unwrap(),
        point["fidelity"].as_f64().unwrap(),
    );
    assert!((f - s / m).abs() < 1e-12);
    assert_eq!(m, cached["compute"][1]["speedup"].as_f64().unwrap());
    // --no-cache measures anew; --no-ceilings records none.
    assert_eq!(run(&["--no-cache"])["machine"]["ceilings"]["cached"], false);
    let none = run(&["--no-ceilings"]);
    assert!(none["machine"]["ceilings"].is_null());
    assert!(none["workloads"][0]["points"][1]["fidelity"].is_null());
    assert_eq!(entries(), 1);
}

#[test]
fn a_pinned_run_records_its_placement_and_pins_without_complaint() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("r.json");
    let args = crate::util::two_rounds(&["-w", "primes:size=20000"]);
    for pin in ["compact", "scatter"] {
        let out = measure_in(
            dir.path(),
            &[&args[..], &["--pin", pin, "--force", "--out", out_path.to_str().unwrap()]].concat(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(!stderr(&out).contains("could not be pinned"), "{}", stderr(&out));
        let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
        assert_eq!(saved["config"]["pin"], pin);
        assert_eq!(saved["machine"]["ceilings"]["placement"], pin, "the ceilings are placed as the run is");
    }
    let out = measure_in(dir.path(), &[&args[..], &["--pin", "everywhere"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--pin"), "{}", stderr(&out));
}

#[test]
fn a_dry_run_plans_a_192_cpu_machine_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    FixtureMachine { sockets: 2, cores_per_socket: 48, threads_per_core: 2, ..FixtureMachine::default() }
        .write(dir.path())
        .unwrap();
    let (sys, proc) = (dir.path().join("sys"), dir.path().join("proc"));
    let args =
        ["run", "--dry-run", "--json", "-w", "primes:size=20000", "-w", "sleep:ms=0.1", "-w", "three-body:size=100"];
    let fixture = ["--sysfs", sys.to_str().unwrap(), "--procfs", proc.to_str().unwrap()];
    let out = measure_in(dir.path(), &[&args[..], &fixture].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let threads = |i: usize| -> Vec<u64> {
        v["workloads"][i]["threads"].as_array().unwrap().iter().map(|t| t.as_u64().unwrap()).collect()
    };
    assert_eq!(threads(0), [1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 48, 49, 64, 91, 96, 97, 128, 181, 192]);
    assert_eq!(threads(1), [1, 2, 4, 8, 16, 32, 64], "sleep has 64 tasks: not 8N = 1536");
    assert_eq!(v["workloads"][1]["limit"]["reason"], "work-parallelism");
    assert_eq!(threads(2), [1, 2, 3]);
    assert!(v["estimated_seconds"].as_f64().unwrap() >= v["budget_seconds"].as_f64().unwrap());
    assert!(v["workloads"][0]["t1_seconds"].as_f64().unwrap() > 0.0);
    // The text says the same in words, and nothing was written.
    let text = measure_in(dir.path(), &[&args[..2], &args[3..], &fixture].concat());
    let said = String::from_utf8_lossy(&text.stdout);
    assert!(said.contains("sleep: j = 1, 2, 4, 8, 16, 32, 64 (7 counts)"), "{said}");
    assert!(said.contains("plan: stops at 64 threads: one run has 64 independent tasks"), "{said}");
    assert!(said.contains("estimated: about"), "{said}");
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries.len(), 2, "only the fixture's sys and proc: {entries:?}");
}

#[test]
fn a_dry_run_of_every_count_to_1024_plans_the_threads_alive_within_the_process_limits() {
    let dir = tempfile::tempdir().unwrap();
    // 1,024 CPUs, and 1,100 memory maps (2 a thread's stack): about 550 threads may be started.
    let machine = FixtureMachine {
        sockets: 2,
        cores_per_socket: 256,
        threads_per_core: 2,
        max_map_count: Some(1100),
        ..FixtureMachine::default()
    };
    machine.write(dir.path()).unwrap();
    let (sys, proc) = (dir.path().join("sys"), dir.path().join("proc"));
    let fixture = ["--sysfs", sys.to_str().unwrap(), "--procfs", proc.to_str().unwrap()];
    let args = ["run", "--dry-run", "-w", "primes:size=1000", "-t", "1-1024"];
    let out = measure_in(dir.path(), &[&args[..], &["--json"], &fixture].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = &v["workloads"][0];
    assert_eq!(w["threads"].as_array().unwrap().len(), 1024);
    let left_out: Vec<u64> = w["left_out"].as_array().unwrap().iter().map(|j| j.as_u64().unwrap()).collect();
    assert!((551..=1024).all(|j| left_out.contains(&j)), "{left_out:?}");
    let alive = w["threads_alive"].as_u64().unwrap();
    assert!((2..=550).contains(&alive), "one team at a time, within the limit: {alive}");
    let room = "this process may start about 550 more (vm.max_map_count = 1100, 0 maps in use, 2 a thread's stack)";
    assert_eq!(
        w["notes"][0].as_str().unwrap(),
        format!("primes: left out j = 551-1024: a team of j threads needs j threads alive at once, and {room}")
    );
    // In words too.
    let text = measure_in(dir.path(), &[&args[..], &fixture].concat());
    let said = String::from_utf8_lossy(&text.stdout);
    assert!(
        said.contains(&format!("threads: at most {alive} alive at once (one crew of threads serves every j")),
        "{said}"
    );
    assert!(said.contains("this process may start about 550 more threads (vm.max_map_count = 1100"), "{said}");
}

#[test]
fn a_dry_run_plans_the_reference_workloads_to_1024_cpus() {
    let dir = tempfile::tempdir().unwrap();
    FixtureMachine { sockets: 2, cores_per_socket: 256, threads_per_core: 2, ..FixtureMachine::default() }
        .write(dir.path())
        .unwrap();
    let (sys, proc) = (dir.path().join("sys"), dir.path().join("proc"));
    // Default sizes: the task counts depend on them (triad's on its 768 MiB, left to its unit test).
    let args = ["run", "--dry-run", "--json", "-w", "primes", "-w", "mc-pi", "-w", "synthetic"];
    let fixture = ["--sysfs", sys.to_str().unwrap(), "--procfs", proc.to_str().unwrap()];
    let out = measure_in(dir.path(), &[&args[..], &fixture].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for i in 0..3 {
        let w = &v["workloads"][i];
        assert_eq!(w["threads"].as_array().unwrap().last().unwrap(), 1024, "{w}");
        assert!(w["limit"].is_null(), "no plan stops at the work's parallelism: {w}");
    }
}
