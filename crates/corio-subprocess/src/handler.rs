//! The process-wide signal handler and the self-pipe it writes to.
//!
//! # Invariants
//!
//! - `WRITE_FD` is -1 until the self-pipe exists; from then on it holds the
//!   pipe's write end for the rest of the process. That descriptor is never
//!   closed (its `OwnedFd` is leaked on purpose), so the handler may write
//!   to it at any moment, from any thread. `CHLD_WRITE_FD`, the write end
//!   of the second pipe that only `SIGCHLD` writes to, follows the same
//!   rule.
//! - Both ends of each pipe are close-on-exec (no child inherits them) and
//!   non-blocking (the handler never blocks; a full pipe already holds a
//!   wake-up byte, and the pending flags carry which signals arrived).
//! - The handler does only async-signal-safe work: atomic stores, one
//!   `write(2)` (two for `SIGCHLD`), and saving and restoring `errno`.
//! - `install` and `restore` are called with the caller's registry lock
//!   held, so the installation of one signal never races with its removal.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// One more than the highest signal number Linux delivers (`SIGRTMAX`).
pub(crate) const NSIG: usize = 65;

static WRITE_FD: AtomicI32 = AtomicI32::new(-1);
static READ_END: OnceLock<OwnedFd> = OnceLock::new();
/// The second self-pipe, written to on `SIGCHLD` only, for the orphan
/// reaper (see [`sigchld_read_end`]).
static CHLD_WRITE_FD: AtomicI32 = AtomicI32::new(-1);
static CHLD_READ_END: OnceLock<OwnedFd> = OnceLock::new();
static PENDING: [AtomicBool; NSIG] = [const { AtomicBool::new(false) }; NSIG];

/// The disposition a signal had before corio installed its handler.
pub(crate) struct SavedAction(libc::sigaction);

impl fmt::Debug for SavedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SavedAction").finish_non_exhaustive()
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: `__errno_location` only returns the address of this thread's
    // errno; it is async-signal-safe.
    unsafe { libc::__errno_location() }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: `__error` only returns the address of this thread's errno.
    unsafe { libc::__error() }
}

extern "C" fn on_signal(sig: libc::c_int) {
    let errno = errno_location();
    // SAFETY: `errno` points to this thread's errno, valid for the thread's
    // life; the handler restores it so the interrupted code sees no change.
    let saved = unsafe { *errno };
    if let Some(flag) = usize::try_from(sig).ok().and_then(|i| PENDING.get(i)) {
        flag.store(true, Ordering::SeqCst);
    }
    wake(&WRITE_FD);
    if sig == libc::SIGCHLD {
        wake(&CHLD_WRITE_FD);
    }
    // SAFETY: as above.
    unsafe { *errno = saved };
}

/// Writes a wake-up byte to the self-pipe whose write end `fd` holds, if
/// it exists yet. Async-signal-safe.
fn wake(fd: &AtomicI32) {
    let fd = fd.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `fd` stays open for the rest of the process (see the
        // invariants) and `byte` is a live one-byte buffer. A failed write
        // (a full pipe) is fine: a wake-up byte is already waiting.
        let _ = unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
    }
}

/// The read end of the self-pipe, created on first use.
pub(crate) fn read_end() -> io::Result<BorrowedFd<'static>> {
    self_pipe(&READ_END, &WRITE_FD)
}

/// The read end of the `SIGCHLD` pipe, created on first use: the handler
/// writes a byte to it for every `SIGCHLD`, besides the signal pipe.
///
/// It has a single reader, the orphan reaper's thread, which must not
/// take bytes (and with them the pending flags' wake-ups) from the
/// runtimes reading the signal pipe.
pub(crate) fn sigchld_read_end() -> io::Result<BorrowedFd<'static>> {
    self_pipe(&CHLD_READ_END, &CHLD_WRITE_FD)
}

fn self_pipe(
    read_end: &'static OnceLock<OwnedFd>,
    write_fd: &AtomicI32,
) -> io::Result<BorrowedFd<'static>> {
    if let Some(fd) = read_end.get() {
        return Ok(fd.as_fd());
    }
    let (read, write) = crate::pipe::pair(true)?;
    if read_end.set(read).is_ok() {
        // The write end lives as long as the process (see the invariants).
        write_fd.store(write.as_raw_fd(), Ordering::SeqCst);
        std::mem::forget(write);
    }
    // A racing caller's pipe may have won; ours is closed when `write`
    // drops. Either way the cell is set now.
    read_end
        .get()
        .map(AsFd::as_fd)
        .ok_or_else(|| io::Error::other("the signal pipe could not be created"))
}

/// Whether `sig` arrived since the last call; clears the flag.
pub(crate) fn take_pending(sig: usize) -> bool {
    PENDING
        .get(sig)
        .is_some_and(|flag| flag.swap(false, Ordering::SeqCst))
}

/// Installs the handler for `sig` and returns the disposition it replaces.
/// The self-pipe must exist ([`read_end`]).
pub(crate) fn install(sig: libc::c_int) -> io::Result<SavedAction> {
    // SAFETY: an all-zero `sigaction` is a valid value (no flags, empty
    // mask, default handler); the fields that matter are set below.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    if sig == libc::SIGCHLD {
        action.sa_flags |= libc::SA_NOCLDSTOP;
    }
    // SAFETY: as above.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: `action.sa_mask` is a valid signal set to empty.
    unsafe { libc::sigemptyset(&raw mut action.sa_mask) };
    // SAFETY: both pointers are to live `sigaction` values; `on_signal` is
    // async-signal-safe (see the invariants).
    if unsafe { libc::sigaction(sig, &raw const action, &raw mut old) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(SavedAction(old))
}

/// Puts back the disposition [`install`] replaced.
pub(crate) fn restore(sig: libc::c_int, saved: &SavedAction) {
    // SAFETY: `saved.0` is the disposition the kernel handed back to
    // `install`, so it is valid to install again.
    let _ = unsafe { libc::sigaction(sig, &raw const saved.0, std::ptr::null_mut()) };
}

/// Empties the `SIGCHLD` pipe (it must exist: [`sigchld_read_end`]), so
/// that the next byte means a new `SIGCHLD`.
pub(crate) fn drain_sigchld() {
    let Some(fd) = CHLD_READ_END.get() else {
        return;
    };
    let mut buf = [0u8; 64];
    loop {
        // SAFETY: the read end stays open for the rest of the process (it
        // lives in a static cell), and `buf` is a live, writable buffer of
        // the length passed. The pipe is non-blocking: the loop ends at
        // EAGAIN.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
    }
}
