//! `name[:k=v,...]`: choosing a workload and its parameters from text.

use std::fmt;
use std::sync::Arc;

use crate::{ALL, ParamError, Params, Workload};

/// A workload chosen by name with its resolved parameters.
#[derive(Clone)]
pub struct WorkloadSpec {
    /// The workload: a built-in of [`ALL`] or one made at run time, such as a
    /// [`crate::CommandWorkload`].
    pub workload: Arc<dyn Workload>,
    /// Its parameters, defaults filled in.
    pub params: Params,
}

impl fmt::Debug for WorkloadSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WorkloadSpec({}:{})", self.workload.name(), self.params.to_text())
    }
}

/// Finds a built-in workload by name.
pub fn find(name: &str) -> Option<&'static dyn Workload> {
    ALL.iter().copied().find(|w| w.name() == name)
}

impl WorkloadSpec {
    /// Parses `name` or `name:k=v,k=v` against the built-in catalogue [`ALL`].
    pub fn parse(text: &str) -> Result<WorkloadSpec, SpecError> {
        let (name, params) = text.split_once(':').unwrap_or((text, ""));
        let name = name.trim();
        let workload = find(name).ok_or_else(|| SpecError::UnknownWorkload(name.to_owned()))?;
        let params = Params::parse(workload, params).map_err(SpecError::Param)?;
        Ok(WorkloadSpec { workload: Arc::new(workload), params })
    }

    /// The workload with its default parameters.
    pub fn defaults(workload: Arc<dyn Workload>) -> Result<WorkloadSpec, SpecError> {
        let params = Params::defaults(&*workload).map_err(SpecError::Param)?;
        Ok(WorkloadSpec { workload, params })
    }

    /// A built-in workload of [`ALL`] with its default parameters.
    pub fn builtin(workload: &'static dyn Workload) -> Result<WorkloadSpec, SpecError> {
        WorkloadSpec::defaults(Arc::new(workload))
    }
}

/// Why a workload spec was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecError {
    /// No built-in workload has this name.
    UnknownWorkload(String),
    /// A parameter was refused.
    Param(ParamError),
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::UnknownWorkload(name) => {
                let known: Vec<_> = ALL.iter().map(|w| w.name()).collect();
                write!(f, "unknown workload `{name}` (known: {})", known.join(", "))
            }
            SpecError::Param(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for SpecError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_params() {
        let spec = WorkloadSpec::parse("sleep:ms=3,serial=0.2").unwrap();
        assert_eq!(spec.workload.name(), "sleep");
        assert_eq!(spec.params.float("serial"), 0.2);
        assert_eq!(spec.params.float("ms"), 3.0);
    }

    #[test]
    fn refuses_unknown_and_out_of_range() {
        let err = WorkloadSpec::parse("nosuch").unwrap_err().to_string();
        assert!(err.contains("nosuch") && err.contains("primes"), "{err}");
        for bad in ["synthetic:b=1.5", "sleep:ms=-1", "triad:mib=abc"] {
            assert!(matches!(WorkloadSpec::parse(bad), Err(SpecError::Param(_))), "{bad}");
        }
    }
}
