//! `call_soon`, `call_later`, `call_at`: plain callbacks on the event loop.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};
use std::time::{Duration, Instant};

use corio_reactor::{ScheduledTimer, Timer};

use crate::remote_callbacks;
use crate::spawn::{spawn_local, spawn_local_inner};
use crate::task::Task;

/// A scheduled callback; `asyncio.TimerHandle` (and `asyncio.Handle`).
///
/// Dropping it does not cancel the callback; [`cancel`](TimerHandle::cancel)
/// does.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     let handle = corio::call_later(Duration::from_secs(3600), || unreachable!());
///     assert!(handle.cancel());
///     assert!(handle.is_cancelled());
/// });
/// ```
pub struct TimerHandle {
    inner: Inner,
    when: Option<Instant>,
}

/// What a handle refers to: the task running a callback of this thread's
/// loop, or an entry in the queue of callbacks from other threads.
enum Inner {
    Task(Task<()>),
    Remote(Arc<dyn remote_callbacks::Entry>),
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerHandle")
            .field("when", &self.when)
            .field("cancelled", &self.is_cancelled())
            .field("done", &self.is_done())
            .finish()
    }
}

impl TimerHandle {
    pub(crate) fn new(task: Task<()>, when: Option<Instant>) -> TimerHandle {
        TimerHandle {
            inner: Inner::Task(task),
            when,
        }
    }

    pub(crate) fn remote(entry: Arc<dyn remote_callbacks::Entry>) -> TimerHandle {
        TimerHandle {
            inner: Inner::Remote(entry),
            when: None,
        }
    }

    /// Cancels the callback if it has not run yet; returns whether it was
    /// still pending.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let h = corio::call_soon(|| {});
    /// assert!(h.cancel());
    /// # });
    /// ```
    pub fn cancel(&self) -> bool {
        match &self.inner {
            Inner::Task(task) => task.cancel(),
            Inner::Remote(entry) => remote_callbacks::cancel(&**entry),
        }
    }

    /// Whether [`cancel`](TimerHandle::cancel) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let h = corio::call_soon(|| {});
    /// assert!(!h.is_cancelled());
    /// # });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        match &self.inner {
            Inner::Task(task) => task.is_cancel_requested(),
            Inner::Remote(entry) => remote_callbacks::is_cancelled(&**entry),
        }
    }

    /// Whether the callback has run (or was cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let h = corio::call_soon(|| {});
    /// corio::sleep(std::time::Duration::from_millis(1)).await;
    /// assert!(h.is_done());
    /// # });
    /// ```
    pub fn is_done(&self) -> bool {
        match &self.inner {
            Inner::Task(task) => task.is_done(),
            Inner::Remote(entry) => remote_callbacks::is_done(&**entry),
        }
    }

    /// When the callback is due (`None` for `call_soon`); asyncio's
    /// `TimerHandle.when()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let at = std::time::Instant::now() + std::time::Duration::from_millis(5);
    /// assert_eq!(corio::call_at(at, || {}).when(), Some(at));
    /// # });
    /// ```
    pub fn when(&self) -> Option<Instant> {
        self.when
    }
}

/// Runs `f` on the event loop soon; `loop.call_soon`.
///
/// Callbacks run in the order they were scheduled, on the calling thread's
/// worker, so `f` need not be `Send`. From another thread, use
/// [`Handle::call_soon`](crate::Handle::call_soon).
///
/// # Panics
///
/// Panics outside a corio runtime: call it inside `corio::run`.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// corio::run(async {
///     let order = Rc::new(RefCell::new(Vec::new()));
///     for i in 0..3 {
///         let order = order.clone();
///         corio::call_soon(move || order.borrow_mut().push(i));
///     }
///     corio::sleep(std::time::Duration::from_millis(1)).await;
///     assert_eq!(*order.borrow(), [0, 1, 2]);
/// });
/// ```
#[track_caller]
pub fn call_soon<F>(f: F) -> TimerHandle
where
    F: FnOnce() + 'static,
{
    TimerHandle::new(spawn_local(async move { f() }), None)
}

/// Runs `f` on the event loop after `delay`; `loop.call_later`.
///
/// Callbacks fire in deadline order; those with equal deadlines, in the
/// order they were scheduled. That holds even when the loop gets to them
/// late (it was blocked, or the deadlines had passed when they were set):
/// all that are due then run in that order, after the tasks that were
/// already ready, as asyncio moves due callbacks to its ready queue.
///
/// # Panics
///
/// Panics outside a corio runtime: call it inside `corio::run`.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// corio::run(async {
///     let order = Rc::new(RefCell::new(Vec::new()));
///     for (name, ms) in [("slow", 6), ("fast", 2)] {
///         let order = order.clone();
///         corio::call_later(Duration::from_millis(ms), move || order.borrow_mut().push(name));
///     }
///     corio::sleep(Duration::from_millis(20)).await;
///     assert_eq!(*order.borrow(), ["fast", "slow"]);
/// });
/// ```
#[track_caller]
pub fn call_later<F>(delay: Duration, f: F) -> TimerHandle
where
    F: FnOnce() + 'static,
{
    match Instant::now().checked_add(delay) {
        Some(when) => call_at(when, f),
        None => TimerHandle::new(
            spawn_local(async move {
                Timer::never().await;
                f()
            }),
            None,
        ),
    }
}

/// Runs `f` on the event loop at `when`; `loop.call_at`.
///
/// A `when` that has passed runs `f` soon, still in deadline order with the
/// other callbacks (see [`call_later`]).
///
/// # Panics
///
/// Panics outside a corio runtime: call it inside `corio::run`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// corio::run(async {
///     let (tx, rx) = std::sync::mpsc::channel();
///     corio::call_at(Instant::now() + Duration::from_millis(2), move || tx.send(()).unwrap());
///     corio::sleep(Duration::from_millis(10)).await;
///     assert!(rx.try_recv().is_ok());
/// });
/// ```
#[track_caller]
pub fn call_at<F>(when: Instant, f: F) -> TimerHandle
where
    F: FnOnce() + 'static,
{
    // Queued with the reactor now, so its place among the other callbacks
    // (deadline, then scheduling order) is fixed here, not when its task
    // first runs; the eager first poll hands the reactor the task's waker
    // before the reactor can look at its timers again.
    let timer = ScheduledTimer::new(when, Waker::noop());
    let task = spawn_local_inner(
        CallAt { timer, f: Some(f) },
        None,
        Some(true),
        Location::caller(),
    );
    TimerHandle::new(task, Some(when))
}

/// The task of a `call_at` callback: runs the callback when the reactor
/// fires its deadline.
struct CallAt<F> {
    timer: ScheduledTimer,
    f: Option<F>,
}

// The callback is never pinned: it is moved out to be called.
impl<F> Unpin for CallAt<F> {}

impl<F: FnOnce()> Future for CallAt<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        ready!(Pin::new(&mut self.timer).poll(cx));
        if let Some(f) = self.f.take() {
            f();
        }
        Poll::Ready(())
    }
}
