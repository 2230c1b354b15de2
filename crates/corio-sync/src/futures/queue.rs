//! The futures of the queues' `put`, `get` and `join`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use event_listener::EventListener;

use crate::error::QueueShutDown;
use crate::queue::Shared;
use crate::raw_semaphore::Acquire;

/// The future of a queue's `put` (for example
/// [`Queue::put`](crate::Queue::put)): resolves once the item is stored.
///
/// # Cancel safety
///
/// Dropped before it stored its item, it drops the item too; it never keeps
/// a slot, and a slot handed to it goes to the next putter.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let queue = corio::sync::Queue::new(1);
/// let pending: corio::sync::futures::Put<'_, u8> = queue.put(1);
/// pending.await.unwrap();
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Put<'a, T> {
    shared: &'a Shared<T>,
    item: Option<T>,
    acquire: Acquire,
}

impl<'a, T> Put<'a, T> {
    pub(crate) fn new(shared: &'a Shared<T>, item: T) -> Self {
        Self {
            shared,
            item: Some(item),
            acquire: Acquire::new(1),
        }
    }
}

impl<T> Future for Put<'_, T> {
    type Output = Result<(), QueueShutDown<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `Put` never relies on being pinned (see the `Unpin` impl).
        let this = self.get_mut();
        let shared = this.shared;
        if !this.acquire.is_queued() {
            std::task::ready!(crate::coop::poll_proceed(cx));
        }
        if !this.acquire.is_queued() && shared.is_shut_down() {
            let item = this.item.take().expect("`Put` polled after it completed");
            return Poll::Ready(Err(QueueShutDown(item)));
        }
        if let Some(slots) = &shared.slots {
            match slots.poll_acquire(&mut this.acquire, cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(_closed)) => {
                    let item = this.item.take().expect("`Put` polled after it completed");
                    return Poll::Ready(Err(QueueShutDown(item)));
                }
                Poll::Ready(Ok(())) => {}
            }
        }
        let item = this.item.take().expect("`Put` polled after it completed");
        Poll::Ready(shared.push_claimed(item))
    }
}

// The item is only moved out by value, never pinned.
impl<T> Unpin for Put<'_, T> {}

impl<T> Drop for Put<'_, T> {
    fn drop(&mut self) {
        if let Some(slots) = &self.shared.slots {
            slots.cancel(&mut self.acquire);
        }
    }
}

impl<T> fmt::Debug for Put<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("queued", &self.acquire.is_queued())
            .finish_non_exhaustive()
    }
}

/// The future of a queue's `get` (for example
/// [`Queue::get`](crate::Queue::get)): resolves to the next item.
///
/// # Cancel safety
///
/// Cancel-safe: no item is lost; a wake-up meant for it passes to the next
/// getter.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let queue = corio::sync::Queue::unbounded();
/// queue.put_nowait('q').unwrap();
/// let pending: corio::sync::futures::Get<'_, char> = queue.get();
/// assert_eq!(pending.await, Ok('q'));
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Get<'a, T> {
    shared: &'a Shared<T>,
    acquire: Acquire,
}

impl<'a, T> Get<'a, T> {
    pub(crate) fn new(shared: &'a Shared<T>) -> Self {
        Self {
            shared,
            acquire: Acquire::new(1),
        }
    }
}

impl<T> Future for Get<'_, T> {
    type Output = Result<T, QueueShutDown>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let shared = this.shared;
        if !this.acquire.is_queued() {
            std::task::ready!(crate::coop::poll_proceed(cx));
        }
        let item = match shared.items.poll_acquire(&mut this.acquire, cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(())) => shared.take_claimed(),
            Poll::Ready(Err(_closed)) => shared.drain_one(),
        };
        Poll::Ready(item.ok_or(QueueShutDown(())))
    }
}

impl<T> Unpin for Get<'_, T> {}

impl<T> Drop for Get<'_, T> {
    fn drop(&mut self) {
        self.shared.items.cancel(&mut self.acquire);
    }
}

impl<T> fmt::Debug for Get<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("queued", &self.acquire.is_queued())
            .finish_non_exhaustive()
    }
}

/// The future of a queue's `join` (for example
/// [`Queue::join`](crate::Queue::join)): resolves once every item put has
/// been marked done.
///
/// # Cancel safety
///
/// Cancel-safe: dropping it loses nothing.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let queue = corio::sync::Queue::<u8>::unbounded();
/// let pending: corio::sync::futures::Join<'_, u8> = queue.join();
/// pending.await; // nothing was put
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Join<'a, T> {
    shared: &'a Shared<T>,
    listener: Option<EventListener>,
}

impl<'a, T> Join<'a, T> {
    pub(crate) fn new(shared: &'a Shared<T>) -> Self {
        Self {
            shared,
            listener: None,
        }
    }
}

impl<T> Future for Join<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.listener.is_none() {
            std::task::ready!(crate::coop::poll_proceed(cx));
        }
        this.shared.poll_join(&mut this.listener, cx)
    }
}

impl<T> fmt::Debug for Join<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join").finish_non_exhaustive()
    }
}
