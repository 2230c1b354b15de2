//! `wait_for`: a time limit that cancels a task and waits until it is gone.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use corio_executor::Task;
use corio_executor::structured::ChildTask;
use corio_reactor::Timer;

use crate::Elapsed;

/// What [`wait_for`] can cancel when the time is up, and wait for until it
/// is gone: a [`Task`](corio_executor::Task) (owned or `&mut`), a
/// [`ChildTask`](corio_executor::structured::ChildTask), or a plain future
/// in a `Pin<Box<_>>`.
///
/// A task is cancelled by a request ([`Task::cancel`]) and stops later, at
/// its next scheduling point, or on its own terms if it awaits
/// [`corio::task::cancelled()`](corio_executor::task::cancelled); a plain
/// future is cancelled by dropping it, at once. Rust has no
/// specialisation, so `wait_for` cannot accept "any future, but tasks
/// differently"; this trait names the two kinds instead. A plain future is
/// boxed to fit (`Box::pin(fut)`), though for a plain future
/// [`timeout`](crate::timeout) already behaves as `wait_for` does.
///
/// # Examples
///
/// A handle type of your own that can be asked to stop:
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
/// use std::time::Duration;
/// use corio::time::Cancellable;
///
/// /// Wraps a task whose output is a number, and counts zero as "cancelled".
/// struct Job(corio::Task<u32>);
///
/// impl Future for Job {
///     type Output = u32;
///     fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
///         Pin::new(&mut self.0).poll(cx).map(|r| r.unwrap_or(0))
///     }
/// }
///
/// impl Cancellable for Job {
///     fn start_cancel(&mut self) -> bool {
///         self.0.cancel();
///         true // a task: wait until it has stopped
///     }
///     fn is_cancelled(output: &u32) -> bool {
///         *output == 0
///     }
/// }
///
/// # corio::run(async {
/// let job = Job(corio::spawn(async {
///     corio::sleep(Duration::from_secs(60)).await;
///     7
/// }));
/// assert!(corio::wait_for(Duration::from_millis(5), job).await.is_err());
/// # });
/// ```
pub trait Cancellable: Future + Unpin {
    /// Asks the target to stop; [`wait_for`] calls it once, when the time
    /// is up (and when it is itself dropped before the target finished).
    ///
    /// Returns `true` if the target stops later, on its own (a task), so
    /// that `wait_for` must keep awaiting it until it has; `false` if
    /// dropping it is its cancellation (a plain future), which `wait_for`
    /// then does at once.
    fn start_cancel(&mut self) -> bool;

    /// Whether `output`, which the target gave after
    /// [`start_cancel`](Cancellable::start_cancel) returned `true`, means it
    /// was cancelled: `wait_for` then gives `Err(Elapsed)`. Any other output
    /// means the target finished despite the cancel (it handled the request
    /// with `corio::task::cancelled()` and returned, or it failed), and
    /// `wait_for` gives `Ok(output)`, as asyncio's `wait_for` returns the
    /// result of a task that suppressed its cancellation.
    fn is_cancelled(output: &Self::Output) -> bool;
}

impl<T> Cancellable for Task<T> {
    fn start_cancel(&mut self) -> bool {
        Task::cancel(self);
        true
    }

    fn is_cancelled(output: &Result<T, corio_executor::TaskError>) -> bool {
        matches!(output, Err(error) if error.is_cancelled())
    }
}

/// A borrowed task: the handle stays with the caller, who can still query
/// it ([`Task::is_done`], [`Task::id`]) once `wait_for` has returned.
impl<T> Cancellable for &mut Task<T> {
    fn start_cancel(&mut self) -> bool {
        Task::cancel(self);
        true
    }

    fn is_cancelled(output: &Result<T, corio_executor::TaskError>) -> bool {
        <Task<T> as Cancellable>::is_cancelled(output)
    }
}

/// A child of a task group: after the cancel, anything but a value (the
/// child was cancelled, or it failed, which its group's `join` reports)
/// counts as cancelled.
impl<T, O> Cancellable for ChildTask<T>
where
    ChildTask<T>: Future<Output = O>,
    O: ChildOutput,
{
    fn start_cancel(&mut self) -> bool {
        ChildTask::cancel(self);
        true
    }

    fn is_cancelled(output: &O) -> bool {
        !output.is_value()
    }
}

/// A plain future: dropping it is its cancellation, and its `Drop` has run
/// by the time `wait_for` returns `Err(Elapsed)`.
impl<F: Future + ?Sized> Cancellable for Pin<Box<F>> {
    fn start_cancel(&mut self) -> bool {
        false
    }

    fn is_cancelled(_: &F::Output) -> bool {
        // Never asked: a plain future is dropped, not awaited, once cancelled.
        true
    }
}

/// The output of a [`ChildTask`](corio_executor::structured::ChildTask),
/// as [`wait_for`] reads it after cancelling the child: a value, or not.
///
/// Implemented for `Option<T>` and `Result<T, E>`; sealed.
///
/// # Examples
///
/// ```
/// use corio::time::ChildOutput;
///
/// assert!(Some(1).is_value());
/// assert!(!Err::<u8, ()>(()).is_value());
/// ```
pub trait ChildOutput: sealed::Sealed {
    /// Whether the child gave a value.
    fn is_value(&self) -> bool;
}

impl<T> ChildOutput for Option<T> {
    fn is_value(&self) -> bool {
        self.is_some()
    }
}

impl<T, E> ChildOutput for Result<T, E> {
    fn is_value(&self) -> bool {
        self.is_ok()
    }
}

mod sealed {
    pub trait Sealed {}
    impl<T> Sealed for Option<T> {}
    impl<T, E> Sealed for Result<T, E> {}
}

/// Waits for a task (or a future) with a time limit; when the time is up,
/// cancels it and waits until it is gone. `asyncio.wait_for(aw, timeout)`.
///
/// Gives `Ok(output)` if `target` finishes within `duration`. Otherwise it
/// is cancelled ([`Cancellable::start_cancel`]): a task is asked to stop and
/// awaited until it has stopped (its future dropped, so every `Drop` in it
/// has run), a plain future is dropped at once, and then `Err(Elapsed)`
/// comes back. If a task finishes despite the cancel (it awaited
/// `corio::task::cancelled()` and returned, or it panicked), its output
/// comes back as `Ok(output)` instead, as in asyncio 3.12, whose `wait_for`
/// returns the result of a task that suppressed its cancellation and
/// re-raises what one raised while being cancelled.
///
/// The output type is [`timeout`](crate::timeout)'s,
/// `Result<X::Output, Elapsed>`, so switching between the two changes only
/// what happens to the target on expiry. For a
/// [`Task<T>`](corio_executor::Task) that is
/// `Result<Result<T, TaskError>, Elapsed>`; `wait_for(d, task).await??`
/// turns both errors into one with `?` (both convert into
/// `Box<dyn Error + Send + Sync>` and `io::Error`).
///
/// # `wait_for` or `timeout`
///
/// - **A plain future**: [`timeout`](crate::timeout) already is `wait_for`:
///   dropping the future is its cancellation, and it has been dropped when
///   `Err(Elapsed)` comes back. `wait_for(d, Box::pin(fut))` does the same.
/// - **A task**: `timeout(d, task)` only stops waiting; the task is
///   detached and keeps running. `wait_for(d, task)` cancels it and returns
///   only once it is gone. `timeout(d, &mut task)` keeps the handle, to
///   wait again or cancel later.
///
/// The clock starts at the first poll. A zero duration has expired before
/// it: the target is cancelled without being polled, and a task that has
/// finished already gives its output (asyncio's `wait_for(aw, 0)`). Nested
/// inside other timeouts, it follows [`timeout`](crate::timeout)'s rule: of
/// those that expired together, the outermost reports.
///
/// # Cancel safety
///
/// Dropping the future cancels the target too (a task gets a cancel
/// request; a plain future is dropped), as asyncio cancels the task of a
/// `wait_for` that is itself cancelled. It does not wait for a task to
/// stop then: `Drop` cannot wait.
///
/// # Panics
///
/// Polling it outside a corio runtime panics (when it has to wait).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::time::Duration;
///
/// struct Cleanup(Arc<AtomicBool>);
/// impl Drop for Cleanup {
///     fn drop(&mut self) {
///         self.0.store(true, Ordering::SeqCst);
///     }
/// }
///
/// corio::run(async {
///     let cleaned = Arc::new(AtomicBool::new(false));
///     let guard = Cleanup(cleaned.clone());
///     let slow = corio::spawn(async move {
///         let _guard = guard;
///         corio::sleep(Duration::from_secs(60)).await;
///         "finished"
///     });
///     let r = corio::wait_for(Duration::from_millis(10), slow).await;
///     assert!(r.is_err());
///     // The task is gone, not merely detached: its cleanup has run.
///     assert!(cleaned.load(Ordering::SeqCst));
///
///     let quick = corio::spawn(async { 5 });
///     assert_eq!(corio::wait_for(Duration::from_secs(5), quick).await??, 5);
///     # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// })
/// .unwrap();
/// ```
///
/// A task that finishes its cleanup and returns a value despite the cancel:
///
/// ```
/// use std::time::Duration;
/// use futures_lite::FutureExt;
///
/// # corio::run(async {
/// let task = corio::spawn(async {
///     let work = async {
///         corio::sleep(Duration::from_secs(60)).await;
///         "finished"
///     };
///     work.or(async {
///         corio::task::cancelled().await;
///         "partial result"
///     })
///     .await
/// });
/// let r = corio::wait_for(Duration::from_millis(10), task).await;
/// assert_eq!(r.unwrap().unwrap(), "partial result");
/// # });
/// ```
pub fn wait_for<X: Cancellable>(duration: Duration, target: X) -> WaitFor<X> {
    WaitFor {
        target: Some(target),
        duration,
        timer: None,
        cancelling: false,
    }
}

/// Future returned by [`wait_for`].
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct WaitFor<X: Cancellable> {
    /// `None` once the output was given.
    target: Option<X>,
    duration: Duration,
    timer: Option<Timer>,
    /// The time is up and the target was asked to stop.
    cancelling: bool,
}

impl<X: Cancellable> WaitFor<X> {
    /// Whether the time is up; once the timer exists, polling it also
    /// registers the waker for the deadline.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        match &mut self.timer {
            Some(timer) => Pin::new(timer).poll(cx).is_ready(),
            None => self.duration.is_zero(),
        }
    }

    /// Polls the target while the time is not up; `None` once it is.
    fn poll_in_time(&mut self, cx: &mut Context<'_>) -> Option<Poll<X::Output>> {
        // The deadline comes first, as in `Timeout`: nested timeouts that
        // expire together leave the expiry to the outermost.
        if self.expired(cx) {
            return None;
        }
        let target = self
            .target
            .as_mut()
            .expect("WaitFor polled after completion");
        if let Poll::Ready(output) = Pin::new(target).poll(cx) {
            return Some(Poll::Ready(output));
        }
        if self.timer.is_none() {
            let timer = self.timer.insert(Timer::after(self.duration));
            if Pin::new(timer).poll(cx).is_ready() {
                return None;
            }
        }
        Some(Poll::Pending)
    }
}

impl<X: Cancellable> Future for WaitFor<X> {
    type Output = Result<X::Output, Elapsed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if !this.cancelling {
            match this.poll_in_time(cx) {
                Some(Poll::Ready(output)) => {
                    this.target = None;
                    return Poll::Ready(Ok(output));
                }
                Some(Poll::Pending) => return Poll::Pending,
                None => {
                    this.timer = None;
                    this.cancelling = true;
                    let target = this
                        .target
                        .as_mut()
                        .expect("WaitFor polled after completion");
                    if !target.start_cancel() {
                        // A plain future: dropping it is the cancellation.
                        this.target = None;
                        return Poll::Ready(Err(Elapsed::new()));
                    }
                }
            }
        }
        let target = this
            .target
            .as_mut()
            .expect("WaitFor polled after completion");
        let output = ready!(Pin::new(target).poll(cx));
        this.target = None;
        if X::is_cancelled(&output) {
            Poll::Ready(Err(Elapsed::new()))
        } else {
            Poll::Ready(Ok(output))
        }
    }
}

impl<X: Cancellable> Drop for WaitFor<X> {
    fn drop(&mut self) {
        // Abandoned before the target finished: cancel it, as asyncio does
        // when a `wait_for` is cancelled. A cancel already requested on
        // expiry is not repeated.
        if let Some(target) = self.target.as_mut() {
            if !self.cancelling {
                target.start_cancel();
            }
        }
    }
}

impl<X: Cancellable> fmt::Debug for WaitFor<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFor")
            .field("duration", &self.duration)
            .field("cancelling", &self.cancelling)
            .field("done", &self.target.is_none())
            .finish_non_exhaustive()
    }
}
