//! [`Event`]: a flag that tasks can wait on.

use std::fmt;
use std::task::Waker;

use crate::futures;
use crate::primitive::{AtomicUsize, Mutex, Ordering, lock};
use crate::slab::Slab;
use crate::wakeups::Wakeups;

/// A flag, initially clear, that tasks can wait to see set.
///
/// Equivalent to `asyncio.Event`. [`set`](Self::set) wakes every task waiting
/// at that moment; a task woken this way returns even if
/// [`clear`](Self::clear) runs before it is polled again.
///
/// # Examples
///
/// ```
/// use corio::sync::Event;
///
/// # corio::run(async {
/// let ready = Event::new();
/// let waiter = async {
///     ready.wait().await;
///     "done"
/// };
/// let setter = async { ready.set() };
/// let (result, ()) = futures_lite::future::zip(waiter, setter).await;
/// assert_eq!(result, "done");
/// # });
/// ```
pub struct Event {
    pub(crate) flag: AtomicUsize,
    pub(crate) waiters: Mutex<Waiters>,
}

/// The registered waits of an [`Event`].
///
/// Each pending `wait()` owns a slot from its first pending poll until it
/// completes or is dropped, and remembers the round it registered in; a
/// `set` that finds the flag clear starts a new round and takes every
/// waker, so a wait of an older round was woken by a set, whatever the
/// flag says now. Slots are reused: waiting allocates nothing once the
/// vector has grown.
pub(crate) struct Waiters {
    pub(crate) round: u64,
    /// A pending wait's waker; `None` once a `set` took it.
    pub(crate) slots: Slab<Option<Waker>>,
}

impl Event {
    /// Creates a clear event.
    ///
    /// Equivalent to `asyncio.Event()`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio::sync::Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Self {
            flag: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters {
                round: 0,
                slots: Slab::new(),
            }),
        }
    }

    /// Sets the flag and wakes every task waiting for it. Does nothing if it
    /// is already set.
    ///
    /// Equivalent to `asyncio.Event.set()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = corio::sync::Event::new();
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn set(&self) {
        if self.flag.swap(1, Ordering::AcqRel) == 0 {
            let mut waiters = lock(&self.waiters);
            waiters.round += 1;
            let mut woken = Wakeups::default();
            woken.extend(waiters.slots.values_mut().filter_map(Option::take));
            drop(waiters);
            woken.wake();
        }
    }

    /// Clears the flag; later [`wait`](Self::wait)s block until the next
    /// [`set`](Self::set).
    ///
    /// Equivalent to `asyncio.Event.clear()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = corio::sync::Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        self.flag.store(0, Ordering::Release);
    }

    /// Whether the flag is set.
    ///
    /// Equivalent to `asyncio.Event.is_set()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = corio::sync::Event::new();
    /// assert!(!event.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::Acquire) != 0
    }

    /// Waits until the flag is set; returns at once if it already is.
    ///
    /// Equivalent to `await event.wait()`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `wait()` takes nothing from other waiters,
    /// since [`set`](Self::set) wakes all of them.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let event = corio::sync::Event::new();
    /// event.set();
    /// event.wait().await;
    /// # });
    /// ```
    pub fn wait(&self) -> futures::EventWait<'_> {
        futures::EventWait::new(self)
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("is_set", &self.is_set())
            .finish()
    }
}
