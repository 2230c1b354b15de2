//! [`Condition`]: a lock plus a wait list of tasks waiting for a change.

use std::fmt;

use crate::notifier::Notifier;
use crate::{Lock, LockGuard, futures};

/// A condition variable that owns its [`Lock`]: tasks take the lock, check
/// the state, and [`wait`](Self::wait) (releasing the lock) until another
/// task changes it and calls [`notify`](Self::notify).
///
/// Equivalent to `asyncio.Condition`. A woken waiter takes the lock back
/// before `wait` returns, so it always looks at the state under the lock.
/// Waiters are woken in the order they started waiting.
///
/// # Examples
///
/// ```
/// use corio::sync::Condition;
///
/// # corio::run(async {
/// let items = Condition::new(Vec::new());
/// let consumer = async {
///     let guard = items.lock().await;
///     let mut guard = items.wait_for(guard, |items| !items.is_empty()).await;
///     guard.pop().unwrap()
/// };
/// let producer = async {
///     items.lock().await.push("item");
///     items.notify(1);
/// };
/// let (got, ()) = futures_lite::future::zip(consumer, producer).await;
/// assert_eq!(got, "item");
/// # });
/// ```
pub struct Condition<T: ?Sized> {
    pub(crate) notifier: Notifier,
    pub(crate) lock: Lock<T>,
}

impl<T> Condition<T> {
    /// Creates a condition whose lock holds `value`.
    ///
    /// Equivalent to `asyncio.Condition()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let condition = corio::sync::Condition::new(0u32);
    /// assert_eq!(condition.into_inner(), 0);
    /// ```
    pub fn new(value: T) -> Self {
        Self {
            notifier: Notifier::new(),
            lock: Lock::new(value),
        }
    }

    /// Consumes the condition and returns the data of its lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let condition = corio::sync::Condition::new("state");
    /// assert_eq!(condition.into_inner(), "state");
    /// ```
    pub fn into_inner(self) -> T {
        self.lock.into_inner()
    }
}

impl<T: ?Sized> Condition<T> {
    /// Waits for the condition's lock and takes it.
    ///
    /// Equivalent to `await cond.acquire()` (or `async with cond:`).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`Lock::lock`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let condition = corio::sync::Condition::new(1);
    /// assert_eq!(*condition.lock().await, 1);
    /// # });
    /// ```
    pub fn lock(&self) -> futures::Lock<'_, T> {
        self.lock.lock()
    }

    /// Takes the condition's lock if it is free and nobody waits for it.
    ///
    /// # Examples
    ///
    /// ```
    /// let condition = corio::sync::Condition::new(());
    /// assert!(condition.try_lock().is_some());
    /// ```
    pub fn try_lock(&self) -> Option<LockGuard<'_, T>> {
        self.lock.try_lock()
    }

    /// Whether the condition's lock is held.
    ///
    /// Equivalent to `asyncio.Condition.locked()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let condition = corio::sync::Condition::new(());
    /// let _guard = condition.try_lock();
    /// assert!(condition.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        self.lock.is_locked()
    }

    /// Releases the lock held by `guard`, waits for a
    /// [`notify`](Self::notify), then takes the lock again and returns the
    /// new guard.
    ///
    /// Equivalent to `await cond.wait()`. The waiter is registered before
    /// the lock is released, so a notification sent by whoever takes the
    /// lock next cannot be missed. As in asyncio, a waiter can be woken while
    /// the state it waits for is already gone again: check it in a loop, or
    /// use [`wait_for`](Self::wait_for).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe with respect to others: a dropped waiter that had been
    /// notified passes the notification to the next waiter, and a dropped
    /// re-acquisition never leaves the lock held. The dropped waiter itself
    /// no longer holds the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let condition = corio::sync::Condition::new(false);
    /// let waiter = async {
    ///     let mut guard = condition.lock().await;
    ///     while !*guard {
    ///         guard = condition.wait(guard).await;
    ///     }
    /// };
    /// let notifier = async {
    ///     *condition.lock().await = true;
    ///     condition.notify_all();
    /// };
    /// futures_lite::future::zip(waiter, notifier).await;
    /// # });
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `guard` belongs to another lock than this condition's.
    #[track_caller]
    pub fn wait<'a>(&'a self, guard: LockGuard<'a, T>) -> futures::ConditionWait<'a, T> {
        self.check_guard(&guard);
        futures::ConditionWait::new(self, guard)
    }

    /// Waits until `predicate` holds for the protected data: checks it
    /// under the lock, and [`wait`](Self::wait)s again while it returns
    /// `false`. Returns the guard with the predicate true.
    ///
    /// Equivalent to `await cond.wait_for(predicate)`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`wait`](Self::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let condition = corio::sync::Condition::new(0);
    /// let waiter = async {
    ///     let guard = condition.lock().await;
    ///     *condition.wait_for(guard, |n| *n >= 2).await
    /// };
    /// let counter = async {
    ///     for _ in 0..2 {
    ///         *condition.lock().await += 1;
    ///         condition.notify_all();
    ///         futures_lite::future::yield_now().await;
    ///     }
    /// };
    /// let (seen, ()) = futures_lite::future::zip(waiter, counter).await;
    /// assert_eq!(seen, 2);
    /// # });
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `guard` belongs to another lock than this condition's.
    #[track_caller]
    pub fn wait_for<'a, F>(
        &'a self,
        guard: LockGuard<'a, T>,
        predicate: F,
    ) -> futures::WaitFor<'a, T, F>
    where
        F: FnMut(&mut T) -> bool,
    {
        self.check_guard(&guard);
        futures::WaitFor::new(self, guard, predicate)
    }

    /// Wakes up to `n` tasks waiting in [`wait`](Self::wait), oldest first,
    /// that were not woken yet. Returns how many were woken.
    ///
    /// Equivalent to `asyncio.Condition.notify(n)`. asyncio requires the
    /// lock to be held here; corio does not, but notifying right after
    /// changing the state under the lock is the pattern that cannot miss a
    /// waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let condition = corio::sync::Condition::new(());
    /// assert_eq!(condition.notify(1), 0); // nobody waits
    /// ```
    pub fn notify(&self, n: usize) -> usize {
        self.notifier.notify(n)
    }

    /// Wakes every task waiting in [`wait`](Self::wait). Returns how many
    /// were woken.
    ///
    /// Equivalent to `asyncio.Condition.notify_all()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let condition = corio::sync::Condition::new(());
    /// assert_eq!(condition.notify_all(), 0);
    /// ```
    pub fn notify_all(&self) -> usize {
        self.notifier.notify(usize::MAX)
    }

    #[track_caller]
    fn check_guard(&self, guard: &LockGuard<'_, T>) {
        assert!(
            std::ptr::addr_eq(guard.source().data_ptr(), self.lock.data_ptr()),
            "Condition::wait needs a guard of this condition's own lock; take it with `condition.lock().await`"
        );
    }
}

impl<T: Default> Default for Condition<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: ?Sized> fmt::Debug for Condition<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("locked", &self.is_locked())
            .finish_non_exhaustive()
    }
}
