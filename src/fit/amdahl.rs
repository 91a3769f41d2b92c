//! Amdahl's law: S(j) = 1 / (B + (1 - B)/j), with B the serial fraction (Amdahl, "Validity of the
//! single processor approach to achieving large scale computing capabilities", AFIPS 1967).
//!
//! # Method
//! 1/S = B + (1 - B)/j is linear in B: with x = 1 - 1/j and y = 1/S - 1/j it reads y = B x, so the
//! least-squares B through the origin is B = sum(x y) / sum(x^2) (j = 1 has x = 0 and adds nothing).
//! Superlinear data (S > j) give B < 0; that is reported as superlinear, never clamped. The ceiling
//! of the speedup as j grows is 1/B, defined only for B > 0.

/// The Amdahl speedup at `threads` for serial fraction `b`.
pub fn speedup(b: f64, threads: f64) -> f64 {
    1.0 / (b + (1.0 - b) / threads)
}

/// The least-squares serial fraction of points `(threads, speedup)`; `None` when no point has
/// j > 1 or a speedup is not positive and finite.
pub fn serial_fraction(points: impl IntoIterator<Item = (usize, f64)>) -> Option<f64> {
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (j, s) in points {
        if !(s.is_finite() && s > 0.0) {
            return None;
        }
        let inv_j = 1.0 / j as f64;
        let x = 1.0 - inv_j;
        sxy += x * (1.0 / s - inv_j);
        sxx += x * x;
    }
    (sxx > 0.0).then(|| sxy / sxx)
}

/// The ceiling 1/B of the speedup as j grows; `None` unless B > 0.
pub fn ceiling(b: f64) -> Option<f64> {
    (b > 0.0).then(|| 1.0 / b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_amdahl_data_give_exact_b() {
        for b in [0.0, 0.1, 0.25, 0.6, 1.0] {
            let points = (1..=16).map(|j| (j, speedup(b, j as f64)));
            assert!((serial_fraction(points).unwrap() - b).abs() < 1e-12, "{b}");
        }
    }

    #[test]
    fn the_book_example() {
        // 40% parallel on 4 processors (../shared/data/amdahl-seed-example.txt).
        assert!((speedup(0.6, 4.0) - 1.428_571_4).abs() < 1e-7);
        assert!((ceiling(0.6).unwrap() - 1.666_666_7).abs() < 1e-7);
    }

    #[test]
    fn superlinear_gives_negative_b_and_no_ceiling() {
        let b = serial_fraction([(1, 1.0), (2, 2.2), (4, 4.6)]).unwrap();
        assert!(b < 0.0);
        assert_eq!(ceiling(b), None);
    }

    #[test]
    fn nothing_to_fit() {
        assert_eq!(serial_fraction([(1, 1.0)]), None);
        assert_eq!(serial_fraction([(1, 1.0), (2, f64::NAN)]), None);
        assert_eq!(serial_fraction([(1, 1.0), (2, 0.0)]), None);
    }
}
