//! sleep precision, timeouts, Deadline, intervals, and a hundred thousand
//! concurrent timers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio::time::{Deadline, MissedTickBehavior, interval, timeout};
use futures_lite::StreamExt;

struct DropFlag(Arc<AtomicUsize>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_200_microsecond_sleep_is_not_rounded_up_to_a_millisecond() {
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    let best = runner.run(async {
        let mut best = Duration::MAX;
        for _ in 0..50 {
            let start = Instant::now();
            corio::sleep(Duration::from_micros(200)).await;
            let took = start.elapsed();
            assert!(took >= Duration::from_micros(200), "woke early: {took:?}");
            best = best.min(took);
        }
        best
    });
    // The best of 50 is immune to a noisy machine; a 1 ms timer
    // granularity would make it at least 1 ms.
    assert!(best < Duration::from_micros(900), "best of 50: {best:?}");
}

#[test]
fn timeout_gives_elapsed_and_drops_the_inner_future() {
    corio::run(async {
        let drops = Arc::new(AtomicUsize::new(0));
        let flag = DropFlag(drops.clone());
        let r = timeout(Duration::from_millis(5), async move {
            let _flag = flag;
            corio::sleep(Duration::from_secs(3600)).await;
        })
        .await;
        assert!(r.is_err());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let io: std::io::Error = r.unwrap_err().into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
        assert_eq!(timeout(Duration::from_secs(1), async { 3 }).await, Ok(3));
    });
}

#[test]
fn a_ready_future_under_timeout_registers_no_timer() {
    corio::run(async {
        let reactor = corio::reactor::Reactor::current().unwrap();
        for _ in 0..1_000 {
            assert_eq!(timeout(Duration::from_secs(1), async { 1 }).await, Ok(1));
        }
        assert_eq!(reactor.timer_count(), 0);
    });
}

#[test]
fn deadline_reschedule_extends_a_running_block() {
    corio::run(async {
        // The first 5 ms nap has 95 ms to spare on a busy machine before
        // the original deadline; the second outlasts that deadline.
        let deadline = Deadline::after(Duration::from_millis(100));
        let start = Instant::now();
        let r = deadline
            .run(async {
                corio::sleep(Duration::from_millis(5)).await;
                deadline.reschedule(Some(Instant::now() + Duration::from_secs(2)));
                corio::sleep(Duration::from_millis(200)).await;
                "finished"
            })
            .await;
        assert_eq!(r, Ok("finished"));
        assert!(start.elapsed() >= Duration::from_millis(205));
        assert!(!deadline.expired());
    });
}

#[test]
fn deadline_reschedule_can_shorten_a_running_block() {
    corio::run(async {
        let deadline = Deadline::never();
        let d2 = deadline.clone();
        let start = Instant::now();
        let shortener = corio::spawn(async move {
            corio::sleep(Duration::from_millis(5)).await;
            d2.reschedule_after(Duration::from_millis(1));
        });
        let r = deadline.run(corio::sleep(Duration::from_secs(3600))).await;
        assert!(r.is_err());
        assert!(deadline.expired());
        assert!(start.elapsed() < Duration::from_secs(60));
        shortener.await.unwrap();
    });
}

#[test]
fn deadline_spans_several_awaits() {
    corio::run(async {
        let deadline = Deadline::after(Duration::from_millis(30));
        let steps = Arc::new(AtomicUsize::new(0));
        let s = steps.clone();
        let r = deadline
            .run(async move {
                loop {
                    corio::sleep(Duration::from_millis(4)).await;
                    s.fetch_add(1, Ordering::SeqCst);
                }
            })
            .await;
        assert!(r.is_err());
        let n = steps.load(Ordering::SeqCst);
        // Fewer on a machine busy enough to hold the task back.
        assert!(n < 8, "{n} steps in a 30 ms block of 4 ms steps");
    });
}

#[test]
fn a_hundred_thousand_timers_all_fire_and_none_early() {
    for workers in [1, 2] {
        let runner = corio::Runner::builder().workers(workers).build().unwrap();
        let early = runner.run(async {
            let start = Instant::now();
            let tasks: Vec<_> = (0..100_000u64)
                .map(|i| {
                    let delay = Duration::from_micros((i * 7919) % 50_000);
                    corio::spawn(async move {
                        let due = start + delay;
                        corio::time::sleep_until(due).await;
                        Instant::now() < due
                    })
                })
                .collect();
            let mut early = 0;
            for t in tasks {
                early += usize::from(t.await.unwrap());
            }
            early
        });
        assert_eq!(early, 0, "workers = {workers}");
    }
}

#[test]
fn interval_ticks_on_schedule_and_skips_missed_ticks() {
    corio::run(async {
        let period = Duration::from_millis(10);
        let mut ticks = interval(period);
        let first = ticks.tick().await;
        let second = ticks.tick().await;
        assert_eq!(second - first, period);
        // Fall behind by several periods: the default skips them.
        std::thread::sleep(Duration::from_millis(45));
        let late = ticks.tick().await;
        assert_eq!(late, second + period, "the overdue tick fires once");
        let next = ticks.tick().await;
        // The late tick fired 45 ms or more after `second`; a burst would
        // make the next one `second + 2 periods`, skipping puts it on the
        // first tick of the schedule still ahead at that moment.
        assert!(next >= second + period * 5, "missed ticks were skipped");
        assert_eq!((next - first).as_nanos() % period.as_nanos(), 0);
    });
}

#[test]
fn interval_burst_and_delay_behaviours() {
    corio::run(async {
        let period = Duration::from_millis(4);
        let mut burst = interval(period);
        burst.set_missed_tick_behavior(MissedTickBehavior::Burst);
        let start = burst.tick().await;
        std::thread::sleep(Duration::from_millis(14));
        let quick: Vec<_> = (&mut burst).take(3).collect().await;
        assert_eq!(
            quick,
            [start + period, start + period * 2, start + period * 3]
        );

        let mut delay = interval(period);
        delay.set_missed_tick_behavior(MissedTickBehavior::Delay);
        delay.tick().await;
        std::thread::sleep(Duration::from_millis(10));
        let late = delay.tick().await;
        let after = delay.tick().await;
        // `late` was due 4 ms after the first tick and fired 10 ms or more
        // after it: the next one comes a period after it fired (a burst
        // would give `late + 4 ms`, skipping `late + 8 ms`).
        assert!(after >= late + Duration::from_millis(10));
    });
}

/// asyncio's `sleep(0)` is its yield: a zero sleep, or one whose deadline
/// has passed, lets every ready task run before it completes.
#[test]
fn sleep_zero_yields_like_asyncio_sleep_0() {
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    runner.run(async {
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let task = corio::spawn(async move { r.fetch_add(1, Ordering::SeqCst) });
        corio::sleep(Duration::ZERO).await;
        assert_eq!(ran.load(Ordering::SeqCst), 1, "sleep(0) did not yield");
        task.await.unwrap();

        let r = ran.clone();
        let task = corio::spawn(async move { r.fetch_add(1, Ordering::SeqCst) });
        let past = Instant::now().checked_sub(Duration::from_secs(1)).unwrap();
        corio::time::sleep_until(past).await;
        assert_eq!(
            ran.load(Ordering::SeqCst),
            2,
            "a past sleep_until did not yield"
        );
        task.await.unwrap();

        // A zero sleep under a zero timeout: the deadline wins.
        assert!(
            timeout(Duration::ZERO, corio::sleep(Duration::ZERO))
                .await
                .is_err()
        );
    });
}
