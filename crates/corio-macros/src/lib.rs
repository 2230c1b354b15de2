//! `#[corio::main]` and `#[corio::test]`: write `async fn main` and async tests.
//!
//! - [`macro@main`] turns `async fn main` into a plain `fn main` that starts a
//!   [`corio::Runner`] and runs the body on it: the `asyncio.run(main())` line
//!   at the bottom of every asyncio program, written as an attribute.
//! - [`macro@test`] does the same for a `#[test]` function, so a test can
//!   `.await` directly.
//!
//! Both take an optional worker count, `workers = N`, which is passed to
//! `Runner::builder().workers(N)`; without it the runner uses one worker per
//! core. `workers = 1` runs the whole program on the calling thread, as
//! asyncio does.
//!
//! Use these macros through the facade (`#[corio::main]`), never through this
//! crate: the expansion names `::corio`.
//!
//! ```
//! #[corio::main]
//! async fn main() {
//!     let task = corio::spawn(async { 6 * 7 });
//!     assert_eq!(task.await.unwrap(), 42);
//! }
//! ```
//!
//! # When not to use them
//!
//! When the program needs to configure the runner beyond the worker count
//! (debug mode, a runner built once and reused for several calls), build a
//! [`corio::Runner`] yourself: the attribute is only a shorthand for
//! `Runner::builder().workers(n).build()?.run(main())`.
//!
//! [`corio::Runner`]: https://docs.rs/corio/latest/corio/struct.Runner.html

#![forbid(unsafe_code)]

mod entry;
mod options;

use proc_macro::TokenStream;

use crate::entry::{Entry, expand};

/// Runs an `async fn main` on a corio runner.
///
/// Equivalent to `asyncio.run(main())`.
///
/// The function becomes a plain, synchronous `fn` with the same name,
/// attributes, visibility and return type. It builds a runner, runs the body
/// to completion and returns its value, so `main` may return `()` or any
/// `Result` that `main` accepts, and `?` works inside it. When the body
/// returns, the tasks still pending are cancelled, as in `asyncio.run`.
///
/// # Options
///
/// - `workers = N` (an integer literal ≥ 1): the number of worker threads,
///   the calling thread included. Default: one per core. `workers = 1` makes
///   the program single-threaded, as asyncio is.
/// - `crate = "path"`: where the facade lives, for a crate that re-exports
///   corio under another name. Default: `::corio`.
///
/// # Examples
///
/// ```
/// #[corio::main]
/// async fn main() {
///     corio::sleep(std::time::Duration::from_millis(1)).await;
///     println!("hello, world");
/// }
/// ```
///
/// With one worker and an error type, so `?` reports failures:
///
/// ```
/// use std::error::Error;
///
/// #[corio::main(workers = 1)]
/// async fn main() -> Result<(), Box<dyn Error>> {
///     let task = corio::spawn(async { "42".parse::<u32>() });
///     let answer = task.await??;
///     assert_eq!(answer, 42);
///     Ok(())
/// }
/// ```
///
/// # Errors
///
/// These are compile errors that point at the offending code: the function
/// is not `async`, takes arguments or is generic; an option is unknown or
/// repeated; `workers` is `0` or not an integer literal.
///
/// # Panics
///
/// The generated `main` panics with "could not start the corio runtime"
/// and the OS error when the operating system refuses a thread, an epoll
/// instance or an eventfd to the runner.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Entry::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` test on its own corio runner.
///
/// The function gets `#[test]` and becomes a plain, synchronous test with the
/// same name, attributes and return type, so it may return `()` or a
/// `Result` (an `Err` fails the test). Each test builds its own runner and
/// shuts it down when the body returns, cancelling the tasks still pending:
/// tests never share a runtime.
///
/// # Options
///
/// - `workers = N` (an integer literal ≥ 1): the number of worker threads,
///   the test's thread included. Default: one per core. `workers = 1` runs
///   the test single-threaded, which makes the order of events deterministic.
/// - `crate = "path"`: where the facade lives. Default: `::corio`.
///
/// # Examples
///
/// ```
/// #[corio::test]
/// async fn spawned_tasks_report_their_result() {
///     let task = corio::spawn(async { 1 + 1 });
///     assert_eq!(task.await.unwrap(), 2);
/// }
///
/// #[corio::test(workers = 1)]
/// async fn tests_may_return_results() -> Result<(), Box<dyn std::error::Error>> {
///     let task = corio::spawn(async { "done" });
///     assert_eq!(task.await?, "done");
///     Ok(())
/// }
/// # fn main() {}
/// ```
///
/// # Errors
///
/// Compile errors point at the offending code: the function is not `async`,
/// takes arguments, is generic or already carries `#[test]`; an option is
/// unknown or repeated; `workers` is `0` or not an integer literal.
///
/// # Panics
///
/// The test panics, and so fails, with "could not start the corio runtime"
/// and the OS error when the operating system refuses the runner a thread,
/// an epoll instance or an eventfd.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Entry::Test, args.into(), item.into()).into()
}
