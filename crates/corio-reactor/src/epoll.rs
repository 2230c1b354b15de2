//! The two system calls of the hot path, made directly: waiting on the
//! epoll instance and the eventfd that wakes it.
//!
//! `polling` registers sources (and stays the portable layer for that), but
//! its `wait` re-arms a timerfd and its notifier on every call: five system
//! calls per wait, even a non-blocking one. The reactor waits on the epoll
//! descriptor itself instead, with `epoll_pwait2` (nanosecond timeouts,
//! Linux 5.11+) or `epoll_wait` (millisecond timeouts, rounded up) where
//! the kernel lacks it, and wakes it through an eventfd of its own that is
//! registered like any source. A blocking wait is then one system call, and
//! one more to drain the eventfd when it was the reason to wake.
//!
//! Both waits go through `syscall(2)`, and the eventfd's reads and writes
//! through `rustix`, not glibc's `epoll_wait`, `read` and `write`: those
//! wrappers are thread-cancellation points, and in a process with a second
//! thread each call brackets its system call with two atomic updates of the
//! thread's cancellation state, which corio (never cancelling a thread)
//! does not need.
//!
//! # Invariants
//!
//! - `EventFd` owns its descriptor; it is created close-on-exec and
//!   non-blocking, so reads and writes never block the caller.
//! - `wait` only writes into the spare capacity of the buffer it is given and
//!   sets the length to what the kernel reports as filled.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Whether `epoll_pwait2` is known to be missing (then `epoll_wait` is used).
static NO_PWAIT2: AtomicBool = AtomicBool::new(false);

/// Waits for events on `epfd`, filling `events` (cleared first). `None`
/// waits without a timeout. `EINTR` is reported as zero events.
pub(crate) fn wait(
    epfd: RawFd,
    events: &mut Vec<libc::epoll_event>,
    timeout: Option<Duration>,
) -> io::Result<usize> {
    events.clear();
    let cap = i32::try_from(events.capacity()).unwrap_or(i32::MAX);
    let buf = events.as_mut_ptr();
    // Without a timeout, or with a zero one, a millisecond wait says the
    // same thing with less work (no timespec).
    let whole = timeout.is_none_or(|t| t.is_zero());
    let n = if whole || NO_PWAIT2.load(Ordering::Relaxed) {
        wait_ms(epfd, buf, cap, timeout)
    } else {
        let ts = timeout.map(|t| libc::timespec {
            tv_sec: libc::time_t::try_from(t.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_nsec: libc::c_long::from(t.subsec_nanos() as i32),
        });
        let ts_ptr = ts
            .as_ref()
            .map_or(std::ptr::null(), |t| t as *const libc::timespec);
        // SAFETY: `buf` has room for `cap` events (the vector's capacity);
        // `ts_ptr` is null or points at a live timespec; a null signal mask
        // means "leave it unchanged".
        let n = unsafe {
            libc::syscall(
                libc::SYS_epoll_pwait2,
                epfd,
                buf,
                cap,
                ts_ptr,
                std::ptr::null::<libc::sigset_t>(),
                8usize,
            )
        };
        if n < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::ENOSYS) {
            NO_PWAIT2.store(true, Ordering::Relaxed);
            wait_ms(epfd, buf, cap, timeout)
        } else {
            n as i64
        }
    };
    if n < 0 {
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::Interrupted {
            return Ok(0);
        }
        return Err(err);
    }
    let n = n as usize;
    // SAFETY: the kernel initialised the first `n <= cap` entries.
    unsafe { events.set_len(n) };
    Ok(n)
}

fn wait_ms(epfd: RawFd, buf: *mut libc::epoll_event, cap: i32, timeout: Option<Duration>) -> i64 {
    let ms = match timeout {
        None => -1,
        Some(t) => {
            // Round up, so a timer never fires early.
            let ms = t.as_nanos().div_ceil(1_000_000);
            i32::try_from(ms).unwrap_or(i32::MAX)
        }
    };
    // `epoll_pwait` with no signal mask is `epoll_wait` (which some
    // architectures lack as a system call of its own).
    // SAFETY: `buf` has room for `cap` events; a null mask leaves the
    // signal mask unchanged.
    let n = unsafe {
        libc::syscall(
            libc::SYS_epoll_pwait,
            epfd,
            buf,
            cap,
            ms,
            std::ptr::null::<libc::sigset_t>(),
            8usize,
        )
    };
    n as i64
}

/// A non-blocking, close-on-exec eventfd.
#[derive(Debug)]
pub(crate) struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    pub(crate) fn new() -> io::Result<EventFd> {
        // SAFETY: plain system call; on success the descriptor is ours.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(EventFd { fd })
    }

    /// Makes the eventfd readable (its counter can only overflow after
    /// 2^64 - 2 unread writes, which the reactor's dedup flag rules out).
    pub(crate) fn signal(&self) {
        // Through `rustix`, not glibc's `write` (a cancellation point, see
        // the module docs). Cannot fail on a live eventfd but for EAGAIN at
        // a saturated counter, which already means "readable".
        let _ = rustix::io::write(&self.fd, &1u64.to_ne_bytes());
    }

    /// Resets the counter (a no-op when it is already zero).
    pub(crate) fn drain(&self) {
        // Non-blocking: an empty counter gives EAGAIN, which is fine.
        let mut buf = [0u8; 8];
        let _ = rustix::io::read(&self.fd, &mut buf);
    }
}

impl AsFd for EventFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// Registers `wake` with `poller`, edge-triggered for reading, under `key`.
///
/// The caller must delete it from the poller before dropping it (the
/// reactor does so in its `Drop`).
pub(crate) fn register(poller: &polling::Poller, wake: &EventFd, key: usize) -> io::Result<()> {
    // SAFETY: the caller keeps the eventfd open while registered and deletes
    // it before closing it (see above).
    unsafe {
        poller.add_with_mode(
            wake.fd.as_raw_fd(),
            polling::Event::readable(key),
            polling::PollMode::Edge,
        )
    }
}

/// Registers `fd` edge-triggered for reading, writing and read-hang-up
/// (`EPOLLRDHUP`, which `polling` does not ask for: it lets a short read
/// clear readiness safely, see `poll_stream_read` in
/// `async_io`).
pub(crate) fn register_source(poller: &polling::Poller, fd: RawFd, token: u64) -> io::Result<()> {
    let mut event = libc::epoll_event {
        events: (libc::EPOLLIN | libc::EPOLLPRI | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET)
            as u32,
        u64: token,
    };
    // SAFETY: `event` is a valid epoll_event for the call's duration; the
    // descriptor stays open while it is registered: `Async`'s `Drop` and
    // `into_inner` delete it from the poller before `io` is released.
    let rc = unsafe {
        libc::epoll_ctl(
            std::os::fd::AsRawFd::as_raw_fd(poller),
            libc::EPOLL_CTL_ADD,
            fd,
            &mut event,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
