//! The clause naming the function that holds the serial part, appended to the verdict's sentence
//! after the account's own clause.

use super::Where;
use crate::account::{Cause, PartName, TimeParts};

/// The serial share of T(1) below which no function is named for it.
pub const SAID: f64 = 0.005;

/// The clause for `cause` (the account's reading, at its thread count), from that point's
/// `where` and account: said when the reading is about serial code (B beside the measured serial
/// share, or the serial part growing, or serial code the curve's reading missed). `None`
/// otherwise, or without samples of the serial part.
pub fn clause(cause: &Cause, at: Option<&Where>, parts: Option<&TimeParts>) -> Option<String> {
    let about_serial = match cause {
        Cause::SerialShare { .. } => true,
        Cause::Grows { part, serial_share_of_t1, .. } => *part == PartName::Serial || serial_share_of_t1.is_some(),
    };
    // Samples outside the calls with no serial share measured (the work's own rayon code, which
    // the account keeps apart as merged) are not serial code: no clause.
    let measured = parts.and_then(|p| p.serial_share_of_t1).is_none_or(|s| s.share >= SAID);
    let w = at.filter(|w| about_serial && measured && w.serial_samples > 0)?;
    let Some(top) = w.functions.first().filter(|f| f.self_share > 0.0) else {
        return w.note.as_ref().map(|note| format!("; the serial code's functions: {note}"));
    };
    let location = top.location.as_ref().map_or(String::new(), |l| format!(" ({l})"));
    let of_t1 = parts
        .and_then(|p| p.serial_share_of_t1)
        .map_or(String::new(), |s| format!(", {:.1} points of T(1)", 100.0 * top.self_share * s.share));
    let leaf = if w.frames == super::Frames::LeafOnly { ", by the sampled function alone" } else { "" };
    Some(format!(
        "; the serial code runs mostly in `{}`{location}: {:.0}% of {} samples of it{of_t1}{leaf}",
        top.function,
        100.0 * top.self_share,
        w.serial_samples
    ))
}
