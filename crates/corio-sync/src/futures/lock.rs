//! The futures of [`Lock::lock`](crate::Lock::lock) and
//! [`Lock::lock_owned`](crate::Lock::lock_owned).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::raw_semaphore::Acquire;
use crate::{LockGuard, OwnedLockGuard};

/// The future of [`Lock::lock`](crate::Lock::lock): resolves to a
/// [`LockGuard`] once the lock is this task's.
///
/// # Cancel safety
///
/// Cancel-safe: dropping it gives up its place in line, and if the lock had
/// already been handed over, passes it to the next waiter.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let lock = corio::sync::Lock::new(0);
/// let pending: corio::sync::futures::Lock<'_, i32> = lock.lock();
/// assert_eq!(*pending.await, 0);
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Lock<'a, T: ?Sized> {
    lock: &'a crate::Lock<T>,
    acquire: Acquire,
}

impl<'a, T: ?Sized> Lock<'a, T> {
    pub(crate) fn new(lock: &'a crate::Lock<T>) -> Self {
        Self {
            lock,
            acquire: Acquire::new(1),
        }
    }
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = LockGuard<'a, T>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if !this.acquire.is_queued() {
            std::task::ready!(crate::coop::poll_proceed(cx));
            if this.lock.raw.try_lock() {
                return Poll::Ready(LockGuard::new(this.lock));
            }
        }
        match this.lock.raw.poll_acquire(&mut this.acquire, cx) {
            Poll::Ready(_) => Poll::Ready(LockGuard::new(this.lock)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: ?Sized> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        self.lock.raw.cancel(&mut self.acquire);
    }
}

impl<T: ?Sized> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("queued", &self.acquire.is_queued())
            .finish_non_exhaustive()
    }
}

/// The future of [`Lock::lock_owned`](crate::Lock::lock_owned): resolves to
/// an [`OwnedLockGuard`].
///
/// # Cancel safety
///
/// Cancel-safe, as [`Lock`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// # corio::run(async {
/// let lock = Arc::new(corio::sync::Lock::new('a'));
/// let pending: corio::sync::futures::LockOwned<char> = lock.lock_owned();
/// assert_eq!(*pending.await, 'a');
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct LockOwned<T: ?Sized> {
    lock: Option<Arc<crate::Lock<T>>>,
    acquire: Acquire,
}

impl<T: ?Sized> LockOwned<T> {
    pub(crate) fn new(lock: Arc<crate::Lock<T>>) -> Self {
        Self {
            lock: Some(lock),
            acquire: Acquire::new(1),
        }
    }
}

impl<T: ?Sized> Future for LockOwned<T> {
    type Output = OwnedLockGuard<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let lock = this
            .lock
            .as_ref()
            .expect("`LockOwned` polled after it completed");
        if !this.acquire.is_queued() {
            std::task::ready!(crate::coop::poll_proceed(cx));
        }
        let taken = (!this.acquire.is_queued() && lock.raw.try_lock())
            || lock.raw.poll_acquire(&mut this.acquire, cx).is_ready();
        if taken {
            let lock = this.lock.take().expect("checked above");
            Poll::Ready(OwnedLockGuard::new(lock))
        } else {
            Poll::Pending
        }
    }
}

impl<T: ?Sized> Drop for LockOwned<T> {
    fn drop(&mut self) {
        if let Some(lock) = &self.lock {
            lock.raw.cancel(&mut self.acquire);
        }
    }
}

impl<T: ?Sized> fmt::Debug for LockOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockOwned")
            .field("queued", &self.acquire.is_queued())
            .finish_non_exhaustive()
    }
}
