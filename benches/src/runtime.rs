//! The operations every scenario needs, implemented once per runtime.

use std::future::Future;
use std::time::Duration;

/// The function ids of the runtimes, in the order the suite runs them.
pub const RUNTIMES: [&str; 6] = [
    "corio",
    "corio-1w",
    "tokio-mt",
    "tokio-ct",
    "smol",
    "smol-local",
];

/// One runtime, started and ready to run scenarios.
///
/// Methods taking `&self` are called from the bench thread, outside the
/// runtime. The associated functions (`spawn`, `yield_now`, …) are called from
/// inside it, the way an application calls `tokio::spawn` or `corio::spawn`;
/// for smol, whose API has no ambient executor, they reach the executor the
/// runtime was started with.
pub trait Runtime: Sized + 'static {
    /// What [`spawn`](Runtime::spawn) returns: awaiting it yields the task's output.
    type Task<T: Send + 'static>: Future<Output = T> + Send + 'static;

    /// The criterion function id of this runtime (one of [`RUNTIMES`]).
    fn name(&self) -> &'static str;

    /// Runs `future` to completion on this runtime from the bench thread.
    fn block_on<F>(&self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns a task from the bench thread while the runtime is not being
    /// driven by it: the remote path (`Handle::spawn`, an injector).
    fn spawn_remote<F>(&self, future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns a task from inside the runtime.
    fn spawn<F>(future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns a task from inside the runtime and lets it run on its own.
    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static;

    /// Cancels a task spawned with [`spawn`](Runtime::spawn) or
    /// [`spawn_remote`](Runtime::spawn_remote), so that it never runs again.
    fn cancel<T: Send + 'static>(task: Self::Task<T>);

    /// Yields to the scheduler once.
    fn yield_now() -> impl Future<Output = ()> + Send;

    /// Sleeps for `duration`.
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;

    /// Awaits `future` for at most `duration`: `None` when time ran out.
    fn timeout<F>(duration: Duration, future: F) -> impl Future<Output = Option<F::Output>> + Send
    where
        F: Future + Send;

    /// Runs `work` on the runtime's blocking pool and awaits its result.
    fn unblock<T, W>(work: W) -> impl Future<Output = T> + Send
    where
        W: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// Runs `future` as a task spawned from inside the runtime, and waits for
    /// it from the bench thread.
    ///
    /// Scenarios run their body this way so that, on every runtime, the body
    /// runs on a worker thread, where an application's code runs.
    fn run_in_task<F>(&self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.block_on(async move { Self::spawn(future).await })
    }
}

/// Something done once per runtime, generically: see [`visit_runtimes`].
pub trait RuntimeVisitor {
    /// Called with the runtime's function id and a way to start it.
    ///
    /// `start` is only called when the visitor needs the runtime, so a
    /// filtered-out benchmark starts no threads.
    fn visit<R: Runtime>(&mut self, name: &'static str, start: fn() -> R);
}

/// Calls `visitor` once per runtime of the suite, in [`RUNTIMES`] order.
pub fn visit_runtimes(visitor: &mut impl RuntimeVisitor) {
    visitor.visit("corio", || crate::Corio::start("corio", 2));
    visitor.visit("corio-1w", || crate::Corio::start("corio-1w", 1));
    visitor.visit("tokio-mt", crate::Tokio::multi_thread);
    visitor.visit("tokio-ct", crate::Tokio::current_thread);
    visitor.visit("smol", crate::SmolMulti::start);
    visitor.visit("smol-local", crate::SmolLocal::start);
}
