//! corio, with 2 workers or 1.

use std::future::Future;
use std::time::Duration;

use crate::{Joined, Runtime};

/// A `corio::Runner`: `corio` (2 workers) or `corio-1w` (1 worker).
///
/// `Runner::run` makes the bench thread the first worker, so with 1 worker
/// everything runs on the bench thread, as with `tokio-ct` and `smol-local`.
#[derive(Debug)]
pub struct Corio {
    name: &'static str,
    runner: corio::Runner,
    handle: corio::Handle,
}

impl Corio {
    /// Starts a runner with `workers` workers, reported as `name`.
    ///
    /// # Panics
    ///
    /// When the runner cannot start.
    pub fn start(name: &'static str, workers: usize) -> Self {
        Self::start_with(name, workers, false)
    }

    /// Starts a runner whose tasks start eagerly (their first poll runs
    /// inside `spawn`): `corio-eager`, `corio-eager-1w`.
    ///
    /// # Panics
    ///
    /// When the runner cannot start.
    pub fn start_eager(name: &'static str, workers: usize) -> Self {
        Self::start_with(name, workers, true)
    }

    fn start_with(name: &'static str, workers: usize, eager: bool) -> Self {
        let runner = corio::Runner::builder()
            .workers(workers)
            .eager_tasks(eager)
            .build()
            .expect("cannot start the corio runner");
        let handle = runner.handle();
        Self {
            name,
            runner,
            handle,
        }
    }
}

impl Runtime for Corio {
    type Task<T: Send + 'static> = Joined<corio::Task<T>>;

    fn name(&self) -> &'static str {
        self.name
    }

    fn block_on<F>(&self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runner.run(future)
    }

    fn spawn_remote<F>(&self, future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Joined(self.handle.spawn(future))
    }

    fn spawn<F>(future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Joined(corio::spawn(future))
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // A dropped corio Task detaches; the runtime owns the task.
        drop(corio::spawn(future));
    }

    fn cancel<T: Send + 'static>(task: Self::Task<T>) {
        // Dropping a corio Task would only detach.
        task.0.cancel();
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        corio::yield_now()
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        corio::sleep(duration)
    }

    async fn timeout<F>(duration: Duration, future: F) -> Option<F::Output>
    where
        F: Future + Send,
    {
        corio::time::timeout(duration, future).await.ok()
    }

    async fn unblock<T, W>(work: W) -> T
    where
        W: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        corio::to_thread(work)
            .await
            .expect("a to_thread call failed")
    }
}
