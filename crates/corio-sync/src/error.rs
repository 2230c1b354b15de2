//! The errors of corio-sync. Each one says what happened and what to do.

use std::error::Error;
use std::fmt;

/// A queue is full: [`put_nowait`](crate::Queue::put_nowait) could not add
/// the item, which comes back inside.
///
/// Equivalent to `asyncio.QueueFull`.
///
/// # Examples
///
/// ```
/// use corio::sync::{PutNowaitError, Queue};
///
/// let queue = Queue::new(1);
/// queue.put_nowait(1).unwrap();
/// let Err(PutNowaitError::Full(full)) = queue.put_nowait(2) else { panic!() };
/// assert_eq!(full.into_inner(), 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueFull<T>(pub(crate) T);

impl<T> QueueFull<T> {
    /// Gives back the item that did not fit.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::Queue;
    ///
    /// let queue = Queue::new(1);
    /// queue.put_nowait("a").unwrap();
    /// assert_eq!(queue.put_nowait("b").unwrap_err().into_inner(), "b");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueFull(..)")
    }
}

impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full; await `put` to wait for a free slot")
    }
}

impl<T> Error for QueueFull<T> {}

/// A queue is empty: [`get_nowait`](crate::Queue::get_nowait) found no item.
///
/// Equivalent to `asyncio.QueueEmpty`.
///
/// # Examples
///
/// ```
/// use corio::sync::{GetNowaitError, Queue};
///
/// let queue = Queue::<u8>::unbounded();
/// assert!(matches!(queue.get_nowait(), Err(GetNowaitError::Empty(_))));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueEmpty(pub(crate) ());

impl fmt::Debug for QueueEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueEmpty")
    }
}

impl fmt::Display for QueueEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is empty; await `get` to wait for an item")
    }
}

impl Error for QueueEmpty {}

/// A queue was shut down. A refused `put` gives its item back inside; a
/// `get` carries `()`.
///
/// Equivalent to `asyncio.QueueShutDown` (Python 3.13).
///
/// # Examples
///
/// ```
/// use corio::sync::Queue;
///
/// # corio::run(async {
/// let queue = Queue::unbounded();
/// queue.shutdown(false);
/// let refused = queue.put(7).await.unwrap_err();
/// assert_eq!(refused.into_inner(), 7);
/// assert!(queue.get().await.is_err());
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueShutDown<T = ()>(pub(crate) T);

impl<T> QueueShutDown<T> {
    /// Gives back the item that was refused (`()` for a `get`).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::{PutNowaitError, Queue};
    ///
    /// let queue = Queue::unbounded();
    /// queue.shutdown(true);
    /// let Err(PutNowaitError::ShutDown(refused)) = queue.put_nowait('x') else { panic!() };
    /// assert_eq!(refused.into_inner(), 'x');
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueShutDown(..)")
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the queue was shut down and accepts no more items (and, once empty, gives none)",
        )
    }
}

impl<T> Error for QueueShutDown<T> {}

/// Why [`put_nowait`](crate::Queue::put_nowait) refused an item; either way
/// the item comes back.
///
/// # Examples
///
/// ```
/// use corio::sync::{PutNowaitError, Queue};
///
/// let queue = Queue::new(1);
/// queue.put_nowait(1).unwrap();
/// let error = queue.put_nowait(2).unwrap_err();
/// assert!(error.is_full());
/// assert_eq!(error.into_inner(), 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PutNowaitError<T> {
    /// The queue has no free slot.
    Full(QueueFull<T>),
    /// The queue was shut down.
    ShutDown(QueueShutDown<T>),
}

impl<T> PutNowaitError<T> {
    /// Gives back the refused item.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::Queue;
    ///
    /// let queue = Queue::new(1);
    /// queue.shutdown(false);
    /// assert_eq!(queue.put_nowait(5).unwrap_err().into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(e) => e.0,
            Self::ShutDown(e) => e.0,
        }
    }

    /// Whether the queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::Queue;
    ///
    /// let queue = Queue::new(1);
    /// queue.put_nowait(()).unwrap();
    /// assert!(queue.put_nowait(()).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// Whether the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::Queue;
    ///
    /// let queue = Queue::new(1);
    /// queue.shutdown(false);
    /// assert!(queue.put_nowait(()).unwrap_err().is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        matches!(self, Self::ShutDown(_))
    }
}

impl<T> fmt::Debug for PutNowaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(e) => fmt::Debug::fmt(e, f),
            Self::ShutDown(e) => fmt::Debug::fmt(e, f),
        }
    }
}

impl<T> fmt::Display for PutNowaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(e) => fmt::Display::fmt(e, f),
            Self::ShutDown(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<T> Error for PutNowaitError<T> {}

/// Why [`get_nowait`](crate::Queue::get_nowait) returned no item.
///
/// # Examples
///
/// ```
/// use corio::sync::Queue;
///
/// let queue = Queue::<i32>::unbounded();
/// assert!(queue.get_nowait().unwrap_err().is_empty());
/// queue.shutdown(false);
/// assert!(queue.get_nowait().unwrap_err().is_shutdown());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GetNowaitError {
    /// The queue holds no item right now.
    Empty(QueueEmpty),
    /// The queue was shut down and holds no item any more.
    ShutDown(QueueShutDown),
}

impl GetNowaitError {
    /// Whether the queue was merely empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::LifoQueue;
    ///
    /// let queue = LifoQueue::<i32>::new(2);
    /// assert!(queue.get_nowait().unwrap_err().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Empty(_))
    }

    /// Whether the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::PriorityQueue;
    ///
    /// let queue = PriorityQueue::<i32>::new(2);
    /// queue.shutdown(true);
    /// assert!(queue.get_nowait().unwrap_err().is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        matches!(self, Self::ShutDown(_))
    }
}

impl fmt::Display for GetNowaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty(e) => fmt::Display::fmt(e, f),
            Self::ShutDown(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl Error for GetNowaitError {}

/// [`task_done`](crate::Queue::task_done) was called more times than items
/// were put.
///
/// Equivalent to the `ValueError` of `asyncio.Queue.task_done`.
///
/// # Examples
///
/// ```
/// use corio::sync::Queue;
///
/// let queue = Queue::<()>::unbounded();
/// let error = queue.task_done().unwrap_err();
/// assert!(error.to_string().contains("task_done"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TaskDoneError(pub(crate) ());

impl fmt::Debug for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TaskDoneError")
    }
}

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "task_done() called more times than items were put; call it once per item taken with get",
        )
    }
}

impl Error for TaskDoneError {}

/// [`BoundedSemaphore::release`](crate::BoundedSemaphore::release) would
/// have raised the free permits above the initial value.
///
/// Equivalent to the `ValueError` of `asyncio.BoundedSemaphore.release`.
///
/// # Examples
///
/// ```
/// use corio::sync::BoundedSemaphore;
///
/// let semaphore = BoundedSemaphore::new(1);
/// let error = semaphore.release().unwrap_err();
/// assert!(error.to_string().contains("released too many times"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReleaseError(pub(crate) usize);

impl fmt::Debug for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReleaseError").field(&self.0).finish()
    }
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BoundedSemaphore released too many times: it already holds all {} of its permits",
            self.0
        )
    }
}

impl Error for ReleaseError {}

/// A [`Barrier`](crate::Barrier) was aborted or reset while waiting, or was
/// already broken.
///
/// Equivalent to `asyncio.BrokenBarrierError`.
///
/// # Examples
///
/// ```
/// use corio::sync::Barrier;
///
/// # corio::run(async {
/// let barrier = Barrier::new(2);
/// barrier.abort();
/// let error = barrier.wait().await.unwrap_err();
/// assert!(error.to_string().contains("broken"));
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BrokenBarrier(pub(crate) ());

impl fmt::Debug for BrokenBarrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BrokenBarrier")
    }
}

impl fmt::Display for BrokenBarrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the barrier is broken: it was aborted or reset; call `reset` to use it again")
    }
}

impl Error for BrokenBarrier {}

/// The [`Sender`](crate::Sender) of a [`oneshot`](crate::oneshot()) was
/// dropped without sending a value.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let (sender, receiver) = corio::sync::oneshot::<u8>();
/// drop(sender);
/// let error = receiver.await.unwrap_err();
/// assert!(error.to_string().contains("dropped"));
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RecvError(pub(crate) ());

impl fmt::Debug for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecvError")
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the sender was dropped without sending a value (did its task fail or get cancelled?)",
        )
    }
}

impl Error for RecvError {}

/// Why [`Receiver::try_recv`](crate::Receiver::try_recv) returned no value.
///
/// # Examples
///
/// ```
/// use corio::sync::TryRecvError;
///
/// let (sender, receiver) = corio::sync::oneshot::<u8>();
/// assert_eq!(receiver.try_recv(), Err(TryRecvError::Empty));
/// drop(sender);
/// assert_eq!(receiver.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TryRecvError {
    /// No value was sent yet.
    Empty,
    /// The sender was dropped without sending, or the value was taken.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no value was sent yet; await the receiver to wait for it"),
            Self::Closed => f.write_str(
                "the sender was dropped without sending a value, or the value was already taken",
            ),
        }
    }
}

impl Error for TryRecvError {}

/// The [`Receiver`](crate::Receiver) of a [`oneshot`](crate::oneshot()) was
/// dropped, so nobody will see the value; it comes back inside.
///
/// # Examples
///
/// ```
/// let (sender, receiver) = corio::sync::oneshot();
/// drop(receiver);
/// let error = sender.send(3).unwrap_err();
/// assert_eq!(error.into_inner(), 3);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub(crate) T);

impl<T> SendError<T> {
    /// Gives back the value that was not delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// let (sender, receiver) = corio::sync::oneshot();
    /// drop(receiver);
    /// assert_eq!(sender.send("late").unwrap_err().into_inner(), "late");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the receiver was dropped, so the value cannot be delivered")
    }
}

impl<T> Error for SendError<T> {}
