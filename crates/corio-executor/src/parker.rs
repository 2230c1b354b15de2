//! How one worker sleeps: in the reactor if nobody else drives it, or on its
//! thread's park token otherwise.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};
use std::thread::Thread;

use corio_reactor::Reactor;

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
