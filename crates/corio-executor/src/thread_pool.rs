//! `ThreadPool`: a blocking pool of its own, for asyncio's
//! `loop.run_in_executor(executor, f)` with a `ThreadPoolExecutor`.

use std::panic::Location;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::blocking::{BlockingPool, PoolConfig, spawn_on_pool};
use crate::task::Task;

/// A pool of threads for blocking calls, apart from the runtime's own
/// ([`to_thread`](crate::to_thread)): asyncio's
/// `loop.run_in_executor(ThreadPoolExecutor(max_workers=n), f)`.
///
/// Use one to bound a kind of work on its own (say, at most four
/// concurrent database calls) without taking threads from `to_thread`.
/// Threads start on demand up to the cap and leave after the keep-alive
/// without work. Calls run in the order they were made; a call cancelled
/// (its [`Task`] cancelled) before a thread took it resolves at once and
/// never runs.
///
/// Dropping the pool stops it taking calls: those still queued complete as
/// cancelled, the running ones finish on their threads.
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let pool = corio::ThreadPool::new(2);
///     let calls: Vec<_> = (0..4).map(|i| pool.spawn_blocking(move || i * 10)).collect();
///     let mut results = Vec::new();
///     for call in calls {
///         results.push(call.await.unwrap());
///     }
///     assert_eq!(results, [0, 10, 20, 30]);
/// });
/// ```
#[derive(Debug)]
pub struct ThreadPool {
    config: PoolConfig,
    /// Made on the first call, in the process (fork generation) of that
    /// call's runtime.
    pool: OnceLock<Arc<BlockingPool>>,
}

impl ThreadPool {
    /// A pool of at most `max_threads` threads (0 counts as 1), idle ones
    /// leaving after 10 s.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = corio::ThreadPool::new(4);
    /// assert_eq!(pool.max_threads(), 4);
    /// ```
    pub fn new(max_threads: usize) -> ThreadPool {
        ThreadPool {
            config: PoolConfig {
                max_threads: max_threads.max(1),
                ..PoolConfig::default()
            },
            pool: OnceLock::new(),
        }
    }

    /// Sets how long an idle thread waits for work before it leaves.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = corio::ThreadPool::new(1).keep_alive(std::time::Duration::from_secs(1));
    /// ```
    pub fn keep_alive(mut self, keep_alive: Duration) -> ThreadPool {
        self.config.keep_alive = keep_alive;
        self
    }

    /// The most threads the pool starts.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::ThreadPool::new(0).max_threads(), 1);
    /// ```
    pub fn max_threads(&self) -> usize {
        self.config.max_threads
    }

    /// Threads alive in the pool now (idle or busy).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::ThreadPool::new(1).threads(), 0);
    /// ```
    pub fn threads(&self) -> usize {
        self.pool.get().map_or(0, |pool| pool.threads())
    }

    /// Runs `f` on one of the pool's threads; its task gives the result
    /// (`TaskError::Panicked` if it panicked). asyncio's
    /// `loop.run_in_executor(executor, f)`.
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime, whose loop delivers the result: call
    /// it inside `corio::run`.
    ///
    /// # Examples
    ///
    /// ```
    /// corio::run(async {
    ///     let pool = corio::ThreadPool::new(1);
    ///     let name = pool.spawn_blocking(|| std::thread::current().name().map(String::from));
    ///     assert_eq!(name.await.unwrap().as_deref(), Some("corio-blocking"));
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, T>(&self, f: F) -> Task<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let location = Location::caller();
        let handle = crate::Handle::expect_current("ThreadPool::spawn_blocking");
        let shared = handle.shared();
        let pool = self.pool.get_or_init(|| {
            Arc::new(BlockingPool::new(
                shared.reactor.fork_generation(),
                self.config,
            ))
        });
        spawn_on_pool(shared, pool, f, location)
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.get() {
            // Queued calls complete as cancelled; running ones are not
            // waited for.
            pool.shutdown(Some(std::time::Instant::now()));
        }
    }
}
