//! The Karp–Flatt metric: the experimentally determined serial fraction at each thread count,
//! e(j) = (1/S - 1/j) / (1 - 1/j) (Karp & Flatt, "Measuring parallel processor performance",
//! CACM 33(5), 1990).
//!
//! If Amdahl's law holds, e is the same at every j; an e that rises with j points to overhead that
//! grows with the thread count or a saturated shared resource, not to serial code. e is decreasing
//! in S, so the interval of e follows from the interval of S by swapping its ends.

/// e(j) for speedup `s` at `threads`; `None` at j = 1 (undefined) or for a non-positive speedup.
pub fn karp_flatt(threads: usize, s: f64) -> Option<f64> {
    if threads < 2 || !(s.is_finite() && s > 0.0) {
        return None;
    }
    let inv_j = 1.0 / threads as f64;
    Some((1.0 / s - inv_j) / (1.0 - inv_j))
}

/// The interval of e(j) from the interval `[lo, hi]` of S(j).
pub fn karp_flatt_ci(threads: usize, speedup_ci: [f64; 2]) -> Option<[f64; 2]> {
    Some([karp_flatt(threads, speedup_ci[1])?, karp_flatt(threads, speedup_ci[0])?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::amdahl::speedup;

    #[test]
    fn constant_on_amdahl_data() {
        for j in 2..=8 {
            assert!((karp_flatt(j, speedup(0.1, j as f64)).unwrap() - 0.1).abs() < 1e-12);
        }
        assert_eq!(karp_flatt(1, 1.0), None);
    }

    #[test]
    fn interval_swaps_ends() {
        let [lo, hi] = karp_flatt_ci(2, [1.6, 1.9]).unwrap();
        assert!(lo < hi);
        assert_eq!(lo, karp_flatt(2, 1.9).unwrap());
    }
}
