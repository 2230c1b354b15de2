//! [`oneshot()`]: asyncio's `Future` as a one-shot channel.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::error::{RecvError, SendError, TryRecvError};
use crate::primitive::{AtomicUsize, Ordering, UnsafeCell};

/// The value is in its cell, for the receiver alone from now on.
const SENT: usize = 1;
const SENDER_GONE: usize = 2;
const RECEIVER_GONE: usize = 4;
/// `try_recv` took the value out (it may run on several threads at once,
/// through `&Receiver`; a poll has `&mut` and needs no claim).
const TAKEN: usize = 8;
/// The waker cell holds the receiver's waker, for the sender to wake.
const WAKER_SET: usize = 16;

/// One value and one waker, passed between exactly two parties with one
/// atomic word; no lock.
///
/// Who may touch which cell:
/// * `value`: the sender writes it before setting `SENT` (or takes it back
///   if its `SENT` found `RECEIVER_GONE`); after `SENT`, only the receiver,
///   once: a poll (which holds `&mut Receiver`) or a `try_recv` that
///   claimed it by setting `TAKEN`.
/// * `waker`: the receiver writes it only while `WAKER_SET` is clear, then
///   sets the flag; while it is set both sides may only read it (the sender
///   wakes it by reference after setting `SENT` or `SENDER_GONE`; the
///   receiver compares it with its new waker). To replace it the receiver
///   first clears the flag; if that shows the sender done, the sender may be
///   reading it, so the receiver leaves it alone and takes the result.
///   Whatever is left in the cells is dropped with the channel.
struct Inner<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cells are shared only as the protocol above allows: each is
// written by one side at a time, handed over through `state`'s
// acquire/release operations, and a value crosses threads only by move
// (so `T: Send` suffices).
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    /// Wakes the receiver if `prev` (the state before the sender's final
    /// flag) shows it waiting.
    fn wake_receiver(&self, prev: usize) {
        if prev & WAKER_SET != 0 && prev & RECEIVER_GONE == 0 {
            self.waker.with(|waker| {
                // SAFETY: `WAKER_SET` was set when the sender's flag went
                // in, so the receiver no longer writes the cell (it only
                // clears the flag and then sees the sender done): a shared
                // read is fine.
                if let Some(waker) = unsafe { &*waker } {
                    waker.wake_by_ref();
                }
            });
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
        value: UnsafeCell::new(None),
        waker: UnsafeCell::new(None),
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
        // SAFETY: until `SENT` the value cell is the sender's alone, and
        // this is the only send (it takes `self`).
        self.inner
            .value
            .with_mut(|cell| unsafe { *cell = Some(value) });
        let prev = self.inner.state.fetch_or(SENT, Ordering::AcqRel);
        if prev & RECEIVER_GONE != 0 {
            // SAFETY: the receiver is gone, so nobody else reads the cell.
            let value = self.inner.value.with_mut(|cell| unsafe { (*cell).take() });
            return value.map_or(Ok(()), |value| Err(SendError(value)));
        }
        self.inner.wake_receiver(prev);
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
        let prev = self.inner.state.fetch_or(SENDER_GONE, Ordering::AcqRel);
        // After a send the receiver was woken by it already.
        if prev & SENT == 0 {
            self.inner.wake_receiver(prev);
        }
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
            // Exactly one caller finds `TAKEN` clear and owns the value.
            if self.inner.state.fetch_or(TAKEN, Ordering::AcqRel) & TAKEN == 0 {
                // SAFETY: `SENT`, acquired above, published the value and
                // the sender no longer touches the cell; `TAKEN` makes this
                // the only reader.
                let value = self.inner.value.with_mut(|cell| unsafe { (*cell).take() });
                if let Some(value) = value {
                    return Ok(value);
                }
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
            let inner = &*this.inner;
            let state = inner.state.load(Ordering::Acquire);
            if state & SENT != 0 {
                // SAFETY: `SENT`, acquired above, published the value and the
                // sender no longer touches the cell; `&mut self` rules out a
                // concurrent `try_recv`, the cell's only other reader.
                let value = inner.value.with_mut(|cell| unsafe { (*cell).take() });
                let value =
                    value.expect("the oneshot `Receiver` was polled after it returned its value");
                this.waiting = false;
                return Poll::Ready(Ok(value));
            }
            if state & SENDER_GONE != 0 {
                this.waiting = false;
                return Poll::Ready(Err(RecvError(())));
            }
            if inner.state.load(Ordering::Acquire) & WAKER_SET != 0 {
                // SAFETY: while `WAKER_SET` is set nobody writes the cell.
                let same = inner.waker.with(|waker| unsafe {
                    (*waker)
                        .as_ref()
                        .is_some_and(|waker| waker.will_wake(cx.waker()))
                });
                if same {
                    this.waiting = true;
                    return Poll::Pending;
                }
                let prev = inner.state.fetch_and(!WAKER_SET, Ordering::AcqRel);
                if prev & (SENT | SENDER_GONE) != 0 {
                    // The sender finished while the flag was set and may be
                    // reading the cell: leave it, and take the result.
                    continue;
                }
            }
            // SAFETY: `WAKER_SET` is clear, so the sender does not read the
            // cell (it reads it only if the flag was set before its own
            // final flag), and only this receiver writes it.
            inner
                .waker
                .with_mut(|waker| unsafe { *waker = Some(cx.waker().clone()) });
            if inner.state.fetch_or(WAKER_SET, Ordering::AcqRel) & (SENT | SENDER_GONE) != 0 {
                // The sender finished before the waker was in: it will not
                // wake us, so take the result now.
                continue;
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
