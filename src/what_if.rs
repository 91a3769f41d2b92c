//! What `measure what-if` computes: for each workload of a results file and each of its points
//! with a per-function profile, T(j) predicted if one function ran `factor` times faster
//! (`attribution::what_if`: the recorded fork-join runs replayed with that function's time on
//! their critical path shortened; its limits are `attribution::what_if::LIMITS`).

use serde::Serialize;

use crate::attribution::what_if::{LIMITS, predict};
use crate::error::Error;
use crate::results::ResultsFile;

/// What to speed up: a function and a factor, as `--faster FUNC=FACTOR` gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct Faster {
    /// The function's name as the profile names it (or a label `f <- inlined`).
    pub function: String,
    /// How many times faster (above 0; 2 halves its time).
    pub factor: f64,
}

impl Faster {
    /// Parses `FUNC=FACTOR` (`serial_part=2`, `serial_part=2x`); the refusal names `flag`.
    pub fn parse(flag: &str, text: &str) -> Result<Faster, Error> {
        let Some((function, factor)) = text.rsplit_once('=') else {
            return Err(Error::usage(flag, text, "is not FUNCTION=FACTOR, e.g. `serial_part=2x`"));
        };
        let number = factor.trim().strip_suffix(['x', 'X']).unwrap_or(factor.trim());
        let factor: f64 = number
            .parse()
            .map_err(|_| Error::usage(flag, text, format!("the factor `{factor}` is not a number, e.g. `2x`")))?;
        if factor.is_nan() || factor <= 0.0 {
            return Err(Error::usage(flag, text, "the factor must be above 0 (2 halves the function's time)"));
        }
        let function = function.trim();
        if function.is_empty() {
            return Err(Error::usage(flag, text, "names no function"));
        }
        Ok(Faster { function: function.to_owned(), factor })
    }
}

/// One point's prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// j.
    pub threads: usize,
    /// The measured median T(j).
    pub measured_ns: f64,
    /// The function's mean share of the profile runs' critical path.
    pub path_share: f64,
    /// The predicted T(j).
    pub predicted_ns: f64,
    /// `predicted / measured - 1`.
    pub change: f64,
}

/// One workload's predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadWhatIf {
    /// The workload.
    pub workload: String,
    /// Its points with a per-function profile that holds the function.
    pub rows: Vec<Row>,
}

/// The predictions of a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIfs {
    /// The function.
    pub function: String,
    /// How many times faster.
    pub factor: f64,
    /// Per workload that holds the function at some point.
    pub workloads: Vec<WorkloadWhatIf>,
    /// What the prediction ignores.
    pub limits: &'static str,
}

/// The predictions for `faster` over `file`'s workloads. Refused (exit 65) when no point has a
/// per-function profile; a usage error naming `--faster` (exit 2), with the functions it could
/// name, when none holds the function.
pub fn what_if(file: &ResultsFile, faster: &Faster, source: &std::path::Path) -> Result<WhatIfs, Error> {
    let profiled: Vec<_> =
        file.workloads.iter().flat_map(|w| w.points.iter().filter_map(|p| p.functions.as_ref())).collect();
    if profiled.is_empty() {
        return Err(Error::Data {
            path: source.to_owned(),
            message: "no point has a per-function profile (`functions`): it needs profile runs with samples of \
                      in-process work, measured by this version of measure"
                .into(),
        });
    }
    let workloads: Vec<WorkloadWhatIf> = file
        .workloads
        .iter()
        .map(|w| WorkloadWhatIf {
            workload: w.name.clone(),
            rows: w
                .points
                .iter()
                .filter_map(|p| {
                    let x = predict(p.functions.as_ref()?, &faster.function, faster.factor, p.median_ns?)?;
                    Some(Row {
                        threads: p.threads,
                        measured_ns: x.measured_ns,
                        path_share: x.path_share,
                        predicted_ns: x.predicted_ns,
                        change: x.change(),
                    })
                })
                .collect(),
        })
        .filter(|w| !w.rows.is_empty())
        .collect();
    if workloads.is_empty() {
        let mut names: Vec<&str> =
            profiled.iter().flat_map(|f| f.functions.iter().take(5).map(|x| x.function.as_str())).collect();
        names.sort_unstable();
        names.dedup();
        return Err(Error::usage(
            "--faster",
            format!("{}={}", faster.function, faster.factor),
            format!("no point's profile holds `{}`; its functions include: {}", faster.function, names.join(", ")),
        ));
    }
    Ok(WhatIfs { function: faster.function.clone(), factor: faster.factor, workloads, limits: LIMITS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_function_and_factor_and_refuses_with_the_flag() {
        assert_eq!(
            Faster::parse("--faster", "serial_part=2x").unwrap(),
            Faster { function: "serial_part".into(), factor: 2.0 }
        );
        assert_eq!(Faster::parse("--faster", "a::b<c=d>=1.5").unwrap().factor, 1.5);
        assert_eq!(Faster::parse("--faster", "f=inf").unwrap().factor, f64::INFINITY);
        for bad in ["serial_part", "f=0", "f=-2", "f=two", "=2", "f=NaN"] {
            let e = Faster::parse("--faster", bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.to_string().contains("--faster"), "{bad}: {e}");
        }
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;
    use crate::attribution::functions::{FunctionCpu, Functions, RunCpu};

    /// A function on a third of every run's path at each point of the fixture's workload.
    fn profiled() -> ResultsFile {
        let mut file = crate::report::tests::fixture();
        for p in &mut file.workloads[0].points {
            p.functions = Some(Functions {
                runs: vec![RunCpu { wall_ns: 300, cpu_ns: 300, samples: 3 }; 2],
                functions: vec![FunctionCpu {
                    function: "serial_part".into(),
                    inlined: None,
                    location: None,
                    cpu_ns: vec![100, 100],
                    path_ns: vec![100, 100],
                    serial_blame_ns: 100,
                    imbalance_blame_ns: 0,
                }],
                untimed_samples: 0,
                left_out_ns: Vec::new(),
            });
        }
        file
    }

    #[test]
    fn predicts_every_point_and_states_its_limits() {
        let file = profiled();
        let faster = Faster::parse("--faster", "serial_part=2x").unwrap();
        let w = what_if(&file, &faster, std::path::Path::new("r.json")).unwrap();
        let rows = &w.workloads[0].rows;
        assert_eq!(rows.len(), file.workloads[0].points.len());
        for (r, p) in rows.iter().zip(&file.workloads[0].points) {
            assert_eq!(r.measured_ns, p.median_ns.unwrap());
            assert!((r.change + 1.0 / 6.0).abs() < 1e-12, "{r:?}");
        }
        let text = crate::report::what_if_text(&w);
        assert!(text.contains("if `serial_part` ran 2x faster") && text.contains("-16.7%"), "{text}");
        assert!(text.contains("limits: first order"), "{text}");
    }

    #[test]
    fn refuses_an_unknown_function_and_a_file_without_profiles() {
        let faster = Faster::parse("--faster", "nowhere=2").unwrap();
        let e = what_if(&profiled(), &faster, std::path::Path::new("r.json")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("serial_part"), "{e}");
        let e = what_if(&crate::report::tests::fixture(), &faster, std::path::Path::new("r.json")).unwrap_err();
        assert_eq!(e.exit_code(), 65);
        assert!(e.to_string().contains("r.json"), "{e}");
    }
}
