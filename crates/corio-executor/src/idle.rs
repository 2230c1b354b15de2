//! Which workers are asleep, and how to wake exactly one of them.
//!
//! Waking a parked thread costs tens of microseconds here, so the scheduler
//! wakes a sibling only when work lands where the sibling could take it and
//! no other worker is already searching for work (a searching worker will
//! find it). A worker that stops searching because it found work wakes the
//! next sleeper, so parallelism ramps up one worker at a time, and the last
//! searcher to give up checks every queue once more before it sleeps, so work
//! pushed during the hand-over is never stranded.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread::Thread;

use corio_reactor::Reactor;

#[derive(Debug, Default)]
pub(crate) struct Idle {
    searching: AtomicUsize,
    sleeping: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
}

impl Idle {
    fn lock(&self) -> MutexGuard<'_, Vec<usize>> {
        self.sleepers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Picks a sleeping worker to wake, if waking one is worthwhile; the
    /// caller unparks it. The chosen worker counts as searching.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        std::sync::atomic::fence(Ordering::SeqCst);
        if self.searching.load(Ordering::SeqCst) != 0 || self.sleeping.load(Ordering::SeqCst) == 0 {
            return None;
        }
        let mut sleepers = self.lock();
        if self.searching.load(Ordering::SeqCst) != 0 {
            return None;
        }
        let worker = sleepers.pop()?;
        self.sleeping.fetch_sub(1, Ordering::SeqCst);
        self.searching.fetch_add(1, Ordering::SeqCst);
        Some(worker)
    }

    /// Tries to become a searcher; limited to half the workers, so a burst
    /// of idleness does not turn into every worker hammering every queue.
    pub(crate) fn try_start_searching(&self, workers: usize) -> bool {
        let searching = self.searching.load(Ordering::SeqCst);
        if 2 * searching >= workers.max(2) {
            return false;
        }
        self.searching.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// A searcher found work; returns true if it was the last one searching
    /// (then the caller should wake another worker to keep looking).
    pub(crate) fn stop_searching(&self) -> bool {
        self.searching.fetch_sub(1, Ordering::SeqCst) == 1
    }

    /// Records `worker` as asleep; returns true if it was the last searcher.
    pub(crate) fn park(&self, worker: usize, searching: bool) -> bool {
        let mut sleepers = self.lock();
        let last = searching && self.searching.fetch_sub(1, Ordering::SeqCst) == 1;
        self.sleeping.fetch_add(1, Ordering::SeqCst);
        sleepers.push(worker);
        last
    }

    /// After waking: returns true if a notifier picked this worker (it is
    /// then a searcher), false if it woke for another reason (it is removed
    /// from the sleepers here).
    pub(crate) fn unpark(&self, worker: usize) -> bool {
        let mut sleepers = self.lock();
        match sleepers.iter().position(|&w| w == worker) {
            Some(i) => {
                sleepers.swap_remove(i);
                self.sleeping.fetch_sub(1, Ordering::SeqCst);
                false
            }
            None => true,
        }
    }
}

const EMPTY: u8 = 0;
const NOTIFIED: u8 = 1;
const IN_DRIVER: u8 = 2;
const IN_THREAD: u8 = 3;

/// How one worker sleeps: in the reactor if nobody else drives it, or on its
/// thread's park token otherwise; `unpark` knows which.
#[derive(Debug)]
pub(crate) struct Parker {
    state: AtomicU8,
    thread: OnceLock<Thread>,
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            state: AtomicU8::new(EMPTY),
            thread: OnceLock::new(),
        }
    }

    /// Binds the parker to the calling thread (the worker's thread).
    pub(crate) fn bind(&self) {
        let _ = self.thread.set(std::thread::current());
    }

    pub(crate) fn unpark(&self, reactor: &Reactor) {
        match self.state.swap(NOTIFIED, Ordering::SeqCst) {
            IN_DRIVER => reactor.notify(),
            IN_THREAD => {
                if let Some(thread) = self.thread.get() {
                    thread.unpark();
                }
            }
            _ => {}
        }
    }

    /// Sleeps until `unpark`, an I/O event or a timer. Returns at once if an
    /// `unpark` came since the last sleep.
    pub(crate) fn park(&self, reactor: &Reactor) {
        if let Some(mut driver) = reactor.try_lock_driver() {
            if self
                .state
                .compare_exchange(EMPTY, IN_DRIVER, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                if let Err(e) = driver.poll(None) {
                    // epoll_wait only fails on programming errors (bad fd,
                    // bad buffer); report it instead of spinning silently.
                    crate::debug::report_reactor_error(&e);
                }
            }
        } else if self
            .state
            .compare_exchange(EMPTY, IN_THREAD, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            while self.state.load(Ordering::SeqCst) == IN_THREAD {
                std::thread::park();
            }
        }
        self.state.store(EMPTY, Ordering::SeqCst);
    }
}
