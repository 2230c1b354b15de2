//! [`Lock`]: an async mutex that holds its data, served first come, first
//! served.
//!
//! # Invariants
//!
//! `data` is reached only through a guard ([`LockGuard`] or
//! [`OwnedLockGuard`]), through `&mut Lock` ([`Lock::get_mut`]) or by value
//! ([`Lock::into_inner`]). A guard exists only while this lock's single
//! permit is taken from `raw`, and it gives the permit back when it drops, so
//! at most one guard exists at a time and it has exclusive access.

use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::futures;
use crate::raw_semaphore::RawSemaphore;

/// An async mutual-exclusion lock that owns the data it protects.
///
/// Equivalent to `asyncio.Lock`, holding its data the Rust way: where Python
/// writes `async with lock:` and touches shared state by convention, corio
/// writes `let mut guard = lock.lock().await;` and reaches the data only
/// through the guard. The lock is released when the guard drops.
///
/// Waiters are served strictly first come, first served: when the lock is
/// released while tasks wait, it is handed to the oldest waiter and a
/// newcomer cannot take it in between. Taking a free lock that nobody waits
/// for is a single atomic compare-and-swap.
///
/// Use `std::sync::Mutex` instead when the lock is never held across an
/// `.await`: it is cheaper and cannot be contended for long.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use corio::sync::Lock;
///
/// # corio::run(async {
/// let counter = Arc::new(Lock::new(0));
/// let mut workers = Vec::new();
/// for _ in 0..3 {
///     let counter = counter.clone();
///     workers.push(corio::spawn(async move { *counter.lock().await += 1 }));
/// }
/// for worker in workers {
///     worker.await.unwrap();
/// }
/// assert_eq!(*counter.lock().await, 3);
/// # });
/// ```
pub struct Lock<T: ?Sized> {
    pub(crate) raw: RawSemaphore,
    data: UnsafeCell<T>,
}

// SAFETY: a `Lock<T>` moves its `T` along with it, like a `Mutex<T>`.
unsafe impl<T: ?Sized + Send> Send for Lock<T> {}
// SAFETY: shared access only hands out the `T` through a guard, one at a time
// (see the module invariants), so sharing the lock only ever sends the `T`
// between threads, which `T: Send` allows.
unsafe impl<T: ?Sized + Send> Sync for Lock<T> {}

impl<T> Lock<T> {
    /// Creates an unlocked lock holding `value`.
    ///
    /// Equivalent to `asyncio.Lock()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio::sync::Lock::new(vec![1, 2]);
    /// assert!(!lock.is_locked());
    /// ```
    pub fn new(value: T) -> Self {
        Self {
            raw: RawSemaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns its data.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio::sync::Lock::new(String::from("data"));
    /// assert_eq!(lock.into_inner(), "data");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Lock<T> {
    /// Waits until the lock is free, takes it, and returns a guard that
    /// releases it when dropped.
    ///
    /// Equivalent to `await lock.acquire()` (or `async with lock:`).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe. A dropped `lock()` future leaves its place in the queue;
    /// if the lock had already been handed to it, the lock goes on to the
    /// next waiter, so it is never left held and no wake-up is lost.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::Lock;
    ///
    /// # corio::run(async {
    /// let lock = Lock::new(1);
    /// let mut guard = lock.lock().await;
    /// *guard += 1;
    /// assert!(lock.is_locked());
    /// drop(guard);
    /// assert_eq!(*lock.lock().await, 2);
    /// # });
    /// ```
    pub fn lock(&self) -> futures::Lock<'_, T> {
        futures::Lock::new(self)
    }

    /// Like [`lock`](Self::lock), for a lock inside an [`Arc`]: the guard
    /// keeps the lock alive and has no lifetime, so it can move into a
    /// spawned task.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`lock`](Self::lock).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use corio::sync::Lock;
    ///
    /// # corio::run(async {
    /// let lock = Arc::new(Lock::new(0));
    /// let mut guard = lock.lock_owned().await;
    /// *guard = 5;
    /// drop(guard);
    /// assert_eq!(*lock.lock().await, 5);
    /// # });
    /// ```
    pub fn lock_owned(self: &Arc<Self>) -> futures::LockOwned<T> {
        futures::LockOwned::new(self.clone())
    }

    /// Takes the lock if it is free and nobody waits for it, without waiting.
    ///
    /// asyncio has no direct equivalent; it is `if not lock.locked(): await
    /// lock.acquire()` done atomically. Returns `None` when the lock is held
    /// or promised to a waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio::sync::Lock::new(());
    /// let guard = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_none());
    /// drop(guard);
    /// assert!(lock.try_lock().is_some());
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<LockGuard<'_, T>> {
        self.raw.try_lock().then(|| LockGuard::new(self))
    }

    /// Like [`try_lock`](Self::try_lock), returning an owned guard.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(corio::sync::Lock::new(1));
    /// let guard = lock.try_lock_owned().unwrap();
    /// assert_eq!(*guard, 1);
    /// ```
    pub fn try_lock_owned(self: &Arc<Self>) -> Option<OwnedLockGuard<T>> {
        self.raw
            .try_lock()
            .then(|| OwnedLockGuard::new(self.clone()))
    }

    /// Whether the lock is held (or promised to a waiter).
    ///
    /// Equivalent to `asyncio.Lock.locked()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio::sync::Lock::new(());
    /// let _guard = lock.try_lock();
    /// assert!(lock.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        self.raw.available() == 0
    }

    /// Returns the data through a unique borrow; no locking is needed since
    /// the borrow checker proves nobody else can hold the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut lock = corio::sync::Lock::new(1);
    /// *lock.get_mut() += 1;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// The address of the protected data: identifies this lock.
    pub(crate) fn data_ptr(&self) -> *const T {
        self.data.get()
    }
}

impl<T: Default> Default for Lock<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for Lock<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Lock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Lock");
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Proof that a [`Lock`] is held; gives access to its data and releases the
/// lock when dropped.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let lock = corio::sync::Lock::new(vec![1]);
/// let mut guard = lock.lock().await;
/// guard.push(2);
/// assert_eq!(*guard, [1, 2]);
/// # });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a, T: ?Sized> {
    lock: &'a Lock<T>,
}

// SAFETY: the guard gives `&T` to whoever shares it, so sharing it across
// threads needs `T: Sync`, as for `std::sync::MutexGuard`.
unsafe impl<T: ?Sized + Sync> Sync for LockGuard<'_, T> {}

impl<'a, T: ?Sized> LockGuard<'a, T> {
    /// Wraps a permit just taken from `lock.raw`.
    pub(crate) fn new(lock: &'a Lock<T>) -> Self {
        Self { lock }
    }

    /// The lock this guard holds.
    pub(crate) fn source(&self) -> &'a Lock<T> {
        self.lock
    }
}

impl<T: ?Sized> Deref for LockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard holds the lock's only permit (module invariants).
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for LockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the lock's only permit (module invariants),
        // and `&mut self` makes this borrow unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for LockGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.raw.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for LockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for LockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// A [`LockGuard`] that owns an `Arc` of its lock, so it has no lifetime.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// # corio::run(async {
/// let lock = Arc::new(corio::sync::Lock::new(0));
/// let mut guard = lock.lock_owned().await;
/// *guard += 1;
/// assert_eq!(*guard, 1);
/// # });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedLockGuard<T: ?Sized> {
    lock: Arc<Lock<T>>,
}

// SAFETY: as for `LockGuard`: sharing the guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for OwnedLockGuard<T> {}

impl<T: ?Sized> OwnedLockGuard<T> {
    /// Wraps a permit just taken from `lock.raw`.
    pub(crate) fn new(lock: Arc<Lock<T>>) -> Self {
        Self { lock }
    }

    /// The lock this guard holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(corio::sync::Lock::new(()));
    /// let guard = lock.try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(guard.lock(), &lock));
    /// ```
    pub fn lock(&self) -> &Arc<Lock<T>> {
        &self.lock
    }
}

impl<T: ?Sized> Deref for OwnedLockGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard holds the lock's only permit (module invariants).
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedLockGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the lock's only permit (module invariants),
        // and `&mut self` makes this borrow unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedLockGuard<T> {
    fn drop(&mut self) {
        self.lock.raw.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedLockGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for OwnedLockGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
