//! `Awaiter`: the waker a [`Task`](super::Task) handle leaves with
//! async-task while it waits.
//!
//! async-task wakes (and clones and drops) the waker of whoever awaits a
//! task inside its abort-on-panic guard, so a user's waker that panics there
//! would abort the process. The handle registers this wrapper instead: it
//! calls the user's waker under `catch_unwind`, and a panic, already
//! reported by the panic hook when it was raised, goes no further. The
//! wrapper is made once per handle and reused while the handle is polled
//! with a waker that wakes the same task, so a plain `task.await` allocates
//! it once.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::task::{Wake, Waker};

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
