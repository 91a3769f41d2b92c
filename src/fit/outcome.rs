//! What fitting a law to a curve gave: its estimate, or why it was not fitted ([`Outcome`]).
//!
//! In files every outcome keeps the flat shape it has always had: one object with every field of
//! the estimate (null where not fitted) and `not_fitted`, the reason (null where fitted). Each law
//! declares that object as a private wire struct beside its estimate, with the conversions both
//! ways, and `flat_wire!` writes the outcome's `Serialize`, `Deserialize` and `JsonSchema`
//! through it, so `results/schema.json` is what the wire struct's derive says. A file's
//! combination that the types cannot hold (neither an estimate nor a reason) loads as not fitted
//! with an empty reason: readers recompute every fit from the raw samples anyway.

/// A law fitted to a curve (`T`, its estimate), or not, with the reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// The law was fitted.
    Fitted(T),
    /// It was not.
    NotFitted(NotFitted),
}

/// Why a law was not fitted, and to which thread counts.
#[derive(Debug, Clone, PartialEq)]
pub struct NotFitted {
    /// The thread counts it was to be fitted to.
    pub threads_used: Vec<usize>,
    /// Why it was not fitted ("needs 2 distinct thread counts, has 1").
    pub reason: String,
}

/// What every estimate knows: the thread counts it was fitted to.
pub trait Estimate {
    /// The thread counts that entered the fit.
    fn threads_used(&self) -> &[usize];
}

impl<T: Estimate> Outcome<T> {
    /// Not fitted to `threads_used`, because `reason`.
    pub fn not_fitted(threads_used: Vec<usize>, reason: impl Into<String>) -> Outcome<T> {
        Outcome::NotFitted(NotFitted { threads_used, reason: reason.into() })
    }

    /// The estimate, when fitted.
    pub fn fitted(&self) -> Option<&T> {
        match self {
            Outcome::Fitted(estimate) => Some(estimate),
            Outcome::NotFitted(_) => None,
        }
    }

    /// The estimate to change, when fitted.
    pub fn fitted_mut(&mut self) -> Option<&mut T> {
        match self {
            Outcome::Fitted(estimate) => Some(estimate),
            Outcome::NotFitted(_) => None,
        }
    }

    /// Why it was not fitted, when it was not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Fitted(_) => None,
            Outcome::NotFitted(not) => Some(&not.reason),
        }
    }

    /// The thread counts it was fitted (or to be fitted) to.
    pub fn threads_used(&self) -> &[usize] {
        match self {
            Outcome::Fitted(estimate) => estimate.threads_used(),
            Outcome::NotFitted(not) => &not.threads_used,
        }
    }
}

/// `Serialize`, `Deserialize` and `JsonSchema` of `Outcome<$estimate>` through its flat wire
/// struct `$wire` (which converts from `&Outcome<$estimate>` and into `Outcome<$estimate>`), named
/// `$name` in the schema.
macro_rules! flat_wire {
    ($estimate:ty, $wire:ty, $name:literal) => {
        impl serde::Serialize for $crate::fit::outcome::Outcome<$estimate> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                <$wire>::from(self).serialize(serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $crate::fit::outcome::Outcome<$estimate> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$wire as serde::Deserialize>::deserialize(deserializer).map(Into::into)
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $crate::fit::outcome::Outcome<$estimate> {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                <$wire as schemars::JsonSchema>::json_schema(generator)
            }
        }
    };
}

pub(crate) use flat_wire;

#[cfg(test)]
mod tests {
    use crate::fit::{AmdahlEstimate, AmdahlFit, GustafsonFit, UslFit};
    use serde_json::json;

    /// Fitted or not, an outcome is one flat object in files, and reads back as itself.
    #[test]
    fn outcomes_keep_the_flat_wire_shape_and_read_back() {
        let fitted = AmdahlFit::Fitted(AmdahlEstimate {
            serial_fraction: 0.25,
            ci95: Some([0.2, 0.3]),
            ci_method: None,
            ceiling: Some(4.0),
            superlinear: false,
            threads_used: vec![1, 2, 4],
            aicc: None,
            no_interval: None,
        });
        let not = AmdahlFit::not_fitted(vec![1], "needs 2 distinct thread counts, has 1");
        let wire = |fit: &AmdahlFit| serde_json::to_value(fit).unwrap();
        let (b, reason) = (wire(&fitted), wire(&not));
        assert_eq!(b["serial_fraction"], 0.25);
        assert_eq!(b["not_fitted"], json!(null));
        assert_eq!(reason["serial_fraction"], json!(null));
        assert_eq!(reason["superlinear"], false);
        assert_eq!(reason["threads_used"], json!([1]));
        assert_eq!(reason["not_fitted"], "needs 2 distinct thread counts, has 1");
        let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&b), keys(&reason), "the same fields either way");
        for fit in [fitted, not] {
            assert_eq!(serde_json::from_value::<AmdahlFit>(wire(&fit)).unwrap(), fit);
        }
        let usl = crate::fit::usl::fit(&crate::fit::Curve::from_samples(
            &[1, 2],
            &[vec![1.0], vec![0.6]],
            crate::fit::SampleKind::Time,
            1,
        ));
        assert_eq!(serde_json::to_value(&usl).unwrap()["sigma"], json!(null));
        assert_eq!(serde_json::from_value::<UslFit>(serde_json::to_value(&usl).unwrap()).unwrap(), usl);
        let gustafson = GustafsonFit::not_fitted(vec![1], "needs a thread count above 1");
        let text = serde_json::to_string(&gustafson).unwrap();
        assert_eq!(
            text,
            r#"{"serial_fraction":null,"ci95":null,"threads_used":[1],"not_fitted":"needs a thread count above 1"}"#
        );
    }

    /// A file whose fit has neither an estimate nor a reason still loads (as not fitted): readers
    /// recompute every fit from the raw samples.
    #[test]
    fn a_fit_with_neither_estimate_nor_reason_loads_as_not_fitted() {
        let file = json!({"serial_fraction": null, "ci95": null, "ceiling": null, "superlinear": false,
            "threads_used": [1, 2], "not_fitted": null});
        let fit: AmdahlFit = serde_json::from_value(file).unwrap();
        assert_eq!(fit, AmdahlFit::not_fitted(vec![1, 2], ""));
    }
}
