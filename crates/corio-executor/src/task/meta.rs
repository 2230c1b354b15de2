//! What the runtime knows about each task, stored inside the task's own
//! allocation (async-task's metadata slot), so it costs no allocation.
//!
//! `done` says the future has been dropped (completed or cancelled); the
//! future wrapper's `Drop` sets it, after which the registry may forget the
//! task. It is a separate byte so that setting it is a plain store.
//!
//! `state` is shared between the handle side (cancel requests), the task
//! itself (`cancelled()` interest, completion) and the registry (reads):
//!
//! - `FORCE`: the task stops at its next poll even if it is cooperating
//!   through `cancelled()` (a second cancel during its cleanup, or the end
//!   of shutdown).
//! - `HANDLED`: a `cancelled()` future of the task observed a request; from
//!   then on the task is finishing its cleanup and only `FORCE` drops it.
//!   `uncancel` clears it when the count returns to zero.
//! - `DRAIN`: the task dropped a task group whose children were still
//!   alive; the runtime's drain table holds what the task waits for before
//!   it may finish (see `drain.rs`).
//! - the bits from `CANCEL_ONE` (eight of them) count pending cancel
//!   requests, asyncio's `Task.cancelling()`; the count saturates at 255.
//! - `UNOBSERVED`: the task is a group child whose handle was dropped, so
//!   nobody can see its output: it may count out of its group at once.
//! - the bits from `COOP_ONE` up count live `cancelled()` futures of the
//!   task; while non-zero a first cancel request wakes the task instead of
//!   dropping it, so it can clean up on its own terms.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use super::TaskId;
use super::origin::Origin;
use crate::scheduler::Shared;

const FORCE: u32 = 1;
const HANDLED: u32 = 2;
const DRAIN: u32 = 4;
const CANCEL_ONE: u32 = 8;
const CANCEL_MASK: u32 = 0xff * CANCEL_ONE;
const UNOBSERVED: u32 = 256 * CANCEL_ONE;
const COOP_ONE: u32 = 2 * UNOBSERVED;

/// Where a task may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskKind {
    /// A `Send` task: any worker may run it.
    Shared,
    /// A `spawn_local` task: only the worker with this index may run it.
    Local(usize),
    /// A `to_thread` call, run by the blocking pool.
    Blocking,
}

const KIND_SHARED: u16 = u16::MAX;
const KIND_BLOCKING: u16 = u16::MAX - 1;
const NO_SLOT: u64 = u64::MAX;

/// Kept small on purpose: it lives in every task's allocation, and idle
/// tasks are mostly this header. The runtime reference doubles as the
/// schedule function's context (async-task's schedule closure is then
/// zero-sized) and as the way a `Task` handle reaches the registry.
#[derive(Debug)]
pub(crate) struct TaskMeta {
    pub(crate) id: TaskId,
    origin: Origin,
    pub(crate) shared: Arc<Shared>,
    state: AtomicU32,
    kind: u16,
    done: AtomicBool,
    /// Registry shard (high half) and slot (low half), once registered.
    slot: AtomicU64,
}

impl TaskMeta {
    pub(crate) fn new(
        id: TaskId,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
        kind: TaskKind,
        shared: Arc<Shared>,
    ) -> TaskMeta {
        let kind = match kind {
            TaskKind::Shared => KIND_SHARED,
            TaskKind::Blocking => KIND_BLOCKING,
            TaskKind::Local(worker) => u16::try_from(worker)
                .ok()
                .filter(|&w| w < KIND_BLOCKING)
                .expect("corio supports at most 65,533 workers"),
        };
        TaskMeta {
            id,
            origin: Origin::new(name, location),
            shared,
            state: AtomicU32::new(0),
            kind,
            done: AtomicBool::new(false),
            slot: AtomicU64::new(NO_SLOT),
        }
    }

    pub(crate) fn kind(&self) -> TaskKind {
        match self.kind {
            KIND_SHARED => TaskKind::Shared,
            KIND_BLOCKING => TaskKind::Blocking,
            worker => TaskKind::Local(worker as usize),
        }
    }

    pub(crate) fn is_local(&self) -> bool {
        self.kind < KIND_BLOCKING
    }

    pub(crate) fn name(&self) -> Option<&str> {
        self.origin.name().map(|n| &**n)
    }

    pub(crate) fn name_arc(&self) -> Option<Arc<str>> {
        self.origin.name().cloned()
    }

    pub(crate) fn location(&self) -> &'static Location<'static> {
        self.origin.location()
    }

    pub(crate) fn set_slot(&self, shard: usize, slot: usize) {
        let packed = ((shard as u64) << 32) | (slot as u64 & 0xffff_ffff);
        self.slot.store(packed, Ordering::Release);
    }

    /// The registry shard and slot, if the task was registered.
    pub(crate) fn slot(&self) -> Option<(usize, usize)> {
        match self.slot.load(Ordering::Acquire) {
            NO_SLOT => None,
            packed => Some(((packed >> 32) as usize, (packed & 0xffff_ffff) as usize)),
        }
    }

    pub(crate) fn state(&self) -> u32 {
        self.state.load(Ordering::Acquire)
    }

    fn update(&self, mut f: impl FnMut(u32) -> Option<u32>) -> Result<u32, u32> {
        self.state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, &mut f)
    }

    /// Records one more cancel request (`Task.cancel()`): a task that is in
    /// its async cleanup already (a `cancelled()` future saw an earlier
    /// request) is dropped at its next poll. Returns whether the task should
    /// be woken to see the request.
    pub(crate) fn request_cancel(&self) -> bool {
        let prev = self
            .update(|s| {
                let count = if s & CANCEL_MASK == CANCEL_MASK {
                    s
                } else {
                    s + CANCEL_ONE
                };
                Some(if s & HANDLED != 0 {
                    count | FORCE
                } else {
                    count
                })
            })
            .unwrap_or_else(|s| s);
        prev & CANCEL_MASK == 0 || prev & HANDLED != 0
    }

    /// Records a cancel request only if none is pending (a task group
    /// cancelling its children, shutdown cancelling what is left): it never
    /// counts as the second request that interrupts a cleanup. Returns
    /// whether a request was recorded.
    pub(crate) fn request_cancel_once(&self) -> bool {
        self.update(|s| (s & CANCEL_MASK == 0).then_some(s + CANCEL_ONE))
            .is_ok()
    }

    /// Withdraws one cancel request (`Task.uncancel()`); returns how many
    /// remain. At zero the task is no longer cancelling: a later request
    /// starts over as a first one.
    pub(crate) fn uncancel(&self) -> u32 {
        let prev = self
            .update(|s| {
                if s & CANCEL_MASK == 0 {
                    return None;
                }
                let s = s - CANCEL_ONE;
                Some(if s & CANCEL_MASK == 0 {
                    s & !HANDLED
                } else {
                    s
                })
            })
            .unwrap_or_else(|s| s + CANCEL_ONE);
        (prev & CANCEL_MASK) / CANCEL_ONE - 1
    }

    /// Pending cancel requests (`Task.cancelling()`).
    pub(crate) fn cancelling(&self) -> u32 {
        (self.state() & CANCEL_MASK) / CANCEL_ONE
    }

    pub(crate) fn cancel_requested(&self) -> bool {
        self.state() & CANCEL_MASK != 0
    }

    /// True when a cancel request should drop the future rather than wake it.
    pub(crate) fn should_drop(&self) -> bool {
        let s = self.state();
        s & FORCE != 0 || (s & CANCEL_MASK != 0 && s & HANDLED == 0 && s < COOP_ONE)
    }

    /// Whether a task that just completed ends with its value and nothing
    /// to wait for: no cancel request, no group draining. One load.
    pub(crate) fn completes_plainly(&self) -> bool {
        self.state.load(Ordering::Relaxed) & (CANCEL_MASK | FORCE | DRAIN) == 0
    }

    /// `should_drop` for a task that just completed: the common case (no
    /// request at all) costs one load and one test.
    pub(crate) fn should_drop_after_completion(&self) -> bool {
        let s = self.state();
        s & (CANCEL_MASK | FORCE) != 0 && (s & FORCE != 0 || (s & HANDLED == 0 && s < COOP_ONE))
    }

    /// Makes the task stop at its next poll, cooperating or not.
    pub(crate) fn force_cancel(&self) {
        let _ = self.update(|s| {
            let count = if s & CANCEL_MASK == 0 {
                s + CANCEL_ONE
            } else {
                s
            };
            Some(count | FORCE)
        });
    }

    /// Records that the task saw its cancel request and is cleaning up.
    pub(crate) fn mark_handled(&self) {
        self.state.fetch_or(HANDLED, Ordering::AcqRel);
    }

    /// Records that the task waits for dropped groups to drain.
    pub(crate) fn mark_draining(&self) {
        self.state.fetch_or(DRAIN, Ordering::AcqRel);
    }

    /// Records that nobody can observe the task's output any more (its
    /// group child handle was dropped).
    pub(crate) fn mark_unobserved(&self) {
        self.state.fetch_or(UNOBSERVED, Ordering::Release);
    }

    /// Whether the task may count out of its group before its output is
    /// stored: nobody can see the output, and it waits for no group.
    pub(crate) fn may_count_out_now(&self) -> bool {
        self.state() & (UNOBSERVED | DRAIN) == UNOBSERVED
    }

    /// Whether the task waits for dropped groups to drain.
    pub(crate) fn is_draining(&self) -> bool {
        self.state() & DRAIN != 0
    }

    /// Clears the drain mark; returns whether it was set.
    pub(crate) fn take_draining(&self) -> bool {
        self.state() & DRAIN != 0 && self.state.fetch_and(!DRAIN, Ordering::AcqRel) & DRAIN != 0
    }

    pub(crate) fn mark_done(&self) {
        self.done.store(true, Ordering::Release);
    }

    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    pub(crate) fn add_cooperative(&self) {
        self.state.fetch_add(COOP_ONE, Ordering::AcqRel);
    }

    pub(crate) fn remove_cooperative(&self) {
        self.state.fetch_sub(COOP_ONE, Ordering::AcqRel);
    }
}
