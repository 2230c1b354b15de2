//! Wakers collected under a primitive's mutex, to be called once it is
//! released (a waker may run anything, and must not run under the lock).

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

    pub(crate) fn wake(self) {
        if let Some(first) = self.first {
            first.wake();
        }
        for waker in self.rest {
            waker.wake();
        }
    }
}

impl Extend<Waker> for Wakeups {
    fn extend<I: IntoIterator<Item = Waker>>(&mut self, wakers: I) {
        for waker in wakers {
            self.push(waker);
        }
    }
}
