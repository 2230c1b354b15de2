//! `gather`, `try_gather` and the `gather!` / `try_gather!` macros: run
//! futures concurrently and collect every output.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::ready_set::ReadySet;

/// Runs every future concurrently and collects their outputs in input
/// order; `asyncio.gather(*aws)`.
///
/// The futures run inside the task that awaits the gather (they need not be
/// `Send` or `'static`); to run them in parallel on several workers, gather
/// [`Task`](crate::Task)s instead (`gather(items.map(corio::spawn))`).
/// Only futures that were woken are polled again, so gathering n futures
/// costs O(n) polls in total, whatever order they finish in.
///
/// With `Result` outputs, a failure takes its place in the output like any
/// other value: this is asyncio's `return_exceptions=True`. To stop at the
/// first error instead, use [`try_gather`]. For futures of different types,
/// use [`gather!`](crate::gather!).
///
/// # Cancel safety
///
/// Dropping the future drops every future not finished yet, and the outputs
/// collected so far.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn nap(ms: u64) -> u64 {
///     corio::sleep(Duration::from_millis(ms)).await;
///     ms
/// }
///
/// corio::run(async {
///     // Finishes in about 30 ms, not 60; outputs keep the input order.
///     let naps = corio::gather([nap(30), nap(20), nap(10)]).await;
///     assert_eq!(naps, [30, 20, 10]);
///
///     // Tasks run in parallel; their errors appear in place.
///     let tasks = (0..3).map(|i| corio::spawn(async move {
///         if i == 1 { panic!("bad input") } else { i }
///     }));
///     let results = corio::gather(tasks).await;
///     assert_eq!(results[0].as_ref().ok(), Some(&0));
///     assert!(results[1].as_ref().unwrap_err().is_panic());
///     assert_eq!(results[2].as_ref().ok(), Some(&2));
/// });
/// ```
pub fn gather<I>(futures: I) -> Gather<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    let set = ReadySet::new(futures);
    let outputs = (0..set.len()).map(|_| None).collect();
    Gather { set, outputs }
}

/// Future returned by [`gather`].
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Gather<F: Future> {
    set: ReadySet<F>,
    outputs: Vec<Option<F::Output>>,
}

// Nothing is pinned in place here: the futures live behind the set's own
// pinned box, and outputs are plain values.
impl<F: Future> Unpin for Gather<F> {}

impl<F: Future> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        while let Some((index, output)) = std::task::ready!(this.set.poll_next(cx)) {
            this.outputs[index] = Some(output);
        }
        let outputs = std::mem::take(&mut this.outputs);
        Poll::Ready(
            outputs
                .into_iter()
                .map(|o| o.expect("every gathered future produced an output"))
                .collect(),
        )
    }
}

impl<F: Future> fmt::Debug for Gather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("len", &self.set.len())
            .field("remaining", &self.set.remaining())
            .finish()
    }
}

/// Runs futures that return `Result` concurrently; all their values in
/// input order, or the first error.
///
/// asyncio's `gather(*aws)` without `return_exceptions`: the first `Err`
/// ends the gather at once and drops every future not finished yet (which
/// cancels them: dropping a future is how Rust cancels it; gathered
/// [`Task`](crate::Task)s keep running detached, so cancel those yourself or
/// use a [`TaskGroup`](crate::TaskGroup)). For futures of different types,
/// use [`try_gather!`](crate::try_gather!).
///
/// # Cancel safety
///
/// Dropping the future drops every future not finished yet.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// async fn parse(s: &str) -> Result<u32, String> {
///     s.parse().map_err(|_| format!("not a number: {s}"))
/// }
///
/// corio::run(async {
///     let all = corio::try_gather(["1", "2", "3"].map(parse)).await;
///     assert_eq!(all, Ok(vec![1, 2, 3]));
///
///     let slow = async {
///         corio::sleep(Duration::from_secs(60)).await;
///         Ok(0)
///     };
///     let failing = async { Err("refused".to_string()) };
///     let first_error = corio::try_gather(vec![
///         Box::pin(slow) as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>,
///         Box::pin(failing),
///     ]).await;
///     assert_eq!(first_error, Err("refused".to_string())); // at once, not in 60 s
/// });
/// ```
///
/// # Errors
///
/// The first `Err` any of the futures returns, in completion order.
pub fn try_gather<I, T, E>(futures: I) -> TryGather<I::Item>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>>,
{
    let set = ReadySet::new(futures);
    let outputs = (0..set.len()).map(|_| None).collect();
    TryGather {
        set: Some(set),
        outputs,
    }
}

/// Future returned by [`try_gather`].
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct TryGather<F: Future> {
    set: Option<ReadySet<F>>,
    outputs: Vec<Option<F::Output>>,
}

// As for `Gather`: the futures are pinned inside the set's own box.
impl<F: Future> Unpin for TryGather<F> {}

impl<F, T, E> Future for TryGather<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let set = this
            .set
            .as_mut()
            .expect("TryGather polled after it completed");
        while let Some((index, output)) = std::task::ready!(set.poll_next(cx)) {
            if let Err(error) = output {
                // The rest are dropped now, not when the caller drops us.
                this.set = None;
                return Poll::Ready(Err(error));
            }
            this.outputs[index] = Some(output);
        }
        this.set = None;
        let outputs = std::mem::take(&mut this.outputs);
        Poll::Ready(Ok(outputs
            .into_iter()
            .map(|o| match o {
                Some(Ok(value)) => value,
                _ => unreachable!("every gathered future produced Ok"),
            })
            .collect()))
    }
}

impl<F: Future> fmt::Debug for TryGather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("len", &self.outputs.len())
            .field("remaining", &self.set.as_ref().map_or(0, |s| s.remaining()))
            .finish()
    }
}

/// Runs futures of different types concurrently and returns a tuple of
/// their outputs; `asyncio.gather(a, b, c)`.
///
/// `gather!(a, b, c)` is a future of `(A, B, C)`, where `A` is the output of
/// `a` and so on. The expressions are evaluated at once, in order; the
/// futures run when the result is awaited, inside the awaiting task. For
/// many futures of one type, [`gather`](fn@crate::gather) scales better.
///
/// # Cancel safety
///
/// Dropping the future drops every future not finished yet.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     let (n, s, unit) = corio::gather!(
///         async { 1 + 1 },
///         async {
///             corio::sleep(Duration::from_millis(5)).await;
///             String::from("later")
///         },
///         corio::sleep(Duration::from_millis(1)),
///     )
///     .await;
///     assert_eq!((n, s.as_str(), unit), (2, "later", ()));
/// });
/// ```
#[macro_export]
macro_rules! gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__gather_munch!(@gather [] $($future,)+)
    };
}

/// Runs futures of different types that return `Result<_, E>` concurrently;
/// a tuple of their values, or the first error.
///
/// `try_gather!(a, b)` is a future of `Result<(A, B), E>`. The first `Err`
/// ends it at once and drops the futures not finished yet.
///
/// # Cancel safety
///
/// Dropping the future drops every future not finished yet.
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let ok = corio::try_gather!(async { Ok::<_, String>(1) }, async { Ok("two") }).await;
///     assert_eq!(ok, Ok((1, "two")));
///
///     let err = corio::try_gather!(
///         async { Ok::<u8, &str>(1) },
///         async { Err::<bool, _>("broken pipe") },
///         std::future::pending::<Result<(), &str>>(),
///     )
///     .await;
///     assert_eq!(err, Err("broken pipe"));
/// });
/// ```
///
/// # Errors
///
/// The first `Err` any of the futures returns, in completion order.
#[macro_export]
macro_rules! try_gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__gather_munch!(@try_gather [] $($future,)+)
    };
}

/// Implementation of `gather!` and `try_gather!`.
///
/// It moves one future at a time into the accumulator together with two
/// identifiers written in this macro; macro hygiene makes the identifiers of
/// each step distinct, so every future gets its own variables.
#[doc(hidden)]
#[macro_export]
macro_rules! __gather_munch {
    (@$kind:ident [$($acc:tt)*] $head:expr, $($rest:expr,)*) => {
        $crate::__gather_munch!(@$kind [$($acc)* (future output $head)] $($rest,)*)
    };
    (@gather [$(($future:ident $output:ident $expr:expr))*]) => {{
        $( let $future = $expr; )*
        async move {
            $(
                let mut $future = ::core::pin::pin!($future);
                let mut $output = ::core::option::Option::None;
            )*
            ::core::future::poll_fn(|cx| {
                let mut pending = false;
                $(
                    if $output.is_none() {
                        match ::core::future::Future::poll($future.as_mut(), cx) {
                            ::core::task::Poll::Ready(value) => {
                                $output = ::core::option::Option::Some(value);
                            }
                            ::core::task::Poll::Pending => pending = true,
                        }
                    }
                )*
                if pending {
                    ::core::task::Poll::Pending
                } else {
                    ::core::task::Poll::Ready(($(
                        $output.take().expect("gather! output present"),
                    )*))
                }
            })
            .await
        }
    }};
    (@try_gather [$(($future:ident $output:ident $expr:expr))*]) => {{
        $( let $future = $expr; )*
        async move {
            $(
                let mut $future = ::core::pin::pin!($future);
                let mut $output = ::core::option::Option::None;
            )*
            ::core::future::poll_fn(|cx| {
                let mut pending = false;
                $(
                    if $output.is_none() {
                        match ::core::future::Future::poll($future.as_mut(), cx) {
                            ::core::task::Poll::Ready(::core::result::Result::Ok(value)) => {
                                $output = ::core::option::Option::Some(value);
                            }
                            ::core::task::Poll::Ready(::core::result::Result::Err(error)) => {
                                return ::core::task::Poll::Ready(
                                    ::core::result::Result::Err(error),
                                );
                            }
                            ::core::task::Poll::Pending => pending = true,
                        }
                    }
                )*
                if pending {
                    ::core::task::Poll::Pending
                } else {
                    ::core::task::Poll::Ready(::core::result::Result::Ok(($(
                        $output.take().expect("try_gather! output present"),
                    )*)))
                }
            })
            .await
        }
    }};
}
