//! Wakers collected under a primitive's mutex, to be called once it is
//! released (a waker may run anything, and must not run under the lock).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Waker;

/// The first waker inline, as one at a time is the rule; more only then
/// allocate.
#[derive(Default)]
#[must_use = "the wakers must be woken"]
pub(crate) struct Wakeups {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl Wakeups {
    pub(crate) fn push(&mut self, waker: Waker) {
        if self.first.is_none() {
            self.first = Some(waker);
        } else {
            self.rest.push(waker);
        }
    }

    /// How many wakers were collected.
    pub(crate) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// Wakes every collected waker, even if some of them panic.
    ///
    /// A waker is user code, and one that panics must not leave the
    /// waiters after it asleep forever. Its panic is swallowed here: the
    /// panic hook reported it when it was raised, and the task that
    /// released the primitive did nothing wrong, so it goes on as if the
    /// wake had returned.
    pub(crate) fn wake(self) {
        self.first
            .into_iter()
            .chain(self.rest)
            .for_each(wake_quietly);
    }
}

impl Extend<Waker> for Wakeups {
    fn extend<I: IntoIterator<Item = Waker>>(&mut self, wakers: I) {
        for waker in wakers {
            self.push(waker);
        }
    }
}

/// Wakes `waker`, swallowing a panic it raises (see [`Wakeups::wake`]).
fn wake_quietly(waker: Waker) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || waker.wake())) {
        // The payload's own `Drop` may panic too; such a payload is
        // forgotten rather than allowed to unwind out of a release.
        if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            std::mem::forget(again);
        }
    }
}
