//! The future of [`Event::wait`](crate::Event::wait).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use event_listener::EventListener;

use crate::Event;

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
    listener: Option<EventListener>,
}

impl<'a> EventWait<'a> {
    pub(crate) fn new(event: &'a Event) -> Self {
        Self {
            event,
            listener: None,
        }
    }
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.listener.is_none() {
            std::task::ready!(crate::coop::poll_proceed(cx));
        }
        loop {
            match &mut this.listener {
                None => {
                    if this.event.is_set() {
                        return Poll::Ready(());
                    }
                    // Listen first, then look at the flag again: a `set`
                    // between the two is seen by one or the other.
                    this.listener = Some(this.event.event.listen());
                    if this.event.is_set() {
                        this.listener = None;
                        return Poll::Ready(());
                    }
                }
                // Only `set` notifies, so a notification means the flag was
                // set after this waiter began listening, whatever it is now.
                Some(listener) => {
                    return match Pin::new(listener).poll(cx) {
                        Poll::Ready(()) => {
                            this.listener = None;
                            Poll::Ready(())
                        }
                        Poll::Pending => Poll::Pending,
                    };
                }
            }
        }
    }
}

impl fmt::Debug for EventWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("listening", &self.listener.is_some())
            .finish_non_exhaustive()
    }
}
