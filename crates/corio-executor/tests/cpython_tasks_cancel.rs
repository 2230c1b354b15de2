//! CPython's `test_tasks.py` cancel / uncancel / cancelling scenarios,
//! rewritten for corio's `Task`: cancellation as drop, cooperative cleanup
//! through `task::cancelled()`, and the cancel request count.

// Ported from CPython `Lib/test/test_asyncio/test_tasks.py` (each scenario
// written anew; each runs on one worker, on two workers and on one worker
// with eager tasks, unless its ordering needs a single worker):
//
//   test_cancelling, test_uncancel_basic, test_uncancel_structured_blocks,
//   test_uncancel_resets_must_cancel, test_cancel, test_cancel_yield,
//   test_cancel_inner_future, test_cancel_both_task_and_inner_future,
//   test_cancel_task_catching, test_cancel_task_ignoring,
//   test_cancel_current_task, test_task_cancel_sleeping_task,
//   test_task_cancel_waiter_future, test_baseexception_during_cancel,
//   test_yield_future_passes_cancel, test_yield_wait_does_not_shield_cancel
//
// Not applicable:
//
//   test_task_cancel_message_getter, test_task_cancel_message_setter,
//     test_cancel_with_message_then_future_result,
//     test_cancel_with_message_then_future_exception,
//     test_cancel_with_message_before_starting_task: `cancel()` takes no
//     message in corio.
//   test_cancellation_exception_context: exception chaining is Python-only.
//   test_cancel_traceback_for_future_result,
//     test_cancel_traceback_for_future_exception: tracebacks are Python-only.
//   test_cancel_awaited_task: cancelling a task does not cancel the task it
//     awaits (a dropped `Task` handle detaches, by design).
//   test_stop_while_run_in_complete: there is no `loop.stop()`.
//   test_cancel_gather_1, test_cancel_gather_2, test_shield_*: belong to the
//     gather and shield ports (tests/gather.rs, tests/shield.rs).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use corio::ReturnWhen;
use corio::sync::Event;
use futures_lite::FutureExt;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Counts how often it was dropped: a future holding it was cancelled (or
/// finished) once the count moves.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

mod common;

use common::{ALL, ONE_WORKER, on_runtimes};

/// Runs `work`, unless the current task is cancelled first: then `None`.
/// asyncio's `try: await work except CancelledError: ...`; the cancellation
/// branch comes first, as asyncio delivers a pending cancel before resuming.
async fn unless_cancelled<T>(work: impl Future<Output = T>) -> Option<T> {
    async {
        corio::task::cancelled().await;
        None
    }
    .or(async { Some(work.await) })
    .await
}

#[test]
fn test_cancelling() {
    on_runtimes(ALL, || async {
        let t = corio::spawn(corio::sleep(Duration::from_secs(10)));
        assert_eq!(t.cancelling(), 0);
        assert!(t.cancel());
        assert!(t.cancelling() > 0);
        // A second request on a task that has not finished counts too.
        assert!(t.cancel());
        assert_eq!(t.cancelling(), 2);
        assert!(t.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn test_uncancel_basic() {
    on_runtimes(ALL, || async {
        let mut t = corio::spawn(async {
            let first = unless_cancelled(corio::sleep(Duration::from_secs(10))).await;
            assert!(first.is_none(), "the first sleep was not cancelled");
            corio::task::current().unwrap().uncancel();
            corio::sleep(Duration::from_secs(10)).await;
        });
        corio::sleep(ms(10)).await;

        // Cancel the first sleep.
        assert!(t.cancel());
        assert_eq!(t.cancelling(), 1);
        assert!(!t.is_done());
        corio::sleep(ms(10)).await;

        // The task withdrew the request and sleeps again.
        assert_eq!(t.cancelling(), 0);
        assert!(!t.is_done());

        // Cancel the second sleep: nothing catches it this time.
        assert!(t.cancel());
        assert_eq!(t.cancelling(), 1);
        assert!(!t.is_done());
        assert!((&mut t).await.unwrap_err().is_cancelled());
        assert!(t.is_done());

        // Withdrawing after the end changes nothing.
        t.uncancel();
        assert!(t.is_done());
        assert!(!t.cancel());
    });
}

/// The outcome of one run of `make_request_with_timeout`.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    timed_out: bool,
    structured_block_finished: bool,
    outer_code_reached: bool,
}

/// A hand-made timeout around a structured block, built from `cancel` and
/// `uncancel` as CPython's scenario builds it (and as `corio::timeout` is).
async fn make_request_with_timeout(sleep: Duration, timeout: Duration) -> Outcome {
    let me = corio::task::current().unwrap();
    let timed_out = Arc::new(AtomicBool::new(false));
    let handle = {
        let (me, timed_out) = (me.clone(), timed_out.clone());
        corio::call_later(timeout, move || {
            timed_out.store(true, Ordering::SeqCst);
            me.cancel();
        })
    };
    // The structured block affected by the timeout.
    let block = unless_cancelled(corio::sleep(sleep)).await;
    let structured_block_finished = block.is_some();
    handle.cancel();
    let timed_out = timed_out.load(Ordering::SeqCst);
    if timed_out {
        // We asked for the cancellation, so we withdraw it; only when no
        // other request remains is it our timeout and nothing else.
        assert_eq!(me.uncancel(), 0);
    }
    // The outer code, not affected by the timeout.
    corio::yield_now().await;
    Outcome {
        timed_out,
        structured_block_finished,
        outer_code_reached: true,
    }
}

#[test]
fn test_uncancel_structured_blocks() {
    on_runtimes(ALL, || async {
        let t1 = corio::spawn(make_request_with_timeout(Duration::from_secs(10), ms(10)));
        let outcome = (&mut { t1 }).await.unwrap();
        assert_eq!(
            outcome,
            Outcome {
                timed_out: true,
                structured_block_finished: false,
                outer_code_reached: true,
            }
        );

        let mut t2 = corio::spawn(make_request_with_timeout(
            Duration::ZERO,
            Duration::from_secs(10),
        ));
        let outcome = (&mut t2).await.unwrap();
        assert_eq!(
            outcome,
            Outcome {
                timed_out: false,
                structured_block_finished: true,
                outer_code_reached: true,
            }
        );
        assert_eq!(t2.cancelling(), 0);
    });
}

#[test]
fn test_uncancel_resets_must_cancel() {
    // Cancelled and uncancelled while queued to run, the task must run on as
    // if nothing happened.
    on_runtimes(ONE_WORKER, || async {
        let fut = Arc::new(Event::new());
        let f = fut.clone();
        let task = corio::spawn(async move {
            f.wait().await;
            42
        });
        corio::yield_now().await; // the task now waits for `fut`
        fut.set(); // and is queued to run
        task.cancel();
        assert_eq!(task.cancelling(), 1);
        assert_eq!(task.uncancel(), 0);
        assert_eq!(task.cancelling(), 0);
        assert_eq!(task.await.unwrap(), 42);
    });
}

#[test]
fn test_cancel() {
    on_runtimes(ALL, || async {
        let mut t = corio::spawn(async {
            corio::sleep(Duration::from_secs(10)).await;
            12
        });
        let cancel = {
            let done = Arc::new(Event::new());
            let d = done.clone();
            let id = t.id();
            corio::call_soon(move || {
                let found = corio::task::all().into_iter().find(|i| i.id() == id);
                assert!(found.unwrap().cancel());
                d.set();
            });
            done
        };
        cancel.wait().await;
        assert!((&mut t).await.unwrap_err().is_cancelled());
        assert!(t.is_done());
        assert!(!t.cancel());
    });
}

#[test]
fn test_cancel_yield() {
    // One worker: the task must be between its two yields when cancelled.
    on_runtimes(ONE_WORKER, || async {
        let resumed = Arc::new(AtomicUsize::new(0));
        let r = resumed.clone();
        let mut t = corio::spawn(async move {
            corio::yield_now().await;
            r.fetch_add(1, Ordering::SeqCst);
            corio::yield_now().await;
            r.fetch_add(1, Ordering::SeqCst);
            12
        });
        corio::yield_now().await; // start the task
        t.cancel();
        assert!((&mut t).await.unwrap_err().is_cancelled());
        assert!(t.is_done());
        assert!(!t.cancel());
        assert!(resumed.load(Ordering::SeqCst) < 2);
    });
}

#[test]
fn test_cancel_inner_future() {
    // The inner future is a task; its cancellation reaches the awaiting task
    // as an `Err(Cancelled)` value (corio does not cancel the awaiter).
    on_runtimes(ALL, || async {
        let f = corio::spawn(std::future::pending::<()>());
        let f_id = f.id();
        let t = corio::spawn(async move {
            f.await?;
            Ok::<_, corio::task::TaskError>(12)
        });
        corio::sleep(ms(10)).await;
        let inner = corio::task::all().into_iter().find(|i| i.id() == f_id);
        assert!(inner.unwrap().cancel());
        let err = t.await.unwrap().unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(err.id(), f_id);
    });
}

#[test]
fn test_cancel_both_task_and_inner_future() {
    on_runtimes(ALL, || async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let f = corio::spawn({
            let guard = DropCount(dropped.clone());
            async move {
                let _guard = guard;
                std::future::pending::<()>().await
            }
        });
        let f_id = f.id();
        let mut t = corio::spawn(async move {
            let _ = f.await;
            12
        });
        corio::sleep(ms(10)).await;
        let inner = corio::task::all().into_iter().find(|i| i.id() == f_id);
        assert!(inner.unwrap().cancel());
        assert!(t.cancel());
        assert!((&mut t).await.unwrap_err().is_cancelled());
        assert!(t.is_done());
        // The inner task ends on its own worker; give it a moment.
        for _ in 0..100 {
            if dropped.load(Ordering::SeqCst) == 1 {
                break;
            }
            corio::sleep(ms(1)).await;
        }
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
        assert!(corio::task::all().iter().all(|i| i.id() != f_id));
    });
}

#[test]
fn test_cancel_task_catching() {
    on_runtimes(ALL, || async {
        let fut1 = Arc::new(Event::new());
        let waiting_on_fut2 = Arc::new(Event::new());
        let t = {
            let (fut1, waiting) = (fut1.clone(), waiting_on_fut2.clone());
            corio::spawn(async move {
                fut1.wait().await;
                waiting.set();
                // `fut2` is never set: only the cancellation ends the wait.
                unless_cancelled(std::future::pending::<i32>())
                    .await
                    .unwrap_or(42)
            })
        };
        corio::yield_now().await;
        fut1.set();
        waiting_on_fut2.wait().await;
        t.cancel();
        // The task caught its cancellation and returned a value.
        assert_eq!(t.await.unwrap(), 42);
    });
}

#[test]
fn test_cancel_task_ignoring() {
    on_runtimes(ALL, || async {
        let fut1 = Arc::new(Event::new());
        let fut3 = Arc::new(Event::new());
        let waiting_on_fut2 = Arc::new(Event::new());
        let caught = Arc::new(Event::new());
        let t = {
            let (fut1, fut3) = (fut1.clone(), fut3.clone());
            let (waiting, caught) = (waiting_on_fut2.clone(), caught.clone());
            corio::spawn(async move {
                fut1.wait().await;
                waiting.set();
                let fut2 = unless_cancelled(std::future::pending::<()>()).await;
                assert!(fut2.is_none());
                caught.set();
                // The request was handled: this wait is not cut short.
                fut3.wait().await;
                42
            })
        };
        fut1.set();
        waiting_on_fut2.wait().await;
        t.cancel();
        caught.wait().await;
        corio::sleep(ms(10)).await;
        assert!(!t.is_done());
        fut3.set();
        assert_eq!(t.await.unwrap(), 42);
    });
}

#[test]
fn test_cancel_current_task() {
    on_runtimes(ALL, || async {
        let reached = Arc::new(AtomicBool::new(false));
        let r = reached.clone();
        let mut t = corio::spawn(async move {
            corio::task::current().unwrap().cancel();
            // The sleep is cut short at once.
            corio::sleep(Duration::from_secs(100)).await;
            r.store(true, Ordering::SeqCst);
            12
        });
        assert!((&mut t).await.unwrap_err().is_cancelled());
        assert!(t.is_done());
        assert!(!t.cancel());
        assert!(!reached.load(Ordering::SeqCst));
    });
}

#[test]
fn test_task_cancel_sleeping_task() {
    on_runtimes(ALL, || async {
        let doit = corio::spawn(async {
            let sleeper = corio::spawn(corio::sleep(Duration::from_secs(5000)));
            let id = sleeper.id();
            corio::call_later(ms(10), move || {
                let found = corio::task::all().into_iter().find(|i| i.id() == id);
                found.unwrap().cancel();
            });
            match sleeper.await {
                Err(e) if e.is_cancelled() => "cancelled",
                _ => "slept in",
            }
        });
        assert_eq!(doit.await.unwrap(), "cancelled");
    });
}

#[test]
fn test_task_cancel_waiter_future() {
    on_runtimes(ALL, || async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(dropped.clone());
        let fut = async move {
            let _guard = guard;
            std::future::pending::<()>().await
        };
        let task = corio::spawn(fut);
        corio::sleep(ms(10)).await;
        assert_eq!(dropped.load(Ordering::SeqCst), 0);
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        // The future the task waited on is gone with it.
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn test_baseexception_during_cancel() {
    // CPython raises SystemExit from the cancellation handler; a panic in
    // corio's cooperative cleanup is the closest: the task is then failed,
    // not cancelled.
    on_runtimes(ALL, || async {
        let task = corio::spawn(async {
            if unless_cancelled(corio::sleep(Duration::from_secs(10)))
                .await
                .is_none()
            {
                panic!("system exit");
            }
        });
        corio::sleep(ms(10)).await;
        task.cancel();
        assert!(!task.is_done());
        let err = task.await.unwrap_err();
        assert!(err.is_panic());
        assert!(!err.is_cancelled());
        assert_eq!(err.panic_message(), Some("system exit"));
    });
}

#[test]
fn test_yield_future_passes_cancel() {
    // Cancelling outer() drops inner() and the waiter inner() awaits; outer()
    // catches the cancellation and finishes normally.
    on_runtimes(ALL, || async {
        let proof = Arc::new(AtomicUsize::new(0));
        let waiter_dropped = Arc::new(AtomicUsize::new(0));
        let f = {
            let (proof, waiter_dropped) = (proof.clone(), waiter_dropped.clone());
            corio::spawn(async move {
                let p = proof.clone();
                let inner = async move {
                    let waiter = DropCount(waiter_dropped);
                    let cancelled = DropCount(p);
                    std::future::pending::<()>().await;
                    drop((waiter, cancelled));
                };
                match unless_cancelled(inner).await {
                    None => proof.fetch_add(100, Ordering::SeqCst),
                    Some(()) => proof.fetch_add(10, Ordering::SeqCst),
                };
            })
        };
        corio::sleep(ms(10)).await;
        f.cancel();
        f.await.unwrap();
        assert_eq!(proof.load(Ordering::SeqCst), 101);
        assert_eq!(waiter_dropped.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn test_yield_wait_does_not_shield_cancel() {
    // Cancelling outer() ends its wait() early; the inner task, detached by
    // the dropped wait, runs on.
    on_runtimes(ALL, || async {
        let proof = Arc::new(AtomicUsize::new(0));
        let waiter = Arc::new(Event::new());
        let inner_done = Arc::new(Event::new());
        let f = {
            let (proof, waiter, inner_done) = (proof.clone(), waiter.clone(), inner_done.clone());
            corio::spawn(async move {
                let p = proof.clone();
                let inner = corio::spawn(async move {
                    waiter.wait().await;
                    p.fetch_add(1, Ordering::SeqCst);
                    inner_done.set();
                });
                let _ = corio::wait(vec![inner], ReturnWhen::AllCompleted).await;
                proof.fetch_add(100, Ordering::SeqCst);
            })
        };
        corio::sleep(ms(10)).await;
        f.cancel();
        assert!(f.await.unwrap_err().is_cancelled());
        waiter.set();
        inner_done.wait().await;
        assert_eq!(proof.load(Ordering::SeqCst), 1);
    });
}
