//! `Task<T>`: the handle of a spawned task.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};

use super::awaiter::{Awaiter, is_polling_task};
use super::harness::{Panic, is_cancelled};
use super::meta::{TaskKind, TaskMeta};
use super::output::TaskOutput;
use super::{TaskError, TaskId};

pub(crate) type RawTask<T> = async_task::Task<TaskOutput<T>, TaskMeta>;

/// A handle to a spawned task: await it for the task's result.
///
/// Equivalent to `asyncio.Task`. Awaiting gives `Ok(value)` when the task
/// finished, or a [`TaskError`] when it was cancelled or panicked.
///
/// Dropping the handle *detaches* the task: it keeps running, owned by the
/// runtime, until it finishes (this is where corio departs from async-task
/// and avoids asyncio's "task garbage-collected while pending" pitfall). To
/// stop a task, call [`cancel`](Task::cancel).
///
/// # Cancel safety
///
/// Awaiting a `Task` is cancel-safe: dropping the `.await` loses nothing, the
/// task keeps running (detached, if the handle was moved into that future).
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let task = corio::spawn(async { 6 * 7 });
///     assert_eq!(task.await.unwrap(), 42);
/// });
/// ```
#[must_use = "a dropped Task keeps running detached; use .await to get its result or .cancel() to stop it"]
pub struct Task<T> {
    raw: Option<RawTask<T>>,
    /// The wrapper around the waker this handle was last polled with, kept
    /// so that polling again with the same waker allocates nothing.
    awaiter: Option<Arc<Awaiter>>,
}

impl<T> Task<T> {
    pub(crate) fn new(raw: RawTask<T>) -> Task<T> {
        Task {
            raw: Some(raw),
            awaiter: None,
        }
    }

    fn raw(&self) -> &RawTask<T> {
        self.raw
            .as_ref()
            .expect("the task handle is intact until dropped")
    }

    pub(crate) fn meta(&self) -> &TaskMeta {
        self.raw().metadata()
    }

    /// Asks the task to stop; equivalent to asyncio's `Task.cancel()`.
    ///
    /// The task's future is dropped the next time the scheduler would run it
    /// (its `Drop` guards run then, on the task's own thread), and awaiting
    /// the handle gives [`TaskError::Cancelled`]. A task currently awaiting
    /// [`corio::task::cancelled()`](crate::task::cancelled) is woken instead
    /// and may finish its cleanup and return a value; a second `cancel`
    /// while it is in that cleanup drops it (so a hung cleanup can always
    /// be stopped). Each call counts a request, as asyncio does: see
    /// [`cancelling`](Task::cancelling).
    ///
    /// Returns `false`, and changes nothing, if the task already finished.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(std::future::pending::<()>());
    /// assert!(task.cancel());
    /// assert!(task.await.unwrap_err().is_cancelled());
    ///
    /// let done = corio::spawn(async { 1 });
    /// while !done.is_done() {
    ///     corio::yield_now().await;
    /// }
    /// assert!(!done.cancel());
    /// assert_eq!(done.await.unwrap(), 1);
    /// # });
    /// ```
    pub fn cancel(&self) -> bool {
        if self.raw().is_finished() {
            return false;
        }
        let meta = self.meta();
        if meta.request_cancel() {
            if meta.kind() == TaskKind::Blocking {
                // A `to_thread` call still queued resolves now and never
                // runs; one already running finishes (a thread cannot be
                // interrupted), and its result is dropped.
                meta.shared.cancel_queued_call(meta);
            } else {
                // Wake the task so the scheduler sees the request.
                meta.shared.registry.wake(meta);
            }
        }
        true
    }

    /// How many cancel requests are pending; asyncio's `Task.cancelling()`.
    ///
    /// Each [`cancel`](Task::cancel) of an unfinished task adds one;
    /// [`uncancel`](Task::uncancel) takes one back. A task group cancelling
    /// its children, and shutdown, add one only to tasks that have none.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(std::future::pending::<()>());
    /// assert_eq!(task.cancelling(), 0);
    /// task.cancel();
    /// task.cancel();
    /// assert_eq!(task.cancelling(), 2);
    /// assert_eq!(task.uncancel(), 1);
    /// # });
    /// ```
    pub fn cancelling(&self) -> u32 {
        self.meta().cancelling()
    }

    /// Withdraws one cancel request and returns how many remain; asyncio's
    /// `Task.uncancel()`.
    ///
    /// When none remain the task is no longer cancelling: a task that
    /// caught its cancellation through [`task::cancelled`](crate::task::cancelled)
    /// and was uncancelled back to zero treats a later `cancel` as a first
    /// request again. Withdrawing does not undo a drop that already
    /// happened: a task without a `cancelled()` future is dropped at its
    /// next scheduling point after the request.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(std::future::pending::<()>());
    /// assert_eq!(task.uncancel(), 0); // nothing to withdraw
    /// # task.cancel();
    /// # });
    /// ```
    pub fn uncancel(&self) -> u32 {
        self.meta().uncancel()
    }

    /// Whether the task has finished (completed, panicked or been cancelled);
    /// equivalent to asyncio's `Task.done()`.
    ///
    /// # Examples
    ///
    /// ```
    /// // One worker, so that a yield lets the spawned task run to its end.
    /// let runner = corio::Runner::builder().workers(1).build()?;
    /// runner.run(async {
    ///     let task = corio::spawn(async {});
    ///     assert!(!task.is_done());
    ///     corio::yield_now().await;
    ///     assert!(task.is_done());
    /// });
    /// # std::io::Result::Ok(())
    /// ```
    pub fn is_done(&self) -> bool {
        self.raw().is_finished()
    }

    /// Whether [`cancel`](Task::cancel) was called on this task.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(std::future::pending::<()>());
    /// assert!(!task.is_cancel_requested());
    /// task.cancel();
    /// assert!(task.is_cancel_requested());
    /// # });
    /// ```
    pub fn is_cancel_requested(&self) -> bool {
        self.meta().cancel_requested()
    }

    /// The task's id, unique within the process.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::spawn(async {});
    /// let b = corio::spawn(async {});
    /// assert_ne!(a.id(), b.id());
    /// # });
    /// ```
    pub fn id(&self) -> TaskId {
        self.meta().id
    }

    /// The task's name, if it was given one; asyncio's `Task.get_name()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::task::Builder::new().name("fetch").spawn(async {});
    /// assert_eq!(task.name(), Some("fetch"));
    /// # });
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.meta().name()
    }

    /// Detaches the task explicitly; the same as dropping the handle.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// corio::spawn(async { /* runs to the end on its own */ }).detach();
    /// # });
    /// ```
    pub fn detach(self) {}

    fn error(&self, panic: Option<Panic>) -> TaskError {
        let meta = self.meta();
        match panic {
            Some(payload) => TaskError::panicked(meta.id, meta.name_arc(), payload),
            None => TaskError::cancelled(meta.id, meta.name_arc()),
        }
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Awaiting finished tasks spends the budget like any other ready
        // resource, so a loop over handles that are always ready (say,
        // `to_thread` calls refused during shutdown) still yields.
        ready!(corio_reactor::coop::poll_proceed(cx));
        let this = &mut *self;
        let raw = this
            .raw
            .as_mut()
            .expect("the task handle is intact until dropped");
        // async-task keeps the waker it is polled with and wakes it, clones
        // it and drops it under its abort-on-panic guard; it gets a wrapper
        // that catches the user's panics instead (see `awaiter.rs`). A task
        // that has finished and was never waited on registers no waker, so
        // reading its output needs no wrapper, and nor does a corio task
        // awaiting with its own waker (the common case).
        // Tasks always complete through their harness, so async-task never
        // reports one as closed; should that ever happen (a runnable dropped
        // after the runtime terminated), its panic means "no output", which
        // is a cancellation.
        let unwrapped =
            is_polling_task(cx.waker()) || (this.awaiter.is_none() && raw.is_finished());
        let polled = if unwrapped {
            catch_unwind(AssertUnwindSafe(|| Pin::new(raw).poll(cx)))
        } else {
            let awaiter = match &this.awaiter {
                Some(awaiter) if awaiter.wraps(cx.waker()) => awaiter.clone(),
                _ => this.awaiter.insert(Awaiter::new(cx.waker())).clone(),
            };
            let guarded = Waker::from(awaiter);
            let mut guarded_cx = Context::from_waker(&guarded);
            catch_unwind(AssertUnwindSafe(|| Pin::new(raw).poll(&mut guarded_cx)))
        };
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => match output.into_inner() {
                Ok(value) => Poll::Ready(Ok(value)),
                Err(payload) if is_cancelled(&payload) => Poll::Ready(Err(self.error(None))),
                Err(panic) => Poll::Ready(Err(self.error(Some(panic)))),
            },
            Err(_) => Poll::Ready(Err(self.error(None))),
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Some(raw) = self.raw.take() {
            raw.detach();
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let meta = self.meta();
        f.debug_struct("Task")
            .field("id", &meta.id)
            .field("name", &meta.name())
            .field("done", &self.is_done())
            .finish()
    }
}
