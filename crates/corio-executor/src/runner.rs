//! `Runner` and `run`: starting and stopping an event loop.

use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use corio_reactor::{Reactor, Timer};

use crate::Handle;
use crate::blocking::PoolConfig;
use crate::scheduler::{Shared, Worker, with_worker};

/// Runs a future to completion on a new event loop, then shuts the loop
/// down; `asyncio.run`.
///
/// The calling thread becomes the first worker and runs `main`; `Send`
/// tasks spread over one worker per core. When `main` finishes, every task
/// still running is cancelled (its future dropped, so its `Drop` cleanup
/// runs) and the blocking pool is joined before `run` returns. A panic in
/// `main` propagates out of `run` after the same shutdown.
///
/// For more control (worker count, reusing a loop for several calls), use
/// [`Runner`].
///
/// # Panics
///
/// Panics if called from inside a running corio runtime (await the future
/// instead, or spawn it), or if the OS refuses the event loop's resources
/// (epoll, eventfd, threads).
///
/// # Examples
///
/// ```
/// let answer = corio::run(async {
///     corio::sleep(std::time::Duration::from_millis(1)).await;
///     42
/// });
/// assert_eq!(answer, 42);
/// ```
#[track_caller]
pub fn run<F: Future>(main: F) -> F::Output {
    assert_not_nested("corio::run");
    let runner = match Runner::new() {
        Ok(runner) => runner,
        Err(e) => panic!("corio::run could not start an event loop: {e}"),
    };
    runner.run(main)
}

#[track_caller]
fn assert_not_nested(what: &str) {
    // A worker inherited through `fork()` runs nothing any more: a child
    // forked inside a task may start a runtime of its own.
    if with_worker(|w| w.is_some_and(|w| w.generation.is_current())) {
        panic!(
            "{what} called from inside a running corio runtime: it would block the event \
             loop; `.await` the future instead (or `corio::spawn` it)"
        );
    }
}

/// The most workers a runtime may have (task metadata keeps the owner of a
/// local task in 16 bits).
const MAX_WORKERS: usize = 65_533;

/// Configures a [`Runner`]; `Runner::builder()`.
///
/// # Examples
///
/// ```
/// let runner = corio::Runner::builder().workers(1).build()?;
/// assert_eq!(runner.run(async { 1 + 1 }), 2);
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a Builder does nothing until you call build"]
pub struct Builder {
    workers: Option<usize>,
    eager_tasks: bool,
    shutdown_timeout: Duration,
    blocking: PoolConfig,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder {
            workers: None,
            eager_tasks: false,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            blocking: PoolConfig::default(),
        }
    }
}

/// See [`Builder::shutdown_timeout`].
const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

impl Builder {
    /// A builder with the defaults: one worker per core.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::runner::Builder::new().build()?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Sets the number of worker threads, the calling thread included.
    ///
    /// `workers(1)` makes the whole program single-threaded, as asyncio is:
    /// every task runs on the thread that calls [`Runner::run`].
    ///
    /// Each runner has its own reactor, so several single-worker runners,
    /// one per thread, share nothing: a server built that way (each thread
    /// with its own listener on one port, `SO_REUSEPORT`; the
    /// `per_core_echo` example) never moves a connection's work between
    /// threads. Several workers in one runner instead share a reactor and
    /// steal tasks from each other, which balances uneven work by itself.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::builder().workers(2).build()?;
    /// assert_eq!(runner.handle().workers(), 2);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn workers(mut self, workers: usize) -> Builder {
        self.workers = Some(workers);
        self
    }

    /// Starts every task eagerly, as asyncio 3.12's
    /// `loop.set_task_factory(asyncio.eager_task_factory)` does: a task's
    /// first poll runs inside `spawn`. See
    /// [`task::Builder::eager`](crate::task::Builder::eager) for what that
    /// changes, and to choose per task. Off by default, as in asyncio.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::builder().eager_tasks(true).build()?;
    /// runner.run(async {
    ///     let task = corio::spawn(async { 1 });
    ///     assert!(task.is_done()); // it finished inside spawn
    /// });
    /// # std::io::Result::Ok(())
    /// ```
    pub fn eager_tasks(mut self, eager: bool) -> Builder {
        self.eager_tasks = eager;
        self
    }

    /// Bounds how long the end of the runtime may take (default: 10
    /// seconds).
    ///
    /// When a runner is dropped (and when [`corio::run`](crate::run)'s
    /// main future returns), every task left is cancelled as
    /// `asyncio.run` does: those awaiting
    /// [`task::cancelled`](crate::task::cancelled) run their async cleanup,
    /// the others are dropped, and the loop runs until all are gone; then
    /// the blocking pool's running calls are waited for. This bounds the
    /// whole of it. Past it, tasks still cleaning up are dropped and
    /// blocking threads still busy are left to finish on their own; both
    /// are reported on standard error.
    ///
    /// The default is long enough for polite cleanup (a flush, a closing
    /// handshake over a network round trip) and short enough that a stuck
    /// cleanup or a blocking call that never returns turns the end of a
    /// program into a short delay, not a hang. `Duration::MAX` waits as
    /// long as it takes, like `asyncio.run`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let runner = corio::Runner::builder()
    ///     .shutdown_timeout(Duration::from_millis(100))
    ///     .build()?;
    /// runner.run(async {
    ///     // A blocking call that outlives the runtime.
    ///     drop(corio::to_thread(|| std::thread::sleep(Duration::from_secs(3))));
    ///     corio::sleep(Duration::from_millis(10)).await;
    /// });
    /// let start = Instant::now();
    /// drop(runner);
    /// assert!(start.elapsed() < Duration::from_secs(2));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Builder {
        self.shutdown_timeout = timeout;
        self
    }

    /// The most threads the blocking pool behind
    /// [`to_thread`](crate::to_thread) starts (default 512; 0 counts as 1).
    /// Calls beyond that wait for a thread, in the order they were made.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::builder().max_blocking_threads(2).build()?;
    /// runner.run(async {
    ///     let calls: Vec<_> = (0..8).map(|i| corio::to_thread(move || i)).collect();
    ///     for (i, call) in calls.into_iter().enumerate() {
    ///         assert_eq!(call.await.unwrap(), i);
    ///     }
    ///     assert!(corio::Handle::current().blocking_threads() <= 2);
    /// });
    /// # std::io::Result::Ok(())
    /// ```
    pub fn max_blocking_threads(mut self, threads: usize) -> Builder {
        self.blocking.max_threads = threads.max(1);
        self
    }

    /// How long an idle blocking-pool thread waits for work before it
    /// exits (default 10 s).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let runner = corio::Runner::builder()
    ///     .blocking_keep_alive(Duration::from_millis(1))
    ///     .build()?;
    /// runner.run(async {
    ///     corio::to_thread(|| ()).await.unwrap();
    ///     // The idle thread leaves soon after.
    ///     while corio::Handle::current().blocking_threads() > 0 {
    ///         corio::sleep(Duration::from_millis(1)).await;
    ///     }
    /// });
    /// # std::io::Result::Ok(())
    /// ```
    pub fn blocking_keep_alive(mut self, keep_alive: Duration) -> Builder {
        self.blocking.keep_alive = keep_alive;
        self
    }

    /// Creates the runner: its reactor and its worker threads (all but the
    /// first, which is whichever thread calls [`Runner::run`]).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `workers(0)` or more than 65,533 workers; otherwise the OS error that refused
    /// an epoll instance, an eventfd or a thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio::Runner::builder().workers(0).build().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn build(self) -> io::Result<Runner> {
        let workers = match self.workers {
            Some(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a corio runtime needs at least one worker (got workers(0))",
                ));
            }
            Some(n) if n > MAX_WORKERS => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("a corio runtime has at most {MAX_WORKERS} workers (got workers({n}))"),
                ));
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WORKERS)),
        };
        let reactor = Reactor::new()?;
        // corio-sync's operations spend the same budget as I/O and timers,
        // so a task looping on a free lock or a full queue still yields.
        corio_sync::coop::install(corio_reactor::coop::poll_proceed);
        let shared = Arc::new(Shared::new(
            reactor,
            workers,
            self.eager_tasks,
            self.shutdown_timeout,
            self.blocking,
        ));
        let mut runner = Runner {
            worker: Some(Box::new(Worker::new(0, shared.clone()))),
            shared: shared.clone(),
            threads: Vec::with_capacity(workers - 1),
            _not_send: PhantomData,
        };
        for index in 1..workers {
            let shared = shared.clone();
            let thread = std::thread::Builder::new()
                .name(format!("corio-worker-{index}"))
                .spawn(move || {
                    let worker = Worker::new(index, shared.clone());
                    worker.enter(|| {
                        worker.run(&|| shared.is_stopped());
                        worker.drain();
                    });
                })?;
            runner.threads.push(thread);
        }
        Ok(runner)
    }
}

/// An event loop that can run several futures in turn; `asyncio.Runner`.
///
/// The runner owns a reactor, the worker threads and the blocking pool.
/// [`run`](Runner::run) makes the calling thread the first worker until the
/// given future completes; tasks spawned meanwhile keep their state between
/// calls. Dropping the runner shuts it down like `asyncio.run` does at the
/// end: remaining tasks are cancelled, their futures dropped, the blocking
/// pool joined, every descriptor closed.
///
/// A `Runner` is bound to the thread that created it (it holds that
/// thread's `spawn_local` tasks), so it is not `Send`.
///
/// In the child of a `fork()`, an inherited runner cannot run (see
/// [`run`](Runner::run)), and dropping it there returns at once and
/// leaks it: its worker threads stayed in the parent and cannot be joined,
/// its tasks' cleanup could act on connections the parent still serves,
/// and its epoll instance is the parent's. What it holds goes when the
/// child exits or calls `exec`.
///
/// # Examples
///
/// ```
/// let runner = corio::Runner::builder().workers(1).build()?;
/// let task = runner.run(async { corio::spawn(async { "still here" }) });
/// // The task lives on between the two calls.
/// assert_eq!(runner.run(task).unwrap(), "still here");
/// # std::io::Result::Ok(())
/// ```
pub struct Runner {
    /// Always present but in the child of a `fork()`, where `Drop` takes
    /// it to leak it.
    worker: Option<Box<Worker>>,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
    _not_send: PhantomData<*const ()>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("workers", &self.shared.workers())
            .finish_non_exhaustive()
    }
}

/// The waker of the main future: flags it and wakes worker 0.
struct MainWaker {
    woken: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            self.shared.unpark(0);
        }
    }
}

impl Runner {
    /// A runner with the defaults (one worker per core).
    ///
    /// # Errors
    ///
    /// The OS error that refused the event loop's resources.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::new()?;
    /// assert_eq!(runner.run(async { 5 }), 5);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> io::Result<Runner> {
        Builder::new().build()
    }

    /// A [`Builder`] to configure a runner.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::builder().workers(1).build()?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// A handle to this runner's loop, usable from any thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::new()?;
    /// let task = runner.handle().spawn(async { 3 });
    /// assert_eq!(runner.run(task).unwrap(), 3);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::new(self.shared.clone())
    }

    /// Runs `main` to completion on this thread, running the loop's tasks
    /// meanwhile; `asyncio.Runner.run`.
    ///
    /// `main` may borrow from the caller: it is polled in place. Tasks left
    /// when it completes are not cancelled (that happens when the runner is
    /// dropped); `Send` ones keep running on the other workers.
    ///
    /// # Panics
    ///
    /// Panics when called from inside a running corio runtime, and
    /// propagates a panic of `main`. In the child of a `fork()`, an
    /// inherited runner panics with "a corio runtime cannot be used after
    /// fork; start a new one in the child", as does a runner whose task or
    /// main future forked when the child gets control back.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = corio::Runner::builder().workers(1).build()?;
    /// let data = vec![1, 2, 3];
    /// let sum = runner.run(async { data.iter().sum::<i32>() });
    /// assert_eq!(sum, 6);
    /// # std::io::Result::Ok(())
    /// ```
    #[track_caller]
    pub fn run<F: Future>(&self, main: F) -> F::Output {
        self.shared.reactor.assert_not_inherited();
        assert_not_nested("Runner::run");
        let main_waker = Arc::new(MainWaker {
            woken: AtomicBool::new(true),
            shared: self.shared.clone(),
        });
        let waker = Waker::from(main_waker.clone());
        let mut main = pin!(main);
        let worker = self.worker();
        let output = worker.enter(|| {
            worker.run_main(&main_waker.woken, || {
                main.as_mut().poll(&mut Context::from_waker(&waker))
            })
        });
        worker.release_shared_tasks();
        output
    }
}

impl Runner {
    fn worker(&self) -> &Worker {
        self.worker
            .as_deref()
            .expect("only the drop of an inherited runner takes its worker")
    }

    /// The first part of the end, as `asyncio.run` does it: every task is
    /// asked to stop (one request, so a task already cleaning up is left to
    /// finish), and the loop runs until every task is gone or `deadline`
    /// passes. Returns how many tasks were still alive then.
    fn cancel_and_wait(&self, deadline: Option<Instant>) -> usize {
        let shared = &self.shared;
        let main_waker = Arc::new(MainWaker {
            woken: AtomicBool::new(true),
            shared: shared.clone(),
        });
        let waker = Waker::from(main_waker.clone());
        let worker = self.worker();
        worker.enter(|| {
            let mut limit = deadline.map_or_else(Timer::never, Timer::at);
            let mut tick: Option<Timer> = None;
            worker.run_main(&main_waker.woken, || {
                let mut cx = Context::from_waker(&waker);
                // Tasks spawned by cleanups are asked to stop too.
                shared.registry.cancel_once_all();
                let live = shared.registry.live();
                if live == 0 || Pin::new(&mut limit).poll(&mut cx).is_ready() {
                    return Poll::Ready(live);
                }
                // Finishing tasks wake nothing here: look again shortly.
                let tick = tick.insert(Timer::after(SHUTDOWN_POLL));
                let _ = Pin::new(tick).poll(&mut cx);
                Poll::Pending
            })
        })
    }
}

impl Runner {
    /// The end of a runner inherited through `fork()`, in the child: it
    /// leaks everything rather than shut anything down. Joining the worker
    /// threads would wait forever (`fork` copies only the calling thread);
    /// cancelling the tasks would run their `Drop` in the child, which may
    /// write to or shut down connections the parent still serves; the
    /// reactor's teardown would delete registrations from the epoll set the
    /// parent shares. Nothing here takes a lock, which a thread of the
    /// parent may have held at the fork.
    #[cold]
    fn leak_after_fork(&mut self) {
        // A `JoinHandle` dropped detaches a thread this process does not have.
        std::mem::forget(std::mem::take(&mut self.threads));
        // The worker holds the local tasks and a reference to the shared
        // state: with it leaked, nothing of the runtime is ever dropped.
        std::mem::forget(self.worker.take());
    }
}

/// How often the end of a runtime looks whether its tasks are gone.
const SHUTDOWN_POLL: Duration = Duration::from_millis(1);

impl Drop for Runner {
    fn drop(&mut self) {
        if self.shared.reactor.is_inherited() {
            self.leak_after_fork();
            return;
        }
        let shared = &self.shared;
        let deadline = Instant::now().checked_add(shared.shutdown_timeout);
        let stuck_tasks = self.cancel_and_wait(deadline);
        shared.close();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        let worker = self.worker();
        worker.enter(|| {
            loop {
                worker.drain();
                if !shared.drain_injector() {
                    break;
                }
            }
        });
        let stuck_threads = shared.blocking.shutdown(deadline);
        if stuck_tasks > 0 || stuck_threads > 0 {
            crate::debug::report_slow_shutdown(shared.shutdown_timeout, stuck_tasks, stuck_threads);
        }
        shared.terminate();
        worker.enter(|| {
            worker.drain();
            shared.drain_injector();
        });
    }
}
