//! What keeps a task from finishing before the task groups it owned are
//! empty, and the child count-outs that wait until a child's output is
//! stored.
//!
//! Cancellation is drop, and `Drop` cannot await, so a task group dropped
//! with live children (its owner was cancelled, its body returned early or
//! panicked) can only *ask* its children to stop. The waiting happens here,
//! in the task machinery:
//!
//! - The group hands the task that dropped it a [`DrainSignal`], set when
//!   the group's last child has counted out, and marks that task's metadata
//!   (`DRAIN`). The signals wait in the runtime's [`DrainTable`] under the
//!   task's id (a task may drop a group and run on for a while).
//! - When that task's future is gone (completed or cancelled), its harness
//!   collects the signals and, until every one is set, keeps the output to
//!   itself and stays pending: the `Task` handle resolves only then.
//! - A group child counts out of its group through a [`Release`]. It is not
//!   run where the child's future is dropped but handed to the worker
//!   ([`defer`]), which runs it once the runnable has returned, that is once
//!   async-task has stored the child's output. A child that is itself
//!   draining keeps its release with its output until it is done. So a
//!   group's `join` returns only after every child's handle is ready, and a
//!   cancelled owner finishes only after every child, and theirs in turn,
//!   is gone.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::scheduler::with_worker;
use crate::task::TaskId;
use crate::task::meta::TaskMeta;

/// Set when one dropped group has no live child left.
#[derive(Debug, Default)]
pub(crate) struct DrainSignal {
    drained: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl DrainSignal {
    fn waker(&self) -> MutexGuard<'_, Option<Waker>> {
        self.waker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the group drained and wakes the task waiting for it.
    pub(crate) fn set(&self) {
        self.drained.store(true, Ordering::Release);
        let waker = self.waker().take();
        if let Some(waker) = waker {
            // A waker is user code only in name here (it is a task's own),
            // but a panic must not stop the group's release half-way.
            let _ = catch_unwind(AssertUnwindSafe(|| waker.wake()));
        }
    }

    fn poll(&self, cx: &Context<'_>) -> Poll<()> {
        if self.drained.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let mut waker = self.waker();
        match &*waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => *waker = Some(cx.waker().clone()),
        }
        drop(waker);
        // `set` stores the flag before it looks for a waker.
        if self.drained.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// The signals of tasks that dropped groups with live children, by task.
#[derive(Debug, Default)]
pub(crate) struct DrainTable {
    waiting: Mutex<HashMap<TaskId, Vec<Arc<DrainSignal>>>>,
}

impl DrainTable {
    fn lock(&self) -> MutexGuard<'_, HashMap<TaskId, Vec<Arc<DrainSignal>>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `meta`'s task must wait for `signal`.
    fn add(&self, meta: &TaskMeta, signal: Arc<DrainSignal>) {
        self.lock().entry(meta.id).or_default().push(signal);
        meta.mark_draining();
    }

    /// Takes every signal the task recorded, if it recorded any.
    pub(crate) fn take(&self, meta: &TaskMeta) -> Vec<Arc<DrainSignal>> {
        if !meta.take_draining() {
            return Vec::new();
        }
        self.lock().remove(&meta.id).unwrap_or_default()
    }
}

/// A signal for the task running on this thread, recorded so that it waits
/// for the signal before it finishes; `None` outside a task (the main
/// future, a `to_thread` call), which nothing waits for.
pub(crate) fn signal_for_current_task() -> Option<Arc<DrainSignal>> {
    with_worker(|worker| {
        let worker = worker?;
        let meta = worker.current_task()?;
        let signal = Arc::new(DrainSignal::default());
        meta.shared.drains.add(meta, signal.clone());
        Some(signal)
    })
}

/// Whether every signal is set; registers the waker with the first that is
/// not, dropping those that are.
pub(crate) fn poll_drained(signals: &mut Vec<Arc<DrainSignal>>, cx: &Context<'_>) -> Poll<()> {
    while let Some(last) = signals.last() {
        if last.poll(cx).is_pending() {
            return Poll::Pending;
        }
        signals.pop();
    }
    Poll::Ready(())
}

/// A group child's deferred count-out: dropping it counts the child out.
///
/// It is type-erased (a pointer and the function that releases through
/// it) so the worker can hold releases of groups of any error type.
pub(crate) struct Release(RawRelease);

/// The parts of a [`Release`].
struct RawRelease {
    target: NonNull<()>,
    slot: usize,
    release: unsafe fn(NonNull<()>, usize),
}

// SAFETY: a release only touches the group's thread-safe parts (its atomic
// state, its lock, wakers), like the `Arc` of the group it stands for;
// releases of local children stay on their worker's thread anyway.
unsafe impl Send for Release {}

impl Release {
    /// # Safety
    ///
    /// `release(target, slot)` must be sound to call once, from any thread,
    /// at any later time.
    pub(crate) unsafe fn new(
        target: NonNull<()>,
        slot: usize,
        release: unsafe fn(NonNull<()>, usize),
    ) -> Release {
        Release(RawRelease {
            target,
            slot,
            release,
        })
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        // SAFETY: `new`'s contract, and this is the one call.
        unsafe { (self.0.release)(self.0.target, self.0.slot) }
    }
}

impl std::fmt::Debug for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Release").finish_non_exhaustive()
    }
}

/// Hands a count-out to this thread's worker, to run once the runnable
/// being run has returned (the worker runs what was deferred after each
/// runnable); runs it at once on a thread that is no worker (no output is
/// stored there that a joiner could miss: group children run on workers).
pub(crate) fn defer(release: Release) {
    with_worker(|worker| match worker {
        Some(w) => w.defer_release(release),
        None => drop(release),
    })
}

/// Takes the count-outs deferred on this thread so far (the running
/// task's own).
pub(crate) fn take_deferred() -> Vec<Release> {
    with_worker(|worker| worker.map(|w| w.take_releases()).unwrap_or_default())
}

/// Gives count-outs back, to run after this runnable.
pub(crate) fn defer_all(releases: Vec<Release>) {
    releases.into_iter().for_each(defer);
}
