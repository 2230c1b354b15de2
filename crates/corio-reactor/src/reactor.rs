//! The reactor: one `epoll` instance (through `polling`), the I/O sources
//! registered with it, and the timer queue.
//!
//! One thread at a time drives it (holds the [`Driver`]): it blocks in
//! `epoll_wait` until an I/O event, the earliest timer or a [`notify`]
//! from another thread, then wakes every task whose source or timer is ready.
//! Other threads only register sources and timers; a timer registered earlier
//! than the deadline the driver sleeps towards notifies it, so no wake-up
//! waits for an unrelated event.
//!
//! Each source is registered under its own address as the epoll token, so
//! an event finds its source without a lookup or a lock. A deregistered
//! source is deleted from epoll first and its memory kept until the next
//! poll begins: by then no event fetched before the deletion is still being
//! dispatched, and no later wait can return one.
//!
//! In the child of a `fork()` the reactor is a copy whose epoll instance
//! and eventfd are the parent's (see `fork.rs`): every entry point that
//! would use it panics, and what may still run in the child (a
//! deregistration, a notify from a waker, a removed timer, the reactor's
//! own drop) leaves those kernel objects alone and takes none of the
//! reactor's locks, which a thread of the parent may have held when it
//! forked.
//!
//! [`notify`]: Reactor::notify

use std::cell::RefCell;
use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;
use std::time::{Duration, Instant};

use polling::Poller;

use crate::epoll::{self, EventFd};
use crate::fork::{self, ForkGeneration};
use crate::source::Source;
use crate::timer_queue::{TimerKey, TimerQueue};

/// The selector of a corio event loop.
///
/// Equivalent to the selector under `asyncio`'s event loop. Executors own one
/// reactor per runtime and make it current on their threads with
/// [`Reactor::enter`]; [`Async`](crate::Async) and [`Timer`](crate::Timer)
/// find it from there. Applications rarely touch it directly.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use corio::reactor::Reactor;
///
/// let reactor = Reactor::new()?;
/// // Nothing is registered: the poll returns when the timeout passes.
/// let mut driver = reactor.try_lock_driver().expect("nobody else drives it");
/// assert_eq!(driver.poll(Some(Duration::from_millis(1)))?, 0);
/// # std::io::Result::Ok(())
/// ```
pub struct Reactor {
    /// Dropped by hand: in a forked child, never (see `Drop`).
    poller: ManuallyDrop<Poller>,
    /// The fork generation of the process that created the reactor.
    generation: ForkGeneration,
    /// Wakes a blocked driver; registered edge-triggered under `WAKE_KEY`.
    wake: EventFd,
    /// Set while a wake-up is pending, so repeated notifies write once.
    woken: AtomicBool,
    /// Sources deleted from epoll whose memory the next poll frees (an
    /// event fetched before the deletion may still point at them until then).
    released: Mutex<Vec<Arc<Source>>>,
    /// Set when `released` has entries, so a poll checks it without the lock.
    has_released: AtomicBool,
    source_count: AtomicUsize,
    timers: Mutex<TimerQueue>,
    /// The number of live timers, published under the `timers` lock after
    /// every change, so a poll with no timers never takes that lock.
    live_timers: AtomicUsize,
    /// The time (as `nanos` gives it) until which the driver sleeps (`u64::MAX`:
    /// no deadline), or 0 while no thread sleeps in it. A timer inserted
    /// from elsewhere notifies the driver only if it is due before this: a
    /// driver that is awake reads the timers before it sleeps again.
    sleeping_until: AtomicU64,
    driver: DriverLock,
    epoch: Instant,
}

/// Where the reactor's epoch sits in its timer clock (about 146 years in):
/// deadlines that passed before it are still told apart.
const PAST: u64 = 1 << 62;

/// The right to drive the reactor: only ever taken with a `try`, so a flag
/// is all the lock it needs (and, unlike a mutex, a panic in a waker woken
/// during a poll cannot poison it and leave the reactor without a driver).
struct DriverLock {
    locked: AtomicBool,
    state: std::cell::UnsafeCell<DriverState>,
}

// SAFETY: `state` is only reached through a `Driver`, and at most one
// `Driver` exists at a time (`locked`, taken with acquire ordering and
// released with release ordering when the `Driver` drops).
unsafe impl Sync for DriverLock {}

impl std::fmt::Debug for Reactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reactor")
            .field("sources", &self.source_count.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The key of the reactor's own eventfd. Source keys are the sources'
/// addresses (aligned, below the top of user space) and never equal it;
/// `polling` keeps `usize::MAX` for its internal descriptors (which the
/// reactor never arms).
const WAKE_KEY: usize = usize::MAX - 1;

/// Most events taken from the kernel in one wait.
const EVENTS: usize = 1024;

struct DriverState {
    events: Vec<libc::epoll_event>,
    wakers: Vec<Waker>,
}

impl std::fmt::Debug for DriverState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriverState")
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

/// Exclusive right to block in a [`Reactor`]; see [`Reactor::try_lock_driver`].
///
/// # Examples
///
/// ```
/// use corio::reactor::Reactor;
///
/// let reactor = Reactor::new()?;
/// let driver = reactor.try_lock_driver();
/// assert!(driver.is_some());
/// assert!(reactor.try_lock_driver().is_none(), "only one driver at a time");
/// # std::io::Result::Ok(())
/// ```
#[must_use = "the driver is released as soon as it is dropped"]
#[derive(Debug)]
pub struct Driver<'a> {
    reactor: &'a Reactor,
    state: &'a mut DriverState,
}

impl Drop for Driver<'_> {
    fn drop(&mut self) {
        self.reactor.driver.locked.store(false, Ordering::Release);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Reactor>>> = const { RefCell::new(None) };
}

/// Restores the previously current reactor when dropped; see [`Reactor::enter`].
///
/// # Examples
///
/// ```
/// use corio::reactor::Reactor;
///
/// let reactor = Reactor::new()?;
/// let guard = reactor.enter();
/// assert!(Reactor::current().is_some());
/// drop(guard);
/// assert!(Reactor::current().is_none());
/// # std::io::Result::Ok(())
/// ```
#[must_use = "the reactor stops being current as soon as the guard is dropped"]
#[derive(Debug)]
pub struct EnterGuard {
    previous: Option<Arc<Reactor>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

impl Reactor {
    /// Creates a reactor with its own `epoll` instance (close-on-exec).
    ///
    /// # Errors
    ///
    /// Fails when the OS refuses a new epoll instance, eventfd or timerfd,
    /// typically because the process is out of file descriptors.
    ///
    /// # Examples
    ///
    /// ```
    /// let reactor = corio::reactor::Reactor::new()?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> io::Result<Arc<Reactor>> {
        fork::install()?;
        let poller = Poller::new()?;
        let wake = EventFd::new()?;
        epoll::register(&poller, &wake, WAKE_KEY)?;
        Ok(Arc::new(Reactor {
            poller: ManuallyDrop::new(poller),
            generation: ForkGeneration::current(),
            wake,
            woken: AtomicBool::new(false),
            released: Mutex::new(Vec::new()),
            has_released: AtomicBool::new(false),
            source_count: AtomicUsize::new(0),
            timers: Mutex::new(TimerQueue::default()),
            live_timers: AtomicUsize::new(0),
            sleeping_until: AtomicU64::new(0),
            driver: DriverLock {
                locked: AtomicBool::new(false),
                state: std::cell::UnsafeCell::new(DriverState {
                    events: Vec::with_capacity(EVENTS),
                    wakers: Vec::new(),
                }),
            },
            epoch: Instant::now(),
        }))
    }

    /// Makes this reactor the current one on this thread until the guard drops.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::reactor::Reactor;
    ///
    /// let reactor = Reactor::new()?;
    /// let _guard = reactor.enter();
    /// assert!(std::sync::Arc::ptr_eq(&Reactor::current().unwrap(), &reactor));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn enter(self: &Arc<Self>) -> EnterGuard {
        let previous = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        EnterGuard { previous }
    }

    /// The reactor made current on this thread, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio::reactor::Reactor::current().is_none());
    /// corio::run(async {
    ///     assert!(corio::reactor::Reactor::current().is_some());
    /// });
    /// ```
    pub fn current() -> Option<Arc<Reactor>> {
        CURRENT.with(|c| c.borrow().clone())
    }

    #[track_caller]
    pub(crate) fn expect_current(what: &str) -> Arc<Reactor> {
        match Reactor::current() {
            Some(r) => r,
            None => panic!(
                "{what} needs a running corio event loop: call it inside `corio::run` \
                 (or a task spawned there)"
            ),
        }
    }

    /// Whether this reactor was inherited through `fork()`: it was created
    /// in the parent of this process (or an earlier ancestor).
    ///
    /// An inherited reactor cannot be used: its epoll instance and eventfd
    /// are the parent's, and the thread that drove it stayed there. Every
    /// entry point panics in the child ([`try_lock_driver`], [`Driver::poll`],
    /// registering an [`Async`](crate::Async) or a [`Timer`](crate::Timer));
    /// dropping what belongs to it only closes the child's descriptors.
    /// The check is one load of a process-wide counter, which a
    /// `pthread_atfork` handler moves on in every child.
    ///
    /// [`try_lock_driver`]: Reactor::try_lock_driver
    ///
    /// # Examples
    ///
    /// ```
    /// let reactor = corio::reactor::Reactor::new()?;
    /// assert!(!reactor.is_inherited());
    ///
    /// // SAFETY: the child only reads memory and exits.
    /// # #[allow(unsafe_code)]
    /// let pid = unsafe { libc::fork() };
    /// if pid == 0 {
    ///     let code = if reactor.is_inherited() { 0 } else { 1 };
    ///     // SAFETY: ends the child without returning into the caller.
    ///     # #[allow(unsafe_code)]
    ///     unsafe { libc::_exit(code) };
    /// }
    /// let mut status = 0;
    /// // SAFETY: waits for our own child.
    /// # #[allow(unsafe_code)]
    /// unsafe { libc::waitpid(pid, &mut status, 0) };
    /// assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    /// # std::io::Result::Ok(())
    /// ```
    #[inline]
    pub fn is_inherited(&self) -> bool {
        !self.generation.is_current()
    }

    /// The fork generation this reactor was created in: a copy for places
    /// that check [`is_inherited`](Reactor::is_inherited) often and would
    /// rather not read the reactor for it (an executor's workers keep one).
    ///
    /// # Examples
    ///
    /// ```
    /// let reactor = corio::reactor::Reactor::new()?;
    /// assert!(reactor.fork_generation().is_current());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn fork_generation(&self) -> ForkGeneration {
        self.generation
    }

    /// Panics if this reactor was inherited through `fork()`; see
    /// [`is_inherited`](Reactor::is_inherited). Executors call it where a
    /// runtime is entered.
    ///
    /// # Panics
    ///
    /// In the child of a `fork()`, with the message "a corio runtime cannot
    /// be used after fork; start a new one in the child": a new runtime
    /// (`corio::run`) works there.
    ///
    /// # Examples
    ///
    /// ```
    /// let reactor = corio::reactor::Reactor::new()?;
    /// reactor.assert_not_inherited(); // this process created it
    /// # std::io::Result::Ok(())
    /// ```
    #[inline]
    #[track_caller]
    pub fn assert_not_inherited(&self) {
        self.generation.assert_current();
    }

    /// Wakes the thread blocked in [`Driver::poll`], or makes the next poll
    /// return at once.
    ///
    /// Safe to call from any thread, as often as needed: repeated notifies
    /// before the next poll cost one write. In a forked child it does
    /// nothing to an inherited reactor (its eventfd would wake the parent's).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::reactor::Reactor;
    ///
    /// let reactor = Reactor::new()?;
    /// reactor.notify();
    /// // Returns immediately instead of sleeping for an hour.
    /// reactor.try_lock_driver().unwrap().poll(Some(std::time::Duration::from_secs(3600)))?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn notify(&self) {
        if !self.woken.swap(true, Ordering::AcqRel) && !self.is_inherited() {
            self.wake.signal();
        }
    }

    /// Takes the right to block in this reactor, if no other thread holds it.
    ///
    /// # Examples
    ///
    /// ```
    /// let reactor = corio::reactor::Reactor::new()?;
    /// assert!(reactor.try_lock_driver().is_some());
    /// # std::io::Result::Ok(())
    /// ```
    ///
    /// # Panics
    ///
    /// When the reactor was inherited through `fork()`
    /// ([`is_inherited`](Reactor::is_inherited)).
    #[track_caller]
    pub fn try_lock_driver(&self) -> Option<Driver<'_>> {
        // In a child, the flag may be held for good by a thread that was
        // polling in the parent: without this check the caller would wait
        // for it forever.
        self.assert_not_inherited();
        if self.driver.locked.swap(true, Ordering::Acquire) {
            return None;
        }
        // SAFETY: the flag was clear and is now ours: no other `Driver`
        // exists until this one drops and clears it.
        let state = unsafe { &mut *self.driver.state.get() };
        Some(Driver {
            reactor: self,
            state,
        })
    }

    /// Number of I/O sources currently registered.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::reactor::Reactor::new()?.source_count(), 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn source_count(&self) -> usize {
        self.source_count.load(Ordering::Relaxed)
    }

    /// Number of timers currently pending.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::reactor::Reactor::new()?.timer_count(), 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn timer_count(&self) -> usize {
        self.lock_timers().len()
    }

    /// The earliest pending timer deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio::reactor::Reactor::new()?.next_deadline().is_none());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn next_deadline(&self) -> Option<Instant> {
        let next = self.lock_timers().next_deadline()?;
        Some(self.instant(next))
    }

    /// Wakes every timer that is due, without touching the OS.
    ///
    /// Executors call this between task polls when they are too busy to
    /// block in [`Driver::poll`], so a busy loop never delays a timer for
    /// long. Returns the number of timers fired.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::reactor::Reactor::new()?.fire_timers(), 0);
    /// # std::io::Result::Ok(())
    /// ```
    ///
    /// # Panics
    ///
    /// When timers are pending on a reactor inherited through `fork()`
    /// ([`is_inherited`](Reactor::is_inherited)).
    pub fn fire_timers(&self) -> usize {
        let mut wakers = Vec::new();
        self.collect_due_timers(&mut wakers);
        let n = wakers.len();
        wake_all(wakers.drain(..));
        n
    }

    #[inline]
    fn collect_due_timers(&self, out: &mut Vec<Waker>) {
        // A timer inserted while this runs is not due yet, or its insertion
        // notifies the driver; either way it is not lost.
        if self.live_timers.load(Ordering::Acquire) != 0 {
            self.fire_due_timers(out);
        }
    }

    #[inline(never)]
    fn fire_due_timers(&self, out: &mut Vec<Waker>) {
        self.assert_not_inherited();
        let mut timers = self.lock_timers();
        let now = self.nanos(Instant::now());
        timers.fire(now, out);
        self.live_timers.store(timers.len(), Ordering::SeqCst);
    }

    /// The earliest live deadline in nanoseconds since the epoch, without
    /// taking the timers lock when there are none.
    #[inline]
    fn next_timer(&self) -> Option<u64> {
        if self.live_timers.load(Ordering::SeqCst) == 0 {
            return None;
        }
        self.locked_next_timer()
    }

    #[inline(never)]
    fn locked_next_timer(&self) -> Option<u64> {
        self.lock_timers().next_deadline()
    }

    /// A point in time as the timer queue keeps it: nanoseconds from a
    /// point `PAST` before the epoch, so that deadlines already passed
    /// when they were set (even before the reactor existed) keep their
    /// order.
    pub(crate) fn nanos(&self, at: Instant) -> u64 {
        match at.checked_duration_since(self.epoch) {
            Some(after) => u64::try_from(after.as_nanos())
                .map_or(u64::MAX - 1, |n| PAST.saturating_add(n).min(u64::MAX - 1)),
            None => {
                let before = self.epoch.duration_since(at);
                // 1 at the least: 0 means "nobody sleeps" to the driver.
                u64::try_from(before.as_nanos()).map_or(1, |n| PAST.saturating_sub(n).max(1))
            }
        }
    }

    /// The inverse of [`nanos`](Reactor::nanos).
    fn instant(&self, nanos: u64) -> Instant {
        if nanos >= PAST {
            self.epoch + Duration::from_nanos(nanos - PAST)
        } else {
            let before = Duration::from_nanos(PAST - nanos);
            self.epoch.checked_sub(before).unwrap_or(self.epoch)
        }
    }

    fn lock_timers(&self) -> MutexGuard<'_, TimerQueue> {
        // A panic while holding this lock cannot leave the queue half-updated
        // in a way later operations would misread, so poisoning is ignored.
        self.timers.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[track_caller]
    pub(crate) fn insert_timer(&self, when: Instant, waker: &Waker) -> TimerKey {
        self.assert_not_inherited();
        let when = self.nanos(when);
        let key = {
            let mut timers = self.lock_timers();
            let key = timers.insert(when, waker.clone());
            // SeqCst: ordered against the driver's store of
            // `sleeping_until` and its second look at the timers (see
            // `Driver::poll`), so one of the two sides sees the other.
            self.live_timers.store(timers.len(), Ordering::SeqCst);
            key
        };
        if when < self.sleeping_until.load(Ordering::SeqCst) {
            self.notify();
        }
        key
    }

    #[track_caller]
    pub(crate) fn set_timer_waker(&self, key: TimerKey, waker: &Waker) -> bool {
        self.assert_not_inherited();
        self.lock_timers().set_waker(key, waker)
    }

    /// Removes a timer; in a forked child, leaves an inherited reactor's
    /// queue alone (a thread of the parent may have held its lock).
    pub(crate) fn remove_timer(&self, key: TimerKey) -> bool {
        if self.is_inherited() {
            return false;
        }
        let mut timers = self.lock_timers();
        let removed = timers.remove(key);
        self.live_timers.store(timers.len(), Ordering::SeqCst);
        removed
    }

    /// Registers `fd` edge-triggered under the new source's address.
    #[track_caller]
    pub(crate) fn register_source(&self, fd: RawFd) -> io::Result<Arc<Source>> {
        self.assert_not_inherited();
        let source = Arc::new(Source::new(fd));
        epoll::register_source(&self.poller, fd, Arc::as_ptr(&source) as u64)?;
        self.source_count.fetch_add(1, Ordering::Relaxed);
        Ok(source)
    }

    /// Deletes `source` from epoll. Its memory outlives the caller's handle
    /// until the next poll starts (see the module docs); if the deletion
    /// fails, the kernel may still report the token, so it is never freed.
    ///
    /// In a forked child it does nothing to an inherited reactor: the
    /// epoll instance is the parent's, and an `EPOLL_CTL_DEL` here would
    /// remove the parent's registration of the same socket (the child's
    /// copy of the descriptor refers to it). Closing the child's copy, which
    /// the caller does next, leaves that registration in place. No event
    /// of this reactor is dispatched in the child, so the source's memory
    /// goes with the caller's handle.
    pub(crate) fn deregister_source(
        &self,
        source: &Arc<Source>,
        fd: BorrowedFd<'_>,
    ) -> io::Result<()> {
        if self.is_inherited() {
            return Ok(());
        }
        self.source_count.fetch_sub(1, Ordering::Relaxed);
        source.forget_wakers();
        if let Err(e) = self.poller.delete(fd) {
            std::mem::forget(source.clone());
            return Err(e);
        }
        let mut released = self.released.lock().unwrap_or_else(|e| e.into_inner());
        released.push(source.clone());
        self.has_released.store(true, Ordering::Release);
        Ok(())
    }

    /// Frees the sources deregistered before this poll.
    fn free_released(&self) {
        let freed = {
            let mut released = self.released.lock().unwrap_or_else(|e| e.into_inner());
            self.has_released.store(false, Ordering::Relaxed);
            std::mem::take(&mut *released)
        };
        drop(freed);
    }
}

/// Epoll flags that mean "a read would not block" (data, end of stream,
/// error, urgent data), and "a write would not block".
const READ_FLAGS: u32 =
    (libc::EPOLLIN | libc::EPOLLHUP | libc::EPOLLERR | libc::EPOLLPRI | libc::EPOLLRDHUP) as u32;
const WRITE_FLAGS: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;
/// Epoll flags after which reads never block again (end of stream, error).
const CLOSED_FLAGS: u32 = (libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;

impl Drop for Reactor {
    fn drop(&mut self) {
        if self.is_inherited() {
            // A forked child's copy: every deletion from the epoll set
            // would be one from the parent's. The eventfd is closed (with
            // the fields) and stays registered in the parent, which is
            // what closing a copy of a descriptor does. The poller is
            // leaked: `polling` deletes its own eventfd and timerfd from
            // the set when dropped and has no way to close them without
            // that, so its three descriptors (all close-on-exec) stay open
            // until the child exits or calls `exec`.
            return;
        }
        // Closing a registered descriptor would be harmless for epoll, but
        // `polling` asks for deletion before close.
        let _ = self.poller.delete(&self.wake);
        // SAFETY: the poller is dropped here only, once, and nothing uses
        // it after the reactor's `Drop`.
        unsafe { ManuallyDrop::drop(&mut self.poller) };
    }
}

impl Driver<'_> {
    /// Blocks until an I/O event, a due timer, a [`Reactor::notify`] or the
    /// `timeout`, then wakes every task that became ready. Returns how many
    /// wakers it woke.
    ///
    /// `Some(Duration::ZERO)` checks without blocking; `None` waits for as
    /// long as it takes (bounded by the earliest timer).
    ///
    /// # Errors
    ///
    /// Returns the OS error of `epoll_wait` (never `EINTR`, which is retried).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let reactor = corio::reactor::Reactor::new()?;
    /// let mut driver = reactor.try_lock_driver().unwrap();
    /// assert_eq!(driver.poll(Some(Duration::ZERO))?, 0);
    /// # std::io::Result::Ok(())
    /// ```
    ///
    /// # Panics
    ///
    /// When the reactor was inherited through `fork()`
    /// ([`Reactor::is_inherited`]).
    #[track_caller]
    pub fn poll(&mut self, timeout: Option<Duration>) -> io::Result<usize> {
        let reactor = self.reactor;
        // A driver taken before a fork, by the thread that forked.
        reactor.assert_not_inherited();
        let state = &mut *self.state;
        // Every event of the previous wait was dispatched (under this same
        // driver lock), and sources released since were deleted from epoll
        // before: nothing can point at them any more.
        if reactor.has_released.load(Ordering::Acquire) {
            reactor.free_released();
        }
        // A poll that does not block needs no deadline, and with neither a
        // timeout nor a timer there is none: the clock is not read at all.
        let next_timer = match timeout {
            Some(Duration::ZERO) => None,
            _ => reactor.next_timer(),
        };
        let (deadline, wait) = if timeout == Some(Duration::ZERO) {
            (None, timeout)
        } else if timeout.is_none() && next_timer.is_none() {
            (None, None)
        } else {
            let now = Instant::now();
            let mut deadline = timeout.and_then(|t| now.checked_add(t));
            if let Some(next) = next_timer {
                let next = reactor.instant(next);
                deadline = Some(deadline.map_or(next, |d| d.min(next)));
            }
            (deadline, deadline.map(|d| d.saturating_duration_since(now)))
        };
        let blocking = wait != Some(Duration::ZERO);
        if blocking {
            let until = deadline.map_or(u64::MAX, |d| reactor.nanos(d));
            reactor.sleeping_until.store(until, Ordering::SeqCst);
            // A timer inserted between the deadline computation above and
            // this store would not have notified us: look once more.
            let next = reactor.next_timer();
            if next.is_some_and(|next| next < until) {
                reactor.sleeping_until.store(0, Ordering::Release);
                return self.poll(Some(Duration::ZERO));
            }
        }
        let result = epoll::wait(reactor.poller.as_raw_fd(), &mut state.events, wait);
        if blocking {
            // Awake: later insertions need not notify (see `sleeping_until`).
            // Not part of the handshake above, so no SeqCst needed.
            reactor.sleeping_until.store(0, Ordering::Release);
        }
        result?;

        for event in &state.events {
            // Copies out of the (packed) kernel struct.
            let (key, flags) = (event.u64 as usize, event.events);
            if key < WAKE_KEY {
                // SAFETY: `key` is the address of a source registered with
                // this epoll instance (`register_source`). The source is
                // alive: its `Async` holds it until deregistration, which
                // deletes it from epoll and then hands it to `released`,
                // freed only at the start of a later poll, after this
                // dispatch (the driver lock orders them).
                let source = unsafe { &*(key as *const Source) };
                source.set_ready(
                    flags & READ_FLAGS != 0,
                    flags & WRITE_FLAGS != 0,
                    flags & CLOSED_FLAGS != 0,
                    &mut state.wakers,
                );
            } else if key == WAKE_KEY {
                // Drain first, then allow the next write. The other
                // order loses wake-ups for good: a write landing between
                // the two would be drained away (and epoll drops its
                // edge, the counter being zero) while the flag stays
                // set, so no later notify would write again. In this
                // order a notify racing with us either sees the flag
                // still set (and this driver, awake now, re-checks its
                // queues anyway) or writes after the drain.
                reactor.wake.drain();
                reactor.woken.store(false, Ordering::Release);
            }
        }
        reactor.collect_due_timers(&mut state.wakers);
        let n = state.wakers.len();
        if n > 0 {
            wake_all(state.wakers.drain(..));
        }
        Ok(n)
    }
}

/// Wakes every waker, even if some of them panic.
///
/// Wakers are user code. One that panics must neither leave the wakers
/// after it un-woken nor unwind out of the reactor: that would take down
/// `corio::run`, or kill the worker thread driving the reactor and hang the
/// runtime. The panic is swallowed: the panic hook reported it when it was
/// raised, and nobody here could act on it.
fn wake_all(wakers: impl Iterator<Item = Waker>) {
    for waker in wakers {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || waker.wake())) {
            // A payload whose own `Drop` panics is forgotten rather than
            // let unwind from here.
            if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
                std::mem::forget(again);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_inserted_while_the_driver_is_awake_do_not_notify_it() {
        let reactor = Reactor::new().unwrap();
        let waker = Waker::noop();
        let soon = Instant::now() + Duration::from_millis(1);
        // Nobody sleeps in the driver: the next poll reads the timers
        // anyway, so no eventfd write (and no read later) is spent.
        let key = reactor.insert_timer(soon, waker);
        assert!(!reactor.woken.load(Ordering::SeqCst));
        assert!(reactor.remove_timer(key));

        // A driver sleeping until a later deadline must hear of an earlier
        // timer at once.
        let later = reactor.nanos(Instant::now() + Duration::from_secs(60));
        reactor.sleeping_until.store(later, Ordering::SeqCst);
        let key = reactor.insert_timer(soon, waker);
        assert!(reactor.woken.load(Ordering::SeqCst));
        assert!(reactor.remove_timer(key));

        // ...but not of a timer due after the one it already waits for.
        reactor.woken.store(false, Ordering::SeqCst);
        let key = reactor.insert_timer(Instant::now() + Duration::from_secs(120), waker);
        assert!(!reactor.woken.load(Ordering::SeqCst));
        assert!(reactor.remove_timer(key));
        assert_eq!(reactor.timer_count(), 0);
    }
}
