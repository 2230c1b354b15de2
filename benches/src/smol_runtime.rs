//! smol: a shared `Executor` on 2 threads, or a `LocalExecutor` on the bench thread.

use std::future::Future;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use smol::future::FutureExt as _;
use smol::{Executor, LocalExecutor, Task, Timer};

use crate::Runtime;

/// The executor behind `smol`. smol has no ambient executor, so tasks reach
/// it through this static, as applications that share one executor do.
static EXECUTOR: Executor<'static> = Executor::new();

thread_local! {
    /// The executor behind `smol-local`, owned by the bench thread.
    static LOCAL: LocalExecutor<'static> = const { LocalExecutor::new() };
}

/// Threads driving [`EXECUTOR`] in the multi-threaded setup.
const THREADS: usize = 2;

/// `smol`: an `async_executor::Executor` driven by 2 threads, the usual
/// multi-threaded smol setup (`block_on(ex.run(shutdown))` on each thread).
///
/// The bench thread runs the root future with `smol::block_on` and is not one
/// of the executor's threads. Dropping this stops the threads.
#[derive(Debug)]
pub struct SmolMulti {
    stop: Option<smol::channel::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl SmolMulti {
    /// Starts the 2 executor threads.
    ///
    /// # Panics
    ///
    /// When a thread cannot be spawned.
    pub fn start() -> Self {
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let threads = (0..THREADS)
            .map(|n| {
                let stopped = stopped.clone();
                thread::Builder::new()
                    .name(format!("smol-{n}"))
                    .spawn(move || {
                        smol::block_on(EXECUTOR.run(async move {
                            // Returns once the sender is dropped.
                            let _ = stopped.recv().await;
                        }));
                    })
                    .expect("cannot spawn a smol executor thread")
            })
            .collect();
        Self {
            stop: Some(stop),
            threads,
        }
    }
}

impl Drop for SmolMulti {
    fn drop(&mut self) {
        drop(self.stop.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Runtime for SmolMulti {
    type Task<T: Send + 'static> = Task<T>;

    fn name(&self) -> &'static str {
        "smol"
    }

    fn block_on<F>(&self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        smol::block_on(future)
    }

    fn spawn_remote<F>(&self, future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        EXECUTOR.spawn(future)
    }

    fn spawn<F>(future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        EXECUTOR.spawn(future)
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // A dropped smol Task cancels; detach() lets it run.
        EXECUTOR.spawn(future).detach();
    }

    fn cancel<T: Send + 'static>(task: Self::Task<T>) {
        // Dropping a smol Task cancels it.
        drop(task);
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        smol::future::yield_now()
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        sleep(duration)
    }

    fn timeout<F>(duration: Duration, future: F) -> impl Future<Output = Option<F::Output>> + Send
    where
        F: Future + Send,
    {
        timeout(duration, future)
    }

    fn unblock<T, W>(work: W) -> impl Future<Output = T> + Send
    where
        W: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        smol::unblock(work)
    }
}

/// `smol-local`: a `LocalExecutor` run by the bench thread with
/// `block_on(ex.run(future))`; single-threaded like `tokio-ct`.
#[derive(Debug)]
pub struct SmolLocal {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl SmolLocal {
    /// Prepares the bench thread's `LocalExecutor` (it starts no thread).
    pub fn start() -> Self {
        Self {
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Runtime for SmolLocal {
    type Task<T: Send + 'static> = Task<T>;

    fn name(&self) -> &'static str {
        "smol-local"
    }

    fn block_on<F>(&self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        LOCAL.with(|executor| smol::block_on(executor.run(future)))
    }

    /// A `LocalExecutor` cannot be reached from another thread; this queues
    /// the task from outside `run`, and the next `block_on` runs it.
    fn spawn_remote<F>(&self, future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        LOCAL.with(|executor| executor.spawn(future))
    }

    fn spawn<F>(future: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        LOCAL.with(|executor| executor.spawn(future))
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        LOCAL.with(|executor| executor.spawn(future).detach());
    }

    fn cancel<T: Send + 'static>(task: Self::Task<T>) {
        // Dropping a smol Task cancels it.
        drop(task);
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        smol::future::yield_now()
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        sleep(duration)
    }

    fn timeout<F>(duration: Duration, future: F) -> impl Future<Output = Option<F::Output>> + Send
    where
        F: Future + Send,
    {
        timeout(duration, future)
    }

    fn unblock<T, W>(work: W) -> impl Future<Output = T> + Send
    where
        W: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        smol::unblock(work)
    }
}

/// smol's sleep: an `async_io::Timer`.
async fn sleep(duration: Duration) {
    Timer::after(duration).await;
}

/// smol's timeout idiom: race the future against a `Timer`. The future is
/// polled first, so one that is ready never registers the timer.
async fn timeout<F: Future>(duration: Duration, future: F) -> Option<F::Output> {
    async { Some(future.await) }
        .or(async {
            Timer::after(duration).await;
            None
        })
        .await
}
