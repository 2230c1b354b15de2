//! User code cannot abort the process through a task's output or through
//! the waker that awaits a task: a panic there is reported by the panic
//! hook and the runtime keeps running. Each scenario runs in a child
//! process, so an abort fails the test rather than killing the binary.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use common::{ALL, in_child, on_runtimes};
use corio::sync::Event;

/// A task output whose `Drop` panics after counting itself.
struct DropBomb(Arc<AtomicUsize>);

impl Drop for DropBomb {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("output dropped");
    }
}

/// A waker that counts its wakes and panics in `wake`, and optionally in
/// its own `Drop`.
struct PanicWaker {
    wakes: Arc<AtomicUsize>,
    panic_on_drop: bool,
}

impl Wake for PanicWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        panic!("waker woken");
    }
}

impl Drop for PanicWaker {
    fn drop(&mut self) {
        if self.panic_on_drop {
            panic!("waker dropped");
        }
    }
}

/// Yields until `done` holds, with a bound so a bug fails instead of hangs.
async fn yield_until(mut done: impl FnMut() -> bool) {
    for _ in 0..100_000 {
        if done() {
            return;
        }
        corio::yield_now().await;
    }
    panic!("the condition never held");
}

#[test]
fn detached_task_whose_output_panics_in_drop() {
    in_child("detached_task_whose_output_panics_in_drop", || {
        on_runtimes(ALL, || async {
            let dropped = Arc::new(AtomicUsize::new(0));
            // Detached before it runs (without eager start), so the output
            // is dropped by the task itself when it completes.
            let counter = dropped.clone();
            corio::spawn(async move { DropBomb(counter) }).detach();
            let counter = dropped.clone();
            yield_until(move || counter.load(Ordering::SeqCst) == 1).await;
            // The runtime is intact: tasks still run and report results.
            assert_eq!(corio::spawn(async { 7 }).await.unwrap(), 7);
        });
    });
}

#[test]
fn dropping_a_finished_handle_whose_output_panics_in_drop() {
    on_runtimes(ALL, || async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let counter = dropped.clone();
        let task = corio::spawn(async move { DropBomb(counter) });
        yield_until(|| task.is_done()).await;
        // The handle drops the unread output; its panic stays there.
        drop(task);
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
        assert_eq!(corio::spawn(async { 7 }).await.unwrap(), 7);
    });
}

/// Polls `task` once with a panicking waker, lets it finish, then awaits
/// it normally: the panicking wake must not abort, and the result arrives.
async fn await_after_panicking_waker(panic_on_drop: bool) {
    let event = Arc::new(Event::new());
    let wait = event.clone();
    let mut task = corio::spawn(async move {
        wait.wait().await;
        5
    });
    let wakes = Arc::new(AtomicUsize::new(0));
    let waker = Waker::from(Arc::new(PanicWaker {
        wakes: wakes.clone(),
        panic_on_drop,
    }));
    let polled = Pin::new(&mut task).poll(&mut Context::from_waker(&waker));
    assert!(polled.is_pending());
    // The handle holds the only other reference now, so the waker's own
    // `Drop` runs wherever the runtime lets go of it.
    drop(waker);
    event.set();
    let counted = wakes.clone();
    yield_until(move || counted.load(Ordering::SeqCst) >= 1).await;
    assert_eq!(task.await.unwrap(), 5);
    assert_eq!(wakes.load(Ordering::SeqCst), 1);
    assert_eq!(corio::spawn(async { 7 }).await.unwrap(), 7);
}

#[test]
fn awaiting_a_task_with_a_waker_that_panics() {
    in_child("awaiting_a_task_with_a_waker_that_panics", || {
        on_runtimes(ALL, || await_after_panicking_waker(false));
    });
}

#[test]
fn awaiting_a_task_with_a_waker_that_panics_in_drop() {
    in_child("awaiting_a_task_with_a_waker_that_panics_in_drop", || {
        on_runtimes(ALL, || await_after_panicking_waker(true));
    });
}

#[test]
fn polling_a_handle_with_changing_wakers_wakes_the_latest() {
    on_runtimes(ALL, || async {
        let event = Arc::new(Event::new());
        let wait = event.clone();
        let mut task = corio::spawn(async move {
            wait.wait().await;
            3
        });
        /// Counts wakes, never panics.
        struct Count(AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let first = Arc::new(Count(AtomicUsize::new(0)));
        let second = Arc::new(Count(AtomicUsize::new(0)));
        for count in [&first, &second] {
            let waker = Waker::from(count.clone());
            let polled = Pin::new(&mut task).poll(&mut Context::from_waker(&waker));
            assert!(matches!(polled, Poll::Pending));
        }
        event.set();
        let latest = second.clone();
        yield_until(move || latest.0.load(Ordering::SeqCst) == 1).await;
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(task.await.unwrap(), 3);
    });
}
