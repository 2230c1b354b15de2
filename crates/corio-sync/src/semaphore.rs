//! [`Semaphore`]: a counter of permits, handed out first come, first served.

use std::fmt;
use std::sync::Arc;

use crate::futures;
use crate::raw_semaphore::{MAX_PERMITS, RawSemaphore};

/// A pool of permits; tasks wait until they can take the permits they ask
/// for, and give them back by dropping the permit.
///
/// Equivalent to `asyncio.Semaphore`. Where Python pairs `acquire()` with
/// `release()` (or writes `async with sem:`), corio returns a
/// [`SemaphorePermit`] that releases on drop; [`release`](Self::release)
/// still exists, to add a permit as asyncio's does.
///
/// Waiters are served strictly first come, first served, also when they ask
/// for several permits at once: a large [`acquire_many`](Self::acquire_many)
/// at the head of the line is never overtaken by a stream of small requests.
///
/// # Examples
///
/// At most two tasks in the section at a time:
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use corio::sync::Semaphore;
///
/// # corio::run(async {
/// let semaphore = Semaphore::new(2);
/// let inside = AtomicUsize::new(0);
/// let worker = || async {
///     let _permit = semaphore.acquire().await;
///     assert!(inside.fetch_add(1, Ordering::SeqCst) < 2);
///     futures_lite::future::yield_now().await;
///     inside.fetch_sub(1, Ordering::SeqCst);
/// };
/// futures_lite::future::zip(worker(), futures_lite::future::zip(worker(), worker())).await;
/// assert_eq!(semaphore.available(), 2);
/// # });
/// ```
pub struct Semaphore {
    pub(crate) raw: RawSemaphore,
}

impl Semaphore {
    /// The largest number of permits a semaphore can hold.
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// Creates a semaphore holding `permits` permits.
    ///
    /// Equivalent to `asyncio.Semaphore(value)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(3);
    /// assert_eq!(semaphore.available(), 3);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `permits` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        Self {
            raw: RawSemaphore::new(permits),
        }
    }

    /// Waits for one permit.
    ///
    /// Equivalent to `await sem.acquire()` (or `async with sem:`).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `acquire()` leaves the line, and a permit that
    /// was already handed to it goes on to the next waiter; no permit leaks.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let semaphore = corio::sync::Semaphore::new(1);
    /// let permit = semaphore.acquire().await;
    /// assert!(semaphore.locked());
    /// drop(permit);
    /// assert!(!semaphore.locked());
    /// # });
    /// ```
    pub fn acquire(&self) -> futures::Acquire<'_> {
        futures::Acquire::new(self, 1)
    }

    /// Waits for `n` permits, taken all at once.
    ///
    /// The request keeps its place in line: permits released meanwhile are
    /// not given to later, smaller requests.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`acquire`](Self::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let semaphore = corio::sync::Semaphore::new(5);
    /// let permit = semaphore.acquire_many(3).await;
    /// assert_eq!(permit.num_permits(), 3);
    /// assert_eq!(semaphore.available(), 2);
    /// # });
    /// ```
    pub fn acquire_many(&self, n: usize) -> futures::Acquire<'_> {
        futures::Acquire::new(self, n)
    }

    /// Like [`acquire`](Self::acquire), for a semaphore in an [`Arc`]: the
    /// permit has no lifetime and can move into a spawned task.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`acquire`](Self::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// # corio::run(async {
    /// let semaphore = Arc::new(corio::sync::Semaphore::new(1));
    /// let permit = semaphore.acquire_owned().await;
    /// assert_eq!(semaphore.available(), 0);
    /// drop(permit);
    /// # });
    /// ```
    pub fn acquire_owned(self: &Arc<Self>) -> futures::AcquireOwned {
        futures::AcquireOwned::new(self.clone(), 1)
    }

    /// Like [`acquire_many`](Self::acquire_many), returning an owned permit.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`acquire`](Self::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// # corio::run(async {
    /// let semaphore = Arc::new(corio::sync::Semaphore::new(4));
    /// let permit = semaphore.acquire_many_owned(4).await;
    /// assert_eq!(permit.num_permits(), 4);
    /// # });
    /// ```
    pub fn acquire_many_owned(self: &Arc<Self>, n: usize) -> futures::AcquireOwned {
        futures::AcquireOwned::new(self.clone(), n)
    }

    /// Takes one permit if one is free and nobody waits, without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(1);
    /// let permit = semaphore.try_acquire().unwrap();
    /// assert!(semaphore.try_acquire().is_none());
    /// drop(permit);
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody waits, without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(2);
    /// assert!(semaphore.try_acquire_many(3).is_none());
    /// assert!(semaphore.try_acquire_many(2).is_some());
    /// ```
    pub fn try_acquire_many(&self, n: usize) -> Option<SemaphorePermit<'_>> {
        self.raw
            .try_acquire(n)
            .then(|| SemaphorePermit::new(self, n))
    }

    /// Like [`try_acquire`](Self::try_acquire), returning an owned permit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(corio::sync::Semaphore::new(1));
    /// assert!(semaphore.try_acquire_owned().is_some());
    /// ```
    pub fn try_acquire_owned(self: &Arc<Self>) -> Option<OwnedSemaphorePermit> {
        self.raw
            .try_acquire(1)
            .then(|| OwnedSemaphorePermit::new(self.clone(), 1))
    }

    /// Adds one permit, waking the oldest waiter if it can now proceed.
    ///
    /// Equivalent to `asyncio.Semaphore.release()`. A permit returned by a
    /// dropped [`SemaphorePermit`] needs no call; use this to grow the pool
    /// or to give back a [forgotten](SemaphorePermit::forget) permit.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(0);
    /// semaphore.release();
    /// assert_eq!(semaphore.available(), 1);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the semaphore would hold more than
    /// [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn release(&self) {
        self.raw.release(1);
    }

    /// Adds `n` permits, handing them to waiters in order.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(0);
    /// semaphore.add_permits(3);
    /// assert_eq!(semaphore.available(), 3);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the semaphore would hold more than
    /// [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        self.raw.release(n);
    }

    /// The number of free permits.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(2);
    /// let _permit = semaphore.try_acquire();
    /// assert_eq!(semaphore.available(), 1);
    /// ```
    pub fn available(&self) -> usize {
        self.raw.available()
    }

    /// Whether an `acquire()` would have to wait: no permit is free, or
    /// others are already waiting.
    ///
    /// Equivalent to `asyncio.Semaphore.locked()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(1);
    /// assert!(!semaphore.locked());
    /// let _permit = semaphore.try_acquire();
    /// assert!(semaphore.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.raw.available() == 0 || self.raw.has_waiters()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available", &self.available())
            .field("has_waiters", &self.raw.has_waiters())
            .finish()
    }
}

/// Permits taken from a [`Semaphore`] (or a
/// [`BoundedSemaphore`](crate::BoundedSemaphore)); dropping it gives them back.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let semaphore = corio::sync::Semaphore::new(1);
/// {
///     let _permit = semaphore.acquire().await;
///     assert_eq!(semaphore.available(), 0);
/// }
/// assert_eq!(semaphore.available(), 1);
/// # });
/// ```
#[must_use = "the permits are given back as soon as this is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: usize,
}

impl<'a> SemaphorePermit<'a> {
    pub(crate) fn new(semaphore: &'a Semaphore, permits: usize) -> Self {
        Self { semaphore, permits }
    }

    /// The number of permits held.
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(3);
    /// assert_eq!(semaphore.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Keeps the permits taken for good: they are not given back on drop
    /// (use [`Semaphore::release`] to add them back later).
    ///
    /// # Examples
    ///
    /// ```
    /// let semaphore = corio::sync::Semaphore::new(2);
    /// semaphore.try_acquire().unwrap().forget();
    /// assert_eq!(semaphore.available(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if self.permits > 0 {
            self.semaphore.raw.release(self.permits);
        }
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

/// Permits taken from a [`Semaphore`] in an [`Arc`]; dropping it gives them
/// back.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// # corio::run(async {
/// let semaphore = Arc::new(corio::sync::Semaphore::new(1));
/// let permit = semaphore.acquire_owned().await;
/// assert!(Arc::ptr_eq(permit.semaphore(), &semaphore));
/// # });
/// ```
#[must_use = "the permits are given back as soon as this is dropped"]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    permits: usize,
}

impl OwnedSemaphorePermit {
    pub(crate) fn new(semaphore: Arc<Semaphore>, permits: usize) -> Self {
        Self { semaphore, permits }
    }

    /// The number of permits held.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(corio::sync::Semaphore::new(1));
    /// assert_eq!(semaphore.try_acquire_owned().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// The semaphore the permits came from.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(corio::sync::Semaphore::new(1));
    /// let permit = semaphore.try_acquire_owned().unwrap();
    /// assert_eq!(permit.semaphore().available(), 0);
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }

    /// Keeps the permits taken for good.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let semaphore = Arc::new(corio::sync::Semaphore::new(1));
    /// semaphore.try_acquire_owned().unwrap().forget();
    /// assert_eq!(semaphore.available(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        if self.permits > 0 {
            self.semaphore.raw.release(self.permits);
        }
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}
