//! What the runtime knows about each task, stored inside the task's own
//! allocation (async-task's metadata slot), so it costs no allocation.
//!
//! `state` is shared between the handle side (cancel requests), the task
//! itself (`cancelled()` interest, completion) and the registry (reads):
//!
//! - `CANCEL`: someone asked the task to stop; set once, never cleared.
//! - `DONE`: the future has been dropped (completed or cancelled); set by the
//!   future wrapper's `Drop`, after which the registry may forget the task.
//! - `HANDLED`: a `cancelled()` future of the task observed the request; from
//!   then on the task is finishing its cleanup and is never dropped for it.
//! - the bits from `COOP_ONE` up count live `cancelled()` futures of the
//!   task; while non-zero a cancel request wakes the task instead of
//!   dropping it, so it can clean up on its own terms.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use super::TaskId;

pub(crate) const CANCEL: u32 = 1;
pub(crate) const DONE: u32 = 2;
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

#[derive(Debug)]
pub(crate) struct TaskMeta {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) kind: TaskKind,
    state: AtomicU32,
}

impl TaskMeta {
    pub(crate) fn new(
        id: TaskId,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
        kind: TaskKind,
    ) -> TaskMeta {
        TaskMeta {
            id,
            name,
            location,
            kind,
            state: AtomicU32::new(0),
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
        s & CANCEL != 0 && s & HANDLED == 0 && s < COOP_ONE
    }

    /// Records that the task saw its cancel request and is cleaning up.
    pub(crate) fn mark_handled(&self) {
        self.state.fetch_or(HANDLED, Ordering::AcqRel);
    }

    pub(crate) fn mark_done(&self) {
        self.state.fetch_or(DONE, Ordering::Release);
    }

    pub(crate) fn is_done(&self) -> bool {
        self.state() & DONE != 0
    }

    pub(crate) fn add_cooperative(&self) {
        self.state.fetch_add(COOP_ONE, Ordering::AcqRel);
    }

    pub(crate) fn remove_cooperative(&self) {
        self.state.fetch_sub(COOP_ONE, Ordering::AcqRel);
    }
}
