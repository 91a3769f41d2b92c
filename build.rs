//! Records the rustc version and git commit of the build, for the results file's `tool` section.
//! Either may be unknown (no git, a source tarball); the program then writes null.
//!
//! `git status` runs with `GIT_OPTIONAL_LOCKS=0`, so it never refreshes (rewrites) `.git/index`:
//! otherwise the build would change the very file it watches and every `cargo run` would rebuild.

use std::path::Path;
use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if let Some(version) = output(Command::new(rustc).arg("--version")) {
        println!("cargo:rustc-env=AMDAHL_RUSTC_VERSION={version}");
    }
    if let Some(commit) = output(git().args(["rev-parse", "--short=12", "HEAD"])) {
        let dirty =
            output(git().args(["status", "--porcelain", "--untracked-files=no"])).is_some_and(|s| !s.is_empty());
        println!("cargo:rustc-env=AMDAHL_GIT_COMMIT={commit}{}", if dirty { "-dirty" } else { "" });
    }
    println!("cargo:rerun-if-changed=build.rs");
    // Watch only what exists: cargo reruns a script whose watched file is missing on every build.
    let head = output(git().args(["symbolic-ref", "-q", "HEAD"])).map(|r| format!(".git/{r}"));
    for watched in [Some(".git/HEAD".to_owned()), Some(".git/index".to_owned()), head].into_iter().flatten() {
        if Path::new(&watched).exists() {
            println!("cargo:rerun-if-changed={watched}");
        }
    }
}

fn git() -> Command {
    let mut git = Command::new("git");
    git.env("GIT_OPTIONAL_LOCKS", "0");
    git
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
