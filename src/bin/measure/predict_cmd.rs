//! `measure predict`: speedups from a serial fraction or from a results file's fitted models.

use amdahl::app::load_results;
use amdahl::predict::{Law, predict_law, predict_results};
use amdahl::report::{law_prediction_text, predictions_text};
use amdahl::thread_set::ThreadSet;
use amdahl::{Error, machine, terminal};
use serde_json::json;

use crate::cli::{PredictArgs, ScalingArg};

/// Runs `measure predict`; returns the text to print.
pub fn run(args: &PredictArgs) -> Result<String, Error> {
    // A prediction runs nothing, so any count up to a million may be asked for.
    let threads = ThreadSet::parse_up_to(
        args.threads.as_deref().unwrap_or("pow2:64"),
        machine::MachineFacts::read(&machine::Roots::resolve(None, None)).cpu_counts(),
        amdahl::thread_set::MAX_RECORDED_THREADS,
    )?;
    let weak = matches!(args.scaling, Some(ScalingArg::Weak));
    if let Some(file) = &args.file {
        let loaded = load_results(file, crate::input_limit(args.max_input.as_deref())?)?;
        let predictions = predict_results(&loaded, threads.counts());
        if args.json {
            return Ok(format!("{:#}\n", json!({ "workloads": predictions })));
        }
        for w in predictions.iter().flat_map(|p| &p.warnings) {
            terminal::warning(w);
        }
        return Ok(predictions_text(&predictions));
    }
    let serial = match (args.serial, args.parallel) {
        (Some(b), None) => check("--serial", b)?,
        (None, Some(p)) => 1.0 - check("--parallel", p)?,
        _ => {
            return Err(Error::usage(
                "--serial",
                "(none)",
                "missing: give --serial B, --parallel P, or a results file to predict from",
            ));
        }
    };
    let law = if weak { Law::Gustafson(serial) } else { Law::Amdahl(serial) };
    let rows = predict_law(law, threads.counts());
    if args.json {
        let value = json!({
            "law": if weak { "gustafson" } else { "amdahl" },
            "serial_fraction": serial,
            "ceiling": law.ceiling(),
            "rows": rows,
        });
        return Ok(format!("{value:#}\n"));
    }
    Ok(law_prediction_text(law, &rows))
}

fn check(flag: &str, value: f64) -> Result<f64, Error> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::usage(flag, value, "is out of range (0..=1)"))
    }
}
