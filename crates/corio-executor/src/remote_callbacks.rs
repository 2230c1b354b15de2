//! Callbacks scheduled from other threads (`Handle::call_soon`,
//! asyncio's `call_soon_threadsafe`): one FIFO queue per runtime, run in
//! order by one task at a time.
//!
//! A callback is not a task of its own: it is a small entry in the queue,
//! and a single drain task, started when the queue stops being empty, runs
//! the entries one after another. So callbacks from one thread run in the
//! order they were scheduled on any number of workers (no two workers ever
//! run two of them at once), and each costs one allocation.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use concurrent_queue::ConcurrentQueue;

use crate::scheduler::Shared;

const PENDING: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;
const CANCELLED: u8 = 3;

/// How many callbacks the drain task runs before it lets other tasks go.
const BATCH: usize = 64;

/// A queued callback, shared by the queue and its `TimerHandle`.
pub(crate) trait Entry: Send + Sync {
    fn state(&self) -> &AtomicU8;
    /// Takes the callback out (once) and runs it.
    fn run(&self);
    /// Takes the callback out (once) and drops it.
    fn discard(&self);
}

struct Callback<F> {
    state: AtomicU8,
    f: Mutex<Option<F>>,
}

impl<F> Callback<F> {
    fn take(&self) -> Option<F> {
        self.f.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl<F: FnOnce() + Send> Entry for Callback<F> {
    fn state(&self) -> &AtomicU8 {
        &self.state
    }

    fn run(&self) {
        if let Some(f) = self.take() {
            // Reported by the panic hook where it was raised; the next
            // callbacks still run.
            let _ = catch_unwind(AssertUnwindSafe(f));
        }
    }

    fn discard(&self) {
        let f = self.take();
        let _ = catch_unwind(AssertUnwindSafe(move || drop(f)));
    }
}

/// Cancels a callback that has not started; returns whether it was still
/// pending.
pub(crate) fn cancel(entry: &dyn Entry) -> bool {
    let cancelled = entry
        .state()
        .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
        .is_ok();
    if cancelled {
        // Its memory goes now, not when the queue reaches it.
        entry.discard();
    }
    cancelled
}

pub(crate) fn is_cancelled(entry: &dyn Entry) -> bool {
    entry.state().load(Ordering::Acquire) == CANCELLED
}

pub(crate) fn is_done(entry: &dyn Entry) -> bool {
    matches!(entry.state().load(Ordering::Acquire), DONE | CANCELLED)
}

/// The queue of one runtime.
pub(crate) struct RemoteCallbacks {
    queue: ConcurrentQueue<Arc<dyn Entry>>,
    /// Set while a drain task is running or about to.
    draining: AtomicBool,
}

impl std::fmt::Debug for RemoteCallbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteCallbacks")
            .field("queued", &self.queue.len())
            .finish()
    }
}

impl Default for RemoteCallbacks {
    fn default() -> RemoteCallbacks {
        RemoteCallbacks {
            queue: ConcurrentQueue::unbounded(),
            draining: AtomicBool::new(false),
        }
    }
}

impl RemoteCallbacks {
    /// Queues `f`, starting the drain task if none is running.
    pub(crate) fn push<F>(shared: &Arc<Shared>, f: F) -> Arc<dyn Entry>
    where
        F: FnOnce() + Send + 'static,
    {
        let entry: Arc<dyn Entry> = Arc::new(Callback {
            state: AtomicU8::new(PENDING),
            f: Mutex::new(Some(f)),
        });
        let this = &shared.callbacks;
        if this.queue.push(entry.clone()).is_err() {
            // Unbounded and never closed: not reachable, but never lose it.
            entry.discard();
            return entry;
        }
        if !this.draining.swap(true, Ordering::AcqRel) {
            let runtime = shared.clone();
            // Detached: the drain task ends when the queue is empty.
            drop(shared.spawn(
                drain(runtime),
                None,
                Some(false),
                std::panic::Location::caller(),
            ));
        }
        entry
    }
}

/// Runs the queued callbacks in order until the queue stays empty.
async fn drain(shared: Arc<Shared>) {
    let this = &shared.callbacks;
    loop {
        let mut ran = 0;
        while let Ok(entry) = this.queue.pop() {
            if entry
                .state()
                .compare_exchange(PENDING, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                entry.run();
                entry.state().store(DONE, Ordering::Release);
            }
            ran += 1;
            if ran % BATCH == 0 {
                crate::yield_now().await;
            }
        }
        this.draining.store(false, Ordering::Release);
        // A push between the last pop and the store above saw `draining`
        // set and started nothing: look again.
        if this.queue.is_empty() || this.draining.swap(true, Ordering::AcqRel) {
            return;
        }
    }
}

impl Drop for RemoteCallbacks {
    fn drop(&mut self) {
        // The runtime ended with callbacks still queued: they never run.
        while let Ok(entry) = self.queue.pop() {
            cancel(&*entry);
        }
    }
}
