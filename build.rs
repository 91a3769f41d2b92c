//! Records the rustc version and git commit of the build, for the results file's `tool` section.
//! Either may be unknown (no git, a source tarball); the program then writes null.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if let Some(version) = output(Command::new(rustc).arg("--version")) {
        println!("cargo:rustc-env=AMDAHL_RUSTC_VERSION={version}");
    }
    if let Some(commit) = output(Command::new("git").args(["rev-parse", "--short=12", "HEAD"])) {
        let dirty = output(Command::new("git").args(["status", "--porcelain", "--untracked-files=no"]))
            .is_some_and(|s| !s.is_empty());
        println!("cargo:rustc-env=AMDAHL_GIT_COMMIT={commit}{}", if dirty { "-dirty" } else { "" });
    }
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/index");
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
