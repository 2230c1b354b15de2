//! asyncio's `wait_for` scenarios (CPython's `test_waitfor.py`), written anew for `corio::wait_for`.
//!
//! Each test is named after the asyncio scenario it covers; the last ones
//! cover what only corio has (task group children, the output type).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use futures_lite::FutureExt;

mod common;

use common::{flag, ms};

/// Spawns `body` as a task and returns once the task runs and listens for
/// a cancel with `corio::task::cancelled()`: before that, a cancel would
/// drop it instead of letting it handle the request. `body` gets the
/// listening `Cancelled` future.
async fn spawn_listening<F, Fut, T>(body: F) -> corio::Task<T>
where
    F: FnOnce(corio::task::Cancelled) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let listening = Arc::new(corio::sync::Event::new());
    let l = listening.clone();
    let task = corio::spawn(async move {
        let cancelled = corio::task::cancelled();
        l.set();
        body(cancelled).await
    });
    listening.wait().await;
    task
}

/// A task that keeps working through a cancel request until `work` has
/// passed (asyncio's `SlowTask`, which swallows `CancelledError`), then
/// sets `exited` and returns.
async fn slow_task(work: Duration, exited: Arc<AtomicBool>) -> corio::Task<&'static str> {
    let end = Instant::now() + work;
    spawn_listening(move |cancelled| async move {
        let ignore_cancel = async {
            cancelled.await;
            // Asked to stop: carry on regardless until the end.
            corio::time::sleep_until(end).await;
        };
        corio::time::sleep_until(end).or(ignore_cancel).await;
        exited.store(true, Ordering::SeqCst);
        "slow task done"
    })
    .await
}

/// Cancelling the waiter passes the cancel on to the task. corio's `Drop`
/// cannot wait, so the waiter ends at once; the task, which ignores the
/// request, runs to its end on its own.
#[test]
fn test_asyncio_wait_for_cancelled() {
    corio::run(async {
        let exited = Arc::new(AtomicBool::new(false));
        let slow = slow_task(ms(200), exited.clone()).await;
        let waiter = corio::spawn(corio::wait_for(ms(400), slow));
        corio::yield_now().await;
        waiter.cancel();
        assert!(waiter.await.unwrap_err().is_cancelled());
        // The task runs to its end regardless.
        let start = Instant::now();
        while !exited.load(Ordering::SeqCst) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the task never ended"
            );
            corio::sleep(ms(5)).await;
        }
    });
}

#[test]
fn test_asyncio_wait_for_timeout() {
    corio::run(async {
        let exited = Arc::new(AtomicBool::new(false));
        let slow = slow_task(ms(200), exited.clone()).await;
        let r = corio::wait_for(ms(100), slow).await;
        // It returned only once the task had ended; the task finished on its
        // own terms despite the cancel, so its value comes back.
        assert!(exited.load(Ordering::SeqCst));
        assert_eq!(r.unwrap().unwrap(), "slow task done");
    });
}

#[test]
fn test_wait_for_timeout_less_then_0_or_0_future_done() {
    corio::run(async {
        let mut task = corio::spawn(async { "done" });
        while !task.is_done() {
            corio::yield_now().await;
        }
        let t0 = Instant::now();
        let r = corio::wait_for(Duration::ZERO, &mut task).await;
        assert_eq!(r.unwrap().unwrap(), "done");
        assert!(task.is_done());
        assert!(t0.elapsed() < Duration::from_secs(5));
    });
}

#[test]
fn test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started() {
    corio::run(async {
        let started = Arc::new(AtomicBool::new(false));
        let s = started.clone();
        let foo = Box::pin(async move {
            s.store(true, Ordering::SeqCst);
        });
        let r = corio::wait_for(Duration::ZERO, foo).await;
        assert!(r.is_err());
        assert!(!started.load(Ordering::SeqCst));
        // `timeout` is the same for a plain future.
        let s = started.clone();
        let r = corio::timeout(
            Duration::ZERO,
            async move { s.store(true, Ordering::SeqCst) },
        )
        .await;
        assert!(r.is_err());
        assert!(!started.load(Ordering::SeqCst));
    });
}

#[test]
fn test_wait_for_timeout_less_then_0_or_0() {
    corio::run(async {
        let (dropped, guard) = flag();
        let started = Arc::new(corio::sync::Event::new());
        let s = started.clone();
        let mut task = corio::spawn(async move {
            let _running = guard;
            s.set();
            corio::sleep(Duration::from_secs(10)).await;
            "done"
        });
        started.wait().await;
        let t0 = Instant::now();
        let r = corio::wait_for(Duration::ZERO, &mut task).await;
        assert!(r.is_err());
        assert!(task.is_done());
        assert!(
            dropped.load(Ordering::SeqCst),
            "the task's Drop had not run"
        );
        assert!(t0.elapsed() < Duration::from_secs(5));
    });
}

/// The required behaviour: when `wait_for` gives `Err(Elapsed)` for a
/// task, the task is finished and its future's `Drop` has run.
#[test]
fn test_wait_for() {
    corio::run(async {
        let (dropped, guard) = flag();
        let mut task = corio::spawn(async move {
            let _running = guard;
            corio::sleep(Duration::from_secs(10)).await;
            "done"
        });
        let t0 = Instant::now();
        let r = corio::wait_for(ms(20), &mut task).await;
        assert!(r.is_err());
        assert!(task.is_done());
        assert!(task.is_cancel_requested());
        assert!(
            dropped.load(Ordering::SeqCst),
            "the task's Drop had not run"
        );
        assert!(t0.elapsed() >= ms(20));
        assert!(t0.elapsed() < Duration::from_secs(5));
    });
}

/// asyncio's `timeout=None` is a duration too large to represent.
#[test]
fn test_wait_for_blocking() {
    corio::run(async {
        let task = corio::spawn(async { "done" });
        assert_eq!(
            corio::wait_for(Duration::MAX, task).await.unwrap().unwrap(),
            "done"
        );
        let fut = Box::pin(async { "done" });
        assert_eq!(corio::wait_for(Duration::MAX, fut).await.unwrap(), "done");
    });
}

#[test]
fn test_wait_for_race_condition() {
    corio::run(async {
        let (tx, rx) = corio::sync::oneshot::<&str>();
        let mut tx = Some(tx);
        corio::call_later(ms(10), move || {
            let _ = tx.take().unwrap().send("ok");
        });
        let res = corio::wait_for(Duration::from_secs(5), Box::pin(rx)).await;
        assert_eq!(res.unwrap().unwrap(), "ok");
    });
}

/// A task that handles the cancel and returns a value: `wait_for` gives the
/// value, not `Elapsed`.
#[test]
fn test_wait_for_cancellation_race_condition() {
    corio::run(async {
        let inner = spawn_listening(|cancelled| async {
            let sleep = async {
                corio::sleep(Duration::from_secs(1)).await;
                0
            };
            sleep
                .or(async {
                    cancelled.await;
                    1
                })
                .await
        })
        .await;
        let result = corio::wait_for(ms(10), inner).await;
        assert_eq!(result.unwrap().unwrap(), 1);
    });
}

/// The task's cleanup itself awaits; `wait_for` returns only after it.
/// (asyncio's task re-raises the cancellation after its cleanup; a corio
/// task that handled the request ends with the value it returns.)
#[test]
fn test_wait_for_waits_for_task_cancellation() {
    corio::run(async {
        let (task_done, guard) = flag();
        let inner_task = spawn_listening(move |cancelled| async move {
            let _finally = guard;
            let work = async {
                corio::sleep(Duration::from_secs(10)).await;
                "finished"
            };
            work.or(async {
                cancelled.await;
                corio::sleep(ms(5)).await;
                "cleaned up"
            })
            .await
        })
        .await;
        let r = corio::wait_for(ms(1), inner_task).await;
        assert!(task_done.load(Ordering::SeqCst));
        assert_eq!(r.unwrap().unwrap(), "cleaned up");

        // Without cooperative cleanup the task is dropped: `Elapsed`, and
        // its `Drop` has run.
        let (task_done, guard) = flag();
        let inner_task = corio::spawn(async move {
            let _finally = guard;
            corio::sleep(Duration::from_secs(10)).await;
        });
        let r = corio::wait_for(ms(1), inner_task).await;
        assert!(r.is_err());
        assert!(task_done.load(Ordering::SeqCst));
    });
}

#[test]
fn test_wait_for_waits_for_task_cancellation_w_timeout_0() {
    corio::run(async {
        let (task_done, guard) = flag();
        let inner_task = corio::spawn(async move {
            let _finally = guard;
            corio::sleep(Duration::from_secs(10)).await;
        });
        corio::sleep(ms(1)).await;
        let r = corio::wait_for(Duration::ZERO, inner_task).await;
        assert!(r.is_err());
        assert!(task_done.load(Ordering::SeqCst));
    });
}

/// A task that fails while being cancelled: the failure comes back, not
/// `Elapsed`.
#[test]
fn test_wait_for_reraises_exception_during_cancellation() {
    corio::run(async {
        let inner_task = spawn_listening(|cancelled| async {
            let work = async {
                corio::sleep(ms(200)).await;
            };
            work.or(async {
                cancelled.await;
                panic!("foo exception");
            })
            .await
        })
        .await;
        let r = corio::wait_for(ms(1), inner_task).await;
        let err = r.expect("not Elapsed").unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.panic_message(), Some("foo exception"));
    });
}

/// `wait_for` itself can be cancelled at once, even while the task it
/// waits for holds up its own cancellation.
#[test]
fn test_wait_for_self_cancellation() {
    corio::run(async {
        let result = Arc::new(AtomicU32::new(0));
        let finished = Arc::new(corio::sync::Event::new());
        let (r, f) = (result.clone(), finished.clone());
        let inner_task = spawn_listening(move |cancelled| async move {
            let work = corio::sleep(ms(300));
            // Holds up the cancellation: sleeps on through it.
            let hold_up = async {
                cancelled.await;
                corio::sleep(ms(300)).await;
            };
            work.or(hold_up).await;
            r.store(42, Ordering::SeqCst);
            f.set();
            42
        })
        .await;
        let waiting = Arc::new(corio::sync::Event::new());
        let w = waiting.clone();
        let task = corio::spawn(async move {
            let wait = corio::wait_for(ms(100), inner_task);
            w.set();
            wait.await
        });
        waiting.wait().await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        // The waiter ended before the task it waited for.
        assert_eq!(result.load(Ordering::SeqCst), 0);
        corio::timeout(Duration::from_secs(10), finished.wait())
            .await
            .expect("the inner task finishes");
        assert_eq!(result.load(Ordering::SeqCst), 42);
    });
}

/// Cancelling a `wait_for` also cancels the task it waits for.
async fn cancel_wait_for(limit: Duration) {
    let (dropped, guard) = flag();
    let gone = Arc::new(corio::sync::Event::new());
    let g = gone.clone();
    struct Notify(Arc<corio::sync::Event>);
    impl Drop for Notify {
        fn drop(&mut self) {
            self.0.set();
        }
    }
    let blocking = corio::spawn(async move {
        let _guard = guard;
        let _notify = Notify(g);
        std::future::pending::<()>().await
    });
    let wait = Arc::new(corio::spawn(corio::wait_for(limit, blocking)));
    let w = wait.clone();
    corio::call_soon(move || {
        w.cancel();
    });
    corio::timeout(Duration::from_secs(10), gone.wait())
        .await
        .expect("cancelling the wait must also cancel the task");
    assert!(dropped.load(Ordering::SeqCst));
    let wait = Arc::try_unwrap(wait).expect("the callback has run and is gone");
    assert!(wait.await.unwrap_err().is_cancelled());
}

#[test]
fn test_cancel_blocking_wait_for() {
    corio::run(cancel_wait_for(Duration::MAX));
}

#[test]
fn test_cancel_wait_for() {
    corio::run(cancel_wait_for(Duration::from_secs(60)));
}

/// A task that suppresses the cancel and returns a value.
#[test]
fn test_wait_for_cancel_suppressed() {
    corio::run(async {
        let return_42 = spawn_listening(|cancelled| async {
            let sleep = async {
                corio::sleep(Duration::from_secs(10)).await;
                0
            };
            sleep
                .or(async {
                    cancelled.await;
                    42
                })
                .await
        })
        .await;
        let res = corio::wait_for(ms(10), return_42).await;
        assert_eq!(res.unwrap().unwrap(), 42);
    });
}

/// A `wait_for` that finished at once leaves nothing behind that could
/// swallow a later cancel of its caller.
#[test]
fn test_wait_for_issue86296() {
    corio::run(async {
        let reached_end = Arc::new(AtomicBool::new(false));
        let r = reached_end.clone();
        let task = corio::spawn(async move {
            corio::wait_for(Duration::from_secs(100), Box::pin(async {}))
                .await
                .unwrap();
            corio::sleep(Duration::from_secs(1)).await;
            r.store(true, Ordering::SeqCst);
        });
        corio::yield_now().await;
        assert!(!task.is_done());
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(!reached_end.load(Ordering::SeqCst));
    });
}

/// A plain future: dropped on expiry, its `Drop` run when `Err(Elapsed)`
/// comes back, exactly as under `timeout`.
#[test]
fn a_timed_out_plain_future_is_dropped_as_under_timeout() {
    corio::run(async {
        let (dropped, guard) = flag();
        let fut = Box::pin(async move {
            let _guard = guard;
            corio::sleep(Duration::from_secs(10)).await;
        });
        assert!(corio::wait_for(ms(10), fut).await.is_err());
        assert!(dropped.load(Ordering::SeqCst));

        let (dropped, guard) = flag();
        let fut = async move {
            let _guard = guard;
            corio::sleep(Duration::from_secs(10)).await;
        };
        assert!(corio::timeout(ms(10), fut).await.is_err());
        assert!(dropped.load(Ordering::SeqCst));

        let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = u8> + Send>> =
            Box::pin(async { 3 });
        assert_eq!(corio::wait_for(ms(10), boxed).await, Ok(3));
    });
}

/// `timeout` on a task only stops waiting: the task lives on. `wait_for`
/// cancels it.
#[test]
fn timeout_detaches_a_task_where_wait_for_cancels_it() {
    corio::run(async {
        let (dropped, guard) = flag();
        let mut task = corio::spawn(async move {
            let _guard = guard;
            corio::sleep(Duration::from_secs(10)).await;
        });
        assert!(corio::timeout(ms(10), &mut task).await.is_err());
        assert!(!task.is_done());
        assert!(!dropped.load(Ordering::SeqCst));
        assert!(corio::wait_for(ms(10), &mut task).await.is_err());
        assert!(task.is_done());
        assert!(dropped.load(Ordering::SeqCst));
    });
}

#[test]
fn wait_for_cancels_a_task_group_child_and_waits_for_it() {
    corio::run(async {
        let group = corio::TaskGroup::<()>::new();
        let (dropped, guard) = flag();
        let child = group.spawn(async move {
            let _guard = guard;
            corio::sleep(Duration::from_secs(10)).await;
            Ok(1u8)
        });
        assert!(corio::wait_for(ms(10), child).await.is_err());
        assert!(dropped.load(Ordering::SeqCst));

        // A child that finishes despite the cancel gives its output.
        let listening = Arc::new(corio::sync::Event::new());
        let l = listening.clone();
        let child = group.spawn(async move {
            let cancelled = corio::task::cancelled();
            l.set();
            let sleep = async {
                corio::sleep(Duration::from_secs(10)).await;
                0u8
            };
            Ok(sleep
                .or(async {
                    cancelled.await;
                    2
                })
                .await)
        });
        listening.wait().await;
        assert!(corio::wait_for(ms(10), child).await.is_ok());

        // In time: its output, as awaiting it would give.
        let child = group.spawn(async { Ok(3u8) });
        assert!(corio::wait_for(Duration::from_secs(5), child).await.is_ok());
        // A cancelled child is not a failure of the group.
        group.join().await.unwrap();
    });
}

/// Of a timeout and a `wait_for` nested inside it that expire together,
/// the outer one reports.
#[test]
fn an_outer_timeout_that_expires_with_wait_for_reports() {
    corio::run(async {
        let (dropped, guard) = flag();
        let task = corio::spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await
        });
        let r = corio::timeout(Duration::ZERO, corio::wait_for(Duration::ZERO, task)).await;
        assert!(r.is_err(), "{r:?}");
        // The outer timeout dropped the `wait_for` unpolled, which passes
        // the cancel on to the task.
        let start = Instant::now();
        while !dropped.load(Ordering::SeqCst) {
            assert!(start.elapsed() < Duration::from_secs(10));
            corio::sleep(ms(1)).await;
        }
    });
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn fetch_in_time() -> Result<u32, BoxError> {
    let task = corio::spawn(async { 20 });
    let value = corio::wait_for(Duration::from_secs(5), task).await??;
    Ok(value + 1)
}

async fn fetch_too_slowly() -> Result<u32, BoxError> {
    let task = corio::spawn(async {
        corio::sleep(Duration::from_secs(10)).await;
        20
    });
    Ok(corio::wait_for(ms(5), task).await??)
}

#[test]
fn both_errors_of_wait_for_on_a_task_convert_with_question_marks() {
    corio::run(async {
        assert_eq!(fetch_in_time().await.unwrap(), 21);
        let err = fetch_too_slowly().await.unwrap_err();
        assert!(err.is::<corio::time::Elapsed>());
    });
}
