//! Reproducible pseudo-random numbers for scenarios that need them.

use std::time::Duration;

/// Returns `count` durations spread uniformly over `0..=max_us` microseconds,
/// the same for a given `seed` on every run and every runtime.
///
/// The generator is SplitMix64: tiny, fast and good enough to spread sleeps.
///
/// # Examples
///
/// ```
/// let plan = corio_benches::sleep_plan(3, 5_000, 1);
/// assert_eq!(plan, corio_benches::sleep_plan(3, 5_000, 1));
/// assert!(plan.iter().all(|d| d.as_micros() <= 5_000));
/// ```
pub fn sleep_plan(count: u64, max_us: u64, seed: u64) -> Vec<Duration> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            Duration::from_micros(z % (max_us + 1))
        })
        .collect()
}
