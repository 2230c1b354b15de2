//! [`AcceptFailures`]: how a server's accept loop reports failures that
//! repeat.
//!
//! Out of file descriptors, `accept` fails every time the loop retries
//! (every 100 ms), and a line per try would flood standard error just when
//! the process is in trouble. So the first failure of a burst is reported
//! at once, the ones after it are counted, and a summary line with the
//! count goes out every [`SUMMARY_EVERY`] while the burst lasts and once
//! more when it ends (an accept succeeds, or the loop stops). The type is
//! pure: the caller passes the instants in, so the rule is tested without a
//! real clock or a real shortage.

use std::time::{Duration, Instant};

/// How often a burst that goes on is summarised.
pub(crate) const SUMMARY_EVERY: Duration = Duration::from_secs(10);

/// The state of the current burst of accept failures, if any.
#[derive(Debug)]
pub(crate) struct AcceptFailures {
    every: Duration,
    burst: Option<Burst>,
}

#[derive(Debug)]
struct Burst {
    /// When the last line about this burst was reported.
    reported_at: Instant,
    /// Failures since then, not reported yet.
    unreported: u64,
    /// The latest of them.
    last_error: String,
}

impl AcceptFailures {
    /// No burst yet; a burst that goes on is summarised every `every`.
    pub(crate) fn new(every: Duration) -> AcceptFailures {
        AcceptFailures { every, burst: None }
    }

    /// Records a failure at `now`; returns the line to report, if any.
    pub(crate) fn failed(&mut self, now: Instant, error: &str) -> Option<String> {
        let Some(burst) = &mut self.burst else {
            self.burst = Some(Burst {
                reported_at: now,
                unreported: 0,
                last_error: error.to_owned(),
            });
            return Some(format!(
                "accept failed: {error}; retrying, and counting further failures"
            ));
        };
        burst.unreported += 1;
        error.clone_into(&mut burst.last_error);
        if now.saturating_duration_since(burst.reported_at) >= self.every {
            return burst.summary(now);
        }
        None
    }

    /// Ends the burst at `now` (an accept succeeded, or the loop stops);
    /// returns the summary of the failures not reported yet, if any.
    pub(crate) fn ended(&mut self, now: Instant) -> Option<String> {
        self.burst.take()?.summary(now)
    }
}

impl Burst {
    /// The line for the unreported failures, which it then counts as
    /// reported.
    fn summary(&mut self, now: Instant) -> Option<String> {
        if self.unreported == 0 {
            return None;
        }
        let secs = now
            .saturating_duration_since(self.reported_at)
            .as_secs_f64();
        let times = if self.unreported == 1 {
            "time"
        } else {
            "times"
        };
        let line = format!(
            "accept failed {} {times} in the last {secs:.1}s: {}",
            self.unreported, self.last_error
        );
        self.unreported = 0;
        self.reported_at = now;
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY: Duration = Duration::from_secs(10);

    fn ms(t0: Instant, n: u64) -> Instant {
        t0 + Duration::from_millis(n)
    }

    #[test]
    fn the_first_failure_is_reported_at_once() {
        let t0 = Instant::now();
        let mut f = AcceptFailures::new(EVERY);
        let line = f.failed(t0, "Too many open files").unwrap();
        assert!(line.contains("Too many open files"), "{line}");
    }

    #[test]
    fn failures_within_a_burst_are_counted_not_reported() {
        let t0 = Instant::now();
        let mut f = AcceptFailures::new(EVERY);
        assert!(f.failed(t0, "EMFILE").is_some());
        for i in 1..50 {
            assert_eq!(f.failed(ms(t0, i * 100), "EMFILE"), None);
        }
        // An accept succeeds after 5 s: the burst ends with one summary.
        let line = f.ended(ms(t0, 5_000)).unwrap();
        assert_eq!(line, "accept failed 49 times in the last 5.0s: EMFILE");
        // The next failure starts a new burst and is reported at once.
        assert!(
            f.failed(ms(t0, 6_000), "EMFILE")
                .unwrap()
                .starts_with("accept failed: ")
        );
    }

    #[test]
    fn a_long_burst_is_summarised_every_interval() {
        let t0 = Instant::now();
        let mut f = AcceptFailures::new(EVERY);
        let mut lines = Vec::new();
        // 35 s of failures every 100 ms.
        for i in 0..=350 {
            lines.extend(f.failed(ms(t0, i * 100), "ENFILE"));
        }
        lines.extend(f.ended(ms(t0, 35_000)));
        assert_eq!(
            lines,
            [
                "accept failed: ENFILE; retrying, and counting further failures",
                "accept failed 100 times in the last 10.0s: ENFILE",
                "accept failed 100 times in the last 10.0s: ENFILE",
                "accept failed 100 times in the last 10.0s: ENFILE",
                "accept failed 50 times in the last 5.0s: ENFILE",
            ]
        );
    }

    #[test]
    fn the_summary_names_the_latest_error() {
        let t0 = Instant::now();
        let mut f = AcceptFailures::new(EVERY);
        f.failed(t0, "EMFILE");
        f.failed(ms(t0, 100), "ENOBUFS");
        let line = f.ended(ms(t0, 200)).unwrap();
        assert_eq!(line, "accept failed 1 time in the last 0.2s: ENOBUFS");
    }

    #[test]
    fn a_lone_failure_or_a_quiet_success_adds_no_summary() {
        let t0 = Instant::now();
        let mut f = AcceptFailures::new(EVERY);
        assert_eq!(f.ended(t0), None, "no burst, nothing to say");
        assert!(f.failed(t0, "EMFILE").is_some());
        assert_eq!(f.ended(ms(t0, 100)), None, "reported already");
        // A burst summarised at its interval mark and then ending right
        // away has nothing left to report.
        f.failed(t0, "EMFILE");
        f.failed(ms(t0, 10_000), "EMFILE").unwrap();
        assert_eq!(f.ended(ms(t0, 10_000)), None);
    }
}
