//! `TaskOutput`: a finished task's result, as async-task stores it.
//!
//! async-task drops a stored output itself in two places: when a detached
//! task completes, and when the last handle goes without reading it. The
//! first happens inside async-task's abort-on-panic guard, so a value whose
//! `Drop` panics there would abort the process. This wrapper makes dropping
//! an output unwind-free: the value's `Drop` runs under `catch_unwind`, and
//! the panic, already reported by the panic hook when it was raised, goes no
//! further (as a panic in a detached tokio task's output does).
//!
//! # Invariants
//!
//! The `ManuallyDrop` holds a live value from `new` until either
//! `into_inner` takes it (and forgets the wrapper) or `Drop` drops it; both
//! end the wrapper's life, so the value is taken or dropped exactly once.

use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::harness::Panic;

/// The result of a task's harness: its value, or the payload of its panic
/// (or of its cancellation), with a `Drop` that cannot unwind.
pub(crate) struct TaskOutput<T>(ManuallyDrop<Result<T, Panic>>);

impl<T> TaskOutput<T> {
    #[inline]
    pub(crate) fn new(output: Result<T, Panic>) -> TaskOutput<T> {
        TaskOutput(ManuallyDrop::new(output))
    }

    /// Takes the result out; the caller owns its drop from here on.
    #[inline]
    pub(crate) fn into_inner(self) -> Result<T, Panic> {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: see the module invariants: the value is live, and the
        // wrapper is forgotten (`ManuallyDrop`), so it is never dropped again.
        unsafe { ManuallyDrop::take(&mut this.0) }
    }
}

impl<T> Drop for TaskOutput<T> {
    fn drop(&mut self) {
        // SAFETY: see the module invariants: the value is live and this is
        // the wrapper's last use.
        let dropped = catch_unwind(AssertUnwindSafe(|| unsafe {
            ManuallyDrop::drop(&mut self.0)
        }));
        if let Err(payload) = dropped {
            drop_payload(payload);
        }
    }
}

/// Drops a caught panic's payload without letting a panic in the payload's
/// own `Drop` escape. Such a payload is forgotten rather than retried: its
/// drop already failed once, and trying again could fail forever.
pub(crate) fn drop_payload(payload: Panic) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}
