//! `Handle`: a reference to a runtime, usable from any thread.

use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use crate::callbacks::TimerHandle;
use crate::remote_callbacks::RemoteCallbacks;
use crate::scheduler::{Shared, with_worker};
use crate::task::{Task, TaskError, TaskInfo};

/// A cheap, clonable reference to a runtime, for reaching it from other
/// threads: asyncio's `loop.call_soon_threadsafe` and
/// `asyncio.run_coroutine_threadsafe`.
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let handle = corio::Handle::current();
///     let task = std::thread::spawn(move || handle.spawn(async { "from a thread" }))
///         .join()
///         .unwrap();
///     assert_eq!(task.await.unwrap(), "from a thread");
/// });
/// ```
#[derive(Clone, Debug)]
pub struct Handle {
    shared: Arc<Shared>,
}

impl Handle {
    pub(crate) fn new(shared: Arc<Shared>) -> Handle {
        Handle { shared }
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The handle of the runtime running on this thread.
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime: call it inside `corio::run` (or a task
    /// spawned there) and pass the handle to the threads that need it.
    ///
    /// # Examples
    ///
    /// ```
    /// corio::run(async {
    ///     let handle = corio::Handle::current();
    /// });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        Handle::expect_current("Handle::current")
    }

    /// The handle of the runtime running on this thread, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio::Handle::try_current().is_none());
    /// corio::run(async { assert!(corio::Handle::try_current().is_some()) });
    /// ```
    pub fn try_current() -> Option<Handle> {
        with_worker(|w| w.map(|w| Handle::new(w.shared.clone())))
    }

    #[track_caller]
    pub(crate) fn expect_current(what: &str) -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            None => missing_runtime(what),
        }
    }

    /// Spawns a `Send` task on this runtime, from any thread;
    /// `asyncio.run_coroutine_threadsafe`.
    ///
    /// Every future handed to `spawn` is either run or dropped, exactly
    /// once, and its [`Task`] always resolves, whatever the timing against
    /// the end of the runtime:
    ///
    /// - While the runtime ends (its [`Runner`](crate::Runner) is dropped,
    ///   or [`corio::run`](crate::run)'s main future returned), the tasks
    ///   left are cancelled; a task spawned then is accepted and cancelled
    ///   with them.
    /// - Once the runtime stops accepting tasks, and after it is gone, the
    ///   task is cancelled at birth: its future is dropped on the calling
    ///   thread before `spawn` returns, without being polled, and awaiting
    ///   the handle gives [`TaskError::Cancelled`](crate::TaskError::Cancelled).
    /// - A spawn accepted in the instant before that, whose task reaches
    ///   the queue only after the runtime's last drain, drops the future on
    ///   the calling thread too.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::new()?;
    /// let handle = runner.handle();
    /// let task = std::thread::spawn(move || handle.spawn(async { 7 })).join().unwrap();
    /// assert_eq!(runner.run(task).unwrap(), 7);
    /// # std::io::Result::Ok(())
    /// ```
    ///
    /// After the runtime is gone:
    ///
    /// ```
    /// let runner = corio::Runner::new()?;
    /// let handle = runner.handle();
    /// drop(runner);
    /// let task = handle.spawn(async { 7 });
    /// assert!(task.is_done());
    /// let outcome = corio::run(task);
    /// assert!(outcome.unwrap_err().is_cancelled());
    /// # std::io::Result::Ok(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.shared.spawn(future, None, None, Location::caller())
    }

    /// Schedules `f` to run on the event loop soon, from any thread;
    /// `loop.call_soon_threadsafe`.
    ///
    /// Callbacks from one thread run in the order they were scheduled, on
    /// any number of workers: they wait in one queue, and run one at a time
    /// (a callback is a small queue entry, not a task of its own). A
    /// callback that panics is reported by the panic hook; the next ones
    /// still run.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    ///
    /// corio::run(async {
    ///     let handle = corio::Handle::current();
    ///     let (tx, rx) = mpsc::channel();
    ///     std::thread::spawn(move || {
    ///         handle.call_soon(move || tx.send(corio::Handle::try_current().is_some()).unwrap());
    ///     });
    ///     let on_loop = corio::to_thread(move || rx.recv().unwrap()).await.unwrap();
    ///     assert!(on_loop);
    /// });
    /// ```
    #[track_caller]
    pub fn call_soon<F>(&self, f: F) -> TimerHandle
    where
        F: FnOnce() + Send + 'static,
    {
        TimerHandle::remote(RemoteCallbacks::push(&self.shared, f))
    }

    /// Runs a blocking function on this runtime's blocking pool; see
    /// [`corio::to_thread`](crate::to_thread).
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::new()?;
    /// let task = runner.handle().spawn_blocking(|| 2 + 2);
    /// assert_eq!(runner.run(task).unwrap(), 4);
    /// # std::io::Result::Ok(())
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, T>(&self, f: F) -> Task<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.spawn_blocking_at(f, Location::caller())
    }

    pub(crate) fn spawn_blocking_at<F, T>(
        &self,
        f: F,
        location: &'static Location<'static>,
    ) -> Task<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        crate::blocking::spawn_blocking(&self.shared, f, location)
    }

    /// Number of worker threads of this runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::builder().workers(3).build()?;
    /// assert_eq!(runner.handle().workers(), 3);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn workers(&self) -> usize {
        self.shared.workers()
    }

    /// Number of live tasks (spawned and not yet finished).
    ///
    /// # Examples
    ///
    /// ```
    /// corio::run(async {
    ///     let t = corio::spawn(std::future::pending::<()>());
    ///     assert!(corio::Handle::current().live_tasks() >= 1);
    /// });
    /// ```
    pub fn live_tasks(&self) -> usize {
        self.shared.registry.live()
    }

    /// Runs `future` on this runtime and blocks the calling thread until it
    /// is done: asyncio's `run_coroutine_threadsafe(coro, loop).result()`,
    /// for threads that are not part of the runtime (a plain thread, or a
    /// blocking function run by [`to_thread`](crate::to_thread)).
    ///
    /// The result is the task's: `Err(TaskError::Cancelled)` if the runtime
    /// shut down before the future finished, `Err(TaskError::Panicked)` if
    /// it panicked. To bound the wait, give the future a deadline
    /// (`corio::timeout`).
    ///
    /// # Panics
    ///
    /// Panics on a worker thread of a corio runtime, where blocking would
    /// stall (or deadlock) the workers: there, `.await` the task of
    /// [`spawn`](Handle::spawn) instead.
    ///
    /// # Examples
    ///
    /// ```
    /// corio::run(async {
    ///     let handle = corio::Handle::current();
    ///     let doubled = corio::to_thread(move || {
    ///         // A blocking function asks the loop for something and waits.
    ///         handle.block_on(async { 21 * 2 }).unwrap()
    ///     });
    ///     assert_eq!(doubled.await.unwrap(), 42);
    /// });
    /// ```
    #[track_caller]
    pub fn block_on<F>(&self, future: F) -> Result<F::Output, TaskError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        if with_worker(|worker| worker.is_some()) {
            panic!(
                "corio: Handle::block_on was called on a worker thread of a corio runtime, \
                 where blocking stalls its tasks; await the task of Handle::spawn instead"
            );
        }
        let task = self.spawn(future);
        futures_lite::future::block_on(task)
    }

    /// Every live task of this runtime, ordered by id, from any thread; see
    /// [`task::all`](crate::task::all).
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::new()?;
    /// let handle = runner.handle();
    /// runner.run(async move {
    ///     let t = corio::task::Builder::new().name("idle").spawn(std::future::pending::<()>());
    ///     let names = std::thread::spawn(move || {
    ///         handle.all_tasks().iter().map(|t| t.name().map(String::from)).collect::<Vec<_>>()
    ///     })
    ///     .join()
    ///     .unwrap();
    ///     assert_eq!(names, [Some("idle".to_string())]);
    ///     t.cancel();
    /// });
    /// # std::io::Result::Ok(())
    /// ```
    pub fn all_tasks(&self) -> Vec<TaskInfo> {
        let shared = &self.shared;
        shared.registry.snapshot(&|meta| shared.is_running(meta))
    }

    /// Number of threads in the blocking pool right now.
    ///
    /// # Examples
    ///
    /// ```
    /// corio::run(async {
    ///     corio::to_thread(|| ()).await.unwrap();
    ///     assert!(corio::Handle::current().blocking_threads() >= 1);
    /// });
    /// ```
    pub fn blocking_threads(&self) -> usize {
        self.shared.blocking.threads()
    }
}

/// The panic of every entry point called outside a runtime.
#[track_caller]
pub(crate) fn missing_runtime(what: &str) -> ! {
    panic!(
        "{what} called outside a corio runtime: call it inside `corio::run` (or a \
         task spawned there); from other threads, use a `corio::Handle` obtained \
         inside the runtime"
    )
}
