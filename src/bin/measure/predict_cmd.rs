//! `measure predict`: speedups from a serial fraction or from a results file's fitted models.

use amdahl::app::load_results;
use amdahl::fit::diagnose::ceiling_text;
use amdahl::predict::{Law, predict_law, predict_results};
use amdahl::report::{number, prediction_table};
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
        let mut out = String::new();
        for p in &predictions {
            for w in &p.warnings {
                terminal::warning(w);
            }
            let ceiling = p.ceiling.map(|c| format!("; ceiling {}", ceiling_text(c))).unwrap_or_default();
            out += &format!("{} ({} model{ceiling}):\n", p.name, p.model.map_or("no", |m| m.as_str()));
            out += &prediction_table(&p.rows);
            out.push('\n');
        }
        return Ok(out);
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
    let head = if weak {
        format!("Gustafson's law, serial fraction a = {} (weak scaling: S = j - a(j-1))\n", number(serial))
    } else {
        let ceiling = law
            .ceiling()
            .map(|c| {
                if c > 1e6 {
                    format!("; ceiling 1/B = {}", ceiling_text(c))
                } else {
                    format!("; ceiling 1/B = {c:.4}x")
                }
            })
            .unwrap_or_else(|| "; no ceiling".into());
        format!(
            "Amdahl's law, serial fraction B = {} ({}% parallel){ceiling}\n",
            number(serial),
            number((1.0 - serial) * 100.0)
        )
    };
    Ok(head + &prediction_table(&rows))
}

fn check(flag: &str, value: f64) -> Result<f64, Error> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::usage(flag, value, "is out of range (0..=1)"))
    }
}
