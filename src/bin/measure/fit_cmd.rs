//! `measure fit FILE...`: refit and explain results files and CSV curves.

use amdahl::app::FitInput;
use amdahl::fit_command::{FitRequest, FitSettings, explain_samples, explanations};
use amdahl::report::{Marked, Table, curve_table};
use amdahl::terminal;
use amdahl::{Error, import};
use serde_json::{Value, json};

use crate::cli::FitArgs;

/// Runs `measure fit`: prints each input's table and verdict (coloured by its kind), or JSON.
pub fn run(args: &FitArgs) -> Result<(), Error> {
    let limit = crate::input_limit(args.max_input.as_deref())?;
    let settings = FitRequest {
        seed: args.seed,
        cpus: args.cpus,
        physical_cores: args.physical_cores,
        kind: args.kind.clone(),
        unit: args.unit.clone(),
        tasks: args.tasks,
        loss: args.loss.loss(),
    }
    .resolve()?;
    let mut shown = Shown::default();
    for dir in &args.criterion {
        let tree = import::read_criterion_tree(dir, limit)?;
        for (group, why) in &tree.skipped {
            terminal::warning(&format!("{}: skipped {group}: {why}", dir.display()));
        }
        for (group, samples) in &tree.groups {
            let name =
                if group == &dir.display().to_string() { group.clone() } else { format!("{}/{group}", dir.display()) };
            shown.curve(&name, samples, &settings)?;
        }
    }
    for file in &args.files {
        match FitInput::read(file, limit, settings.context.loss)? {
            FitInput::Csv(samples) => shown.curve(&file.display().to_string(), &samples, &settings)?,
            // One curve per command: a file of one is named as a CSV curve is.
            FitInput::Hyperfine(curves) => {
                let one = curves.len() == 1;
                for (command, samples) in &curves {
                    let name = if one { file.display().to_string() } else { format!("{}: {command}", file.display()) };
                    shown.curve(&name, samples, &settings)?;
                }
            }
            FitInput::Results(loaded) => {
                let loaded = loaded.shown();
                let mut text = Marked::from(format!("{}:\n", file.display()));
                text.append(Table::marked(&loaded));
                let value = json!({ "file": file.display().to_string(), "workloads": explanations(&loaded) });
                shown.push(text, value);
            }
        }
    }
    shown.print(args.json)
}

/// What `measure fit` shows of its inputs, in order: the tables (their verdict lines marked) and
/// the JSON values.
#[derive(Default)]
struct Shown {
    texts: Vec<Marked>,
    values: Vec<Value>,
}

impl Shown {
    fn push(&mut self, text: Marked, value: Value) {
        self.texts.push(text);
        self.values.push(value);
    }

    /// An imported curve, fitted and explained.
    fn curve(&mut self, name: &str, samples: &import::ImportedSamples, settings: &FitSettings) -> Result<(), Error> {
        let report = explain_samples(name, samples, settings.seed, &settings.context)?;
        let value = serde_json::to_value(&report).map_err(Error::encode("the fit"))?;
        self.push(curve_table(&report), value);
        Ok(())
    }

    /// Prints the tables (or, with `json`, one value, or an array of several).
    fn print(mut self, json: bool) -> Result<(), Error> {
        if json {
            let value = if self.values.len() == 1 { self.values.remove(0) } else { Value::Array(self.values) };
            terminal::print(&format!("{value:#}\n"))
        } else {
            let mut all = Marked::default();
            for (i, text) in self.texts.into_iter().enumerate() {
                if i > 0 {
                    all.push("\n");
                }
                all.append(text);
            }
            terminal::print_styled(&all)
        }
    }
}
