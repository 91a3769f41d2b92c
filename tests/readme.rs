//! The README's `console` examples, run against this build by trycmd: `list`, `predict`, `fit` of
//! a committed file. Only deterministic commands are written as `console` blocks; the README's
//! `sh` blocks (runs that measure this machine) are not run here. After an intended change of
//! output, `TRYCMD=overwrite cargo test --test tests readme` rewrites the README's blocks.

#[test]
fn readme_examples_print_what_the_readme_says() {
    trycmd::TestCases::new()
        .register_bin("measure", std::path::Path::new(env!("CARGO_BIN_EXE_measure")))
        .case("README.md");
}

/// The README's `Cargo.toml` snippet for your own bench is what `examples/own-code` (built and
/// run by CI) holds: every line of it, but the dependency's path (one folder up there, the
/// workspace's root here), whose features must match.
#[test]
fn the_example_crate_holds_the_readmes_cargo_toml_snippet() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("### Your own code under `cargo bench`").nth(1).expect("the README's bench section");
    let snippet = section.split("```toml\n").nth(1).and_then(|s| s.split("```").next()).expect("its toml block");
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/own-code/Cargo.toml")).unwrap();
    let lines = |text: &str| -> Vec<String> {
        text.lines().map(|l| l.split('#').next().unwrap().trim().to_owned()).filter(|l| !l.is_empty()).collect()
    };
    let (snippet, example) = (lines(snippet), lines(&example));
    assert!(snippet.contains(&"[lib]".to_owned()) && snippet.contains(&"bench = false".to_owned()), "{snippet:?}");
    for line in &snippet {
        if line.starts_with("amdahl = ") {
            let theirs = example.iter().find(|l| l.starts_with("amdahl = ")).expect("the example depends on amdahl");
            assert!(line.contains("default-features = false") && theirs.contains("default-features = false"));
            assert!(line.contains("path = ") && theirs.contains("path = "), "{line} / {theirs}");
        } else {
            assert!(example.contains(line), "examples/own-code/Cargo.toml lacks the README's `{line}`");
        }
    }
    // In order: `[lib]` and its `bench = false` together, as a table of its own.
    let lib = example.iter().position(|l| l == "[lib]").unwrap();
    assert_eq!(example[lib + 1], "bench = false");
}
