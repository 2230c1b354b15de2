//! The engine shared by [`Queue`], [`LifoQueue`] and [`PriorityQueue`], and
//! the macro that gives the three the same API.
//!
//! A queue is a store of items plus two FIFO semaphores: `items` counts the
//! items no getter has claimed yet, and `slots` (bounded queues only) counts
//! free places. `put` takes a slot, stores the item and adds an item permit;
//! `get` takes an item permit, removes an item and frees a slot. Because the
//! semaphores hand permits over first come, first served, blocked putters are
//! admitted and blocked getters are served in arrival order, and a dropped
//! getter never takes an item with it: the item stays in the store until a
//! getter that holds its permit removes it.
//!
//! [`Queue`]: crate::Queue
//! [`LifoQueue`]: crate::LifoQueue
//! [`PriorityQueue`]: crate::PriorityQueue

use std::future::Future as _;
use std::task::{Context, Poll};

use event_listener::EventListener;

use crate::error::{
    GetNowaitError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown, TaskDoneError,
};
use crate::primitive::{AtomicUsize, Ordering};
use crate::raw_semaphore::RawSemaphore;
use crate::store::Store;

pub(crate) struct Shared<T> {
    store: Store<T>,
    maxsize: usize,
    pub(crate) items: RawSemaphore,
    pub(crate) slots: Option<RawSemaphore>,
    unfinished: AtomicUsize,
    join: event_listener::Event,
    shut_down: AtomicUsize,
}

impl<T> Shared<T> {
    pub(crate) fn new(store: Store<T>, maxsize: usize) -> Self {
        Self {
            store,
            maxsize,
            items: RawSemaphore::new(0),
            slots: (maxsize > 0).then(|| RawSemaphore::new(maxsize)),
            unfinished: AtomicUsize::new(0),
            join: event_listener::Event::new(),
            shut_down: AtomicUsize::new(0),
        }
    }

    pub(crate) fn maxsize(&self) -> usize {
        self.maxsize
    }

    pub(crate) fn len(&self) -> usize {
        self.store.len()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.maxsize > 0 && self.len() >= self.maxsize
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire) != 0
    }

    /// Stores an item whose slot is already taken.
    pub(crate) fn push_claimed(&self, item: T) -> Result<(), QueueShutDown<T>> {
        // Count the task before the item becomes visible, so that a getter's
        // `task_done` can never run ahead of it.
        self.unfinished.fetch_add(1, Ordering::AcqRel);
        match self.store.push(item) {
            Ok(()) => {
                self.items.release(1);
                Ok(())
            }
            Err(item) => {
                self.finish(1);
                Err(QueueShutDown(item))
            }
        }
    }

    /// Removes an item whose permit is already taken, and frees its slot.
    pub(crate) fn take_claimed(&self) -> Option<T> {
        let item = self.store.pop()?;
        if let Some(slots) = &self.slots {
            slots.release(1);
        }
        Some(item)
    }

    pub(crate) fn put_nowait(&self, item: T) -> Result<(), PutNowaitError<T>> {
        if self.is_shut_down() {
            return Err(PutNowaitError::ShutDown(QueueShutDown(item)));
        }
        if let Some(slots) = &self.slots {
            if !slots.try_acquire(1) {
                return Err(if slots.is_closed() {
                    PutNowaitError::ShutDown(QueueShutDown(item))
                } else {
                    PutNowaitError::Full(QueueFull(item))
                });
            }
        }
        self.push_claimed(item).map_err(PutNowaitError::ShutDown)
    }

    pub(crate) fn get_nowait(&self) -> Result<T, GetNowaitError> {
        if self.items.try_acquire(1) {
            if let Some(item) = self.take_claimed() {
                return Ok(item);
            }
        } else if !self.items.is_closed() {
            return Err(GetNowaitError::Empty(QueueEmpty(())));
        }
        self.drain_one()
            .ok_or(GetNowaitError::ShutDown(QueueShutDown(())))
    }

    /// After shutdown, gets take what is left directly.
    pub(crate) fn drain_one(&self) -> Option<T> {
        self.store.pop()
    }

    pub(crate) fn shutdown(&self, immediate: bool) {
        self.shut_down.store(1, Ordering::Release);
        // From here on a racing `put` either stored its item already or is
        // refused, so the drain below sees everything.
        self.store.close();
        if let Some(slots) = &self.slots {
            slots.close();
        }
        if immediate {
            let mut drained = 0;
            while self.store.pop().is_some() {
                drained += 1;
            }
            if drained > 0 {
                self.finish(drained);
            }
        }
        self.items.close();
    }

    pub(crate) fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut n = self.unfinished.load(Ordering::Acquire);
        loop {
            if n == 0 {
                return Err(TaskDoneError(()));
            }
            match self.unfinished.compare_exchange_weak(
                n,
                n - 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => n = actual,
            }
        }
        if n == 1 {
            self.join.notify(usize::MAX);
        }
        Ok(())
    }

    /// Marks `n` tasks done without the underflow check (drained or refused
    /// items).
    fn finish(&self, n: usize) {
        let mut current = self.unfinished.load(Ordering::Acquire);
        loop {
            let next = current.saturating_sub(n);
            match self.unfinished.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        if current > 0 && current <= n {
            self.join.notify(usize::MAX);
        }
    }

    pub(crate) fn unfinished(&self) -> usize {
        self.unfinished.load(Ordering::Acquire)
    }

    pub(crate) fn poll_join(
        &self,
        listener: &mut Option<EventListener>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        loop {
            if self.unfinished() == 0 {
                *listener = None;
                return Poll::Ready(());
            }
            match listener {
                None => *listener = Some(self.join.listen()),
                Some(l) => {
                    if std::pin::Pin::new(l).poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *listener = None;
                }
            }
        }
    }
}

/// Defines one queue type over [`Shared`], with the full asyncio API.
macro_rules! define_queue {
    (
        $(#[$type_doc:meta])*
        $name:ident, asyncio = $asyncio:literal, store = $store:expr, bound = [$($bound:tt)*]
    ) => {
        $(#[$type_doc])*
        pub struct $name<T> {
            shared: ::std::sync::Arc<$crate::queue::Shared<T>>,
        }

        impl<T: $($bound)*> $name<T> {
            #[doc = concat!("Creates a queue holding at most `maxsize` items; 0 means no limit.")]
            ///
            #[doc = concat!("Equivalent to `", $asyncio, "(maxsize)`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::<u8>::new(10);")]
            /// assert_eq!(queue.maxsize(), 10);
            /// ```
            pub fn new(maxsize: usize) -> Self {
                let store = $store;
                Self {
                    shared: ::std::sync::Arc::new($crate::queue::Shared::new(store(maxsize), maxsize)),
                }
            }

            /// Creates a queue without a size limit: [`put`](Self::put)
            /// never waits.
            ///
            #[doc = concat!("Equivalent to `", $asyncio, "()`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::unbounded();")]
            /// for i in 0..1000 {
            ///     queue.put_nowait(i).unwrap();
            /// }
            /// assert_eq!(queue.qsize(), 1000);
            /// ```
            pub fn unbounded() -> Self {
                Self::new(0)
            }
        }

        impl<T> $name<T> {
            /// Adds an item, waiting for a free slot while the queue is full.
            ///
            #[doc = concat!("Equivalent to `await ", $asyncio, ".put(item)`.")]
            /// Blocked putters are admitted in the order they arrived.
            ///
            /// # Cancel safety
            ///
            /// A dropped `put()` that had not stored its item drops the item
            /// with it (as a cancelled asyncio `put` does); it never takes a
            /// slot with it, and a slot handed to it goes to the next putter.
            ///
            /// # Examples
            ///
            /// ```
            /// # corio::run(async {
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::new(1);")]
            /// queue.put(1).await.unwrap();
            /// assert!(queue.is_full());
            /// # });
            /// ```
            ///
            /// # Errors
            ///
            /// [`QueueShutDown`](crate::QueueShutDown) with the item inside
            /// if the queue is or gets shut down before the item is stored.
            pub fn put(&self, item: T) -> $crate::futures::Put<'_, T> {
                $crate::futures::Put::new(&self.shared, item)
            }

            /// Removes and returns an item, waiting while the queue is
            /// empty.
            ///
            #[doc = concat!("Equivalent to `await ", $asyncio, ".get()`.")]
            /// Blocked getters are served in the order they arrived.
            ///
            /// # Cancel safety
            ///
            /// Cancel-safe: a dropped `get()` loses no item. Items leave the
            /// queue only when a `get` returns them, and a wake-up meant for
            /// a dropped getter passes to the next one.
            ///
            /// # Examples
            ///
            /// ```
            /// # corio::run(async {
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::unbounded();")]
            /// queue.put_nowait("job").unwrap();
            /// assert_eq!(queue.get().await, Ok("job"));
            /// # });
            /// ```
            ///
            /// # Errors
            ///
            /// [`QueueShutDown`](crate::QueueShutDown) once the queue is shut
            /// down and holds no item (at once after an immediate shutdown).
            pub fn get(&self) -> $crate::futures::Get<'_, T> {
                $crate::futures::Get::new(&self.shared)
            }

            /// Adds an item if there is room, without waiting.
            ///
            #[doc = concat!("Equivalent to `", $asyncio, ".put_nowait(item)`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::new(1);")]
            /// queue.put_nowait(1).unwrap();
            /// assert_eq!(queue.put_nowait(2).unwrap_err().into_inner(), 2);
            /// ```
            ///
            /// # Errors
            ///
            /// [`PutNowaitError::Full`](crate::PutNowaitError::Full) when the
            /// queue is full (or putters are already waiting),
            /// [`PutNowaitError::ShutDown`](crate::PutNowaitError::ShutDown)
            /// after a shutdown; both give the item back.
            pub fn put_nowait(&self, item: T) -> Result<(), $crate::PutNowaitError<T>> {
                self.shared.put_nowait(item)
            }

            /// Removes and returns an item if one is ready, without waiting.
            ///
            #[doc = concat!("Equivalent to `", $asyncio, ".get_nowait()`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::new(2);")]
            /// assert!(queue.get_nowait().is_err());
            /// queue.put_nowait(7).unwrap();
            /// assert_eq!(queue.get_nowait(), Ok(7));
            /// ```
            ///
            /// # Errors
            ///
            /// [`GetNowaitError::Empty`](crate::GetNowaitError::Empty) when no
            /// item is ready (or getters are already waiting for the next
            /// one), [`GetNowaitError::ShutDown`](crate::GetNowaitError::ShutDown)
            /// when the queue is shut down and empty.
            pub fn get_nowait(&self) -> Result<T, $crate::GetNowaitError> {
                self.shared.get_nowait()
            }

            /// The number of items in the queue.
            ///
            #[doc = concat!("Equivalent to `", $asyncio, ".qsize()`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::new(5);")]
            /// queue.put_nowait(1).unwrap();
            /// assert_eq!(queue.qsize(), 1);
            /// ```
            pub fn qsize(&self) -> usize {
                self.shared.len()
            }

            /// Whether the queue holds no item.
            ///
            #[doc = concat!("Equivalent to `", $asyncio, ".empty()`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::<i32>::new(5);")]
            /// assert!(queue.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.shared.len() == 0
            }

            /// Whether the queue holds `maxsize` items (never, when
            /// unbounded).
            ///
            #[doc = concat!("Equivalent to `", $asyncio, ".full()`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::new(1);")]
            /// queue.put_nowait(0).unwrap();
            /// assert!(queue.is_full());
            /// ```
            pub fn is_full(&self) -> bool {
                self.shared.is_full()
            }

            /// The size limit; 0 when unbounded.
            ///
            #[doc = concat!("Equivalent to `", $asyncio, ".maxsize`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("assert_eq!(corio::sync::", stringify!($name), "::<()>::unbounded().maxsize(), 0);")]
            /// ```
            pub fn maxsize(&self) -> usize {
                self.shared.maxsize()
            }

            /// Marks one item taken with `get` as fully processed, for
            /// [`join`](Self::join).
            ///
            #[doc = concat!("Equivalent to `", $asyncio, ".task_done()`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::unbounded();")]
            /// queue.put_nowait(1).unwrap();
            /// queue.get_nowait().unwrap();
            /// assert!(queue.task_done().is_ok());
            /// assert!(queue.task_done().is_err());
            /// ```
            ///
            /// # Errors
            ///
            /// [`TaskDoneError`](crate::TaskDoneError) when called more times
            /// than items were put.
            pub fn task_done(&self) -> Result<(), $crate::TaskDoneError> {
                self.shared.task_done()
            }

            /// Waits until every item put has been marked done with
            /// [`task_done`](Self::task_done).
            ///
            #[doc = concat!("Equivalent to `await ", $asyncio, ".join()`.")]
            ///
            /// # Cancel safety
            ///
            /// Cancel-safe: dropping it loses nothing.
            ///
            /// # Examples
            ///
            /// ```
            /// # corio::run(async {
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::unbounded();")]
            /// queue.put_nowait(1).unwrap();
            /// let worker = async {
            ///     let _item = queue.get().await.unwrap();
            ///     queue.task_done().unwrap();
            /// };
            /// futures_lite::future::zip(queue.join(), worker).await;
            /// # });
            /// ```
            pub fn join(&self) -> $crate::futures::Join<'_, T> {
                $crate::futures::Join::new(&self.shared)
            }

            /// Shuts the queue down: `put` fails from now on, and blocked
            /// putters wake with [`QueueShutDown`](crate::QueueShutDown).
            /// Gets take what is left, then fail; with `immediate`, what is
            /// left is dropped at once (each dropped item counts as done for
            /// [`join`](Self::join)) and every get fails.
            ///
            #[doc = concat!("Equivalent to `", $asyncio, ".shutdown(immediate)` (Python 3.13).")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::unbounded();")]
            /// queue.put_nowait(1).unwrap();
            /// queue.shutdown(false);
            /// assert!(queue.put_nowait(2).is_err());
            /// assert_eq!(queue.get_nowait(), Ok(1));
            /// assert!(queue.get_nowait().unwrap_err().is_shutdown());
            /// ```
            pub fn shutdown(&self, immediate: bool) {
                self.shared.shutdown(immediate);
            }

            /// Whether [`shutdown`](Self::shutdown) was called.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let queue = corio::sync::", stringify!($name), "::<u8>::unbounded();")]
            /// queue.shutdown(true);
            /// assert!(queue.is_shut_down());
            /// ```
            pub fn is_shut_down(&self) -> bool {
                self.shared.is_shut_down()
            }
        }

        impl<T> Clone for $name<T> {
            /// Another handle to the same queue.
            fn clone(&self) -> Self {
                Self {
                    shared: self.shared.clone(),
                }
            }
        }

        impl<T> ::std::fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("qsize", &self.qsize())
                    .field("maxsize", &self.maxsize())
                    .field("unfinished", &self.shared.unfinished())
                    .field("shut_down", &self.is_shut_down())
                    .finish()
            }
        }
    };
}

define_queue! {
    /// A first in, first out queue of items, shared by cloneable handles.
    ///
    /// Equivalent to `asyncio.Queue`. Bounded queues make `put` wait while
    /// `maxsize` items are in; unbounded ones never do. [`join`](Self::join)
    /// with [`task_done`](Self::task_done) tracks when every item has been
    /// processed, and [`shutdown`](Self::shutdown) ends the queue (Python
    /// 3.13). Blocked putters and getters are served first come, first
    /// served. Unlike a channel, the queue does not close when the handles
    /// of one side are dropped: use `shutdown`.
    ///
    /// # Examples
    ///
    /// Producers and consumers with `join`:
    ///
    /// ```
    /// use corio::sync::Queue;
    ///
    /// # corio::run(async {
    /// let queue = Queue::new(2);
    /// let producer = async {
    ///     for i in 0..5 {
    ///         queue.put(i).await.unwrap();
    ///     }
    /// };
    /// let consumer = async {
    ///     let mut seen = Vec::new();
    ///     while seen.len() < 5 {
    ///         seen.push(queue.get().await.unwrap());
    ///         queue.task_done().unwrap();
    ///     }
    ///     seen
    /// };
    /// let ((), seen) = futures_lite::future::zip(producer, consumer).await;
    /// queue.join().await;
    /// assert_eq!(seen, [0, 1, 2, 3, 4]);
    /// # });
    /// ```
    Queue, asyncio = "asyncio.Queue", store = crate::store::Store::fifo, bound = [Sized]
}

define_queue! {
    /// A last in, first out queue (a stack), shared by cloneable handles.
    ///
    /// Equivalent to `asyncio.LifoQueue`; otherwise as [`Queue`].
    ///
    /// # Examples
    ///
    /// ```
    /// let stack = corio::sync::LifoQueue::unbounded();
    /// for i in 1..=3 {
    ///     stack.put_nowait(i).unwrap();
    /// }
    /// assert_eq!(stack.get_nowait(), Ok(3));
    /// assert_eq!(stack.get_nowait(), Ok(2));
    /// ```
    LifoQueue, asyncio = "asyncio.LifoQueue", store = |_| crate::store::Store::lifo(), bound = [Sized]
}

define_queue! {
    /// A queue that returns its smallest item first (as `heapq`), shared by
    /// cloneable handles.
    ///
    /// Equivalent to `asyncio.PriorityQueue`; otherwise as [`Queue`]. Use
    /// `(priority, item)` tuples, or `std::cmp::Reverse` for largest first.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = corio::sync::PriorityQueue::unbounded();
    /// queue.put_nowait((2, "later")).unwrap();
    /// queue.put_nowait((1, "first")).unwrap();
    /// assert_eq!(queue.get_nowait(), Ok((1, "first")));
    /// ```
    PriorityQueue, asyncio = "asyncio.PriorityQueue", store = |_| crate::store::Store::heap(), bound = [Ord]
}
