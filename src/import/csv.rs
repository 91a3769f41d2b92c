//! Importing a curve from CSV: a header that names the thread column (`threads` or
//! `concurrency`) and one measurement column (`seconds`, `nanoseconds` or `throughput`); other
//! columns are ignored. Repeated rows of one thread count are samples of that point.
//! Every refusal names the file, the line and the column.

use std::collections::BTreeMap;
use std::path::Path;

use super::ImportedSamples;
use crate::error::{Error, Result};
use crate::fit::SampleKind;
use crate::input::{InputLimit, read_text};

/// Reads `path` as a CSV curve.
pub fn read_csv(path: &Path, limit: InputLimit) -> Result<ImportedSamples> {
    let text = read_text(path, limit)?;
    parse_csv(path, &text)
}

/// Parses CSV text (see the module docs); `path` names the file in messages.
pub fn parse_csv(path: &Path, text: &str) -> Result<ImportedSamples> {
    let bad = |message: String| Error::Data { path: path.to_owned(), message };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("line 1: cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| names.iter().find_map(|n| headers.iter().position(|h| h == n));
    let Some(threads_col) = find(&["threads", "concurrency"]) else {
        return Err(bad(format!(
            "line 1: no `threads` (or `concurrency`) column; the header is: {}",
            headers.join(",")
        )));
    };
    let Some(value_col) = find(&["seconds", "nanoseconds", "throughput"]) else {
        return Err(bad(format!(
            "line 1: no `seconds`, `nanoseconds` or `throughput` column; the header is: {}",
            headers.join(",")
        )));
    };
    let column = headers[value_col].clone();
    let (kind, divisor) = match column.as_str() {
        "seconds" => (SampleKind::Time, 1.0),
        "nanoseconds" => (SampleKind::Time, 1e9),
        _ => (SampleKind::Throughput, 1.0),
    };
    let mut points: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| bad(format!("line {line}: {e}")))?;
        let cell = |col: usize| record.get(col).unwrap_or("");
        let name = &headers[threads_col];
        let threads: usize = cell(threads_col).parse().map_err(|_| {
            bad(format!(
                "line {line}, column {} (`{name}`): `{}` is not a whole number",
                threads_col + 1,
                cell(threads_col)
            ))
        })?;
        if threads == 0 {
            return Err(bad(format!(
                "line {line}, column {} (`{name}`): a thread count must be at least 1",
                threads_col + 1
            )));
        }
        let value: f64 = cell(value_col).parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| {
            bad(format!("line {line}, column {} (`{column}`): `{}` is not a number", value_col + 1, cell(value_col)))
        })?;
        if value <= 0.0 {
            return Err(bad(format!(
                "line {line}, column {} (`{column}`): `{}` must be positive",
                value_col + 1,
                cell(value_col)
            )));
        }
        points.entry(threads).or_default().push(value / divisor);
    }
    if points.is_empty() {
        return Err(bad("no data rows after the header".into()));
    }
    let (threads, samples) = points.into_iter().unzip();
    Ok(ImportedSamples { threads, samples, kind, column })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ImportedSamples> {
        parse_csv(Path::new("data.csv"), text)
    }

    #[test]
    fn reads_samples_and_units() {
        let s = parse("threads,nanoseconds,other\n2,500,x\n1,1000,y\n2,520,z\n").unwrap();
        assert_eq!(s.threads, [1, 2]);
        assert_eq!(s.samples, [vec![1e-6], vec![5e-7, 5.2e-7]]);
        assert_eq!(s.kind, SampleKind::Time);
        let x = parse("Concurrency,Throughput\n1,10\n").unwrap();
        assert_eq!((x.kind, x.column.as_str()), (SampleKind::Throughput, "throughput"));
    }

    #[test]
    fn refusals_name_line_and_column() {
        let cases = [
            ("j,seconds\n1,1\n", "no `threads`"),
            ("threads,ms\n1,1\n", "no `seconds`"),
            ("threads,seconds\n1,1\n2,abc\n", "line 3, column 2 (`seconds`): `abc` is not a number"),
            ("threads,seconds\n0,1\n", "line 2, column 1 (`threads`): a thread count must be at least 1"),
            ("threads,seconds\n1.5,1\n", "line 2, column 1 (`threads`): `1.5` is not a whole number"),
            ("threads,seconds\n1,-2\n", "line 2, column 2 (`seconds`): `-2` must be positive"),
            ("threads,seconds\n", "no data rows"),
            ("threads,seconds\n1\n", "line 2, column 2 (`seconds`): `` is not a number"),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.exit_code(), 65);
            assert!(err.to_string().contains(want) && err.to_string().starts_with("data.csv"), "{err}");
        }
    }
}
