//! Addresses to functions, after the run: the `backtrace` crate's symbolizer (gimli reading the
//! binary's own debug info), behind the default feature `where`.

/// A function and the file and line of one address in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The machine function (the outermost of those inlined at the address), demangled, no hash.
    pub function: String,
    /// `file:line` of the address, when known.
    pub location: Option<String>,
}

/// The function `address` lies in, from this process's debug info; `None` when unknown.
#[cfg(feature = "where")]
pub fn resolve(address: usize) -> Option<Symbol> {
    let mut outermost = None;
    // The callback runs once per function inlined at the address, innermost first: the last
    // one named is the machine function.
    backtrace::resolve(address as *mut std::ffi::c_void, |symbol| {
        if let Some(name) = symbol.name() {
            let location = symbol.filename().map(|f| match symbol.lineno() {
                Some(line) => format!("{}:{line}", shorten(f)),
                None => shorten(f),
            });
            outermost = Some(Symbol { function: format!("{name:#}"), location });
        }
    });
    outermost
}

/// Without the `where` feature: no symbols.
#[cfg(not(feature = "where"))]
pub fn resolve(_address: usize) -> Option<Symbol> {
    None
}

/// What to do when no function is known.
pub fn missing() -> &'static str {
    if cfg!(feature = "where") {
        "build with debug info (`debug = \"line-tables-only\"` in the profile)"
    } else {
        "amdahl was built without its `where` feature (`features = [\"where\"]`)"
    }
}

/// A path relative to the working directory, or to the toolchain's `library/`, else as is.
#[cfg_attr(not(feature = "where"), allow(dead_code))]
fn shorten(path: &std::path::Path) -> String {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rest) = path.strip_prefix(&cwd)
    {
        return rest.display().to_string();
    }
    let text = path.display().to_string();
    match text.find("/library/") {
        Some(i) if text.starts_with("/rustc/") => text[i + 1..].to_owned(),
        _ => text,
    }
}
