//! The future of [`Barrier::wait`](crate::Barrier::wait).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use event_listener::{EventListener, IntoNotification, Listener};

use crate::primitive::lock;
use crate::{Barrier, BrokenBarrier};

/// The future of [`Barrier::wait`](crate::Barrier::wait): resolves to the
/// arrival index once the round completes.
///
/// # Cancel safety
///
/// Cancel-safe: dropped before the round completes, it leaves the round.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let barrier = corio::sync::Barrier::new(1);
/// let pending: corio::sync::futures::BarrierWait<'_> = barrier.wait();
/// assert_eq!(pending.await, Ok(0));
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct BarrierWait<'a> {
    barrier: &'a Barrier,
    index: usize,
    listener: Option<EventListener<bool>>,
}

impl<'a> BarrierWait<'a> {
    pub(crate) fn new(barrier: &'a Barrier) -> Self {
        Self {
            barrier,
            index: 0,
            listener: None,
        }
    }
}

impl Future for BarrierWait<'_> {
    type Output = Result<usize, BrokenBarrier>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.listener.is_none() {
            std::task::ready!(crate::coop::poll_proceed(cx));
            let mut state = lock(&this.barrier.state);
            if state.broken {
                return Poll::Ready(Err(BrokenBarrier(())));
            }
            let index = state.count;
            if index + 1 == this.barrier.parties() {
                state.count = 0;
                this.barrier
                    .event
                    .notify(usize::MAX.additional().tag(false));
                return Poll::Ready(Ok(index));
            }
            state.count += 1;
            this.index = index;
            this.listener = Some(this.barrier.event.listen());
        }
        let listener = this.listener.as_mut().expect("listening");
        match Pin::new(listener).poll(cx) {
            Poll::Ready(broken) => {
                this.listener = None;
                Poll::Ready(if broken {
                    Err(BrokenBarrier(()))
                } else {
                    Ok(this.index)
                })
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.take() {
            let mut state = lock(&self.barrier.state);
            // Not yet released: leave the round. (Notifications happen under
            // the state mutex, so this check cannot race one.)
            if !listener.discard() {
                state.count -= 1;
            }
        }
    }
}

impl fmt::Debug for BarrierWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("waiting", &self.listener.is_some())
            .finish_non_exhaustive()
    }
}
