//! A small harness that runs one test body on several runtimes, to prove the
//! primitives need none in particular.

#![allow(dead_code)] // reason: each test file uses a different part of the harness

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// A runtime the core cases run on.
#[derive(Clone)]
pub(crate) enum Rt {
    /// tokio's single-threaded scheduler.
    TokioCurrentThread(tokio::runtime::Handle),
    /// tokio's work-stealing scheduler with 4 workers.
    TokioMultiThread(tokio::runtime::Handle),
    /// smol's executor, driven by the test thread and one more thread.
    Smol(Arc<smol::Executor<'static>>),
    /// corio's runtime, as `corio::run` starts it.
    Corio,
}

impl fmt::Debug for Rt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The awaitable result of [`Rt::spawn`].
pub(crate) struct JoinHandle<T>(Pin<Box<dyn Future<Output = T> + Send>>);

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.0.as_mut().poll(cx)
    }
}

impl Rt {
    /// The runtime's name, for failure messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Rt::TokioCurrentThread(_) => "tokio current_thread",
            Rt::TokioMultiThread(_) => "tokio multi_thread",
            Rt::Smol(_) => "smol",
            Rt::Corio => "corio",
        }
    }

    /// Spawns a task; awaiting the handle gives its output (a panic in the
    /// task fails the test).
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Rt::TokioCurrentThread(handle) | Rt::TokioMultiThread(handle) => {
                let task = handle.spawn(future);
                JoinHandle(Box::pin(async move { task.await.expect("task failed") }))
            }
            Rt::Smol(executor) => JoinHandle(Box::pin(executor.spawn(future))),
            Rt::Corio => {
                let task = corio::spawn(future);
                JoinHandle(Box::pin(async move { task.await.expect("task failed") }))
            }
        }
    }
}

/// Runs `test` to completion on every runtime, each time with a fresh one,
/// and fails if one run takes longer than a minute (a lost wake-up).
pub(crate) fn run_all<F, Fut>(test: F)
where
    F: Fn(Rt) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    for make in [
        tokio_current_thread,
        tokio_multi_thread,
        smol_runtime,
        corio_runtime,
    ] {
        make(&test);
    }
}

/// Runs `test` on tokio's multi-threaded runtime only (4 workers).
pub(crate) fn run_multi_thread<F, Fut>(test: F)
where
    F: Fn(Rt) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio_multi_thread(&test);
}

fn tokio_current_thread<F, Fut>(test: &F)
where
    F: Fn(Rt) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rt = Rt::TokioCurrentThread(runtime.handle().clone());
    runtime.block_on(bounded(rt.name(), test(rt.clone())));
}

fn tokio_multi_thread<F, Fut>(test: &F)
where
    F: Fn(Rt) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let rt = Rt::TokioMultiThread(runtime.handle().clone());
    // The body runs as a task so that it, too, can move between workers.
    let body = runtime.spawn(test(rt.clone()));
    runtime.block_on(bounded(rt.name(), async {
        body.await.expect("test body failed")
    }));
}

fn smol_runtime<F, Fut>(test: &F)
where
    F: Fn(Rt) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let executor = Arc::new(smol::Executor::new());
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let helper = {
        let executor = executor.clone();
        std::thread::spawn(move || smol::block_on(executor.run(stopped.recv())))
    };
    let rt = Rt::Smol(executor.clone());
    let body = executor.spawn(test(rt.clone()));
    smol::block_on(executor.run(bounded(rt.name(), body)));
    drop(stop);
    helper.join().unwrap().ok();
}

fn corio_runtime<F, Fut>(test: &F)
where
    F: Fn(Rt) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    corio::run(bounded("corio", async {
        // As on the other runtimes, the body runs as a spawned task.
        corio::spawn(test(Rt::Corio))
            .await
            .expect("test body failed")
    }));
}

/// Runs `future`, failing the whole test process if it does not finish
/// within a minute: a hang here is a lost wake-up, and must fail CI rather
/// than block it. (A deadline checked inside the future would never run,
/// since a lost wake-up means it is never polled again.)
async fn bounded<F: Future>(runtime: &'static str, future: F) -> F::Output {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(60))
            == Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        {
            #[allow(clippy::print_stderr)] // reason: the process is about to exit; say why
            {
                eprintln!("a test did not finish within a minute on {runtime}: lost wake-up?");
            }
            std::process::exit(101);
        }
    });
    let output = future.await;
    drop(done);
    watchdog.join().unwrap();
    output
}

/// Polls `future` once with the current task's waker; `None` if pending.
pub(crate) async fn poll_once<F: Future + Unpin>(future: &mut F) -> Option<F::Output> {
    futures_lite::future::poll_once(future).await
}

/// Polls `future` once with a waker that does nothing (for deterministic
/// tests that drive futures by hand).
pub(crate) fn poll_now<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(std::task::Waker::noop()))
}
