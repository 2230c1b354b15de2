//! Unix signals as streams: asyncio's `loop.add_signal_handler`.
//!
//! [`Signals`] is a [`Stream`] of the signal numbers it listens for, and
//! [`ctrl_c`] waits for one `SIGINT`. Signals arrive through the reactor:
//! a process-wide handler only records the signal and writes a byte to a
//! close-on-exec self-pipe; every listener watches that pipe, and whoever
//! drains it hands each signal to all the listeners that want it, so
//! several listeners for one signal each receive it.
//!
//! While at least one listener exists for a signal, corio's handler
//! replaces the signal's previous disposition (for `SIGINT`: ending the
//! program); when the last listener is dropped, the previous disposition
//! comes back, as asyncio's `remove_signal_handler` does.
//!
//! # Examples
//!
//! ```
//! use corio::signal::Signals;
//! use futures_lite::StreamExt;
//!
//! # corio::run(async {
//! let mut signals = Signals::new([libc::SIGUSR2])?;
//! // Anything may send the signal; here the process sends it to itself.
//! # #[allow(unsafe_code)]
//! unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) };
//! assert_eq!(signals.next().await, Some(libc::SIGUSR2));
//! # std::io::Result::Ok(()) }).unwrap();
//! ```
//!
//! The usual signal numbers are constants of this module ([`SIGTERM`],
//! [`SIGHUP`], ...), as in Python's `signal` module.
//!
//! # When not to use it
//!
//! Signals are process-wide. A library should leave them to the program;
//! and a signal is a poor message bus: the kernel merges a signal that
//! arrives while the same one is still pending, and so does `Signals`.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};

use corio_reactor::Async;
use futures_lite::{Stream, StreamExt};

use crate::handler::{self, NSIG, SavedAction};

/// Hang-up: the controlling terminal closed; daemons often reload on it.
pub const SIGHUP: i32 = libc::SIGHUP;
/// Interrupt: Ctrl-C in a terminal (see [`ctrl_c`]).
pub const SIGINT: i32 = libc::SIGINT;
/// Quit: Ctrl-\\ in a terminal.
pub const SIGQUIT: i32 = libc::SIGQUIT;
/// Kill: cannot be caught; [`Child::kill`](crate::Child::kill) sends it.
pub const SIGKILL: i32 = libc::SIGKILL;
/// User-defined signal 1.
pub const SIGUSR1: i32 = libc::SIGUSR1;
/// User-defined signal 2.
pub const SIGUSR2: i32 = libc::SIGUSR2;
/// Write to a pipe with no reader (Rust programs ignore it by default).
pub const SIGPIPE: i32 = libc::SIGPIPE;
/// Timer expired (`alarm`).
pub const SIGALRM: i32 = libc::SIGALRM;
/// Terminate: the polite request to stop; [`Child::terminate`](crate::Child::terminate) sends it.
pub const SIGTERM: i32 = libc::SIGTERM;
/// A child stopped or exited.
pub const SIGCHLD: i32 = libc::SIGCHLD;
/// Continue a stopped process.
pub const SIGCONT: i32 = libc::SIGCONT;
/// Stop: cannot be caught.
pub const SIGSTOP: i32 = libc::SIGSTOP;
/// Terminal stop: Ctrl-Z in a terminal.
pub const SIGTSTP: i32 = libc::SIGTSTP;
/// The terminal window changed size.
pub const SIGWINCH: i32 = libc::SIGWINCH;

/// Signals that cannot be caught, or whose handler would turn a crash into
/// an endless loop.
const FORBIDDEN: [i32; 6] = [
    libc::SIGKILL,
    libc::SIGSTOP,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGFPE,
    libc::SIGILL,
];

struct Listener {
    mask: u128,
    state: Mutex<ListenerState>,
}

struct ListenerState {
    pending: u128,
    waker: Option<Waker>,
}

impl Listener {
    fn lock(&self) -> MutexGuard<'_, ListenerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct Registry {
    listeners: Vec<Weak<Listener>>,
    /// Per signal: how many listeners want it, and what it replaced.
    installed: HashMap<i32, (usize, SavedAction)>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

fn registry() -> MutexGuard<'static, Option<Registry>> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands every signal that arrived since the last call to its listeners.
fn dispatch() {
    let mut arrived = 0u128;
    for sig in 1..NSIG {
        if handler::take_pending(sig) {
            arrived |= 1 << sig;
        }
    }
    if arrived == 0 {
        return;
    }
    let mut wake = Vec::new();
    if let Some(reg) = registry().as_ref() {
        for listener in reg.listeners.iter().filter_map(Weak::upgrade) {
            let mine = arrived & listener.mask;
            if mine != 0 {
                let mut st = listener.lock();
                st.pending |= mine;
                wake.extend(st.waker.take());
            }
        }
    }
    wake.into_iter().for_each(Waker::wake);
}

/// A stream of the signals it was created for, each as its number
/// (`libc::SIGTERM`, ...).
///
/// Equivalent to `loop.add_signal_handler(sig, callback)` for each signal,
/// with the callback replaced by a `Stream` to await. Any number of
/// `Signals` may listen for the same signal: each receives it. A signal
/// that arrives again before the stream yielded the previous one is merged
/// with it, as the kernel does with pending signals. The stream never ends.
///
/// # Examples
///
/// ```
/// use corio::signal::Signals;
/// use futures_lite::StreamExt;
///
/// # corio::run(async {
/// let mut first = Signals::new([libc::SIGUSR2, libc::SIGHUP])?;
/// let mut second = Signals::new([libc::SIGUSR2])?;
/// # #[allow(unsafe_code)]
/// unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) };
/// assert_eq!(first.next().await, Some(libc::SIGUSR2));
/// assert_eq!(second.next().await, Some(libc::SIGUSR2));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct Signals {
    listener: Arc<Listener>,
    pipe: Async<File>,
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signals: Vec<i32> = (1..NSIG as i32)
            .filter(|&s| self.listener.mask & (1 << s) != 0)
            .collect();
        f.debug_struct("Signals")
            .field("signals", &signals)
            .finish()
    }
}

impl Signals {
    /// Starts listening for `signals`.
    ///
    /// Equivalent to `loop.add_signal_handler` for each of them. Signals
    /// sent before this call are not seen; those sent after it are, even
    /// before the stream is first polled.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// use corio::signal::{Signals, SIGHUP, SIGTERM};
    ///
    /// let signals = Signals::new([SIGTERM, SIGHUP])?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a signal number out of range or one that cannot
    /// be handled (`SIGKILL`, `SIGSTOP`, `SIGSEGV`, `SIGBUS`, `SIGFPE`,
    /// `SIGILL`), or an empty list; the OS error if the handler or the pipe
    /// cannot be set up.
    ///
    /// # Panics
    ///
    /// Panics when called outside a corio runtime: create it inside
    /// `corio::run` or a task spawned there.
    #[track_caller]
    pub fn new(signals: impl IntoIterator<Item = i32>) -> io::Result<Signals> {
        if corio_executor::Handle::try_current().is_none() {
            panic!("Signals::new must be called inside `corio::run` or a task spawned there");
        }
        let mut mask = 0u128;
        for sig in signals {
            let valid = usize::try_from(sig).is_ok_and(|s| (1..NSIG).contains(&s));
            if !valid || FORBIDDEN.contains(&sig) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("signal {sig} cannot be handled"),
                ));
            }
            mask |= 1 << sig;
        }
        if mask == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Signals::new needs at least one signal",
            ));
        }
        let mut guard = registry();
        let pipe = handler::read_end()?.try_clone_to_owned()?;
        let pipe = Async::new(File::from(pipe))?;
        let reg = guard.get_or_insert_with(Registry::default);
        let mut added = Vec::new();
        for sig in (1..NSIG as i32).filter(|&s| mask & (1 << s) != 0) {
            if let Err(e) = acquire(reg, sig) {
                release(reg, added);
                return Err(e);
            }
            added.push(sig);
        }
        let listener = Arc::new(Listener {
            mask,
            state: Mutex::new(ListenerState {
                pending: 0,
                waker: None,
            }),
        });
        reg.listeners.retain(|l| l.strong_count() > 0);
        reg.listeners.push(Arc::downgrade(&listener));
        Ok(Signals { listener, pipe })
    }

    /// Waits for the next signal; the same as `StreamExt::next`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a signal is removed from the stream only when returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut signals = corio::signal::Signals::new([libc::SIGUSR2])?;
    /// # #[allow(unsafe_code)]
    /// unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) };
    /// assert_eq!(signals.recv().await, libc::SIGUSR2);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn recv(&mut self) -> i32 {
        loop {
            if let Some(sig) = self.next().await {
                return sig;
            }
        }
    }
}

/// Takes one claim on corio's handler for `sig`, installing it for the
/// first claim. The self-pipe must exist.
fn acquire(reg: &mut Registry, sig: i32) -> io::Result<()> {
    if let Some((count, _)) = reg.installed.get_mut(&sig) {
        *count += 1;
    } else {
        let saved = handler::install(sig)?;
        reg.installed.insert(sig, (1, saved));
    }
    Ok(())
}

/// Keeps corio's handler installed for one signal without listening for
/// it; dropping it gives the claim back (the old disposition returns with
/// the last claim).
///
/// The orphan reaper holds one for `SIGCHLD` where pidfds are missing: it
/// runs outside any runtime and learns of exits through the handler's
/// `SIGCHLD` pipe instead of the signal pipe.
pub(crate) struct HandlerClaim(i32);

impl fmt::Debug for HandlerClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HandlerClaim").field(&self.0).finish()
    }
}

impl HandlerClaim {
    /// Installs the handler for `sig` (if nobody else has) and keeps it.
    /// Needs no runtime.
    pub(crate) fn new(sig: i32) -> io::Result<HandlerClaim> {
        let mut guard = registry();
        handler::read_end()?;
        acquire(guard.get_or_insert_with(Registry::default), sig)?;
        Ok(HandlerClaim(sig))
    }
}

impl Drop for HandlerClaim {
    fn drop(&mut self) {
        if let Some(reg) = registry().as_mut() {
            release(reg, [self.0]);
        }
    }
}

/// Drops one listener's claim on each signal in `sigs`, restoring the old
/// disposition of those nobody listens for any more.
fn release(reg: &mut Registry, sigs: impl IntoIterator<Item = i32>) {
    for sig in sigs {
        if let Some((count, _)) = reg.installed.get_mut(&sig) {
            *count -= 1;
            if *count == 0 {
                if let Some((_, saved)) = reg.installed.remove(&sig) {
                    handler::restore(sig, &saved);
                }
            }
        }
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        let mut guard = registry();
        if let Some(reg) = guard.as_mut() {
            let mask = self.listener.mask;
            release(reg, (1..NSIG as i32).filter(|&s| mask & (1 << s) != 0));
            reg.listeners
                .retain(|l| l.strong_count() > 0 && !l.ptr_eq(&Arc::downgrade(&self.listener)));
        }
    }
}

impl Stream for Signals {
    type Item = i32;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<i32>> {
        let this = self.get_mut();
        loop {
            {
                let mut st = this.listener.lock();
                if st.pending != 0 {
                    let sig = st.pending.trailing_zeros();
                    st.pending &= !(1 << sig);
                    return Poll::Ready(Some(sig as i32));
                }
                st.waker = Some(cx.waker().clone());
            }
            let mut buf = [0u8; 64];
            match this.pipe.poll_read_with(cx, |mut f| f.read(&mut buf)) {
                Poll::Ready(Ok(n)) if n > 0 => dispatch(),
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                // The pipe neither fails nor ends (its write end is never
                // closed); should it, the flags are still checked each time
                // the stream is polled.
                Poll::Ready(_) | Poll::Pending => {
                    dispatch();
                    let mut st = this.listener.lock();
                    if st.pending == 0 {
                        return Poll::Pending;
                    }
                    st.waker = None;
                }
            }
        }
    }
}

/// Waits for Ctrl-C (`SIGINT`).
///
/// Listening starts when `ctrl_c` is called, not when the future is first
/// polled, so a `SIGINT` that arrives in between is not lost. The program's
/// default reaction to Ctrl-C (ending it) is suspended while the returned
/// future is alive and comes back once it completes or is dropped, so a
/// second Ctrl-C during a graceful shutdown still stops the program.
///
/// # Cancel safety
///
/// Cancel-safe; a `SIGINT` that arrives after cancellation is handled by
/// the previous disposition again.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let ctrl_c = corio::signal::ctrl_c();
/// # #[allow(unsafe_code)]
/// # unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
/// ctrl_c.await?;
/// // Shut down gracefully.
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// The future fails with the OS error if the handler cannot be installed.
///
/// # Panics
///
/// Panics when called outside a corio runtime.
#[track_caller]
pub fn ctrl_c() -> CtrlC {
    CtrlC {
        signals: Some(Signals::new([libc::SIGINT])),
    }
}

/// Future returned by [`ctrl_c`].
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// use corio::signal::CtrlC;
///
/// let ctrl_c: CtrlC = corio::signal::ctrl_c();
/// # #[allow(unsafe_code)]
/// # unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
/// ctrl_c.await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
#[derive(Debug)]
pub struct CtrlC {
    signals: Option<io::Result<Signals>>,
}

impl Future for CtrlC {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.signals.as_mut() {
            Some(Ok(signals)) => match signals.poll_next(cx) {
                Poll::Ready(_) => {
                    self.signals = None;
                    Poll::Ready(Ok(()))
                }
                Poll::Pending => Poll::Pending,
            },
            Some(Err(_)) => match self.signals.take() {
                Some(Err(e)) => Poll::Ready(Err(e)),
                _ => Poll::Ready(Ok(())),
            },
            None => Poll::Ready(Ok(())),
        }
    }
}
