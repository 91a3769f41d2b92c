//! Importing a curve from CSV: a header that names the thread column (`threads` or
//! `concurrency`) and one measurement column (`seconds`, `nanoseconds` or `throughput`); other
//! columns are ignored. Repeated rows of one thread count are samples of that point.
//! Every refusal names the file, the line and the column. Each point carries the rounding of its
//! values as written (`precision`): the relative half-unit of their last digit.

use std::collections::BTreeMap;
use std::path::Path;

use super::ImportedSamples;
use super::precision::relative_rounding;
use crate::error::{Error, Result};
use crate::fit::SampleKind;
use crate::input::{InputLimit, read_text};

/// The smallest and largest value accepted (seconds, or throughput as given): any ratio of two
/// stays within 1e30, so no speedup is infinite.
const MIN_VALUE: f64 = 1e-15;
const MAX_VALUE: f64 = 1e15;

/// The line of a byte offset, found by moving forward from the last one asked for.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl Cursor<'_> {
    /// The line where the record at `byte` starts (blank lines before it skipped).
    fn line_at(&mut self, byte: usize) -> usize {
        let mut to = byte.min(self.text.len());
        while to < self.text.len() && (self.text[to] == b'\n' || self.text[to] == b'\r') {
            to += 1;
        }
        if to >= self.at {
            self.line += self.text[self.at..to].iter().filter(|&&b| b == b'\n').count();
            self.at = to;
        }
        self.line
    }
}

/// Reads `path` as a CSV curve.
pub fn read_csv(path: &Path, limit: InputLimit) -> Result<ImportedSamples> {
    let text = read_text(path, limit)?;
    parse_csv(path, &text)
}

/// Where the thread counts and the values are, and what the values are.
struct Columns {
    threads_col: usize,
    value_col: usize,
    kind: SampleKind,
    /// What divides a value to give seconds (or the throughput as it is).
    divisor: f64,
}

impl Columns {
    /// The columns of `headers` (lower case); a refusal names `path` and the column missing.
    fn find(headers: &[String], path: &Path) -> Result<Columns> {
        let bad = |message: String| Error::Data { path: path.to_owned(), message };
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
        let (kind, divisor) = match headers[value_col].as_str() {
            "seconds" => (SampleKind::Time, 1.0),
            "nanoseconds" => (SampleKind::Time, 1e9),
            _ => (SampleKind::Throughput, 1.0),
        };
        Ok(Columns { threads_col, value_col, kind, divisor })
    }
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
    let Columns { threads_col, value_col, kind, divisor } = Columns::find(&headers, path)?;
    let column = headers[value_col].clone();
    let mut points: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    // Each value's text, for its precision (`precision`): the thread count beside it.
    let mut written: Vec<(usize, String)> = Vec::new();
    // Line numbers from byte offsets: the reader's own count skips blank lines, and a record's
    // offset is that of the blank lines before it. Records come in order, so a cursor counts each
    // newline once (counting from the start for every record would be quadratic in the file).
    let mut cursor = Cursor { text: text.as_bytes(), at: 0, line: 1 };
    let mut line_at = |byte: u64| cursor.line_at(byte as usize);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!("line {}: ", line_at(p.byte())));
            bad(format!("{line}{e}"))
        })?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.len() > headers.len() {
            return Err(bad(format!(
                "line {line}: {} fields, but the header names {}: a field too many is a misplaced comma or an unnamed column",
                record.len(),
                headers.len()
            )));
        }
        let cell = |col: usize| record.get(col).unwrap_or("");
        let name = &headers[threads_col];
        let threads = super::parse_thread_count(cell(threads_col))
            .map_err(|why| bad(format!("line {line}, column {} (`{name}`): {why}", threads_col + 1)))?;
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
        let value = value / divisor;
        if !(MIN_VALUE..=MAX_VALUE).contains(&value) {
            return Err(bad(format!(
                "line {line}, column {} (`{column}`): `{}` is outside {MIN_VALUE:e}..={MAX_VALUE:e}{}, where ratios of values stay finite",
                value_col + 1,
                cell(value_col),
                if divisor == 1.0 { "" } else { " seconds" }
            )));
        }
        points.entry(threads).or_default().push(value);
        written.push((threads, cell(value_col).to_owned()));
    }
    if points.is_empty() {
        return Err(bad("no data rows after the header".into()));
    }
    let texts: Vec<&str> = written.iter().map(|(_, t)| t.as_str()).collect();
    let mut rounding: BTreeMap<usize, f64> = BTreeMap::new();
    for ((threads, _), r) in written.iter().zip(relative_rounding(&texts)) {
        let widest = rounding.entry(*threads).or_default();
        *widest = widest.max(r);
    }
    let (threads, samples) = points.into_iter().unzip();
    Ok(ImportedSamples { threads, samples, kind, column, rounding: rounding.into_values().collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ImportedSamples> {
        parse_csv(Path::new("data.csv"), text)
    }

    #[test]
    fn line_numbers_count_blank_lines_and_values_stay_finite() {
        let err = parse("threads,seconds\n\n1,1.0\n\n\n2,abc\n").unwrap_err().to_string();
        assert!(err.contains("line 6, column 2"), "{err}");
        let err = parse("threads,seconds\n1,1e308\n2,1e-300\n").unwrap_err().to_string();
        assert!(err.contains("line 2, column 2") && err.contains("outside"), "{err}");
        let err = parse("threads,seconds\n1,1\n2000000,1\n").unwrap_err().to_string();
        assert!(err.contains("line 3, column 1") && err.contains("at most 1000000"), "{err}");
    }

    #[test]
    fn reads_samples_and_units() {
        let s = parse("threads,nanoseconds,other\n2,500,x\n1,1000,y\n2,520,z\n").unwrap();
        assert_eq!(s.threads, [1, 2]);
        assert_eq!(s.samples, [vec![1e-6], vec![5e-7, 5.2e-7]]);
        assert_eq!(s.kind, SampleKind::Time);
        let x = parse("Concurrency,Throughput\n1,10\n").unwrap();
        assert_eq!((x.kind, x.column.as_str()), (SampleKind::Throughput, "throughput"));
        // Each point's rounding is its widest row's; the column shows two significant digits
        // (520), so 500 is read as rounded to tens and 1000 to hundreds.
        assert_eq!(s.rounding, [0.05, 0.01]);
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
