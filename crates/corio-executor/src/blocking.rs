//! The blocking pool behind `to_thread`: threads started on demand up to a
//! cap, retired after a while without work.
//!
//! Each call becomes an async-task task whose future runs the closure in one
//! poll; its schedule function queues it here. That reuses the task
//! machinery for what matters: the result and a panic travel back through the
//! `Task` handle, and a call cancelled before a thread picked it up never
//! runs.

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use corio_reactor::ForkGeneration;

use crate::scheduler::Runnable;
use crate::task::meta::TaskMeta;

/// Most threads a runtime's pool starts unless configured (the same cap as
/// tokio's default).
pub(crate) const MAX_THREADS: usize = 512;
/// How long an idle thread waits for work before it exits, unless
/// configured.
pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// How a pool grows and shrinks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PoolConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
}

impl Default for PoolConfig {
    fn default() -> PoolConfig {
        PoolConfig {
            max_threads: MAX_THREADS,
            keep_alive: KEEP_ALIVE,
        }
    }
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Runnable>,
    idle: usize,
    /// Idle threads already notified and not yet awake: new work beyond
    /// them needs another thread.
    waking: usize,
    threads: usize,
    next_thread: u64,
    handles: HashMap<u64, JoinHandle<()>>,
    shutdown: bool,
}

pub(crate) struct BlockingPool {
    /// The runtime's fork generation.
    generation: ForkGeneration,
    config: PoolConfig,
    state: Mutex<PoolState>,
    work: Condvar,
    /// Notified when a thread ends, for `shutdown`.
    exited: Condvar,
}

impl std::fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("BlockingPool")
            .field("threads", &state.threads)
            .field("idle", &state.idle)
            .field("queued", &state.queue.len())
            .finish()
    }
}

impl BlockingPool {
    pub(crate) fn new(generation: ForkGeneration, config: PoolConfig) -> BlockingPool {
        BlockingPool {
            generation,
            config,
            state: Mutex::new(PoolState::default()),
            work: Condvar::new(),
            exited: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a runnable, starting a thread if none is idle.
    pub(crate) fn schedule(self: &Arc<Self>, runnable: Runnable) {
        let mut state = self.lock();
        if state.shutdown {
            drop(state);
            crate::scheduler::cancel_now(runnable);
            return;
        }
        state.queue.push_back(runnable);
        if state.idle > state.waking {
            // Wake a sleeper after unlocking, so it does not wake up only to
            // block on the lock still held here.
            state.waking += 1;
            drop(state);
            self.work.notify_one();
            return;
        }
        if state.threads < self.config.max_threads {
            state.threads += 1;
            let id = state.next_thread;
            state.next_thread += 1;
            let pool = self.clone();
            let spawned = std::thread::Builder::new()
                .name("corio-blocking".into())
                .spawn(move || pool.thread_main(id));
            match spawned {
                Ok(handle) => {
                    state.handles.insert(id, handle);
                }
                // The OS refused a thread: the call waits for a busy thread
                // to free up instead of failing.
                Err(_) => state.threads -= 1,
            }
        }
    }

    fn thread_main(&self, id: u64) {
        let mut state = self.lock();
        loop {
            if let Some(runnable) = state.queue.pop_front() {
                drop(state);
                // A call cancelled before it started completes as cancelled
                // here without running (the harness checks).
                let _ = catch_unwind(AssertUnwindSafe(|| runnable.run()));
                // The call may have forked: in the child, this thread must
                // not go on with the parent's queued calls.
                self.generation.assert_current();
                state = self.lock();
                continue;
            }
            if state.shutdown {
                break;
            }
            state.idle += 1;
            let (next, timeout) = self
                .work
                .wait_timeout(state, self.config.keep_alive)
                .unwrap_or_else(|e| e.into_inner());
            state = next;
            state.idle -= 1;
            state.waking = state.waking.saturating_sub(1);
            if timeout.timed_out() && state.queue.is_empty() && !state.shutdown {
                // Retire: forget our own handle (detaching this thread).
                state.handles.remove(&id);
                break;
            }
        }
        state.threads -= 1;
        drop(state);
        self.exited.notify_all();
    }

    /// Cancels the calls no thread has started, waits for the running ones
    /// until `deadline` (`None`: as long as they take) and joins every
    /// thread that ended. Returns how many threads were still busy at the
    /// deadline: they are left to finish on their own (detached).
    pub(crate) fn shutdown(&self, deadline: Option<std::time::Instant>) -> usize {
        let (queued, handles) = {
            let mut state = self.lock();
            state.shutdown = true;
            let queued = std::mem::take(&mut state.queue);
            let handles: Vec<_> = state.handles.drain().map(|(_, h)| h).collect();
            (queued, handles)
        };
        self.work.notify_all();
        for runnable in queued {
            crate::scheduler::cancel_now(runnable);
        }
        let mut state = self.lock();
        while state.threads > 0 {
            let wait = match deadline {
                None => Duration::from_secs(3600),
                Some(d) => match d.checked_duration_since(std::time::Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => break,
                },
            };
            state = self
                .exited
                .wait_timeout(state, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        let busy = state.threads;
        drop(state);
        if busy == 0 {
            for handle in handles {
                let _ = handle.join();
            }
        }
        busy
    }

    /// Takes the queued call of `meta` out of the queue, if no thread has
    /// started it yet.
    pub(crate) fn take_queued(&self, meta: &TaskMeta) -> Option<Runnable> {
        let mut state = self.lock();
        let at = state
            .queue
            .iter()
            .position(|r| std::ptr::eq(r.metadata(), meta))?;
        state.queue.remove(at)
    }

    /// Number of threads alive (idle or busy).
    pub(crate) fn threads(&self) -> usize {
        self.lock().threads
    }
}

/// Queues `f` on the blocking pool of `shared` as a task whose handle gives
/// its result.
#[track_caller]
pub(crate) fn spawn_blocking<F, T>(
    shared: &Arc<crate::scheduler::Shared>,
    f: F,
    location: &'static std::panic::Location<'static>,
) -> crate::Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    spawn_on_pool(shared, &shared.blocking, f, location)
}

/// Queues `f` on `pool` as a task of the runtime `shared` (which delivers
/// its result).
pub(crate) fn spawn_on_pool<F, T>(
    shared: &Arc<crate::scheduler::Shared>,
    pool: &Arc<BlockingPool>,
    f: F,
    location: &'static std::panic::Location<'static>,
) -> crate::Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    use crate::task::TaskId;
    use crate::task::harness::Harness;
    use crate::task::meta::TaskKind;

    pool.generation.assert_current();
    let meta = TaskMeta::new(
        TaskId::next(),
        None,
        location,
        TaskKind::Blocking,
        shared.clone(),
    );
    let scheduler = pool.clone();
    let (runnable, task) = async_task::Builder::new().metadata(meta).spawn(
        move |meta| Harness::new(async move { f() }, meta),
        move |r: Runnable| scheduler.schedule(r),
    );
    let handle = crate::Task::new(task);
    if shared.is_closed() {
        crate::scheduler::cancel_now(runnable);
    } else {
        shared.register_pool(pool);
        pool.schedule(runnable);
    }
    handle
}
