//! Awaiting a join handle whose output is a `Result`, as a plain value.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Wraps a join handle that yields `Result<T, E>` so that awaiting it yields
/// `T`, panicking on `Err`.
///
/// tokio's `JoinHandle` and corio's `Task` report a failed task as an error
/// while smol's `Task` yields the value; this gives every runtime the same
/// `Runtime::Task` shape. A scenario task never fails, so the panic is a bug
/// in the suite.
#[derive(Debug)]
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Joined<J>(pub J);

impl<J, T, E> Future for Joined<J>
where
    J: Future<Output = Result<T, E>> + Unpin,
    E: Debug,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|result| result.expect("a benchmark task failed"))
    }
}
