//! Addresses to functions, after the run: the `backtrace` crate's symbolizer (gimli reading the
//! binary's own debug info), behind the default feature `where`.

/// A function and the file and line of one address in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The function (see [`resolve`]), demangled, without the hash.
    pub function: String,
    /// `file:line` of the address, when known.
    pub location: Option<String>,
    /// The innermost function inlined at the address, when it is library code (the toolchain's
    /// or a dependency's) inlined into `function`: what the program's own code was doing there
    /// (a mutex's lock, an atomic, the allocator).
    pub inlined: Option<String>,
}

/// The function `address` lies in, from this process's debug info; `None` when unknown.
///
/// Of the functions inlined at the address, the outermost that is the program's own code (not
/// the toolchain's library nor a dependency from a registry): a spin loop inlined into a rayon
/// closure is named for the closure that runs it, at the line that calls it; an address in
/// library code alone gets the machine function (the outermost).
#[cfg(feature = "where")]
pub fn resolve(address: usize) -> Option<Symbol> {
    let mut inlined = inlined(address);
    let own = inlined.iter().rposition(|(_, own)| *own);
    let chosen = own.or(inlined.len().checked_sub(1))?;
    let inner = inlined.first().filter(|(_, own)| !own).map(|(s, _)| s.function.clone()).filter(|_| chosen > 0);
    let mut symbol = inlined.swap_remove(chosen).0;
    symbol.inlined = inner;
    Some(symbol)
}

/// Every function inlined at `address`, innermost first (the last is the machine function), each
/// with whether it is the program's own code; empty when unknown.
#[cfg(feature = "where")]
pub fn inlined(address: usize) -> Vec<(Symbol, bool)> {
    let mut inlined: Vec<(Symbol, bool)> = Vec::new();
    // The callback runs once per function inlined at the address, innermost first; the last is
    // the machine function.
    backtrace::resolve(address as *mut std::ffi::c_void, |symbol| {
        if let Some(name) = symbol.name() {
            let own = symbol.filename().is_some_and(|f| !is_library(f) && !is_harness(f));
            let location = symbol.filename().map(|f| match symbol.lineno() {
                Some(line) => format!("{}:{line}", shorten(f)),
                None => shorten(f),
            });
            inlined.push((Symbol { function: format!("{name:#}"), location, inlined: None }, own));
        }
    });
    inlined
}

/// Code of the toolchain's library or of a dependency from a registry or git.
#[cfg_attr(not(feature = "where"), allow(dead_code))]
fn is_library(path: &std::path::Path) -> bool {
    let text = path.to_string_lossy();
    text.starts_with("/rustc/")
        || ["/.cargo/registry/", "/.cargo/git/", "/library/core/", "/library/std/", "/library/alloc/"]
            .iter()
            .any(|p| text.contains(p))
}

/// The team's own code in this workspace (`workloads/src/team.rs` and `team/`: its tasks, recorder and
/// sampler), which runs every built-in workload's closures: not the program's own code, so that a
/// closure inlined into a team's `task` is named for the closure (`contended`'s lock loop), not
/// for the harness around it. Out of this workspace the team is a registry crate, already library.
#[cfg_attr(not(feature = "where"), allow(dead_code))]
fn is_harness(path: &std::path::Path) -> bool {
    let workloads = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("workloads/src");
    path.starts_with(workloads.join("team")) || path == workloads.join("team.rs")
}

/// Without the `where` feature: no symbols.
#[cfg(not(feature = "where"))]
pub fn resolve(_address: usize) -> Option<Symbol> {
    None
}

/// Without the `where` feature: no symbols.
#[cfg(not(feature = "where"))]
pub fn inlined(_address: usize) -> Vec<(Symbol, bool)> {
    Vec::new()
}

/// What to do when no function is known.
pub fn missing() -> &'static str {
    if cfg!(feature = "where") {
        "build with debug info (`debug = \"line-tables-only\"` in the profile)"
    } else {
        "amdahl was built without its `where` feature (`features = [\"where\"]`)"
    }
}

/// A path relative to the working directory or to amdahl's own workspace, from the toolchain's
/// `library/` or the dependency's directory in a registry, else as is.
#[cfg_attr(not(feature = "where"), allow(dead_code))]
fn shorten(path: &std::path::Path) -> String {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for root in std::env::current_dir().ok().iter().map(|p| p.as_path()).chain([workspace]) {
        if let Ok(rest) = path.strip_prefix(root) {
            return rest.display().to_string();
        }
    }
    let text = path.display().to_string();
    if let Some(i) = text.find("/library/").filter(|_| text.starts_with("/rustc/")) {
        return text[i + 1..].to_owned();
    }
    // ~/.cargo/registry/src/<index>/<crate-version>/...: from the crate's directory on.
    if let Some(i) = text.find("/.cargo/registry/src/") {
        let rest = &text[i + "/.cargo/registry/src/".len()..];
        if let Some(j) = rest.find('/') {
            return rest[j + 1..].to_owned();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_team_of_this_workspace_is_harness_and_the_workloads_are_not() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(is_harness(&workspace.join("workloads/src/team/recorder.rs")));
        assert!(is_harness(&workspace.join("workloads/src/team.rs")));
        assert!(!is_harness(&workspace.join("workloads/src/builtin/contended.rs")));
        assert!(!is_harness(&workspace.join("src/attribution/tests.rs")));
        // Another checkout's team, or a user's own `team` folder, is not ours.
        assert!(!is_harness(Path::new("/home/u/proj/workloads/src/team/mine.rs")));
        assert!(is_library(Path::new("/home/u/.cargo/registry/src/index/amdahl-workloads-0.1.0/src/team/recorder.rs")));
    }
}
