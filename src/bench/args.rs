//! The arguments of a `harness = false` bench: cargo's and libtest's conventions, `measure run`'s
//! flags that make sense for your own code, and criterion's baselines. Parsed by hand (the library
//! has no clap).
//!
//! - `cargo bench` passes `--bench`: the sweep. Without it (`cargo test --benches`, the binary run
//!   by hand) or with `--test`: test mode, each workload once at j = 1 and 2, checksums checked.
//! - Free words are filters: a workload runs when its name contains one (`--exact`: equals one);
//!   `--skip WORD` leaves out names containing WORD; `--list` lists.
//! - libtest's other flags (`--nocapture`, `--quiet`, `--format pretty`, `--test-threads 1`, …) are
//!   accepted and ignored, so cargo and IDEs never fail the run; any other flag is refused with its
//!   name (exit 2).

use std::path::PathBuf;

use crate::compare::Figure;
use crate::error::{Error, Result};
use crate::placement::Pin;
use crate::terminal::ColorWhen;

/// What the bench is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `--bench`: sweep and compare.
    Bench,
    /// `--test` or no `--bench`: each workload once at j = 1 and 2.
    #[default]
    Test,
    /// `--list`: the names, libtest's way.
    List,
    /// `--help`.
    Help,
}

/// The parsed arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BenchArgs {
    /// What to do.
    pub mode: Mode,
    /// Free words: names to select (substrings; exact with `--exact`).
    pub filters: Vec<String>,
    /// `--exact`.
    pub exact: bool,
    /// `--skip`: names containing one are left out.
    pub skip: Vec<String>,
    /// `--threads`.
    pub threads: Option<String>,
    /// `--budget` in seconds.
    pub budget_s: Option<f64>,
    /// `--allow-overrun`.
    pub allow_overrun: bool,
    /// `--json`.
    pub json: bool,
    /// `--out`: the results file (instead of the run history under the target folder).
    pub out: Option<PathBuf>,
    /// `--pin`.
    pub pin: Option<Pin>,
    /// `--timeout`.
    pub timeout: Option<String>,
    /// `--color`.
    pub color: ColorWhen,
    /// `--no-ceilings`.
    pub no_ceilings: bool,
    /// `--save-baseline NAME`.
    pub save_baseline: Option<String>,
    /// `--baseline NAME`.
    pub baseline: Option<String>,
    /// `--fail-on-regression` (the speedup) or `--fail-on-regression=time` (T(1)), `=speedup,time`
    /// (both): the figures whose significant worsening fails the bench. Empty: no gate.
    pub fail_on_regression: Vec<Figure>,
}

/// libtest's flags without a value: accepted, ignored.
const LIBTEST_SWITCHES: &[&str] = &[
    "--nocapture",
    "--no-capture",
    "--show-output",
    "--quiet",
    "-q",
    "--ignored",
    "--include-ignored",
    "--exclude-should-panic",
    "--force-run-in-process",
    "--report-time",
    "--ensure-time",
    "--shuffle",
    "--no-fail-fast",
];

/// libtest's flags with a value: accepted with their value, ignored.
const LIBTEST_VALUED: &[&str] = &["--format", "--test-threads", "--logfile", "--shuffle-seed", "-Z"];

/// The usage text of `--help`.
pub const HELP: &str = "\
A cargo bench of amdahl: every workload measured at several thread counts, its speedup,
serial fraction and verdict, compared with the last run.

usage: cargo bench [--bench NAME] -- [FILTER...] [OPTIONS]

  FILTER                  run the workloads whose name contains FILTER
      --exact             ... whose name is FILTER
      --skip WORD         leave out the workloads whose name contains WORD
      --list              list the workloads
      --test              run each workload once at j = 1 and 2 and check its checksum
                          (also without --bench: `cargo test --benches`)
      --threads LIST      thread counts (e.g. 1,2,4 or 1-8); default: each workload's plan
      --budget SECONDS    time for the whole run (default 25); a plan that cannot meet it
                          leaves out thread counts, the costliest first, and says so
      --allow-overrun     measure every thread count even beyond --budget
      --timeout DURATION  the longest one sample may take (e.g. 90s, none)
      --pin POLICY        none, compact or scatter
      --no-ceilings       do not measure the machine's ceilings
      --json              the results file's JSON on standard output instead of the table
      --out FILE          write the results there instead of the run history
      --color WHEN        auto, always or never
      --save-baseline NAME  also keep each workload measured as its baseline NAME
      --baseline NAME     compare each workload with its baseline NAME, not the last run
      --fail-on-regression  exit 1 when a workload's speedup fell significantly (2 when
                          a workload has no baseline NAME to compare with)
      --fail-on-regression=time  the same for T(1) rising significantly (=speedup,time: both)
";

/// The flags of this bench that take a value (`--flag value` or `--flag=value`).
const VALUED: &[&str] = &[
    "--skip",
    "--threads",
    "--timeout",
    "--out",
    "--budget",
    "--pin",
    "--color",
    "--colour",
    "--save-baseline",
    "--baseline",
];

/// The mode switches, before they decide the [`Mode`].
#[derive(Default)]
struct Modes {
    bench: bool,
    test: bool,
    list: bool,
    help: bool,
}

impl Modes {
    /// `--help`, else `--list`, else the tests (`--test`, or no `--bench`: `cargo test
    /// --benches`), else the bench.
    fn mode(&self) -> Mode {
        if self.help {
            Mode::Help
        } else if self.list {
            Mode::List
        } else if self.test || !self.bench {
            Mode::Test
        } else {
            Mode::Bench
        }
    }
}

impl BenchArgs {
    /// Parses the arguments after the program name.
    pub fn parse<I, S>(args: I) -> Result<BenchArgs>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out = BenchArgs::default();
        let mut modes = Modes::default();
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            if !arg.starts_with('-') || arg == "-" {
                out.filters.push(arg);
                continue;
            }
            if arg == "--" {
                out.filters.extend(args.by_ref());
                break;
            }
            // `--flag=value` and `--flag value`.
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            // Bare, it gates the speedup: a filter may follow it (`--fail-on-regression sort`), so
            // its figures are given only after `=`.
            if flag == "--fail-on-regression" {
                out.fail_on_regression = match inline {
                    Some(figures) => gated_figures(&figures)?,
                    None => vec![Figure::Speedup],
                };
            } else if let Some(on) = switch(&mut out, &mut modes, &flag) {
                match inline {
                    Some(v) => return Err(Error::usage(&flag, v, "takes no value")),
                    None => *on = true,
                }
            } else if VALUED.contains(&flag.as_str()) || LIBTEST_VALUED.contains(&flag.as_str()) {
                let name = if flag == "--colour" { "--color" } else { flag.as_str() };
                let value = inline.or_else(|| args.next()).ok_or_else(|| Error::usage(name, "", "needs a value"))?;
                out.set(&flag, value)?;
            } else if !(LIBTEST_SWITCHES.contains(&flag.as_str()) || flag.starts_with("-Z")) {
                // Libtest's own switches and `-Zunstable-options` are ignored; anything else is not ours.
                return Err(Error::usage(
                    "cargo bench --",
                    &flag,
                    "is not a flag of this bench (see `cargo bench -- --help`)",
                ));
            }
        }
        out.mode = modes.mode();
        Ok(out)
    }

    /// Sets the valued flag `flag` to `value`, checked (a libtest flag's value is ignored).
    fn set(&mut self, flag: &str, value: String) -> Result<()> {
        match flag {
            "--skip" => self.skip.push(value),
            "--threads" => self.threads = Some(nonempty("--threads", value)?),
            "--timeout" => self.timeout = Some(nonempty("--timeout", value)?),
            "--out" => self.out = Some(PathBuf::from(nonempty("--out", value)?)),
            "--budget" => {
                let seconds: f64 =
                    value.trim().parse().map_err(|_| Error::usage("--budget", &value, "is not a number of seconds"))?;
                self.budget_s = Some(seconds);
            }
            "--pin" => {
                let pin = Pin::ALL.into_iter().find(|p| p.as_str() == value);
                self.pin =
                    Some(pin.ok_or_else(|| Error::usage("--pin", &value, "is not a policy (none, compact, scatter)"))?);
            }
            "--color" | "--colour" => {
                self.color = match value.as_str() {
                    "auto" => ColorWhen::Auto,
                    "always" => ColorWhen::Always,
                    "never" => ColorWhen::Never,
                    _ => return Err(Error::usage("--color", &value, "is not auto, always or never")),
                };
            }
            "--save-baseline" => self.save_baseline = Some(baseline_name("--save-baseline", value)?),
            "--baseline" => self.baseline = Some(baseline_name("--baseline", value)?),
            _ => {}
        }
        Ok(())
    }

    /// Whether the workload `name` is selected by the filters and `--skip`.
    pub fn selects(&self, name: &str) -> bool {
        let chosen = self.filters.is_empty()
            || self.filters.iter().any(|f| if self.exact { name == f } else { name.contains(f.as_str()) });
        chosen && !self.skip.iter().any(|s| name.contains(s.as_str()))
    }
}

/// The switch `flag` sets, when it is one of this bench's.
fn switch<'a>(out: &'a mut BenchArgs, modes: &'a mut Modes, flag: &str) -> Option<&'a mut bool> {
    Some(match flag {
        "--bench" => &mut modes.bench,
        "--test" => &mut modes.test,
        "--list" => &mut modes.list,
        "-h" | "--help" => &mut modes.help,
        "--exact" => &mut out.exact,
        "--json" => &mut out.json,
        "--no-ceilings" => &mut out.no_ceilings,
        "--allow-overrun" => &mut out.allow_overrun,
        _ => return None,
    })
}

/// `speedup`, `time` or both, comma-separated: what `--fail-on-regression=` gates.
fn gated_figures(text: &str) -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    for word in text.split(',') {
        let figure = match word.trim() {
            "speedup" => Figure::Speedup,
            "time" => Figure::T1,
            _ => {
                return Err(Error::usage(
                    "--fail-on-regression",
                    text,
                    "names what to gate: speedup (S at the largest common j, the default), time (T(1)), or speedup,time",
                ));
            }
        };
        if !figures.contains(&figure) {
            figures.push(figure);
        }
    }
    Ok(figures)
}

fn nonempty(flag: &str, text: String) -> Result<String> {
    if text.trim().is_empty() { Err(Error::usage(flag, text, "is empty")) } else { Ok(text) }
}

/// A baseline's name becomes a file name: letters, digits, `-`, `_` and `.`, not starting with
/// `.`, at most 64 characters.
pub fn baseline_name(flag: &str, name: String) -> Result<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > 64 || name.starts_with('.') || !name.chars().all(allowed) {
        return Err(Error::usage(
            flag,
            name,
            "is not a baseline name (1 to 64 letters, digits, `-`, `_` or `.`, not starting with `.`)",
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<BenchArgs> {
        BenchArgs::parse(args.iter().copied())
    }

    #[test]
    fn test_mode_is_the_default_and_bench_needs_the_flag() {
        // `cargo test --benches` and a bare run pass no --bench: test mode.
        assert_eq!(parse(&[]).unwrap().mode, Mode::Test);
        assert_eq!(parse(&["--bench"]).unwrap().mode, Mode::Bench);
        assert_eq!(parse(&["--bench", "--test"]).unwrap().mode, Mode::Test);
        assert_eq!(parse(&["--bench", "--list"]).unwrap().mode, Mode::List);
        assert_eq!(parse(&["--list", "--format", "terse"]).unwrap().mode, Mode::List);
        assert_eq!(parse(&["--help"]).unwrap().mode, Mode::Help);
    }

    #[test]
    fn filters_select_by_substring_or_exactly_and_skip_leaves_out() {
        let args = parse(&["--bench", "sort", "chain"]).unwrap();
        assert_eq!(args.filters, ["sort", "chain"]);
        assert!(args.selects("parallel-sort") && args.selects("hash-chain") && !args.selects("primes"));
        let exact = parse(&["--bench", "--exact", "sort"]).unwrap();
        assert!(exact.selects("sort") && !exact.selects("parallel-sort"));
        let skip = parse(&["--bench", "--skip", "hash"]).unwrap();
        assert!(skip.selects("parallel-sort") && !skip.selects("hash-chain"));
        assert!(parse(&["--bench"]).unwrap().selects("anything"));
        // After `--`, everything is a filter.
        assert_eq!(parse(&["--", "--weird"]).unwrap().filters, ["--weird"]);
    }

    #[test]
    fn libtest_flags_are_accepted_and_ignored() {
        let args = parse(&[
            "--bench",
            "--nocapture",
            "--quiet",
            "-q",
            "--format",
            "pretty",
            "--format=json",
            "--test-threads",
            "1",
            "-Z",
            "unstable-options",
            "-Zunstable-options",
            "--show-output",
            "--color",
            "never",
        ])
        .unwrap();
        assert_eq!(args.mode, Mode::Bench);
        assert!(args.filters.is_empty(), "{:?}", args.filters);
        assert_eq!(args.color, ColorWhen::Never);
    }

    #[test]
    fn measure_run_flags_in_both_spellings() {
        let args = parse(&[
            "--bench",
            "--threads",
            "1,2",
            "--budget=5",
            "--json",
            "--out",
            "r.json",
            "--pin",
            "compact",
            "--timeout",
            "90s",
            "--no-ceilings",
            "--allow-overrun",
            "--save-baseline",
            "before",
            "--baseline=main",
            "--fail-on-regression",
        ])
        .unwrap();
        assert_eq!(args.threads.as_deref(), Some("1,2"));
        assert_eq!(args.budget_s, Some(5.0));
        assert!(args.json && args.no_ceilings && args.allow_overrun);
        assert_eq!(args.fail_on_regression, [Figure::Speedup]);
        assert_eq!(args.out, Some(PathBuf::from("r.json")));
        assert_eq!(args.pin, Some(Pin::Compact));
        assert_eq!(args.timeout.as_deref(), Some("90s"));
        assert_eq!((args.save_baseline.as_deref(), args.baseline.as_deref()), (Some("before"), Some("main")));
    }

    #[test]
    fn the_gate_takes_its_figures_after_an_equals_sign_and_a_bare_flag_leaves_a_filter_alone() {
        let bare = parse(&["--bench", "--fail-on-regression", "sort"]).unwrap();
        assert_eq!((bare.fail_on_regression, bare.filters), (vec![Figure::Speedup], vec!["sort".to_owned()]));
        assert_eq!(parse(&["--fail-on-regression=time"]).unwrap().fail_on_regression, [Figure::T1]);
        let both = parse(&["--fail-on-regression=speedup,time"]).unwrap().fail_on_regression;
        assert_eq!(both, [Figure::Speedup, Figure::T1]);
        assert!(parse(&["--bench"]).unwrap().fail_on_regression.is_empty());
        let err = parse(&["--fail-on-regression=b"]).unwrap_err();
        assert!(err.to_string().starts_with("--fail-on-regression: `b` names what to gate"), "{err}");
    }

    #[test]
    fn bad_flags_name_the_flag_and_exit_2() {
        for (args, flag) in [
            (&["--bogus"][..], "cargo bench --: `--bogus`"),
            (&["--threads"][..], "--threads"),
            (&["--budget", "soon"][..], "--budget"),
            (&["--pin", "everywhere"][..], "--pin"),
            (&["--color", "pink"][..], "--color"),
            (&["--json=yes"][..], "--json"),
            (&["--save-baseline", "../../etc"][..], "--save-baseline"),
            (&["--baseline", ".hidden"][..], "--baseline"),
            (&["--baseline", ""][..], "--baseline"),
            (&["--out", ""][..], "--out"),
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
            assert!(err.to_string().starts_with(flag), "{args:?}: {err}");
        }
    }

    #[test]
    fn baseline_names_are_file_names() {
        for good in ["main", "v1.2", "before_fix", "a-b"] {
            assert_eq!(baseline_name("--baseline", good.into()).unwrap(), good);
        }
        for bad in ["", "a/b", "..", ".x", "a b", "é", &"x".repeat(65)] {
            assert!(baseline_name("--baseline", bad.into()).is_err(), "{bad}");
        }
    }
}
