//! tokio, multi-threaded with 2 workers or current-thread.

use std::future::Future;
use std::time::Duration;

use crate::{Joined, Runtime};

/// A tokio runtime: `tokio-mt` (2 workers) or `tokio-ct` (current thread).
#[derive(Debug)]
pub struct Tokio {
    name: &'static str,
    runtime: tokio::runtime::Runtime,
}

impl Tokio {
    /// Starts the `tokio-mt` runtime: `multi_thread` with 2 workers.
    ///
    /// # Panics
    ///
    /// When the runtime cannot start (no threads, no epoll).
    pub fn multi_thread() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("cannot start the tokio multi_thread runtime");
        Self {
            name: "tokio-mt",
            runtime,
        }
    }

    /// Starts the `tokio-ct` runtime: `current_thread`, driven by the bench thread.
    ///
    /// # Panics
    ///
    /// When the runtime cannot start (no epoll).
    pub fn current_thread() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("cannot start the tokio current_thread runtime");
        Self {
            name: "tokio-ct",
            runtime,
        }
    }
}

impl Runtime for Tokio {
    type Task<T: Send + 'static> = Joined<tokio::task::JoinHandle<T>>;

    fn name(&self) -> &'static str {
        self.name
    }

    fn block_on<F>(&self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime.block_on(future)
    }

    fn spawn_remote<F>(&self, future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Joined(self.runtime.spawn(future))
    }

    fn spawn<F>(future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Joined(tokio::spawn(future))
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // A dropped JoinHandle detaches the task.
        drop(tokio::spawn(future));
    }

    fn cancel<T: Send + 'static>(task: Self::Task<T>) {
        // Dropping a JoinHandle would only detach.
        task.0.abort();
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    async fn timeout<F>(duration: Duration, future: F) -> Option<F::Output>
    where
        F: Future + Send,
    {
        tokio::time::timeout(duration, future).await.ok()
    }

    fn unblock<T, W>(work: W) -> impl Future<Output = T> + Send
    where
        W: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Joined(tokio::task::spawn_blocking(work))
    }
}
