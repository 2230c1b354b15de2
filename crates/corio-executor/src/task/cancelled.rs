//! `task::cancelled()`: a cooperative cancellation signal.

use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

use super::meta::TaskMeta;
use crate::scheduler::with_worker;

/// Resolves when someone has asked the current task to stop
/// ([`Task::cancel`](crate::Task::cancel)).
///
/// Rust cancels a future by dropping it, which leaves no room for cleanup
/// that must itself await (closing a connection politely, flushing a
/// buffer). While a task holds a `Cancelled` future, a cancel request does
/// not drop the task: it wakes it, `cancelled()` resolves, and the task
/// finishes on its own terms; its result is then whatever it returns. Once
/// `cancelled()` has resolved, the request is considered handled: the task
/// is not dropped for it, however long its cleanup takes, but a *second*
/// cancel request drops it (so a hung cleanup can always be stopped), and
/// shutdown drops it once `shutdown_timeout` has passed. A task that
/// [`uncancel`](crate::Task::uncancel)s back to zero requests is no longer
/// cancelling: its next request is a first one again.
/// asyncio's equivalent is catching `CancelledError`.
///
/// Outside a task (for instance in `to_thread`), it never resolves.
///
/// # Cancel safety
///
/// Cancel-safe; dropping it only withdraws the request for cooperative
/// cancellation, after which a cancel drops the task as usual.
///
/// # Examples
///
/// ```
/// use futures_lite::FutureExt;
/// use std::sync::Arc;
///
/// corio::run(async {
///     let listening = Arc::new(corio::sync::Event::new());
///     let l = listening.clone();
///     let task = corio::spawn(async move {
///         let work = async {
///             corio::sleep(std::time::Duration::from_secs(3600)).await;
///             "finished"
///         };
///         let stop = async {
///             // From here on a cancel is delivered to this future.
///             let cancelled = corio::task::cancelled();
///             l.set();
///             cancelled.await;
///             // Async cleanup goes here.
///             "cleaned up"
///         };
///         work.or(stop).await
///     });
///     listening.wait().await;
///     task.cancel();
///     assert_eq!(task.await.unwrap(), "cleaned up");
/// });
/// ```
pub fn cancelled() -> Cancelled {
    let meta = current_meta();
    if let Some(meta) = meta {
        // SAFETY: `meta` is the task being polled on this thread right now,
        // so its allocation is alive during this call.
        unsafe { meta.as_ref() }.add_cooperative();
    }
    Cancelled { meta }
}

fn current_meta() -> Option<NonNull<TaskMeta>> {
    with_worker(|w| w.and_then(|w| w.current_task()).map(NonNull::from))
}

/// Future returned by [`cancelled`].
///
/// It belongs to the task that created it: awaited from any other task, it
/// never resolves.
#[must_use = "futures do nothing unless you .await or poll them"]
#[derive(Debug)]
pub struct Cancelled {
    meta: Option<NonNull<TaskMeta>>,
}

// SAFETY: the pointer is only dereferenced by `own_meta`, on the thread
// polling the task it points to, so moving the future between threads
// cannot lead to a dangling access.
unsafe impl Send for Cancelled {}
// SAFETY: `Cancelled` has no `&self` methods that touch the pointer
// except through `own_meta`, as above.
unsafe impl Sync for Cancelled {}

impl Cancelled {
    /// The metadata of the creating task, only if that task is the one being
    /// polled now (so the pointer is known to be alive).
    fn own_meta(&self) -> Option<&TaskMeta> {
        let meta = self.meta?;
        if current_meta() != Some(meta) {
            return None;
        }
        // SAFETY: the creating task is being polled on this thread, so its
        // allocation, and the metadata in it, is alive.
        Some(unsafe { meta.as_ref() })
    }
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        match self.own_meta() {
            Some(meta) if meta.cancel_requested() => {
                meta.mark_handled();
                Poll::Ready(())
            }
            // A cancel request wakes the whole task through its own waker,
            // so no waker needs storing here.
            _ => Poll::Pending,
        }
    }
}

impl Drop for Cancelled {
    fn drop(&mut self) {
        if let Some(meta) = self.own_meta() {
            meta.remove_cooperative();
        }
    }
}
