//! asyncio's timeout scenarios (CPython's `test_timeouts.py`), written anew for `timeout`, `timeout_at` and `Deadline`.
//!
//! Each test is named after the asyncio scenario it covers.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use corio::time::{Deadline, timeout, timeout_at};

mod common;

use common::{flag, ms};

#[test]
fn test_timeout_basic() {
    corio::run(async {
        let cm = Deadline::after(ms(10));
        let r = cm.run(corio::sleep(Duration::from_secs(10))).await;
        assert!(r.is_err());
        assert!(cm.expired());

        let r = timeout(ms(10), corio::sleep(Duration::from_secs(10))).await;
        assert!(r.is_err());
    });
}

#[test]
fn test_timeout_at_basic() {
    corio::run(async {
        let deadline = corio::time::now() + ms(10);
        let cm = Deadline::at(Some(deadline));
        let r = cm.run(corio::sleep(Duration::from_secs(10))).await;
        assert!(r.is_err());
        assert!(cm.expired());
        assert_eq!(cm.when(), Some(deadline));

        let deadline = corio::time::now() + ms(10);
        assert!(
            timeout_at(deadline, corio::sleep(Duration::from_secs(10)))
                .await
                .is_err()
        );
        assert!(corio::time::now() >= deadline);
    });
}

#[test]
fn test_nested_timeouts() {
    corio::run(async {
        let deadline = corio::time::now() + ms(20);
        let cm1 = Deadline::at(Some(deadline));
        let cm2 = Deadline::at(Some(deadline));
        let (inner_dropped, guard) = flag();
        let r = cm1
            .run(async {
                cm2.run(async move {
                    let _guard = guard;
                    corio::sleep(Duration::from_secs(10)).await;
                })
                .await
            })
            .await;
        // Only the outermost deadline reports: not `Ok(Err(Elapsed))`.
        assert!(r.is_err(), "the inner deadline claimed the expiry: {r:?}");
        assert!(inner_dropped.load(Ordering::SeqCst));
        assert!(cm1.expired());
        assert!(cm2.expired());
    });
}

/// The same rule for every mix of `timeout`, `timeout_at` and `Deadline`.
#[test]
fn nested_timeouts_of_every_kind_at_one_deadline_report_the_outer() {
    corio::run(async {
        let never = || corio::sleep(Duration::from_secs(10));

        let at = corio::time::now() + ms(20);
        let r = timeout_at(at, timeout_at(at, never())).await;
        assert!(r.is_err(), "{r:?}");

        let at = corio::time::now() + ms(20);
        let inner = Deadline::at(Some(at));
        let r = timeout_at(at, inner.run(never())).await;
        assert!(r.is_err(), "{r:?}");
        assert!(inner.expired());

        let at = corio::time::now() + ms(20);
        let outer = Deadline::at(Some(at));
        let r = outer.run(timeout_at(at, never())).await;
        assert!(r.is_err(), "{r:?}");
        assert!(outer.expired());

        // Three levels: still the outermost.
        let at = corio::time::now() + ms(20);
        let r = timeout_at(at, timeout_at(at, timeout_at(at, never()))).await;
        assert!(r.is_err(), "{r:?}");

        // Both already in the past at the first poll.
        let past = corio::time::now();
        let r = timeout_at(past, timeout_at(past, never())).await;
        assert!(r.is_err(), "{r:?}");
        let r = timeout(Duration::ZERO, timeout(Duration::ZERO, never())).await;
        assert!(r.is_err(), "{r:?}");
    });
}

/// The inner deadline is the earlier one, but the task is not polled until
/// both have passed: the outer one reports, as in asyncio where both
/// timeouts cancel the task in the same loop iteration.
#[test]
fn nested_timeouts_that_both_passed_before_the_poll_report_the_outer() {
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    runner.run(async {
        let start = corio::time::now();
        let inner_at = start + ms(20);
        let outer_at = start + ms(40);
        let waiter = corio::spawn(async move {
            timeout_at(
                outer_at,
                timeout_at(inner_at, corio::sleep(Duration::from_secs(10))),
            )
            .await
        });
        // Hold the only worker past both deadlines once the waiter is
        // parked on its timers.
        let blocker = corio::spawn(async {
            corio::sleep(ms(5)).await;
            std::thread::sleep(ms(100));
        });
        blocker.await.unwrap();
        let r = waiter.await.unwrap();
        assert!(r.is_err(), "the inner timeout claimed it: {r:?}");
    });
}

#[test]
fn test_waiter_cancelled() {
    corio::run(async {
        let (dropped, guard) = flag();
        let r = timeout(ms(10), async move {
            let _guard = guard;
            corio::sleep(Duration::from_secs(10)).await;
        })
        .await;
        assert!(r.is_err());
        assert!(dropped.load(Ordering::SeqCst));
    });
}

#[test]
fn test_timeout_not_called() {
    corio::run(async {
        let cm = Deadline::after(Duration::from_secs(10));
        assert_eq!(cm.run(corio::sleep(ms(10))).await, Ok(()));
        let t1 = corio::time::now();
        assert!(!cm.expired());
        assert!(cm.when().unwrap() > t1);
    });
}

#[test]
fn test_timeout_disabled() {
    corio::run(async {
        let cm = Deadline::never();
        assert_eq!(cm.run(corio::sleep(ms(10))).await, Ok(()));
        assert!(!cm.expired());
        assert_eq!(cm.when(), None);
    });
}

#[test]
fn test_timeout_at_disabled() {
    corio::run(async {
        let cm = Deadline::at(None);
        assert_eq!(cm.run(corio::sleep(ms(10))).await, Ok(()));
        assert!(!cm.expired());
        assert_eq!(cm.when(), None);
    });
}

#[test]
fn test_timeout_zero() {
    corio::run(async {
        let t0 = corio::time::now();
        let cm = Deadline::after(Duration::ZERO);
        let r = cm.run(corio::sleep(Duration::from_secs(10))).await;
        let t1 = corio::time::now();
        assert!(r.is_err());
        assert!(cm.expired());
        let when = cm.when().unwrap();
        assert!(t0 <= when && when <= t1);

        let r = timeout(Duration::ZERO, corio::sleep(Duration::from_secs(10))).await;
        assert!(r.is_err());
    });
}

#[test]
fn test_timeout_zero_sleep_zero() {
    corio::run(async {
        let cm = Deadline::after(Duration::ZERO);
        let r = cm.run(corio::yield_now()).await;
        assert!(r.is_err());
        assert!(cm.expired());

        let r = timeout(Duration::ZERO, corio::sleep(Duration::ZERO)).await;
        assert!(r.is_err());
    });
}

#[test]
fn test_timeout_in_the_past_sleep_zero() {
    corio::run(async {
        let t0 = corio::time::now();
        let past = t0.checked_sub(Duration::from_secs(11)).unwrap_or(t0);
        let cm = Deadline::at(Some(past));
        let r = cm.run(corio::yield_now()).await;
        assert!(r.is_err());
        assert!(cm.expired());
        assert!(cm.when().unwrap() <= t0);

        assert!(timeout_at(past, corio::yield_now()).await.is_err());
    });
}

#[test]
fn test_foreign_exception_passed() {
    corio::run(async {
        let cm = Deadline::after(ms(10));
        let r = cm.run(async { Err::<(), _>("key error") }).await;
        assert_eq!(r, Ok(Err("key error")));
        assert!(!cm.expired());
    });
}

/// Cleanup that fails while a timeout cancels the block: the failure (a
/// panic in `Drop`) is what the task reports, not the expiry.
#[test]
fn test_foreign_exception_on_timeout() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("cleanup failed");
        }
    }
    corio::run(async {
        let task = corio::spawn(async {
            timeout(ms(10), async {
                let _cleanup = PanicOnDrop;
                corio::sleep(Duration::from_secs(1)).await;
            })
            .await
        });
        let err = task.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.panic_message(), Some("cleanup failed"));
    });
}

#[test]
fn test_foreign_cancel_doesnt_timeout_if_not_expired() {
    corio::run(async {
        let cm = Deadline::after(Duration::from_secs(10));
        let inside = cm.clone();
        let (dropped, guard) = flag();
        let task = corio::spawn(async move {
            inside
                .run(async move {
                    let _guard = guard;
                    corio::sleep(Duration::from_secs(10)).await;
                })
                .await
        });
        corio::sleep(ms(5)).await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(dropped.load(Ordering::SeqCst));
        assert!(!cm.expired());
    });
}

#[test]
fn test_outer_task_is_not_cancelled() {
    corio::run(async {
        let task =
            corio::spawn(async { timeout(ms(1), corio::sleep(Duration::from_secs(10))).await });
        let r = task.await.expect("the task itself is not cancelled");
        assert!(r.is_err());
    });
}

#[test]
fn test_nested_timeouts_concurrent() {
    corio::run(async {
        let r = timeout(ms(2), async {
            timeout(ms(100), async {
                // Pretend to crunch numbers, holding the thread.
                std::thread::sleep(ms(10));
                corio::sleep(Duration::from_secs(1)).await;
            })
            .await
        })
        .await;
        // The outer, shorter timeout reports; the inner one does not.
        assert!(r.is_err(), "{r:?}");
    });
}

#[test]
fn test_nested_timeouts_loop_busy() {
    corio::run(async {
        let t0 = Instant::now();
        let (inner_reported, guard) = flag();
        let r = timeout(ms(100), async move {
            let inner = timeout(ms(10), async {
                // The thread is busy for a while.
                std::thread::sleep(ms(100));
                corio::sleep(Duration::from_secs(1)).await;
            })
            .await;
            // corio's clock starts at the first poll, after the busy spell:
            // the inner timeout, the shorter, expires first and reports.
            if inner.is_err() {
                guard.0.store(true, Ordering::SeqCst);
            }
            // This sleep is cut short by the outer timeout.
            corio::sleep(Duration::from_secs(10)).await;
        })
        .await;
        assert!(r.is_err());
        assert!(inner_reported.load(Ordering::SeqCst));
        assert!(t0.elapsed() < Duration::from_secs(5));
    });
}

#[test]
fn test_reschedule() {
    corio::run(async {
        let deadline1 = corio::time::now() + Duration::from_secs(10);
        let deadline2 = deadline1 + Duration::from_secs(20);
        let cm = Deadline::at(Some(deadline1));
        let inside = cm.clone();
        let started = Arc::new(corio::sync::Event::new());
        let s = started.clone();
        let task = corio::spawn(async move {
            inside
                .run(async {
                    s.set();
                    corio::sleep(Duration::from_secs(50)).await;
                })
                .await
        });
        started.wait().await;

        assert_eq!(cm.when(), Some(deadline1));
        cm.reschedule(Some(deadline2));
        assert_eq!(cm.when(), Some(deadline2));
        cm.reschedule(None);
        assert_eq!(cm.when(), None);

        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(!cm.expired());
    });
}

/// After a task handled a cancellation cooperatively, its cleanup can use
/// timeouts of its own, and they work as usual.
#[test]
fn test_timeout_after_cancellation() {
    corio::run(async {
        let started = Arc::new(corio::sync::Event::new());
        let s = started.clone();
        let task = corio::spawn(async move {
            let cancelled = corio::task::cancelled();
            s.set();
            cancelled.await;
            // Cleanup, under timeouts of its own.
            let zero = timeout(Duration::ZERO, corio::sleep(Duration::from_secs(1))).await;
            let short = timeout(ms(10), corio::sleep(Duration::from_secs(1))).await;
            (zero.is_err(), short.is_err())
        });
        started.wait().await;
        task.cancel();
        assert_eq!(task.await.unwrap(), (true, true));
    });
}
