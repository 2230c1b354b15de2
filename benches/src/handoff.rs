//! A one-slot handoff between two tasks, independent of any runtime.

use std::future::{Future, poll_fn};
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;

use crate::WakerCell;

/// The slot value meaning "nothing in it".
const EMPTY: u64 = u64::MAX;

/// A one-slot channel for `u64` values between one sender and one receiver.
///
/// Built on `std` and [`Waker`](std::task::Waker) alone, so every runtime in
/// the suite moves messages through exactly the same code, and a difference in
/// `ping_pong` is a difference in how the runtimes wake and schedule tasks.
///
/// It is meant for one sending task and one receiving task at a time; more
/// than one on either side may miss wake-ups.
///
/// # Examples
///
/// ```
/// use corio_benches::Handoff;
///
/// let slot = Handoff::new();
/// assert!(slot.try_send(7).is_ok());
/// assert_eq!(slot.try_send(8), Err(8));
/// assert_eq!(slot.try_recv(), Some(7));
/// ```
#[derive(Debug)]
pub struct Handoff {
    slot: AtomicU64,
    receiver: WakerCell,
    sender: WakerCell,
}

impl Default for Handoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Handoff {
    /// Creates an empty handoff.
    pub const fn new() -> Self {
        Self {
            slot: AtomicU64::new(EMPTY),
            receiver: WakerCell::new(),
            sender: WakerCell::new(),
        }
    }

    /// Puts `value` in the slot and wakes the receiver, or gives `value`
    /// back when the slot is full.
    ///
    /// # Panics
    ///
    /// When `value` is `u64::MAX`, which marks the empty slot.
    pub fn try_send(&self, value: u64) -> Result<(), u64> {
        assert_ne!(value, EMPTY, "u64::MAX cannot be sent through a Handoff");
        match self
            .slot
            .compare_exchange(EMPTY, value, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {
                self.receiver.wake();
                Ok(())
            }
            Err(_) => Err(value),
        }
    }

    /// Takes the value out of the slot and wakes the sender, if there is one.
    pub fn try_recv(&self) -> Option<u64> {
        if self.slot.load(Ordering::SeqCst) == EMPTY {
            return None;
        }
        // One receiver: nobody else can empty the slot in between.
        let value = self.slot.swap(EMPTY, Ordering::SeqCst);
        self.sender.wake();
        Some(value)
    }

    /// Waits until the slot is empty, then puts `value` in it.
    pub fn send(&self, value: u64) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            if self.try_send(value).is_ok() {
                return Poll::Ready(());
            }
            self.sender.register(cx.waker());
            if self.try_send(value).is_ok() {
                self.sender.disarm();
                return Poll::Ready(());
            }
            Poll::Pending
        })
    }

    /// Waits until the slot holds a value, then takes it.
    pub fn recv(&self) -> impl Future<Output = u64> + '_ {
        poll_fn(move |cx| {
            if let Some(value) = self.try_recv() {
                return Poll::Ready(value);
            }
            self.receiver.register(cx.waker());
            if let Some(value) = self.try_recv() {
                self.receiver.disarm();
                return Poll::Ready(value);
            }
            Poll::Pending
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Handoff;

    /// Messages cross between two threads in order, none lost or doubled.
    #[test]
    fn ping_pong_across_threads() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .expect("tokio runtime");
        runtime.block_on(async {
            let (ping, pong) = (Arc::new(Handoff::new()), Arc::new(Handoff::new()));
            let echo = tokio::spawn({
                let (ping, pong) = (ping.clone(), pong.clone());
                async move {
                    for _ in 0..10_000 {
                        let value = ping.recv().await;
                        pong.send(value + 1).await;
                    }
                }
            });
            for round in 0..10_000 {
                ping.send(round).await;
                assert_eq!(pong.recv().await, round + 1);
            }
            echo.await.expect("echo task");
        });
    }

    /// A sender waits for a full slot to empty.
    #[test]
    fn send_waits_while_full() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("tokio runtime");
        runtime.block_on(async {
            let slot = Arc::new(Handoff::new());
            let sender = tokio::spawn({
                let slot = slot.clone();
                async move {
                    for value in 0..100 {
                        slot.send(value).await;
                    }
                }
            });
            for value in 0..100 {
                assert_eq!(slot.recv().await, value);
            }
            sender.await.expect("sender task");
        });
    }
}
