//! The future of [`Event::wait`](crate::Event::wait).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Event;
use crate::primitive::lock;

/// The future of [`Event::wait`](crate::Event::wait): resolves once the
/// event is set.
///
/// # Cancel safety
///
/// Cancel-safe: dropping it loses nothing.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let event = corio::sync::Event::new();
/// let pending: corio::sync::futures::EventWait<'_> = event.wait();
/// event.set();
/// pending.await;
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct EventWait<'a> {
    event: &'a Event,
    /// While registered: the slot it waits in and the round it joined.
    registered: Option<(usize, u64)>,
}

impl<'a> EventWait<'a> {
    pub(crate) fn new(event: &'a Event) -> Self {
        Self {
            event,
            registered: None,
        }
    }
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let Some((index, round)) = this.registered else {
            std::task::ready!(crate::coop::poll_proceed(cx));
            if this.event.is_set() {
                return Poll::Ready(());
            }
            let mut waiters = lock(&this.event.waiters);
            // A `set` that took the mutex before us is seen here; one that
            // takes it after us finds our waker.
            if this.event.is_set() {
                return Poll::Ready(());
            }
            let index = waiters.slots.insert(Some(cx.waker().clone()));
            this.registered = Some((index, waiters.round));
            return Poll::Pending;
        };
        let mut waiters = lock(&this.event.waiters);
        // Only `set` starts a round, so a newer round means the flag was set
        // after this waiter registered, whatever it is now.
        if waiters.round != round {
            waiters.slots.remove(index);
            drop(waiters);
            this.registered = None;
            return Poll::Ready(());
        }
        match &mut waiters.slots[index] {
            Some(stored) if stored.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl Drop for EventWait<'_> {
    fn drop(&mut self) {
        if let Some((index, _)) = self.registered.take() {
            lock(&self.event.waiters).slots.remove(index);
        }
    }
}

impl fmt::Debug for EventWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("waiting", &self.registered.is_some())
            .finish_non_exhaustive()
    }
}
