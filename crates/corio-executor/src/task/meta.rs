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
//! - `CANCEL`: someone asked the task to stop; set once, never cleared.
//! - `FORCE`: the runtime is shutting down: the task stops even if it is
//!   cooperating through `cancelled()`.
//! - `HANDLED`: a `cancelled()` future of the task observed the request; from
//!   then on the task is finishing its cleanup and is never dropped for it.
//! - the bits from `COOP_ONE` up count live `cancelled()` futures of the
//!   task; while non-zero a cancel request wakes the task instead of
//!   dropping it, so it can clean up on its own terms.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use super::TaskId;
use super::origin::Origin;
use crate::scheduler::Shared;

pub(crate) const CANCEL: u32 = 1;
const FORCE: u32 = 2;
const HANDLED: u32 = 4;
const COOP_ONE: u32 = 8;

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

    /// Records a cancel request; returns false if one was already recorded.
    pub(crate) fn request_cancel(&self) -> bool {
        self.state.fetch_or(CANCEL, Ordering::AcqRel) & CANCEL == 0
    }

    pub(crate) fn cancel_requested(&self) -> bool {
        self.state() & CANCEL != 0
    }

    /// True when a cancel request should drop the future rather than wake it.
    pub(crate) fn should_drop(&self) -> bool {
        let s = self.state();
        s & FORCE != 0 || (s & CANCEL != 0 && s & HANDLED == 0 && s < COOP_ONE)
    }

    /// Makes the task stop at its next poll, cooperating or not.
    pub(crate) fn force_cancel(&self) {
        self.state.fetch_or(CANCEL | FORCE, Ordering::AcqRel);
    }

    /// Records that the task saw its cancel request and is cleaning up.
    pub(crate) fn mark_handled(&self) {
        self.state.fetch_or(HANDLED, Ordering::AcqRel);
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
