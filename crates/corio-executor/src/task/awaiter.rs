//! `Awaiter`: the waker a [`Task`](super::Task) handle leaves with
//! async-task while it waits.
//!
//! async-task wakes (and clones and drops) the waker of whoever awaits a
//! task inside its abort-on-panic guard, so a user's waker that panics there
//! would abort the process. The handle registers this wrapper instead: it
//! calls the user's waker under `catch_unwind`, and a panic, already
//! reported by the panic hook when it was raised, goes no further. The
//! wrapper is made once per handle and reused while the handle is polled
//! with a waker that wakes the same task.
//!
//! The common case needs no wrapper at all: a corio task awaiting a handle
//! with its own waker, whose wake only schedules that task (corio code that
//! does not panic). The harness records, for the thread, which waker the
//! task it is polling was given ([`polling`]), and the handle passes that
//! waker through unwrapped ([`is_polling_task`]).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;
use std::task::{RawWakerVTable, Wake, Waker};

use super::output::drop_payload;

/// A user's waker, woken and dropped so that its panics never unwind.
pub(crate) struct Awaiter {
    /// Always `Some` until `Drop` takes it out to drop it under
    /// `catch_unwind`.
    waker: Option<Waker>,
}

impl Awaiter {
    pub(crate) fn new(waker: &Waker) -> Arc<Awaiter> {
        Arc::new(Awaiter {
            waker: Some(waker.clone()),
        })
    }

    /// Whether this wrapper already stands for `waker`.
    #[inline]
    pub(crate) fn wraps(&self, waker: &Waker) -> bool {
        self.waker.as_ref().is_some_and(|w| w.will_wake(waker))
    }
}

impl Wake for Awaiter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(waker) = &self.waker {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| waker.wake_by_ref())) {
                drop_payload(payload);
            }
        }
    }
}

impl Drop for Awaiter {
    fn drop(&mut self) {
        // The last reference may go inside async-task's abort guard (when it
        // replaces or discards the awaiter), so the user's `Drop` must not
        // unwind from here either.
        let waker = self.waker.take();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(waker))) {
            drop_payload(payload);
        }
    }
}

/// A waker's identity: its data pointer and its vtable.
type WakerId = (*const (), *const RawWakerVTable);

thread_local! {
    /// The waker of the task whose future this thread is polling now; null
    /// pointers outside task polls. Only compared, never dereferenced.
    static POLLING: Cell<WakerId> = const { Cell::new((ptr::null(), ptr::null())) };
}

fn id(waker: &Waker) -> WakerId {
    (waker.data(), waker.vtable())
}

/// Runs `poll` with `waker`, a task's own waker handed to it by async-task,
/// recorded as the one of the task being polled on this thread. The previous
/// record comes back afterwards, so an eager start nested inside another
/// task's poll leaves the outer one intact. `poll` must not unwind (the
/// harness catches the future's panics inside it).
#[inline]
pub(crate) fn polling<R>(waker: &Waker, poll: impl FnOnce() -> R) -> R {
    let previous = POLLING.with(|current| current.replace(id(waker)));
    let result = poll();
    POLLING.with(|current| current.set(previous));
    result
}

/// Whether `waker` is the own waker of the task being polled on this thread.
#[inline]
pub(crate) fn is_polling_task(waker: &Waker) -> bool {
    let (data, vtable) = POLLING.with(Cell::get);
    !data.is_null() && data == waker.data() && ptr::eq(vtable, waker.vtable())
}
