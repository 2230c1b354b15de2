//! `as_completed`: outputs in the order the futures finish.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_lite::Stream;

use crate::ready_set::ReadySet;

/// A stream of the futures' outputs in the order they finish;
/// `asyncio.as_completed(aws)`.
///
/// The futures run concurrently inside the task that polls the stream (gather
/// [`Task`](crate::Task)s to run work in parallel). Futures that finish
/// during the same turn come out in input order. Only woken futures are
/// polled again, so n futures cost O(n) polls in total.
///
/// # Cancel safety
///
/// Awaiting `next()` is cancel-safe: an output is only taken from a future
/// when it is returned. Dropping the stream drops the futures not finished.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures_lite::StreamExt;
///
/// corio::run(async {
///     let delays = [300u64, 100, 200];
///     let mut finished = corio::as_completed(delays.map(|ms| async move {
///         corio::sleep(Duration::from_millis(ms)).await;
///         ms
///     }));
///     let mut order = Vec::new();
///     while let Some(ms) = finished.next().await {
///         order.push(ms);
///     }
///     assert_eq!(order, [100, 200, 300]);
/// });
/// ```
pub fn as_completed<I>(futures: I) -> AsCompleted<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    AsCompleted {
        set: ReadySet::new(futures),
    }
}

/// Stream returned by [`as_completed`].
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<F: Future> {
    set: ReadySet<F>,
}

impl<F: Future> AsCompleted<F> {
    /// How many futures have not finished yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::StreamExt;
    ///
    /// # corio::run(async {
    /// let mut s = corio::as_completed([1, 2].map(|n| async move { n }));
    /// assert_eq!(s.remaining(), 2);
    /// s.next().await;
    /// assert_eq!(s.remaining(), 1);
    /// # });
    /// ```
    pub fn remaining(&self) -> usize {
        self.set.remaining()
    }
}

// The futures are pinned inside the set's own box, not in the stream.
impl<F: Future> Unpin for AsCompleted<F> {}

impl<F: Future> Stream for AsCompleted<F> {
    type Item = F::Output;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        self.set
            .poll_next(cx)
            .map(|next| next.map(|(_, output)| output))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.set.remaining();
        (n, Some(n))
    }
}

impl<F: Future> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.set.remaining())
            .finish()
    }
}
