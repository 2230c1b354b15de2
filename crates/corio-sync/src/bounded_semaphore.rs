//! [`BoundedSemaphore`]: a [`Semaphore`] that refuses to grow past its
//! initial size.

use std::fmt;

use crate::error::ReleaseError;
use crate::{Semaphore, SemaphorePermit, futures};

/// A [`Semaphore`] whose [`release`](Self::release) fails instead of
/// raising the free permits above the initial value.
///
/// Equivalent to `asyncio.BoundedSemaphore`. Over-releasing usually means a
/// bug (a permit given back twice); the error makes it visible instead of
/// silently widening the limit.
///
/// Acquisitions behave exactly like [`Semaphore`]'s, first come, first
/// served, and return the same [`SemaphorePermit`].
///
/// # Examples
///
/// ```
/// use corio::sync::BoundedSemaphore;
///
/// # corio::run(async {
/// let semaphore = BoundedSemaphore::new(1);
/// semaphore.acquire().await.forget();
/// assert!(semaphore.release().is_ok());
/// assert!(semaphore.release().is_err());
/// # });
/// ```
pub struct BoundedSemaphore {
    semaphore: Semaphore,
    bound: usize,
}

impl BoundedSemaphore {
    /// Creates a semaphore holding `permits` permits, which is also its
    /// bound.
    ///
    /// Equivalent to `asyncio.BoundedSemaphore(value)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::BoundedSemaphore::new(2);
    /// assert_eq!(semaphore.bound(), 2);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `permits` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        Self {
            semaphore: Semaphore::new(permits),
            bound: permits,
        }
    }

    /// The initial number of permits, which the free permits never exceed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::sync::BoundedSemaphore::new(4).bound(), 4);
    /// ```
    pub fn bound(&self) -> usize {
        self.bound
    }

    /// Waits for one permit.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`Semaphore::acquire`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let semaphore = corio::sync::BoundedSemaphore::new(1);
    /// let _permit = semaphore.acquire().await;
    /// assert!(semaphore.locked());
    /// # });
    /// ```
    pub fn acquire(&self) -> futures::Acquire<'_> {
        self.semaphore.acquire()
    }

    /// Waits for `n` permits, taken all at once, keeping its place in line.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`Semaphore::acquire`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let semaphore = corio::sync::BoundedSemaphore::new(3);
    /// assert_eq!(semaphore.acquire_many(3).await.num_permits(), 3);
    /// # });
    /// ```
    pub fn acquire_many(&self, n: usize) -> futures::Acquire<'_> {
        self.semaphore.acquire_many(n)
    }

    /// Takes one permit if one is free and nobody waits.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::BoundedSemaphore::new(1);
    /// assert!(semaphore.try_acquire().is_some());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.semaphore.try_acquire()
    }

    /// Takes `n` permits if they are free and nobody waits.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::BoundedSemaphore::new(1);
    /// assert!(semaphore.try_acquire_many(2).is_none());
    /// ```
    pub fn try_acquire_many(&self, n: usize) -> Option<SemaphorePermit<'_>> {
        self.semaphore.try_acquire_many(n)
    }

    /// Adds one permit back, unless all [`bound`](Self::bound) permits are
    /// already free.
    ///
    /// Equivalent to `asyncio.BoundedSemaphore.release()`. Permits returned
    /// by dropping a [`SemaphorePermit`] need no call; this gives back a
    /// [forgotten](SemaphorePermit::forget) one.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::BoundedSemaphore::new(1);
    /// semaphore.try_acquire().unwrap().forget();
    /// semaphore.release().unwrap();
    /// assert_eq!(semaphore.available(), 1);
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] when the free permits already equal the bound; the
    /// semaphore is left unchanged.
    pub fn release(&self) -> Result<(), ReleaseError> {
        if self.semaphore.raw.release_bounded(1, self.bound) {
            Ok(())
        } else {
            Err(ReleaseError(self.bound))
        }
    }

    /// The number of free permits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::sync::BoundedSemaphore::new(2).available(), 2);
    /// ```
    pub fn available(&self) -> usize {
        self.semaphore.available()
    }

    /// Whether an `acquire()` would have to wait.
    ///
    /// Equivalent to `asyncio.BoundedSemaphore.locked()`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio::sync::BoundedSemaphore::new(0).locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.semaphore.locked()
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("available", &self.available())
            .field("bound", &self.bound)
            .finish()
    }
}
