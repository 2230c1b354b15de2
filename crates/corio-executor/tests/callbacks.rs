//! Behaviour of call_soon / call_later / call_at and of the thread-safe
//! Handle.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[test]
fn call_later_fires_in_deadline_order_and_cancelled_ones_never_fire() {
    corio::run(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let mut handles = Vec::new();
        for (name, ms) in [("c", 30), ("a", 10), ("x", 15), ("b", 20), ("a2", 10)] {
            let order = order.clone();
            handles.push(corio::call_later(Duration::from_millis(ms), move || {
                order.borrow_mut().push(name)
            }));
        }
        assert!(handles[2].cancel(), "x is still pending");
        assert!(handles[2].is_cancelled());
        // Well after the last (30 ms): the callbacks and this wake-up never
        // come due in one batch, where this could be polled first.
        corio::sleep(Duration::from_millis(200)).await;
        assert_eq!(*order.borrow(), ["a", "a2", "b", "c"]);
        assert!(!handles[0].cancel(), "c already ran");
    });
}

#[test]
fn call_soon_runs_callbacks_in_fifo_order() {
    corio::run(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        for i in 0..100 {
            let order = order.clone();
            corio::call_soon(move || order.borrow_mut().push(i));
        }
        corio::yield_now().await;
        corio::yield_now().await;
        assert_eq!(*order.borrow(), (0..100).collect::<Vec<_>>());
    });
}

#[test]
fn call_at_reports_when_and_fires_after_it() {
    corio::run(async {
        let at = Instant::now() + Duration::from_millis(5);
        let (tx, rx) = mpsc::channel();
        let handle = corio::call_at(at, move || tx.send(Instant::now()).unwrap());
        assert_eq!(handle.when(), Some(at));
        let fired = loop {
            if let Ok(fired) = rx.try_recv() {
                break fired;
            }
            assert!(Instant::now() < at + Duration::from_secs(10), "never fired");
            corio::sleep(Duration::from_millis(5)).await;
        };
        assert!(fired >= at);
        while !handle.is_done() {
            assert!(Instant::now() < at + Duration::from_secs(10), "never done");
            corio::yield_now().await;
        }
    });
}

#[test]
fn handle_spawn_and_call_soon_from_a_plain_thread_reach_the_loop_promptly() {
    for workers in [1, 2] {
        let runner = corio::Runner::builder().workers(workers).build().unwrap();
        let handle = runner.handle();
        runner.run(async move {
            let (tx, rx) = mpsc::channel();
            let thread = std::thread::spawn(move || {
                let sent = Instant::now();
                let task = handle.spawn(async move { sent.elapsed() });
                handle.call_soon(move || tx.send(sent.elapsed()).unwrap());
                (task, rx)
            });
            let (task, rx) = corio::to_thread(move || thread.join().unwrap())
                .await
                .unwrap();
            // The loop is idle (parked in epoll) when these arrive; they must
            // wake it, not wait for some unrelated event.
            let latency = task.await.unwrap();
            assert!(latency < Duration::from_secs(1), "{latency:?}");
            let latency = corio::to_thread(move || rx.recv().unwrap()).await.unwrap();
            assert!(latency < Duration::from_secs(1), "{latency:?}");
        });
    }
}

#[test]
fn a_foreign_thread_wakes_an_idle_loop() {
    // The main future waits on a std channel polled through a waker that a
    // plain thread fires: nothing else would wake the loop.
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    let handle = runner.handle();
    let start = Instant::now();
    let value = runner.run(async move {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            handle.call_soon(move || tx.send(42).unwrap());
        });
        loop {
            if let Ok(v) = rx.try_recv() {
                break v;
            }
            corio::sleep(Duration::from_millis(1)).await;
        }
    });
    assert_eq!(value, 42);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn callbacks_that_come_due_with_the_main_future_run_before_it() {
    // One worker, held up by a blocking task until the two callbacks and
    // the main future's sleep are all overdue: one reactor poll wakes them
    // together. asyncio would run the callbacks first (they came due
    // first), and so must corio, though a late timer returns at once.
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    let order = runner.run(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        for (name, ms) in [("b", 20), ("a", 10)] {
            let order = order.clone();
            corio::call_later(Duration::from_millis(ms), move || {
                order.borrow_mut().push(name)
            });
        }
        corio::spawn(async { std::thread::sleep(Duration::from_millis(80)) }).detach();
        corio::sleep(Duration::from_millis(40)).await;
        order.borrow().clone()
    });
    assert_eq!(order, ["a", "b"]);
}

/// A loop blocked past two deadlines runs both callbacks in deadline order,
/// not in the order they were scheduled.
#[test]
fn call_later_runs_in_deadline_order_after_the_loop_was_blocked() {
    for workers in [1, 2] {
        let runner = corio::Runner::builder().workers(workers).build().unwrap();
        runner.run(async {
            let order = Rc::new(RefCell::new(Vec::new()));
            let (a, b) = (order.clone(), order.clone());
            corio::call_later(Duration::from_millis(40), move || {
                a.borrow_mut().push("late")
            });
            corio::call_later(Duration::from_millis(10), move || {
                b.borrow_mut().push("early")
            });
            // Blocks the loop past both deadlines.
            std::thread::sleep(Duration::from_millis(80));
            let deadline = Instant::now() + Duration::from_secs(10);
            while order.borrow().len() < 2 {
                assert!(Instant::now() < deadline, "the callbacks never ran");
                corio::sleep(Duration::from_millis(1)).await;
            }
            assert_eq!(*order.borrow(), ["early", "late"]);
        });
    }
}

/// Deadlines already past when they are set still order the callbacks;
/// equal ones keep their scheduling order.
#[test]
fn call_at_with_past_deadlines_runs_in_deadline_order() {
    for workers in [1, 2] {
        let runner = corio::Runner::builder().workers(workers).build().unwrap();
        runner.run(async {
            let order = Rc::new(RefCell::new(Vec::new()));
            let now = Instant::now();
            let at = |secs| now.checked_sub(Duration::from_secs(secs)).unwrap();
            for (name, when) in [("a", at(1)), ("b", at(2)), ("c", at(2)), ("d", now)] {
                let order = order.clone();
                corio::call_at(when, move || order.borrow_mut().push(name));
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while order.borrow().len() < 4 {
                assert!(Instant::now() < deadline, "the callbacks never ran");
                corio::sleep(Duration::from_millis(1)).await;
            }
            assert_eq!(*order.borrow(), ["b", "c", "a", "d"]);
        });
    }
}

/// A cancelled callback gives its timer back at once and never runs.
#[test]
fn a_cancelled_call_at_never_runs_and_frees_its_timer() {
    corio::run(async {
        let reactor = corio::reactor::Reactor::current().unwrap();
        let before = reactor.timer_count();
        let handle = corio::call_later(Duration::from_secs(3600), || unreachable!());
        assert_eq!(reactor.timer_count(), before + 1);
        assert!(handle.cancel());
        let deadline = Instant::now() + Duration::from_secs(10);
        while !handle.is_done() {
            assert!(
                Instant::now() < deadline,
                "the cancelled callback never ended"
            );
            corio::yield_now().await;
        }
        assert_eq!(reactor.timer_count(), before);
    });
}

/// Callbacks scheduled from one foreign thread run in that order, on one
/// worker and on two.
#[test]
fn handle_call_soon_keeps_per_thread_fifo_on_any_worker_count() {
    use std::sync::{Arc, Mutex};
    for workers in [1, 2] {
        let runner = corio::Runner::builder().workers(workers).build().unwrap();
        let handle = runner.handle();
        for _round in 0..20 {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let (h, s) = (handle.clone(), seen.clone());
            let thread = std::thread::spawn(move || {
                let handles: Vec<_> = (0..1_000)
                    .map(|i| {
                        let s = s.clone();
                        h.call_soon(move || s.lock().unwrap().push(i))
                    })
                    .collect();
                handles
            });
            runner.run(async {
                let handles = corio::to_thread(move || thread.join().unwrap())
                    .await
                    .unwrap();
                let deadline = Instant::now() + Duration::from_secs(30);
                while !handles.iter().all(|h| h.is_done()) {
                    assert!(Instant::now() < deadline, "the callbacks never ran");
                    corio::sleep(Duration::from_millis(1)).await;
                }
            });
            assert_eq!(*seen.lock().unwrap(), (0..1_000).collect::<Vec<_>>());
        }
    }
}

/// A callback from another thread can be cancelled until it runs; one that
/// panics is reported and the next still runs.
#[test]
fn handle_call_soon_cancel_and_panic() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let runner = corio::Runner::builder().workers(2).build().unwrap();
    let handle = runner.handle();
    let ran = Arc::new(AtomicUsize::new(0));
    runner.run(async {
        let (h, r) = (handle.clone(), ran.clone());
        let (first, cancelled, after) = corio::to_thread(move || {
            let first = h.call_soon(|| panic!("a callback panicked"));
            let r2 = r.clone();
            let cancelled = h.call_soon(move || {
                r2.fetch_add(100, Ordering::SeqCst);
            });
            let after = h.call_soon(move || {
                r.fetch_add(1, Ordering::SeqCst);
            });
            (first, cancelled, after)
        })
        .await
        .unwrap();
        // The cancel may come too late if the drain already reached it;
        // either way the state is consistent.
        let was_pending = cancelled.cancel();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !(first.is_done() && after.is_done() && cancelled.is_done()) {
            assert!(Instant::now() < deadline, "the callbacks never ran");
            corio::sleep(Duration::from_millis(1)).await;
        }
        assert!(!first.is_cancelled());
        assert_eq!(cancelled.is_cancelled(), was_pending);
        let expected = if was_pending { 1 } else { 101 };
        assert_eq!(ran.load(Ordering::SeqCst), expected);
        assert!(!after.cancel(), "a callback that ran cannot be cancelled");
    });
}
