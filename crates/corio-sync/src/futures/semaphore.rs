//! The futures of [`Semaphore::acquire`](crate::Semaphore::acquire) and its
//! variants.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::raw_semaphore::Acquire as RawAcquire;
use crate::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

/// The future of [`Semaphore::acquire`](crate::Semaphore::acquire) and
/// [`acquire_many`](crate::Semaphore::acquire_many): resolves to a
/// [`SemaphorePermit`].
///
/// # Cancel safety
///
/// Cancel-safe: dropping it leaves the line, and permits already handed to
/// it go on to the next waiter.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let semaphore = corio::sync::Semaphore::new(2);
/// let pending: corio::sync::futures::Acquire<'_> = semaphore.acquire_many(2);
/// assert_eq!(pending.await.num_permits(), 2);
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    acquire: RawAcquire,
}

impl<'a> Acquire<'a> {
    pub(crate) fn new(semaphore: &'a Semaphore, permits: usize) -> Self {
        Self {
            semaphore,
            acquire: RawAcquire::new(permits),
        }
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = SemaphorePermit<'a>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if !this.acquire.is_queued() {
            std::task::ready!(crate::coop::poll_proceed(cx));
        }
        match this.semaphore.raw.poll_acquire(&mut this.acquire, cx) {
            Poll::Ready(_) => {
                Poll::Ready(SemaphorePermit::new(this.semaphore, this.acquire.permits()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        self.semaphore.raw.cancel(&mut self.acquire);
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("permits", &self.acquire.permits())
            .field("queued", &self.acquire.is_queued())
            .finish()
    }
}

/// The future of [`Semaphore::acquire_owned`](crate::Semaphore::acquire_owned)
/// and [`acquire_many_owned`](crate::Semaphore::acquire_many_owned): resolves
/// to an [`OwnedSemaphorePermit`].
///
/// # Cancel safety
///
/// Cancel-safe, as [`Acquire`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// # corio::run(async {
/// let semaphore = Arc::new(corio::sync::Semaphore::new(1));
/// let pending: corio::sync::futures::AcquireOwned = semaphore.acquire_owned();
/// assert_eq!(pending.await.num_permits(), 1);
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct AcquireOwned {
    semaphore: Option<Arc<Semaphore>>,
    acquire: RawAcquire,
}

impl AcquireOwned {
    pub(crate) fn new(semaphore: Arc<Semaphore>, permits: usize) -> Self {
        Self {
            semaphore: Some(semaphore),
            acquire: RawAcquire::new(permits),
        }
    }
}

impl Future for AcquireOwned {
    type Output = OwnedSemaphorePermit;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let semaphore = this
            .semaphore
            .as_ref()
            .expect("`AcquireOwned` polled after it completed");
        if !this.acquire.is_queued() {
            std::task::ready!(crate::coop::poll_proceed(cx));
        }
        match semaphore.raw.poll_acquire(&mut this.acquire, cx) {
            Poll::Ready(_) => {
                let semaphore = this.semaphore.take().expect("checked above");
                Poll::Ready(OwnedSemaphorePermit::new(semaphore, this.acquire.permits()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for AcquireOwned {
    fn drop(&mut self) {
        if let Some(semaphore) = &self.semaphore {
            semaphore.raw.cancel(&mut self.acquire);
        }
    }
}

impl fmt::Debug for AcquireOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned")
            .field("permits", &self.acquire.permits())
            .field("queued", &self.acquire.is_queued())
            .finish()
    }
}
