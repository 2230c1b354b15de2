//! `shield`: work that finishes even when its caller stops waiting.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::task::{Task, TaskError, TaskId};

/// Runs `future` to completion even if the code awaiting it is cancelled;
/// `asyncio.shield(aw)`.
///
/// The future is spawned as a task at once. Awaiting the returned [`Shield`]
/// gives its result; dropping the `Shield` (because the awaiting task was
/// cancelled, or a [`timeout`](https://docs.rs/corio/latest/corio/fn.timeout.html)
/// gave up) leaves the work running to the end. Keep the `Shield` and poll
/// it through `&mut` to collect the result later. Unlike a [`Task`], a
/// `Shield` cannot cancel the work.
///
/// # Cancel safety
///
/// That is its purpose: dropping a `Shield` loses only the result, never the
/// work.
///
/// # Panics
///
/// Panics outside a corio runtime: call it inside `corio::run`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::time::Duration;
///
/// corio::run(async {
///     let saved = Arc::new(AtomicBool::new(false));
///     let flag = saved.clone();
///     let mut save = corio::shield(async move {
///         corio::sleep(Duration::from_millis(200)).await;
///         flag.store(true, Ordering::SeqCst);
///         "saved"
///     });
///     // The caller gives up after 5 ms; the save goes on.
///     assert!(corio::timeout(Duration::from_millis(5), &mut save).await.is_err());
///     assert_eq!(save.await.unwrap(), "saved");
///     assert!(saved.load(Ordering::SeqCst));
/// });
/// ```
#[track_caller]
pub fn shield<F>(future: F) -> Shield<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let location = Location::caller();
    let task = crate::scheduler::spawn_here("corio::shield", future, None, None, location);
    Shield { task }
}

/// Future returned by [`shield`]: the shielded work's result.
///
/// Resolves to `Ok(value)`, or to [`TaskError::Panicked`] if the work
/// panicked (or [`TaskError::Cancelled`] if the runtime shut down first).
#[must_use = "dropping a Shield leaves the work running; .await it for the result"]
pub struct Shield<T> {
    task: Task<T>,
}

impl<T> Shield<T> {
    /// Whether the shielded work has finished.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let s = corio::shield(async {});
    /// corio::sleep(std::time::Duration::from_millis(2)).await;
    /// assert!(s.is_done());
    /// # });
    /// ```
    pub fn is_done(&self) -> bool {
        self.task.is_done()
    }

    /// The id of the task running the shielded work.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let s = corio::shield(async {});
    /// assert!(s.id().as_u64() > 0);
    /// # });
    /// ```
    pub fn id(&self) -> TaskId {
        self.task.id()
    }
}

impl<T> Future for Shield<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.task).poll(cx)
    }
}

impl<T> fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shield")
            .field("id", &self.task.id())
            .field("done", &self.task.is_done())
            .finish()
    }
}
