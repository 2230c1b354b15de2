//! Fork detection: which process a reactor belongs to.
//!
//! `fork()` copies the whole address space into the child, runtimes
//! included, but only the thread that called it: worker threads, the
//! blocking pool and any thread blocked in `epoll_wait` stay behind. The
//! copied descriptors still name the parent's kernel objects. The epoll
//! instance is one object shared by both processes, so an `EPOLL_CTL_DEL`
//! made by the child (the usual deregistration when a socket is dropped)
//! removes the parent's registration of that socket, and the parent never
//! hears of it again; a write to the copied eventfd wakes the parent's
//! driver. An inherited runtime is therefore unusable in the child and must
//! not be torn down there the usual way.
//!
//! A process-wide generation counter tells the copies apart. It starts at
//! zero and a `pthread_atfork` child handler increments it in every child;
//! a reactor records the generation it was created in (a
//! [`ForkGeneration`]), and it was inherited through `fork()` when the
//! current generation differs. The check is one relaxed load of a static
//! that is written only in a new child, so its cache line stays shared and
//! the branch predicted: hot paths afford it where a `getpid()` per
//! operation (a system call) would not. An executor keeps a copy of its
//! reactor's generation where its threads read it (a worker's own state),
//! so its per-task checks read no cache line that other threads write.
//!
//! Relaxed ordering is enough: the handler runs on the child's only thread
//! before `fork()` returns there, and threads the child starts later see the
//! increment through thread creation. The parent never sees it (the child
//! has its own copy of the counter).
//!
//! Children made without the C library's `fork()` run no fork handlers: a
//! raw `clone` system call, or glibc's `_Fork`. They are not detected.
//! `vfork()` and `posix_spawn` (which `std::process::Command` uses) run
//! none either, which is right: their child shares the parent's memory
//! until it calls `exec`, and an increment there would be the parent's.
//!
//! # Invariants
//!
//! - The handler is registered once, before the first reactor exists
//!   (`Reactor::new` calls [`install`] first), so every fork after that
//!   moves the child to a new generation.
//! - The handler only increments an atomic counter: lock-free, so it is
//!   async-signal-safe, as a handler running in the child of a
//!   multi-threaded process must be.

use std::io;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many forks separate this process from the one where counting began.
static GENERATION: Padded = Padded(AtomicU64::new(0));

/// Keeps the counter on cache lines of its own (128 bytes: two lines, as
/// x86 prefetches them in pairs), so that no static the linker puts beside
/// it, written by some thread, makes the hot-path load miss.
#[repr(align(128))]
struct Padded(AtomicU64);

/// The result of registering the handler (0, or the error number).
static INSTALLED: OnceLock<i32> = OnceLock::new();

/// The panic of every use of an inherited runtime.
const USED_AFTER_FORK: &str =
    "a corio runtime cannot be used after fork; start a new one in the child";

/// The fork handler: runs in the child, on its only thread.
extern "C" fn forked() {
    GENERATION.0.fetch_add(1, Ordering::Relaxed);
}

/// Registers the fork handler, once per process.
///
/// # Errors
///
/// The error of `pthread_atfork` (out of memory), every time it is asked
/// once registration failed.
pub(crate) fn install() -> io::Result<()> {
    let rc = *INSTALLED.get_or_init(|| {
        // SAFETY: `forked` is async-signal-safe (see the module invariants)
        // and cannot unwind; it stays valid for the life of the process.
        unsafe { libc::pthread_atfork(None, None, Some(forked)) }
    });
    match rc {
        0 => Ok(()),
        err => Err(io::Error::from_raw_os_error(err)),
    }
}

/// The generation of this process.
#[inline]
fn generation() -> u64 {
    GENERATION.0.load(Ordering::Relaxed)
}

/// The process a reactor was created in, as far as `fork()` can tell them
/// apart; see [`Reactor::fork_generation`](crate::Reactor::fork_generation).
///
/// It is a copy of a process-wide counter that a `pthread_atfork` handler
/// increments in every child, so checking it costs one load and no system
/// call. Children made without the C library's `fork()` (a raw `clone`
/// system call) run no fork handlers and are not told apart.
///
/// # Examples
///
/// ```
/// let reactor = corio::reactor::Reactor::new()?;
/// let generation = reactor.fork_generation();
/// assert!(generation.is_current());
///
/// // SAFETY: the child only reads memory and exits.
/// # #[allow(unsafe_code)]
/// let pid = unsafe { libc::fork() };
/// if pid == 0 {
///     let code = if generation.is_current() { 1 } else { 0 };
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForkGeneration(u64);

impl ForkGeneration {
    /// The generation of the calling process; only a reactor takes it,
    /// after registering the fork handler.
    pub(crate) fn current() -> ForkGeneration {
        ForkGeneration(generation())
    }

    /// Whether the calling process is the one this generation was taken
    /// in, rather than a child forked from it since.
    ///
    /// # Examples
    ///
    /// ```
    /// let reactor = corio::reactor::Reactor::new()?;
    /// assert!(reactor.fork_generation().is_current());
    /// # std::io::Result::Ok(())
    /// ```
    #[inline]
    pub fn is_current(self) -> bool {
        self.0 == generation()
    }

    /// Panics unless the calling process is the one this generation was
    /// taken in.
    ///
    /// # Examples
    ///
    /// ```
    /// let reactor = corio::reactor::Reactor::new()?;
    /// reactor.fork_generation().assert_current();
    /// # std::io::Result::Ok(())
    /// ```
    ///
    /// # Panics
    ///
    /// In a child forked since, with the message "a corio runtime cannot be
    /// used after fork; start a new one in the child".
    #[inline]
    #[track_caller]
    pub fn assert_current(self) {
        if !self.is_current() {
            used_after_fork();
        }
    }
}

/// The panic of every use of an inherited runtime.
#[cold]
#[track_caller]
fn used_after_fork() -> ! {
    panic!("{USED_AFTER_FORK}")
}
