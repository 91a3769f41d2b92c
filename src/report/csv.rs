//! One CSV row per point, ready for pandas or a spreadsheet (`measure run --export-csv`): the
//! point's statistics and, on every row of a workload, its fitted models.

use super::Exporter;
use crate::error::{Error, Result};
use crate::results::{ResultsFile, Tag};

/// The CSV export.
pub struct Csv;

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "workload",
    "kind",
    "backend",
    "scaling",
    "threads",
    "samples",
    "first_round",
    "median_ns",
    "median_ns_ci_low",
    "median_ns_ci_high",
    "speedup",
    "speedup_ci_low",
    "speedup_ci_high",
    "efficiency",
    "karp_flatt",
    "utilisation",
    "machine_speedup",
    "fidelity",
    "tags",
    "best_model",
    "amdahl_serial_fraction",
    "amdahl_ci_low",
    "amdahl_ci_high",
    "usl_sigma",
    "usl_kappa",
    "usl_peak_threads",
    "diagnosis",
];

impl Exporter for Csv {
    fn render(&self, r: &ResultsFile) -> Result<Vec<u8>> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let fail = |e: csv::Error| Error::Data { path: "<csv>".into(), message: e.to_string() };
        out.write_record(COLUMNS).map_err(fail)?;
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        for w in &r.workloads {
            let amdahl = w.fits.amdahl_fitted();
            let usl = w.fits.usl_fitted();
            for p in &w.points {
                let (m_lo, m_hi) = (p.median_ns_ci95.map(|c| c[0]), p.median_ns_ci95.map(|c| c[1]));
                let (s_lo, s_hi) = (p.speedup_ci95.map(|c| c[0]), p.speedup_ci95.map(|c| c[1]));
                let b_ci = amdahl.and_then(|a| a.ci95);
                let record = [
                    w.name.clone(),
                    w.kind.as_str().to_owned(),
                    w.backend.as_str().to_owned(),
                    w.scaling.as_str().to_owned(),
                    p.threads.to_string(),
                    p.samples_ns.len().to_string(),
                    p.first_round.to_string(),
                    num(p.median_ns),
                    num(m_lo),
                    num(m_hi),
                    num(p.speedup),
                    num(s_lo),
                    num(s_hi),
                    num(p.efficiency),
                    num(p.karp_flatt),
                    num(p.utilisation),
                    num(p.machine_speedup),
                    num(p.fidelity),
                    Tag::join(&p.tags, ";"),
                    w.fits.best.map(|m| m.as_str().to_owned()).unwrap_or_default(),
                    num(amdahl.map(|a| a.serial_fraction)),
                    num(b_ci.map(|c| c[0])),
                    num(b_ci.map(|c| c[1])),
                    num(usl.map(|u| u.sigma)),
                    num(usl.map(|u| u.kappa)),
                    num(usl.and_then(|u| u.peak_threads)),
                    w.diagnosis.clone().unwrap_or_default(),
                ];
                out.write_record(&record).map_err(fail)?;
            }
        }
        out.into_inner().map_err(|e| Error::Data { path: "<csv>".into(), message: e.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_point_with_the_fit_on_each_and_quotes_where_needed() {
        let results = crate::report::tests::fixture();
        let bytes = Csv.render(&results).unwrap();
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), COLUMNS);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let points: usize = results.workloads.iter().map(|w| w.points.len()).sum();
        assert_eq!(rows.len(), points);
        let w = &results.workloads[0];
        let b = w.fits.amdahl_fitted().unwrap().serial_fraction;
        for (row, p) in rows.iter().zip(&w.points) {
            assert_eq!(&row[0], w.name);
            assert_eq!(row[4].parse::<usize>().unwrap(), p.threads);
            assert_eq!(row[10].parse::<f64>().unwrap(), p.speedup.unwrap());
            assert_eq!(row[20].parse::<f64>().unwrap(), b);
        }
    }
}
