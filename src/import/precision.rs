//! The precision of numbers as they were written: a curve published as `1.4, 2.7, 6.4 … 518` was
//! rounded to two or three significant digits, and no dip or fall smaller than that rounding is in
//! the data. The importer reads each value's precision from its text; the shape reading
//! (`fit::shape`) takes it as a floor under the noise.
//!
//! # Method
//! A number's last written digit is its unit of rounding (its ulp), and the value is within half
//! an ulp of what was measured. With a decimal point (`1.40`, `35.338`, `2.5e3`), every written
//! digit counts, trailing zeros too. Without one, trailing zeros are ambiguous (`130` may be
//! rounded to tens, `690000` may be exact): they are read as significant up to the most
//! significant digits any value of the same column shows (its writer's precision), so `130`
//! beside `78` and `20` is rounded to tens (two digits), and `100` beside `270` and `154` to units.
//! The relative half-width is half the ulp over the value.

/// A number as written: its significant digits and the unit of its last written digit.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Written {
    /// The value.
    value: f64,
    /// Digits from the first non-zero one to the last written one.
    digits: u32,
    /// How many of them are trailing zeros of an integer (ambiguous: rounding or exact).
    trailing_zeros: u32,
    /// The power of ten of the last written digit.
    last_power: i32,
}

impl Written {
    /// Reads a plain decimal number (`-1.5`, `130`, `2.5e3`, `1E-4`); `None` for anything else.
    fn read(text: &str) -> Option<Written> {
        let value: f64 = text.parse().ok().filter(|v: &f64| v.is_finite() && *v != 0.0)?;
        let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i32>().ok()?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if !(whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())) {
            return None;
        }
        let all: String = format!("{whole}{fraction}");
        let significant = all.trim_start_matches('0');
        let digits = significant.len() as u32;
        let trailing_zeros = if mantissa.contains('.') {
            0
        } else {
            (significant.len() - significant.trim_end_matches('0').len()) as u32
        };
        let last_power = exponent.checked_sub(fraction.len() as i32)?;
        Some(Written { value, digits, trailing_zeros, last_power })
    }
}

/// The relative half-width of each of `cells` (a column's texts, in order) from the rounding of
/// its last written digit (see the module docs); 0 for a cell that is no plain decimal number.
pub fn relative_rounding(cells: &[&str]) -> Vec<f64> {
    let written: Vec<Option<Written>> = cells.iter().map(|c| Written::read(c.trim())).collect();
    // The writer's precision: the most significant digits any value shows unambiguously.
    let column_digits = written.iter().flatten().map(|w| w.digits - w.trailing_zeros).max().unwrap_or(0);
    written
        .iter()
        .map(|w| {
            let Some(w) = w else { return 0.0 };
            // Ambiguous trailing zeros count as significant up to the column's precision.
            let rounded_zeros = w.trailing_zeros.min(w.digits.saturating_sub(column_digits));
            let ulp = 10f64.powi(w.last_power + rounded_zeros as i32);
            let half = 0.5 * ulp / w.value.abs();
            if half.is_finite() { half } else { 0.0 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12 * b.abs().max(1e-300)
    }

    #[test]
    fn the_last_written_digit_is_the_unit_of_rounding() {
        let r = relative_rounding(&["1.4", "35.338", "1.40", "2.5e3", "1E-4", "-0.05"]);
        let want = [0.05 / 1.4, 0.0005 / 35.338, 0.005 / 1.4, 50.0 / 2500.0, 0.5, 0.005 / 0.05];
        for (got, want) in r.iter().zip(want) {
            assert!(close(*got, want), "{r:?}");
        }
    }

    #[test]
    fn trailing_zeros_of_integers_count_up_to_the_columns_precision() {
        // Two significant digits in the column (78): 130 is rounded to tens, 20 to units.
        let r = relative_rounding(&["20", "78", "130", "200", "310"]);
        let want = [0.5 / 20.0, 0.5 / 78.0, 5.0 / 130.0, 5.0 / 200.0, 5.0 / 310.0];
        for (got, want) in r.iter().zip(want) {
            assert!(close(*got, want), "{r:?}");
        }
        // Three in the column (154): 100 is to units; beside 270 alone, to tens.
        assert!(close(relative_rounding(&["270", "154", "100"])[2], 0.005));
        assert!(close(relative_rounding(&["270", "100"])[1], 0.05));
        // Six (689821): 690000 is exact to units.
        assert!(close(relative_rounding(&["689821", "690000"])[1], 0.5 / 690000.0));
    }

    #[test]
    fn what_is_no_plain_number_has_no_rounding() {
        assert_eq!(relative_rounding(&["abc", "0", "inf", "1.2.3", ""]), [0.0; 5]);
    }
}
