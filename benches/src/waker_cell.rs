//! A cell holding the waker of the one task waiting on something.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Waker;

/// Holds the waker of a single waiting task, like `futures`' `AtomicWaker`.
///
/// The waiter calls [`register`](Self::register) and then checks its
/// condition again; the notifier changes the condition and then calls
/// [`wake`](Self::wake). Both sides use sequentially consistent operations
/// (the `armed` flag here, the condition in the caller), so either the waiter
/// sees the new condition or the notifier sees the armed flag: a wake-up is
/// never lost.
///
/// The mutex is only taken when a waiter actually parks, and the notifier
/// skips it entirely while nobody is armed. Every runtime in the suite pays
/// exactly the same for it, so it does not bias a comparison.
#[derive(Debug, Default)]
pub struct WakerCell {
    armed: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl WakerCell {
    /// Creates an empty cell.
    pub const fn new() -> Self {
        Self {
            armed: AtomicBool::new(false),
            waker: Mutex::new(None),
        }
    }

    /// Stores `waker` to be woken by the next [`wake`](Self::wake).
    ///
    /// The caller must check its condition again after this returns.
    pub fn register(&self, waker: &Waker) {
        let mut slot = self.waker.lock().unwrap_or_else(|e| e.into_inner());
        match &*slot {
            // Re-polls of the same task keep the stored clone: no refcount traffic.
            Some(old) if old.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
        // Armed while the lock is held, so a notifier that sees the flag
        // finds the waker in place once it gets the lock.
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Withdraws a registration that is no longer needed, so the next
    /// [`wake`](Self::wake) does not wake the task for nothing.
    ///
    /// Only the waiting side calls this, after it found its condition met.
    pub fn disarm(&self) {
        self.armed.store(false, Ordering::SeqCst);
    }

    /// Wakes the registered task, if one is armed.
    pub fn wake(&self) {
        if self.armed.swap(false, Ordering::SeqCst) {
            let slot = self.waker.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(waker) = &*slot {
                waker.wake_by_ref();
            }
        }
    }
}
