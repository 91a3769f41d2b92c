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
