//! Typed workload parameters: declared with a default and an inclusive range, parsed from
//! `name=value` text, validated before anything runs.

use std::collections::BTreeMap;
use std::fmt;

use crate::Workload;

/// Whether a parameter takes whole numbers or reals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// A whole number in `min..=max`.
    Integer,
    /// A real number in `min..=max`.
    Float,
}

/// The declaration of one parameter: its name, what it means, its default and its inclusive range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// The name used in `workload:name=value`.
    pub name: &'static str,
    /// What the parameter means, with its unit.
    pub help: &'static str,
    /// Whole or real.
    pub ty: ParamType,
    /// The value used when none is given.
    pub default: f64,
    /// The smallest allowed value.
    pub min: f64,
    /// The largest allowed value.
    pub max: f64,
}

impl ParamSpec {
    /// Declares a whole-number parameter.
    pub const fn integer(name: &'static str, help: &'static str, default: u64, min: u64, max: u64) -> ParamSpec {
        ParamSpec { name, help, ty: ParamType::Integer, default: default as f64, min: min as f64, max: max as f64 }
    }

    /// Declares a real parameter.
    pub const fn float(name: &'static str, help: &'static str, default: f64, min: f64, max: f64) -> ParamSpec {
        ParamSpec { name, help, ty: ParamType::Float, default, min, max }
    }

    /// The allowed range as text, e.g. `0..=1` or `1..=1000000`.
    pub fn range_text(&self) -> String {
        format!("{}..={}", self.min, self.max)
    }

    /// Parses and range-checks one value of this parameter.
    pub fn parse(&self, workload: &str, text: &str) -> Result<f64, ParamError> {
        let bad = |reason: &str| ParamError::BadValue {
            workload: workload.to_owned(),
            param: self.name.to_owned(),
            value: text.to_owned(),
            reason: reason.to_owned(),
            range: self.range_text(),
        };
        let value: f64 = match self.ty {
            ParamType::Integer => parse_integer(text).ok_or_else(|| bad("not a whole number"))?,
            ParamType::Float => text.trim().parse().map_err(|_| bad("not a number"))?,
        };
        if !value.is_finite() || value < self.min || value > self.max {
            return Err(bad("out of range"));
        }
        Ok(value)
    }
}

/// Whole numbers may use `_` separators and a scientific form that is whole (`1e6`).
fn parse_integer(text: &str) -> Option<f64> {
    let clean = text.trim().replace('_', "");
    if let Ok(n) = clean.parse::<u64>() {
        return Some(n as f64);
    }
    let real: f64 = clean.parse().ok()?;
    (real.is_finite() && real.fract() == 0.0 && real.abs() < 2f64.powi(53)).then_some(real)
}

/// A problem with a workload's parameters; every variant names the workload and the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    /// The workload has no parameter of this name.
    Unknown {
        /// The workload.
        workload: String,
        /// The name given.
        param: String,
        /// The names it does have.
        known: Vec<&'static str>,
    },
    /// The value is not a number of the right type, or outside the range.
    BadValue {
        /// The workload.
        workload: String,
        /// The parameter.
        param: String,
        /// The text given.
        value: String,
        /// Why it was refused.
        reason: String,
        /// The allowed range.
        range: String,
    },
    /// The same parameter was given twice (`ms=1,ms=2`): which one was meant is unclear.
    Duplicate {
        /// The workload.
        workload: String,
        /// The parameter.
        param: String,
    },
    /// `name=value` was malformed (no `=`, or an empty name).
    Malformed {
        /// The workload.
        workload: String,
        /// The text given.
        text: String,
    },
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Unknown { workload, param, known } => {
                write!(f, "workload `{workload}` has no parameter `{param}` (it has: {})", known.join(", "))
            }
            ParamError::BadValue { workload, param, value, reason, range } => {
                write!(f, "workload `{workload}`, parameter `{param}`: value `{value}` is {reason} (allowed: {range})")
            }
            ParamError::Duplicate { workload, param } => {
                write!(f, "workload `{workload}`: parameter `{param}` is given twice; give it once")
            }
            ParamError::Malformed { workload, text } => {
                write!(f, "workload `{workload}`: parameter `{text}` is not of the form name=value")
            }
        }
    }
}

impl std::error::Error for ParamError {}

/// Resolved parameter values of one workload: every declared parameter has a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    values: BTreeMap<&'static str, f64>,
}

impl Params {
    /// The defaults of every parameter of `workload`.
    pub fn defaults(workload: &dyn Workload) -> Result<Params, ParamError> {
        Params::parse(workload, "")
    }

    /// Parses `k=v,k=v` (may be empty) over the defaults of `workload`.
    pub fn parse(workload: &dyn Workload, text: &str) -> Result<Params, ParamError> {
        let specs = workload.params();
        let mut values: BTreeMap<&'static str, f64> = specs.iter().map(|s| (s.name, s.default)).collect();
        let mut given: Vec<&'static str> = Vec::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = pair.split_once('=').filter(|(n, _)| !n.trim().is_empty()) else {
                return Err(ParamError::Malformed { workload: workload.name().to_owned(), text: pair.to_owned() });
            };
            let name = name.trim();
            let Some(spec) = specs.iter().find(|s| s.name == name) else {
                return Err(ParamError::Unknown {
                    workload: workload.name().to_owned(),
                    param: name.to_owned(),
                    known: specs.iter().map(|s| s.name).collect(),
                });
            };
            if given.contains(&spec.name) {
                return Err(ParamError::Duplicate { workload: workload.name().to_owned(), param: name.to_owned() });
            }
            given.push(spec.name);
            values.insert(spec.name, spec.parse(workload.name(), value)?);
        }
        Ok(Params { values })
    }

    /// Sets one parameter without validation (the caller has checked it, e.g. a calibrated size).
    pub fn set(&mut self, name: &'static str, value: f64) {
        self.values.insert(name, value);
    }

    /// The value of a parameter, if the workload declared it.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.get(name).copied()
    }

    /// The value of a real parameter. Panics if the workload did not declare `name`: that is a bug
    /// in the workload, not bad input.
    pub fn float(&self, name: &str) -> f64 {
        match self.values.get(name) {
            Some(value) => *value,
            None => panic!("parameter `{name}` was not declared by this workload"),
        }
    }

    /// The value of a whole-number parameter (see [`Params::float`]).
    pub fn integer(&self, name: &str) -> u64 {
        self.float(name) as u64
    }

    /// Every parameter and its value, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.values.iter().map(|(k, v)| (*k, *v))
    }

    /// The parameters as `k=v,k=v`, sorted by name.
    pub fn to_text(&self) -> String {
        self.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::synthetic::Synthetic;

    #[test]
    fn defaults_then_overrides() {
        let params = Params::parse(&Synthetic, "b=0.25, size=1_000").unwrap();
        assert_eq!(params.float("b"), 0.25);
        assert_eq!(params.integer("size"), 1000);
        assert_eq!(Params::defaults(&Synthetic).unwrap().float("b"), 0.1);
    }

    #[test]
    fn scientific_whole_numbers_are_integers() {
        assert_eq!(Params::parse(&Synthetic, "size=2e6").unwrap().integer("size"), 2_000_000);
        assert!(Params::parse(&Synthetic, "size=2.5").is_err());
    }

    #[test]
    fn bad_values_name_workload_param_value_and_range() {
        let err = Params::parse(&Synthetic, "b=1.5").unwrap_err().to_string();
        for part in ["synthetic", "`b`", "1.5", "0..=1"] {
            assert!(err.contains(part), "{err} lacks {part}");
        }
        let err = Params::parse(&Synthetic, "b=abc").unwrap_err().to_string();
        assert!(err.contains("not a number"), "{err}");
        let err = Params::parse(&Synthetic, "nope=1").unwrap_err().to_string();
        assert!(err.contains("no parameter `nope`") && err.contains("size, b"), "{err}");
        assert!(matches!(Params::parse(&Synthetic, "b"), Err(ParamError::Malformed { .. })));
        let twice = Params::parse(&Synthetic, "b=0.1, b=0.2").unwrap_err();
        assert!(matches!(twice, ParamError::Duplicate { .. }) && twice.to_string().contains("`b` is given twice"));
        assert!(Params::parse(&Synthetic, "b=NaN").is_err());
        assert!(Params::parse(&Synthetic, "b=inf").is_err());
    }
}
