//! The scheduler: run queues, workers, stealing, and parking.
//!
//! Each worker owns four places where runnable tasks wait:
//!
//! - the LIFO slot: the task most recently woken *by the running task*. It
//!   runs next (a message handoff then costs no queue round trip), at most
//!   three times in a row, and it is never stolen. Yields and spawns never go
//!   there, so `yield_now` really goes to the back and tasks start in the
//!   order they were spawned, as in asyncio.
//! - `pinned`: a plain `VecDeque` only its thread touches, for `spawn_local`
//!   tasks, and for every task when the runtime has a single worker (then
//!   nothing can be stolen and no atomic operation is needed at all).
//! - `steal`: a bounded lock-free queue of `Send` tasks that idle siblings
//!   steal half of at a time; it overflows into the global injector.
//! - `inbox`: this worker's local tasks woken from other threads.
//!
//! The global injector receives tasks spawned or woken from outside any
//! worker. A worker checks it (and its inbox) first every 61 ticks, and at
//! the same moment fires due timers and polls the reactor without blocking, so
//! neither remote work nor I/O waits behind a busy local queue.
//!
//! A worker with nothing to do first collects ready I/O without blocking,
//! when no sibling holds the reactor, and runs the tasks that wakes; only
//! then does it become a searcher and steal. Fresh events are work no other
//! core has touched yet, where a stolen task was just queued by a sibling.
//! When stealing fails too it parks, in the reactor if no other worker
//! drives it (so an I/O event wakes the worker that will run the task
//! directly), on its thread otherwise. See `idle.rs` for when a sleeping
//! sibling is woken.
//!
//! # After `fork()`
//!
//! A child of `fork()` inherits a copy of the runtime but only the thread
//! that forked. Spawning onto the copy panics (`spawn_from`, `spawn_local`),
//! and so does a worker that gets control back from a task that forked
//! (`run_task`, `run_main`): it would otherwise go on running the parent's
//! queued tasks in the child, against the parent's connections. Each worker
//! keeps its own copy of the reactor's fork generation, so the check is a
//! compare of a field of the worker (which only its thread touches) with
//! one load of a process-wide counter that only a new child writes: no
//! cache line another thread writes is read for it.
//!
//! # Invariants
//!
//! - `WORKER` points at a `Worker` only while that worker's thread is inside
//!   [`Worker::enter`]; the `Worker` outlives that scope.
//! - A runnable of a `TaskKind::Local(i)` task is only ever run or dropped on
//!   worker `i`'s thread (async-task would panic otherwise), until the
//!   runtime has terminated and every local future is gone.
//! - At shutdown no runnable is left in a queue that nobody drains: each
//!   worker thread drains its own queues (its inbox included) only after
//!   `close` has queued every live task (`stopped`); the runner's thread
//!   drains the global queue after `terminate`; and a push to the global
//!   queue that comes even later is drained by the thread that pushed it.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering, fence};

use async_task::{Runnable as RawRunnable, ScheduleInfo, WithInfo};
use concurrent_queue::ConcurrentQueue;
use corio_reactor::{ForkGeneration, Reactor, coop};

use crate::blocking::BlockingPool;
use crate::drain::{DrainTable, Release};
use crate::idle::Idle;
use crate::local_queue::LocalQueue;
use crate::parker::Parker;
use crate::registry::{Finished, Registry};
use crate::remote_callbacks::RemoteCallbacks;
use crate::task::TaskId;
use crate::task::harness::Harness;
use crate::task::meta::{TaskKind, TaskMeta};
use crate::task::{RawTask, Task};

pub(crate) type Runnable = RawRunnable<TaskMeta>;

const MAINTENANCE_INTERVAL: u32 = 61;
const MAX_LIFO_STREAK: u32 = 3;
const ID_BATCH: u64 = 256;
const MAX_EAGER_DEPTH: u32 = 16;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn reserve_ids(n: u64) -> u64 {
    NEXT_ID.fetch_add(n, Ordering::Relaxed)
}

pub(crate) fn reserve_one_id() -> u64 {
    reserve_ids(1)
}

/// State shared by every worker of one runtime.
pub(crate) struct Shared {
    pub(crate) reactor: Arc<Reactor>,
    injector: ConcurrentQueue<Runnable>,
    remotes: Box<[Remote]>,
    idle: Idle,
    pub(crate) registry: Registry,
    /// `Handle::call_soon`'s queue.
    pub(crate) callbacks: RemoteCallbacks,
    pub(crate) blocking: Arc<BlockingPool>,
    /// The `ThreadPool`s this runtime's calls were queued on, so a cancel
    /// can take a queued call out of any of them.
    pools: std::sync::Mutex<Vec<std::sync::Weak<BlockingPool>>>,
    /// Set when the runtime stops accepting tasks (`Registry::insert`
    /// refuses them from then on).
    closed: AtomicBool,
    /// Set once `close` has queued every live task to be dropped: only then
    /// may the worker threads drain their queues and leave.
    stopped: AtomicBool,
    /// Set before the last drain of the runner's thread; see `terminate`.
    terminated: AtomicBool,
    /// Whether tasks start eagerly unless their builder says otherwise.
    eager: bool,
    /// How long the end of the runtime may take (see `Runner`'s `Drop`).
    pub(crate) shutdown_timeout: std::time::Duration,
    /// Cold: only tasks that dropped groups with live children touch it.
    pub(crate) drains: DrainTable,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("workers", &self.remotes.len())
            .field("closed", &self.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The part of a worker other threads may touch.
struct Remote {
    /// Owned by the worker's thread: only it pushes and pops; others steal.
    steal: LocalQueue<Runnable>,
    inbox: ConcurrentQueue<Runnable>,
    parker: Parker,
    current: AtomicPtr<TaskMeta>,
}

/// The part of a worker only its own thread touches.
pub(crate) struct Worker {
    pub(crate) index: usize,
    pub(crate) shared: Arc<Shared>,
    /// `&shared.remotes[index]`, resolved once: the hot paths reach it
    /// many times per task.
    remote: std::ptr::NonNull<Remote>,
    lifo: Cell<Option<Runnable>>,
    pinned: RefCell<VecDeque<Runnable>>,
    in_task: Cell<bool>,
    tick: Cell<u32>,
    lifo_streak: Cell<u32>,
    searching: Cell<bool>,
    /// Set while this worker sleeps or dispatches what woke it: tasks it
    /// wakes then stay with it (no sibling is woken for each one).
    parking: Cell<bool>,
    ids: Cell<(u64, u64)>,
    /// Group children's count-outs, run once the runnable that deferred
    /// them has returned (see `drain.rs`); `has_releases` lets every other
    /// runnable skip the list with one load.
    releases: RefCell<Vec<Release>>,
    has_releases: Cell<bool>,
    /// How deep eager starts are nested right now.
    eager_depth: Cell<u32>,
    /// Tasks of this runtime that ended on this thread, still to be removed
    /// from the registry (see `registry.rs`).
    finished: RefCell<Vec<Finished>>,
    /// The reactor's fork generation, where this thread reads it cheaply.
    pub(crate) generation: ForkGeneration,
}

/// The capacity an idle worker's queue of pinned tasks keeps.
const KEEP_QUEUED: usize = 1024;

/// How many ended tasks a worker notes before it removes them from the
/// registry (it also does when it goes idle).
const FINISHED_BATCH: usize = 64;

/// Removes an ended task from its runtime's registry: through the batch of
/// this thread's worker when the task belongs to its runtime, at once
/// otherwise. Called once per task, when its future has been dropped.
pub(crate) fn task_finished(meta: &TaskMeta) {
    let Some(done) = Finished::of(meta) else {
        return;
    };
    with_worker(|worker| match worker {
        Some(w) if std::ptr::eq(&*w.shared, &*meta.shared) => w.note_finished(done),
        _ => meta.shared.registry.remove_one(done),
    });
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

thread_local! {
    static WORKER: Cell<*const Worker> = const { Cell::new(std::ptr::null()) };
}

/// Spawns a `Send` task on the runtime of the calling thread (the common
/// path of `corio::spawn`: no handle, no reference count touched beyond the
/// task's own).
#[track_caller]
pub(crate) fn spawn_here<F>(
    what: &str,
    future: F,
    name: Option<Arc<str>>,
    eager: Option<bool>,
    location: &'static std::panic::Location<'static>,
) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    with_worker(|worker| match worker {
        Some(w) => w.shared.spawn_from(Some(w), future, name, eager, location),
        None => crate::handle::missing_runtime(what),
    })
}

/// Runs `f` with the worker running on this thread, if any.
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&Worker>) -> R) -> R {
    let ptr = WORKER.with(Cell::get);
    // SAFETY: see the module invariant: a non-null pointer refers to a live
    // worker for as long as this thread is inside its `enter` scope, which
    // encloses this call.
    f(unsafe { ptr.as_ref() })
}

impl Shared {
    pub(crate) fn new(
        reactor: Arc<Reactor>,
        workers: usize,
        eager: bool,
        shutdown_timeout: std::time::Duration,
        blocking: crate::blocking::PoolConfig,
    ) -> Shared {
        let blocking = Arc::new(BlockingPool::new(reactor.fork_generation(), blocking));
        Shared {
            reactor,
            injector: ConcurrentQueue::unbounded(),
            remotes: (0..workers)
                .map(|_| Remote {
                    steal: LocalQueue::new(),
                    inbox: ConcurrentQueue::unbounded(),
                    parker: Parker::new(),
                    current: AtomicPtr::new(std::ptr::null_mut()),
                })
                .collect(),
            idle: Idle::new(workers),
            registry: Registry::new(workers + 1),
            callbacks: RemoteCallbacks::default(),
            pools: std::sync::Mutex::new(Vec::new()),
            drains: DrainTable::default(),
            blocking,
            closed: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            terminated: AtomicBool::new(false),
            eager,
            shutdown_timeout,
        }
    }

    pub(crate) fn workers(&self) -> usize {
        self.remotes.len()
    }

    /// Notes that calls of this runtime are queued on `pool` (a no-op for
    /// the runtime's own pool).
    pub(crate) fn register_pool(&self, pool: &Arc<BlockingPool>) {
        if Arc::ptr_eq(pool, &self.blocking) {
            return;
        }
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        if pools
            .iter()
            .any(|p| std::ptr::eq(p.as_ptr(), Arc::as_ptr(pool)))
        {
            return;
        }
        pools.retain(|p| p.strong_count() > 0);
        pools.push(Arc::downgrade(pool));
    }

    /// Resolves a cancelled blocking call at once if no thread has started
    /// it: it is taken out of its pool's queue and completes as cancelled
    /// here, without running.
    pub(crate) fn cancel_queued_call(&self, meta: &TaskMeta) {
        let queued = self.blocking.take_queued(meta).or_else(|| {
            let pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
            pools
                .iter()
                .filter_map(std::sync::Weak::upgrade)
                .find_map(|pool| pool.take_queued(meta))
        });
        if let Some(runnable) = queued {
            cancel_now(runnable);
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Whether the worker threads should drain their queues and leave.
    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// The worker of this runtime running on the calling thread, if any.
    fn local_worker<'a>(self: &Arc<Self>, worker: Option<&'a Worker>) -> Option<&'a Worker> {
        worker.filter(|w| Arc::ptr_eq(&w.shared, self))
    }

    /// Spawns a `Send` task, from any thread.
    pub(crate) fn spawn<F>(
        self: &Arc<Self>,
        future: F,
        name: Option<Arc<str>>,
        eager: Option<bool>,
        location: &'static std::panic::Location<'static>,
    ) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        with_worker(|worker| {
            self.spawn_from(self.local_worker(worker), future, name, eager, location)
        })
    }

    /// Spawns a `Send` task; `worker` is the calling thread's worker of
    /// this runtime, if it is one.
    #[track_caller]
    pub(crate) fn spawn_from<F>(
        self: &Arc<Self>,
        worker: Option<&Worker>,
        future: F,
        name: Option<Arc<str>>,
        eager: Option<bool>,
        location: &'static std::panic::Location<'static>,
    ) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match worker {
            Some(w) => w.generation.assert_current(),
            None => self.reactor.assert_not_inherited(),
        }
        let id = worker.map_or_else(TaskId::next, Worker::next_id);
        let meta = TaskMeta::new(id, name, location, TaskKind::Shared, self.clone());
        let (runnable, task) = async_task::Builder::new()
            .metadata(meta)
            .spawn(move |meta| Harness::new(future, meta), WithInfo(schedule));
        self.start(worker, runnable, task, eager)
    }

    /// Spawns a task pinned to `worker`, the calling thread's worker.
    #[track_caller]
    pub(crate) fn spawn_local<F>(
        self: &Arc<Self>,
        worker: &Worker,
        future: F,
        name: Option<Arc<str>>,
        eager: Option<bool>,
        location: &'static std::panic::Location<'static>,
    ) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        worker.generation.assert_current();
        let kind = TaskKind::Local(worker.index);
        let meta = TaskMeta::new(worker.next_id(), name, location, kind, self.clone());
        let (runnable, task) = async_task::Builder::new()
            .metadata(meta)
            .spawn_local(move |meta| Harness::new(future, meta), WithInfo(schedule));
        self.start(Some(worker), runnable, task, eager)
    }

    fn start<T>(
        &self,
        worker: Option<&Worker>,
        runnable: Runnable,
        raw: RawTask<T>,
        eager: Option<bool>,
    ) -> Task<T> {
        let shard = worker.map_or(self.workers(), |w| w.index);
        let meta = runnable.metadata();
        let inserted = self
            .registry
            .insert(shard, meta, runnable.waker(), || self.is_closed());
        let handle = Task::new(raw);
        if inserted.is_err() {
            // The runtime is shutting down: the task is cancelled at birth
            // (on this thread, which may run it: it is either `Send` or
            // local to this worker).
            cancel_now(runnable);
            return handle;
        }
        match worker {
            Some(w) if eager.unwrap_or(self.eager) => w.run_eager(runnable),
            Some(w) => w.push_back(runnable),
            None => self.schedule_remote(runnable),
        }
        handle
    }

    /// Schedules a task from a thread that is not allowed to run it.
    fn schedule_remote(&self, runnable: Runnable) {
        match runnable.metadata().kind() {
            TaskKind::Local(owner) => {
                let remote = &self.remotes[owner];
                push_unbounded(&remote.inbox, runnable);
                remote.parker.unpark(&self.reactor);
            }
            _ => {
                push_unbounded(&self.injector, runnable);
                // A task accepted (or woken) just before the runtime ended
                // may reach the queue only after its last drain (this
                // thread was preempted in between). The fence pairs with
                // the one in `terminate`: either that drain sees this
                // runnable, or this thread sees `terminated` and drops what
                // is queued itself; nothing is left in a queue nobody
                // drains. The same fence serves the sleep/wake protocol of
                // `notify_one_after_fence`.
                fence(Ordering::SeqCst);
                if self.terminated.load(Ordering::Relaxed) {
                    self.drain_injector();
                } else {
                    self.notify_one_after_fence();
                }
            }
        }
    }

    /// Wakes one sleeping worker if that would help run queued work.
    fn notify_one(&self) {
        if self.remotes.len() == 1 {
            self.remotes[0].parker.unpark(&self.reactor);
        } else if let Some(w) = self.idle.worker_to_notify() {
            self.remotes[w].parker.unpark(&self.reactor);
        }
    }

    /// [`notify_one`](Self::notify_one) for a caller that has issued a
    /// `SeqCst` fence since it queued the work.
    fn notify_one_after_fence(&self) {
        if self.remotes.len() == 1 {
            self.remotes[0].parker.unpark(&self.reactor);
        } else if let Some(w) = self.idle.worker_to_notify_after_fence() {
            self.remotes[w].parker.unpark(&self.reactor);
        }
    }

    fn has_stealable_work(&self) -> bool {
        !self.injector.is_empty() || self.remotes.iter().any(|r| !r.steal.is_empty())
    }

    /// Whether `meta` is being polled right now by some worker.
    pub(crate) fn is_running(&self, meta: &TaskMeta) -> bool {
        let ptr = meta as *const TaskMeta as *mut TaskMeta;
        self.remotes
            .iter()
            .any(|r| r.current.load(Ordering::Relaxed) == ptr)
    }

    /// Starts the shutdown: no new task is accepted and every live task is
    /// asked to stop and woken, so its runnable reaches a queue to be dropped;
    /// then the worker threads are told to drain their queues and leave.
    ///
    /// The workers leave only after every wake-up of `cancel_all` is queued:
    /// a local task woken from here goes to its worker's inbox, which only
    /// that worker drains.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.registry.cancel_all();
        self.stopped.store(true, Ordering::Release);
        for remote in self.remotes.iter() {
            remote.parker.unpark(&self.reactor);
        }
    }

    /// Drops every runnable left in the global queue (on the calling thread).
    pub(crate) fn drain_injector(&self) -> bool {
        let mut any = false;
        while let Ok(runnable) = self.injector.pop() {
            any = true;
            cancel_now(runnable);
        }
        any
    }

    pub(crate) fn unpark(&self, worker: usize) {
        self.remotes[worker].parker.unpark(&self.reactor);
    }

    /// Marks the runtime as gone, before the last drain of the runner's
    /// thread: from here on a runnable pushed to the global queue is
    /// dropped by whoever pushed it (see `schedule_remote`), and one woken
    /// from another thread is dropped there.
    pub(crate) fn terminate(&self) {
        self.terminated.store(true, Ordering::Release);
        // Pairs with the fence in `schedule_remote`: the drain that follows
        // sees every push that did not see this store.
        fence(Ordering::SeqCst);
    }
}

/// The schedule function of every task: called when it is woken. It is a
/// plain function (no captured state, so nothing stored per task): the
/// runtime is found through the task's metadata.
///
/// On the hot path (woken on a worker of the task's own runtime) it touches
/// no reference count: the runtime is compared by address, and only a wake
/// from elsewhere takes a reference to reach the remote queues.
fn schedule(runnable: Runnable, info: ScheduleInfo) {
    with_worker(|worker| match worker {
        Some(w) if Arc::ptr_eq(&w.shared, &runnable.metadata().shared) && w.can_run(&runnable) => {
            w.schedule(runnable, info.woken_while_running)
        }
        _ => {
            let shared = runnable.metadata().shared.clone();
            if shared.terminated.load(Ordering::Acquire) {
                drop(runnable);
            } else {
                shared.schedule_remote(runnable);
            }
        }
    })
}

fn push_unbounded(queue: &ConcurrentQueue<Runnable>, runnable: Runnable) {
    if let Err(e) = queue.push(runnable) {
        // Unbounded queues are never full and corio never closes them; keep
        // the task alive rather than losing it if that ever changed.
        std::mem::forget(e.into_inner());
    }
}

/// Cancels a queued task for good: its harness drops the future (running
/// its `Drop` here, on a thread allowed to run the task) and completes the
/// task as cancelled, without polling the future again.
pub(crate) fn cancel_now(runnable: Runnable) {
    runnable.metadata().force_cancel();
    with_worker(|worker| match worker {
        Some(w) => w.run_runnable(runnable),
        None => {
            let _ = catch_unwind(AssertUnwindSafe(move || runnable.run()));
        }
    });
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Count-outs of tasks dropped after the last runnable ran.
        self.run_releases();
        self.remove_finished();
    }
}

impl Worker {
    pub(crate) fn new(index: usize, shared: Arc<Shared>) -> Worker {
        let remote = std::ptr::NonNull::from(&shared.remotes[index]);
        let generation = shared.reactor.fork_generation();
        Worker {
            index,
            generation,
            shared,
            remote,
            lifo: Cell::new(None),
            pinned: RefCell::new(VecDeque::new()),
            in_task: Cell::new(false),
            tick: Cell::new(0),
            lifo_streak: Cell::new(0),
            searching: Cell::new(false),
            parking: Cell::new(false),
            ids: Cell::new((0, 0)),
            releases: RefCell::new(Vec::new()),
            has_releases: Cell::new(false),
            eager_depth: Cell::new(0),
            finished: RefCell::new(Vec::with_capacity(FINISHED_BATCH)),
        }
    }

    /// Runs a task's first poll inside `spawn`, asyncio's eager start: a
    /// task that finishes without waiting never touches a queue. Nested
    /// eager starts deeper than `MAX_EAGER_DEPTH` queue the task instead, so
    /// a chain of eager spawns cannot overflow the stack.
    fn run_eager(&self, runnable: Runnable) {
        let depth = self.eager_depth.get();
        if depth >= MAX_EAGER_DEPTH {
            self.push_back(runnable);
            return;
        }
        self.eager_depth.set(depth + 1);
        let in_task = self.in_task.replace(true);
        self.run_runnable(runnable);
        self.in_task.set(in_task);
        self.eager_depth.set(depth);
    }

    /// Runs `runnable` on this thread as the current task, then what it
    /// deferred. The previous current task is restored, so an eager start
    /// may nest this inside another task's poll.
    fn run_runnable(&self, runnable: Runnable) {
        let meta = runnable.metadata();
        let remote = self.remote();
        // Only this thread writes `current`: a load and a store, no
        // read-modify-write.
        let previous = remote.current.load(Ordering::Relaxed);
        remote
            .current
            .store(meta as *const TaskMeta as *mut TaskMeta, Ordering::Relaxed);
        // The harness catches panics of the future and of its `Drop`; this
        // is a last line against anything async-task itself might raise.
        let _ = catch_unwind(AssertUnwindSafe(|| runnable.run()));
        remote.current.store(previous, Ordering::Relaxed);
        if self.has_releases.get() {
            self.run_releases();
        }
    }

    #[inline]
    fn note_finished(&self, done: Finished) {
        let mut finished = self.finished.borrow_mut();
        finished.push(done);
        if finished.len() >= FINISHED_BATCH {
            drop(finished);
            self.remove_finished();
        }
    }

    /// Removes the tasks this worker saw end from the registry, freeing
    /// those nobody else refers to.
    fn remove_finished(&self) {
        // Taken out, so that no borrow is held while tasks are freed.
        let mut batch = std::mem::take(&mut *self.finished.borrow_mut());
        if batch.is_empty() {
            return;
        }
        self.shared.registry.remove_finished(&mut batch);
        let mut finished = self.finished.borrow_mut();
        if finished.is_empty() {
            // Keep the allocation for the next batch.
            *finished = batch;
        }
    }

    pub(crate) fn defer_release(&self, release: Release) {
        self.releases.borrow_mut().push(release);
        self.has_releases.set(true);
    }

    pub(crate) fn take_releases(&self) -> Vec<Release> {
        self.has_releases.set(false);
        std::mem::take(&mut *self.releases.borrow_mut())
    }

    /// Runs the deferred count-outs, one at a time (so the list keeps its
    /// capacity). A count-out catches the panics of the wakers it calls.
    fn run_releases(&self) {
        self.has_releases.set(false);
        loop {
            let next = self.releases.borrow_mut().pop();
            let Some(release) = next else { break };
            drop(release);
        }
    }

    fn remote(&self) -> &Remote {
        // SAFETY: `remote` points into `self.shared.remotes`, a boxed slice
        // that is never resized and lives as long as the `Arc` this worker
        // holds.
        unsafe { self.remote.as_ref() }
    }

    /// Makes this worker the current one on this thread while `f` runs.
    pub(crate) fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Reset(*const Worker);
        impl Drop for Reset {
            fn drop(&mut self) {
                WORKER.with(|w| w.set(self.0));
            }
        }
        self.remote().parker.bind();
        let previous = WORKER.with(|w| w.replace(self as *const Worker));
        let _reset = Reset(previous);
        let _reactor = self.shared.reactor.enter();
        f()
    }

    pub(crate) fn next_id(&self) -> TaskId {
        let (mut next, mut end) = self.ids.get();
        if next == end {
            next = reserve_ids(ID_BATCH);
            end = next + ID_BATCH;
        }
        self.ids.set((next + 1, end));
        TaskId::from_raw(next)
    }

    fn can_run(&self, runnable: &Runnable) -> bool {
        match runnable.metadata().kind() {
            TaskKind::Local(owner) => owner == self.index,
            _ => true,
        }
    }

    /// Schedules a woken task on this worker.
    fn schedule(&self, runnable: Runnable, yielded: bool) {
        if !yielded && self.in_task.get() {
            // The slot lets a task woken by the running one run next, on
            // this core, while its data is hot. It takes a task only when
            // that is the order the task would run in anyway: no other task
            // is queued here, and the slot is free (a second task woken in
            // the same poll queues behind the first). So on one worker tasks
            // run exactly in the order they became ready, as in asyncio.
            match self.lifo.take() {
                None if self.nothing_queued() => self.lifo.set(Some(runnable)),
                held => {
                    self.lifo.set(held);
                    self.push_back(runnable);
                }
            }
        } else if yielded {
            // A task that woke itself while running (a yield, or its
            // cooperative budget ran out) is not new work: this worker runs
            // it again after the others, and waking a sibling for it would
            // only move it across cores.
            self.push_back_quietly(runnable);
        } else {
            self.push_back(runnable);
        }
    }

    /// Whether no task waits in this worker's own queues (the slot aside).
    #[inline]
    fn nothing_queued(&self) -> bool {
        self.pinned.borrow().is_empty()
            && self.remote().steal.is_empty()
            && self.remote().inbox.is_empty()
    }

    /// Appends a task to the back of this worker's queues.
    fn push_back(&self, runnable: Runnable) {
        if self.push_back_quietly(runnable) && !self.parking.get() {
            self.shared.notify_one();
        }
    }

    /// Appends a task to the back of this worker's queues; returns whether
    /// it is stealable (so a sibling could be woken for it).
    fn push_back_quietly(&self, runnable: Runnable) -> bool {
        let stealable = self.shared.workers() > 1 && !runnable.metadata().is_local();
        if !stealable {
            self.pinned.borrow_mut().push_back(runnable);
            return false;
        }
        let injector = &self.shared.injector;
        // SAFETY: `Worker` methods run on the worker's own thread, the owner
        // of its `steal` queue.
        unsafe {
            self.remote()
                .steal
                .push_back(runnable, &mut |r| push_unbounded(injector, r))
        };
        true
    }

    /// The next task from this worker's own queues (and, periodically, the
    /// global ones first).
    fn next_local(&self) -> Option<Runnable> {
        let tick = self.tick.get().wrapping_add(1);
        self.tick.set(tick);
        if tick % MAINTENANCE_INTERVAL == 0 {
            self.maintenance();
            if let Some(r) = self.pop_remote() {
                return Some(r);
            }
        }
        if let Some(r) = self.lifo.take() {
            let streak = self.lifo_streak.get();
            if streak < MAX_LIFO_STREAK {
                self.lifo_streak.set(streak + 1);
                return Some(r);
            }
            // Fairness: the LIFO task goes to the back. No sibling is woken
            // for it: this worker is about to pick its next task anyway, and
            // a two-task handoff must not bounce between cores.
            self.push_back_quietly(r);
        }
        self.lifo_streak.set(0);
        let pinned_first = tick & 1 == 0;
        if pinned_first {
            if let Some(r) = self.pinned.borrow_mut().pop_front() {
                return Some(r);
            }
        }
        if let Some(r) = self.pop_own() {
            return Some(r);
        }
        if !pinned_first {
            if let Some(r) = self.pinned.borrow_mut().pop_front() {
                return Some(r);
            }
        }
        self.pop_remote()
    }

    fn pop_own(&self) -> Option<Runnable> {
        // SAFETY: `Worker` methods run on the owner thread of `steal`.
        unsafe { self.remote().steal.pop() }
    }

    fn pop_remote(&self) -> Option<Runnable> {
        // `is_empty` is two loads; a failed `pop` costs several times that,
        // and a worker about to park checks both queues every time.
        let inbox = &self.remote().inbox;
        if !inbox.is_empty() {
            if let Ok(r) = inbox.pop() {
                return Some(r);
            }
        }
        let injector = &self.shared.injector;
        if injector.is_empty() {
            return None;
        }
        injector.pop().ok()
    }

    /// Fires due timers and collects ready I/O without blocking, so a worker
    /// that never runs out of tasks still serves timers and sockets.
    fn maintenance(&self) {
        let reactor = &self.shared.reactor;
        if reactor.source_count() > 0 {
            if let Some(driver) = reactor.try_lock_driver() {
                self.poll_without_blocking(driver);
                return;
            }
        }
        reactor.fire_timers();
    }

    /// Collects ready I/O without blocking, if no sibling holds the reactor,
    /// and returns the first task that woke here.
    ///
    /// Called when this worker's queues are empty, before it steals: under
    /// load the events are there already, and serving them here spares the
    /// sleep bookkeeping, a sibling a full queue of work to hand over, and
    /// two cores the cache traffic of every stolen task. With one worker the
    /// poll in `park` does the same job and this would only add a system
    /// call when nothing is ready: it is only called with several.
    fn poll_for_work(&self) -> Option<Runnable> {
        let reactor = &self.shared.reactor;
        if reactor.source_count() == 0 {
            return None;
        }
        let driver = reactor.try_lock_driver()?;
        if self.poll_without_blocking(driver) == 0 {
            return None;
        }
        // The tasks the poll woke were queued behind nothing: this worker's
        // queues were empty.
        let own = self.pop_own();
        own.or_else(|| self.pinned.borrow_mut().pop_front())
    }

    /// Polls the reactor without blocking; returns how many wakers it woke.
    /// As in `park`, the tasks it wakes are queued here as a batch, and a
    /// sibling is woken only for a surplus. Inlined into both callers: out
    /// of line it adds a call and spills to every poll of a worker that
    /// runs dry.
    #[inline(always)]
    fn poll_without_blocking(&self, mut driver: corio_reactor::Driver<'_>) -> usize {
        self.parking.set(true);
        let polled = driver.poll(Some(std::time::Duration::ZERO));
        self.parking.set(false);
        drop(driver);
        let woken = polled.unwrap_or_else(|e| {
            crate::debug::report_reactor_error(&e);
            0
        });
        self.notify_for_surplus();
        woken
    }

    /// Work from beyond this worker's own queues: ready I/O first, then
    /// the siblings' queues. Kept out of line: the hot path is the local
    /// queues.
    #[inline(never)]
    fn find_work(&self) -> Option<Runnable> {
        self.poll_for_work().or_else(|| self.search())
    }

    /// Looks for work on other workers; only some workers search at once.
    fn search(&self) -> Option<Runnable> {
        let workers = self.shared.workers();
        if workers == 1 {
            return None;
        }
        let idle = &self.shared.idle;
        if !self.searching.get() {
            // With every sibling asleep there is nothing to steal (a worker
            // runs its own queue before it sleeps); the global queue was
            // just checked. Parking without searching, this worker looks at
            // the queues once more after it is marked asleep.
            if idle.all_asleep_but(self.index, workers) || !idle.try_start_searching(workers) {
                return None;
            }
            self.searching.set(true);
        }
        let own = &self.remote().steal;
        let mut victim = self.tick.get() as usize % workers;
        for _ in 0..workers {
            victim = if victim + 1 == workers { 0 } else { victim + 1 };
            // A sleeping sibling's queue is empty, or about to be run by
            // the sibling itself (it is dispatching I/O events). If this
            // skips work, the look every worker takes at all the queues when
            // it goes to sleep with nobody searching finds it.
            if victim == self.index || idle.is_asleep(victim) {
                continue;
            }
            // SAFETY: this thread owns `own`, and `victim != self.index`.
            if let Some(r) = unsafe { self.shared.remotes[victim].steal.steal_into(own) } {
                return Some(r);
            }
        }
        // As in `pop_remote`: a failed `pop` costs several loads of `is_empty`.
        let injector = &self.shared.injector;
        if injector.is_empty() {
            return None;
        }
        injector.pop().ok()
    }

    /// Ends this worker's search, if it was searching (it found a task, or
    /// it is leaving `Runner::run`); if it was the last searcher, wakes a
    /// sibling to keep looking.
    fn end_search(&self) {
        if self.searching.replace(false) && self.shared.idle.stop_searching() {
            self.shared.notify_one();
        }
    }

    fn run_task(&self, runnable: Runnable) {
        let meta = runnable.metadata();
        let remote = self.remote();
        remote
            .current
            .store(meta as *const TaskMeta as *mut TaskMeta, Ordering::Relaxed);
        coop::set_budget(coop::DEFAULT_BUDGET);
        self.in_task.set(true);
        let _ = catch_unwind(AssertUnwindSafe(|| runnable.run()));
        self.in_task.set(false);
        coop::unconstrained();
        // The task may have forked: in the child, stop here.
        self.generation.assert_current();
        remote
            .current
            .store(std::ptr::null_mut(), Ordering::Relaxed);
        if self.has_releases.get() {
            self.run_releases();
        }
    }

    fn park(&self) {
        self.remove_finished();
        {
            // A burst may have grown the queue far beyond what stays queued;
            // an idle worker keeps a modest one.
            let mut pinned = self.pinned.borrow_mut();
            if pinned.is_empty() && pinned.capacity() > KEEP_QUEUED {
                pinned.shrink_to(KEEP_QUEUED);
            }
        }
        let shared = &self.shared;
        if shared.workers() > 1 {
            let look_again = shared.idle.park(self.index, self.searching.replace(false));
            if look_again && shared.has_stealable_work() {
                shared.notify_one();
            }
        }
        // Tasks woken by the reactor while this worker dispatches its events
        // stay here, as a batch; a sibling is woken afterwards only if there
        // is more than this worker can start on right away. Waking a sleeping
        // thread per readiness event costs far more than running the task here.
        self.parking.set(true);
        self.remote().parker.park(&shared.reactor);
        self.parking.set(false);
        if shared.workers() > 1 {
            self.searching.set(shared.idle.unpark(self.index));
            self.notify_for_surplus();
        }
    }

    /// Wakes a sibling if this worker has more stealable tasks queued than
    /// the one it is about to run.
    fn notify_for_surplus(&self) {
        if self.shared.workers() > 1 && self.remote().steal.len() > 1 {
            self.shared.notify_one();
        }
    }

    /// Runs one queued task, looking on other workers if this one has none.
    /// Returns false if there was nothing to run.
    fn run_one(&self) -> bool {
        let found = self.next_local().or_else(|| {
            // A single worker has nobody to steal from, and its poll is the
            // one in `park`.
            (self.shared.workers() > 1).then(|| self.find_work())?
        });
        match found {
            Some(r) => {
                self.end_search();
                self.run_task(r);
                true
            }
            None => false,
        }
    }

    /// Runs tasks until `stop` returns true.
    pub(crate) fn run(&self, stop: &dyn Fn() -> bool) {
        while !stop() {
            if !self.run_one() && !stop() {
                self.park();
            }
        }
    }

    /// Drives the main future of `Runner::run` on this worker until it
    /// completes. `woken` is set by the main future's waker.
    ///
    /// The main future is not a task (so it may borrow from the caller's
    /// stack), but it is scheduled like one: after each of its polls, the
    /// tasks that were queued at that moment run before it is polled again,
    /// so `yield_now` in the main future lets every ready task run once.
    /// Woken by anything else (a task, a timer, I/O), it also goes behind
    /// the tasks queued when it is next picked: a reactor poll that wakes
    /// tasks and the main future together (timers due at once, say) lets
    /// those tasks run first, as asyncio's ready queue orders them, rather
    /// than the main future overtaking tasks that came due before it.
    pub(crate) fn run_main<T>(
        &self,
        woken: &AtomicBool,
        mut poll_main: impl FnMut() -> std::task::Poll<T>,
    ) -> T {
        // Whether the pending wake-up came from the main future's own poll
        // (a yield): the tasks queued behind it have run already.
        let mut woke_itself = false;
        loop {
            // A plain load first: the swap is an atomic read-modify-write,
            // and most turns of this loop find the flag clear.
            if woken.load(Ordering::Acquire) && woken.swap(false, Ordering::AcqRel) {
                if !woke_itself {
                    self.run_queued();
                }
                coop::set_budget(coop::DEFAULT_BUDGET);
                self.in_task.set(true);
                let poll = poll_main();
                self.in_task.set(false);
                coop::unconstrained();
                // The main future may have forked: in the child, stop here.
                self.generation.assert_current();
                if let std::task::Poll::Ready(value) = poll {
                    return value;
                }
                woke_itself = woken.load(Ordering::Acquire);
                self.run_queued();
                continue;
            }
            woke_itself = false;
            if !self.run_one() && !woken.load(Ordering::Acquire) {
                self.park();
            }
        }
    }

    /// Runs the tasks queued on this worker now, and no more: those they
    /// queue in turn wait for the next round.
    fn run_queued(&self) {
        let mut quota = self.queued_len();
        while quota > 0 && self.run_one() {
            quota -= 1;
        }
    }

    fn queued_len(&self) -> usize {
        let lifo = self.lifo.take();
        let n = usize::from(lifo.is_some());
        self.lifo.set(lifo);
        n + self.pinned.borrow().len() + self.remote().steal.len() + self.remote().inbox.len()
    }

    /// Moves this worker's `Send` tasks to the global queue, so other
    /// workers run them while this thread is away (between `Runner::run`s).
    pub(crate) fn release_shared_tasks(&self) {
        // `run_main` may return in the middle of a search (the main future
        // was woken meanwhile); a search left counted would stop notifiers
        // from waking the workers that stay.
        self.end_search();
        self.remove_finished();
        if let Some(r) = self.lifo.take() {
            self.pinned.borrow_mut().push_front(r);
        }
        if self.shared.workers() == 1 {
            return;
        }
        let mut moved = false;
        while let Some(r) = self.pop_own() {
            push_unbounded(&self.shared.injector, r);
            moved = true;
        }
        let mut pinned = self.pinned.borrow_mut();
        let mut kept = VecDeque::with_capacity(pinned.len());
        for r in pinned.drain(..) {
            if r.metadata().is_local() {
                kept.push_back(r);
            } else {
                push_unbounded(&self.shared.injector, r);
                moved = true;
            }
        }
        *pinned = kept;
        drop(pinned);
        if moved {
            self.shared.notify_one();
        }
    }

    /// Drops every task queued on this worker, until its queues stay empty
    /// (dropping one future may wake another).
    pub(crate) fn drain(&self) {
        loop {
            let mut any = false;
            while let Some(r) = self.next_queued() {
                any = true;
                cancel_now(r);
            }
            if !any {
                break;
            }
        }
    }

    fn next_queued(&self) -> Option<Runnable> {
        if let Some(r) = self.lifo.take() {
            return Some(r);
        }
        let popped = self.pinned.borrow_mut().pop_front();
        popped
            .or_else(|| self.pop_own())
            .or_else(|| self.remote().inbox.pop().ok())
    }

    /// The task this worker is polling right now.
    pub(crate) fn current_task(&self) -> Option<&TaskMeta> {
        let ptr = self.remote().current.load(Ordering::Relaxed);
        // SAFETY: `current` is set by `run_task` on this thread and cleared
        // before the runnable is released, so while it is non-null the task's
        // allocation (and its metadata) is alive; we are on that thread.
        unsafe { ptr.as_ref() }
    }
}
