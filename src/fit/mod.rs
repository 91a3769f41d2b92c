//! Models of the speedup curve, fitted to measured points.
//!
//! Each fitter is a few lines of least squares written here rather than pulled from a numerics crate:
//! the models are linear in their parameter after a change of variables, so the closed forms are
//! short, exact on exact data, and easy to check by hand.

pub mod amdahl;
pub mod karp_flatt;
