//! [`oneshot()`]: asyncio's `Future` as a one-shot channel.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::error::{RecvError, SendError, TryRecvError};
use crate::primitive::{AtomicUsize, Mutex, Ordering, lock};

const SENT: usize = 1;
const SENDER_GONE: usize = 2;
const RECEIVER_GONE: usize = 4;
const TAKEN: usize = 8;

struct Inner<T> {
    state: AtomicUsize,
    slot: Mutex<Slot<T>>,
}

/// The value in flight and the receiving task's waker, under one mutex:
/// `SENT` is set with it held, so a receiver that checks the state under
/// it either sees the value or leaves a waker the sender will find.
struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

impl<T> Inner<T> {
    /// Wakes the receiver, if it is waiting.
    fn wake_receiver(&self) {
        let waker = lock(&self.slot).waker.take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Creates a one-shot channel: a [`Sender`] that delivers one value and a
/// [`Receiver`] that awaits it.
///
/// This is asyncio's `Future` split in two halves: `sender.send(v)` is
/// `fut.set_result(v)`, awaiting the receiver is `await fut`. A sender
/// dropped without sending plays the part of a cancelled future: the
/// receiver gets a [`RecvError`] saying so, instead of waiting forever.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let (sender, receiver) = corio::sync::oneshot();
/// let worker = corio::spawn(async move { sender.send(6 * 7).unwrap() });
/// assert_eq!(receiver.await, Ok(42));
/// worker.await.unwrap();
/// # });
/// ```
pub fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        slot: Mutex::new(Slot {
            value: None,
            waker: None,
        }),
    });
    (
        Sender {
            inner: inner.clone(),
        },
        Receiver {
            inner,
            waiting: false,
        },
    )
}

/// The sending half of a [`oneshot()`] channel.
///
/// # Examples
///
/// ```
/// let (sender, receiver) = corio::sync::oneshot();
/// sender.send("value").unwrap();
/// assert_eq!(receiver.try_recv(), Ok("value"));
/// ```
pub struct Sender<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Sender<T> {
    /// Delivers `value` to the receiver.
    ///
    /// Equivalent to `asyncio.Future.set_result(value)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (sender, receiver) = corio::sync::oneshot();
    /// assert!(sender.send(1).is_ok());
    /// assert_eq!(receiver.try_recv(), Ok(1));
    /// ```
    ///
    /// # Errors
    ///
    /// [`SendError`], with the value inside, if the receiver was dropped.
    pub fn send(self, value: T) -> Result<(), SendError<T>> {
        if self.is_closed() {
            return Err(SendError(value));
        }
        let waker = {
            let mut slot = lock(&self.inner.slot);
            slot.value = Some(value);
            self.inner.state.fetch_or(SENT, Ordering::AcqRel);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
        // Dropping `self` now marks the sender gone, after `SENT`.
    }

    /// Whether the receiver was dropped, so that sending is pointless.
    ///
    /// Equivalent to checking `asyncio.Future.cancelled()` on the waiting
    /// side.
    ///
    /// # Examples
    ///
    /// ```
    /// let (sender, receiver) = corio::sync::oneshot::<()>();
    /// drop(receiver);
    /// assert!(sender.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) & RECEIVER_GONE != 0
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.inner.state.fetch_or(SENDER_GONE, Ordering::AcqRel);
        self.inner.wake_receiver();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The receiving half of a [`oneshot()`] channel; `.await` it for the value.
///
/// # Cancel safety
///
/// Awaiting it by reference (`(&mut receiver).await`) is cancel-safe: a
/// value that arrives stays in the channel until the receiver takes it.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let (sender, receiver) = corio::sync::oneshot();
/// sender.send(()).unwrap();
/// assert_eq!(receiver.await, Ok(()));
/// # });
/// ```
///
/// # Errors
///
/// Awaiting it gives [`RecvError`] if the sender was dropped without
/// sending.
///
/// # Panics
///
/// Polling it again after it returned a value panics.
pub struct Receiver<T> {
    inner: Arc<Inner<T>>,
    /// Whether it has left a waker (and so spent its cooperative budget).
    waiting: bool,
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent, without waiting.
    ///
    /// Equivalent to `asyncio.Future.result()` on a done future.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::sync::TryRecvError;
    ///
    /// let (sender, receiver) = corio::sync::oneshot();
    /// assert_eq!(receiver.try_recv(), Err(TryRecvError::Empty));
    /// sender.send(9).unwrap();
    /// assert_eq!(receiver.try_recv(), Ok(9));
    /// ```
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if nothing was sent yet,
    /// [`TryRecvError::Closed`] if the sender was dropped without sending or
    /// the value was already taken.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let state = self.inner.state.load(Ordering::Acquire);
        if state & SENT != 0 {
            if let Some(value) = lock(&self.inner.slot).value.take() {
                self.inner.state.fetch_or(TAKEN, Ordering::AcqRel);
                return Ok(value);
            }
            return Err(TryRecvError::Closed);
        }
        if state & SENDER_GONE != 0 {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Whether a value is waiting, or the sender is gone: awaiting will not
    /// block.
    ///
    /// Equivalent to `asyncio.Future.done()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (sender, receiver) = corio::sync::oneshot::<u8>();
    /// assert!(!receiver.is_done());
    /// drop(sender);
    /// assert!(receiver.is_done());
    /// ```
    pub fn is_done(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) & (SENT | SENDER_GONE) != 0
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if !this.waiting {
            std::task::ready!(crate::coop::poll_proceed(cx));
        }
        loop {
            let state = this.inner.state.load(Ordering::Acquire);
            assert!(
                state & TAKEN == 0,
                "the oneshot `Receiver` was polled after it returned its value"
            );
            match this.try_recv() {
                Ok(value) => {
                    this.waiting = false;
                    return Poll::Ready(Ok(value));
                }
                Err(TryRecvError::Closed) => {
                    this.waiting = false;
                    return Poll::Ready(Err(RecvError(())));
                }
                Err(TryRecvError::Empty) => {}
            }
            let mut slot = lock(&this.inner.slot);
            // `SENT` is set under this mutex, and `SENDER_GONE` before the
            // sender takes it to wake us: either it shows here, or the
            // sender finds the waker left below.
            if this.inner.state.load(Ordering::Acquire) & (SENT | SENDER_GONE) != 0 {
                continue;
            }
            match &mut slot.waker {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                waker => *waker = Some(cx.waker().clone()),
            }
            this.waiting = true;
            return Poll::Pending;
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.inner.state.fetch_or(RECEIVER_GONE, Ordering::AcqRel);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("done", &self.is_done())
            .finish_non_exhaustive()
    }
}
