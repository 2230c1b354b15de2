//! `spawn`, `spawn_local` and `to_thread`: the ways to start work.

use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use crate::Handle;
use crate::scheduler::with_worker;
use crate::task::Task;

/// Spawns a `Send` task on the current runtime; `asyncio.create_task`.
///
/// The task starts running soon, on any worker, after the tasks already
/// queued (tasks start in the order they were spawned). The returned
/// [`Task`] gives its result when awaited; dropping it detaches the task,
/// which keeps running until it ends or the runtime shuts down.
///
/// # Panics
///
/// Panics outside a corio runtime: call it inside `corio::run`, or from
/// another thread use [`Handle::spawn`].
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let a = corio::spawn(async { 1 });
///     let b = corio::spawn(async { 2 });
///     assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    crate::scheduler::spawn_here("corio::spawn", future, None, None, Location::caller())
}

/// Spawns a task that stays on the current thread, so it need not be `Send`
/// (it may hold an `Rc` or a `RefCell` across awaits).
///
/// With `Runner::builder().workers(1)` every task runs on one thread anyway;
/// with more workers, `spawn_local` is how to keep `!Send` state.
///
/// # Panics
///
/// Panics when the calling thread is not a worker of a corio runtime (for
/// instance a `to_thread` closure): call it inside `corio::run` or a task.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// corio::run(async {
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let log2 = log.clone();
///     corio::spawn_local(async move { log2.borrow_mut().push("ran") }).await.unwrap();
///     assert_eq!(*log.borrow(), ["ran"]);
/// });
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_local_inner(future, None, None, Location::caller())
}

#[track_caller]
pub(crate) fn spawn_local_inner<F>(
    future: F,
    name: Option<Arc<str>>,
    eager: Option<bool>,
    location: &'static Location<'static>,
) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    with_worker(|worker| match worker {
        Some(worker) => worker
            .shared
            .clone()
            .spawn_local(worker, future, name, eager, location),
        None => panic!(
            "corio::spawn_local called outside a corio worker thread: call it inside \
             `corio::run` (or a task spawned there); from other threads use \
             `Handle::spawn` with a `Send` future"
        ),
    })
}

/// Runs a blocking function on the blocking pool and awaits its result;
/// `asyncio.to_thread`.
///
/// The pool starts threads on demand (up to 512) and retires them after 10
/// seconds without work, so the event loop never blocks on file I/O, a
/// blocking library call or heavy computation. A panic in `f` comes back as
/// [`TaskError::Panicked`](crate::task::TaskError::Panicked) instead of
/// crashing anything. Cancelling the returned task before a thread picked the
/// call up means it never runs; once running, it runs to the end (threads
/// cannot be interrupted), as with asyncio.
///
/// # Panics
///
/// Panics outside a corio runtime: call it inside `corio::run`.
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let sum = corio::to_thread(|| (1..=100u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 5050);
///
///     let err = corio::to_thread(|| panic!("bad input")).await.unwrap_err();
///     assert!(err.is_panic());
/// });
/// ```
#[track_caller]
pub fn to_thread<F, T>(f: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let location = Location::caller();
    Handle::expect_current("corio::to_thread").spawn_blocking_at(f, location)
}
