//! [`Server`]: `start_server` and `start_unix_server`, one task per
//! connection.
//!
//! Each listener has an accept task; each accepted connection gets its own
//! task running the handler. The server keeps a table of live connections
//! (the task handle and a weak reference to the socket) so that
//! `abort_clients` can shut them down and `wait_closed` can tell when the
//! last one ended. Entries remove themselves through a guard that the
//! connection task owns, so a handler that returns, fails, panics or is
//! cancelled always leaves the table.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::Shutdown;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use corio_executor::Task;
use corio_reactor::Async;
use corio_sync::{OwnedSemaphorePermit, Semaphore};

use crate::accept_failures::{AcceptFailures, SUMMARY_EVERY};
use crate::address::Address;
use crate::connection::{split_tcp, split_unix};
use crate::reader::{DEFAULT_LIMIT, StreamReader};
use crate::resolve::{TargetAddrs, ToAddrs, resolve};
use crate::tcp::{ListenOptions, TcpListener};
use crate::unix::UnixListener;
use crate::writer::StreamWriter;

/// How long the accept loop pauses after running out of file descriptors
/// (or another resource) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What a connection handler may return: `()`, or a `Result` whose error
/// the server reports on standard error before closing the connection.
///
/// # Examples
///
/// ```
/// use corio::streams::{start_server, StreamReader, StreamWriter};
///
/// async fn greet(_reader: StreamReader, writer: StreamWriter) -> std::io::Result<()> {
///     writer.write(b"hello\n");
///     writer.drain().await
/// }
/// # corio::run(async {
/// let server = start_server(greet, "127.0.0.1:0").await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait HandlerOutput: Send + 'static {
    /// The error to report, if the handler failed.
    fn into_error(self) -> Option<String>;
}

impl HandlerOutput for () {
    fn into_error(self) -> Option<String> {
        None
    }
}

impl<E: fmt::Display + Send + 'static> HandlerOutput for Result<(), E> {
    fn into_error(self) -> Option<String> {
        self.err().map(|e| e.to_string())
    }
}

/// Options for [`start_server_with`] and [`start_unix_server_with`].
///
/// # Examples
///
/// ```
/// use corio::streams::{ListenOptions, ServerOptions};
///
/// let options = ServerOptions::new()
///     .max_connections(10_000)
///     .limit(8 * 1024)
///     .listen(ListenOptions::new().backlog(4096).reuse_port(true));
/// ```
#[derive(Debug, Clone)]
pub struct ServerOptions {
    limit: usize,
    max_connections: Option<usize>,
    listen: ListenOptions,
}

impl Default for ServerOptions {
    fn default() -> ServerOptions {
        ServerOptions::new()
    }
}

impl ServerOptions {
    /// The defaults: reader limit 64 KiB, no connection limit, the default
    /// [`ListenOptions`].
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ServerOptions::new();
    /// ```
    pub fn new() -> ServerOptions {
        ServerOptions {
            limit: DEFAULT_LIMIT,
            max_connections: None,
            listen: ListenOptions::new(),
        }
    }

    /// The limit of each connection's [`StreamReader`] (asyncio's `limit=`).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ServerOptions::new().limit(1024);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `limit` is 0.
    #[track_caller]
    pub fn limit(mut self, limit: usize) -> ServerOptions {
        assert!(limit > 0, "StreamReader limit must be at least 1");
        self.limit = limit;
        self
    }

    /// At most `n` connections are served at once; further connections wait
    /// in the listen backlog until one ends.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ServerOptions::new().max_connections(100);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `n` is 0.
    #[track_caller]
    pub fn max_connections(mut self, n: usize) -> ServerOptions {
        assert!(n > 0, "max_connections must be at least 1");
        self.max_connections = Some(n);
        self
    }

    /// How the listening sockets are set up (backlog, address reuse).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ServerOptions::new()
    ///     .listen(corio::streams::ListenOptions::new().backlog(128));
    /// ```
    pub fn listen(mut self, listen: ListenOptions) -> ServerOptions {
        self.listen = listen;
        self
    }
}

enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

/// A way to shut a live connection down without owning it.
enum Aborter {
    Tcp(Weak<Async<std::net::TcpStream>>),
    Unix(Weak<Async<std::os::unix::net::UnixStream>>),
}

impl Aborter {
    fn abort(&self) {
        // Errors mean the connection is already down.
        match self {
            Aborter::Tcp(w) => {
                if let Some(s) = w.upgrade() {
                    let _ = s.get_ref().shutdown(Shutdown::Both);
                }
            }
            Aborter::Unix(w) => {
                if let Some(s) = w.upgrade() {
                    let _ = s.get_ref().shutdown(Shutdown::Both);
                }
            }
        }
    }
}

struct Accepted {
    reader: StreamReader,
    writer: StreamWriter,
    peer: Address,
    aborter: Aborter,
}

impl Listener {
    async fn accept(&self, limit: usize) -> io::Result<Accepted> {
        match self {
            Listener::Tcp(l) => {
                let (stream, peer) = l.accept().await?;
                let aborter = Aborter::Tcp(Arc::downgrade(stream.inner()));
                let (reader, writer) = split_tcp(stream, limit);
                Ok(Accepted {
                    reader,
                    writer,
                    peer: Address::Inet(peer),
                    aborter,
                })
            }
            Listener::Unix(l) => {
                let (stream, peer) = l.accept().await?;
                let aborter = Aborter::Unix(Arc::downgrade(stream.inner()));
                let (reader, writer) = split_unix(stream, limit);
                Ok(Accepted {
                    reader,
                    writer,
                    peer: Address::Unix(peer),
                    aborter,
                })
            }
        }
    }
}

struct Conn {
    task: Option<Task<()>>,
    aborter: Aborter,
}

#[derive(Default)]
struct State {
    closed: bool,
    accepting: usize,
    accept_tasks: Vec<Task<()>>,
    conns: HashMap<u64, Conn>,
    next_id: u64,
    waiters: Vec<Waker>,
}

impl State {
    fn finished(&self) -> bool {
        self.closed && self.accepting == 0 && self.conns.is_empty()
    }
}

struct Inner {
    state: Mutex<State>,
    addrs: Vec<Address>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes the waiters if the state calls for it; takes the guard so the
    /// wakers run after the lock is released.
    fn wake_if(&self, mut st: MutexGuard<'_, State>, cond: bool) {
        if cond {
            let waiters = std::mem::take(&mut st.waiters);
            drop(st);
            waiters.into_iter().for_each(Waker::wake);
        }
    }
}

/// The socket file a Unix server created, known by its device and inode so
/// that closing the server removes that file and never a newer one that
/// another server has since created at the same path.
#[derive(Clone)]
struct SocketFile {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl SocketFile {
    /// Records the file the listener just bound at `path`.
    fn created_at(path: PathBuf) -> io::Result<SocketFile> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(&path)?;
        Ok(SocketFile {
            path,
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    /// Removes the file if the path still names the one this server
    /// created. Between the check and the unlink another process could
    /// still swap the file; no unlink-if-inode call exists to close that.
    fn remove(&self) {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::symlink_metadata(&self.path) {
            if meta.dev() == self.dev && meta.ino() == self.ino {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

/// Owned by an accept task: drops the listener (and removes a Unix socket
/// file) before telling the server this accept loop is gone.
struct Accepting {
    listener: Option<Listener>,
    unix_file: Option<SocketFile>,
    inner: Arc<Inner>,
}

impl Drop for Accepting {
    fn drop(&mut self) {
        drop(self.listener.take());
        if let Some(file) = &self.unix_file {
            file.remove();
        }
        let mut st = self.inner.lock();
        st.accepting -= 1;
        let finished = st.finished();
        self.inner.wake_if(st, finished);
    }
}

/// Owned by a connection task: removes the connection from the table
/// however the task ends.
struct ConnGuard {
    inner: Arc<Inner>,
    id: u64,
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        let mut st = self.inner.lock();
        let conn = st.conns.remove(&self.id);
        let finished = st.finished();
        self.inner.wake_if(st, finished);
        // The task handle is dropped (detached) outside the lock.
        drop(conn);
    }
}

fn is_resource_exhaustion(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    ) || matches!(e.raw_os_error(), Some(libc::EPROTO | libc::EPERM))
}

async fn accept_loop<H, F>(
    accepting: Accepting,
    handler: Arc<H>,
    limit: usize,
    max: Option<Arc<Semaphore>>,
) where
    H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
    F: Future + Send + 'static,
    F::Output: HandlerOutput,
{
    let inner = accepting.inner.clone();
    let Some(listener) = accepting.listener.as_ref() else {
        return;
    };
    let local = inner
        .addrs
        .first()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let mut report = AcceptReport {
        failures: AcceptFailures::new(SUMMARY_EVERY),
        local,
    };
    loop {
        let permit = match &max {
            Some(sem) => Some(sem.acquire_owned().await),
            None => None,
        };
        match listener.accept(limit).await {
            Ok(accepted) => {
                if let Some(line) = report.failures.ended(corio_time::now()) {
                    report.print(&line);
                }
                spawn_connection(&inner, accepted, handler.clone(), permit);
            }
            Err(e) if is_transient(&e) => {}
            Err(e) => {
                // Out of descriptors (or memory): the pending connection
                // stays queued and the listener stays readable, so retrying
                // at once would spin. Pause, then try again.
                let what = if is_resource_exhaustion(&e) {
                    "out of resources"
                } else {
                    "unexpected error"
                };
                let error = format!("{what}: {e}");
                if let Some(line) = report.failures.failed(corio_time::now(), &error) {
                    report.print(&line);
                }
                corio_time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

/// Reports an accept loop's failures on standard error, a burst at a time
/// (see [`AcceptFailures`]); when the loop stops (the server closed) it
/// reports what is still counted.
struct AcceptReport {
    failures: AcceptFailures,
    local: String,
}

impl AcceptReport {
    fn print(&self, line: &str) {
        #[allow(
            clippy::print_stderr,
            reason = "asyncio logs accept failures the same way"
        )]
        {
            eprintln!("corio::streams: server on {}: {line}", self.local);
        }
    }
}

impl Drop for AcceptReport {
    fn drop(&mut self) {
        if let Some(line) = self.failures.ended(corio_time::now()) {
            self.print(&line);
        }
    }
}

fn spawn_connection<H, F>(
    inner: &Arc<Inner>,
    accepted: Accepted,
    handler: Arc<H>,
    permit: Option<OwnedSemaphorePermit>,
) where
    H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
    F: Future + Send + 'static,
    F::Output: HandlerOutput,
{
    let Accepted {
        reader,
        writer,
        peer,
        aborter,
    } = accepted;
    let id = {
        let mut st = inner.lock();
        let id = st.next_id;
        st.next_id += 1;
        st.conns.insert(
            id,
            Conn {
                task: None,
                aborter,
            },
        );
        id
    };
    let guard = ConnGuard {
        inner: inner.clone(),
        id,
    };
    let task = corio_executor::spawn(async move {
        let _guard = guard;
        let _permit = permit;
        if let Some(e) = handler(reader, writer).await.into_error() {
            #[allow(
                clippy::print_stderr,
                reason = "asyncio logs handler failures the same way"
            )]
            {
                eprintln!("corio::streams: handler for connection from {peer} failed: {e}");
            }
        }
    });
    let mut st = inner.lock();
    if let Some(conn) = st.conns.get_mut(&id) {
        conn.task = Some(task);
    }
}

/// A running server: listening sockets, their accept loops and the
/// connections they started.
///
/// Equivalent to `asyncio.Server` (as returned by `asyncio.start_server`):
/// [`serve_forever`](Self::serve_forever), [`close`](Self::close),
/// [`wait_closed`](Self::wait_closed), [`abort_clients`](Self::abort_clients),
/// [`local_addrs`](Self::local_addrs) (`server.sockets`),
/// [`is_serving`](Self::is_serving).
///
/// Dropping the server closes it, as [`close`](Self::close) does: it stops
/// accepting, and the connections already running go on.
///
/// # Examples
///
/// ```
/// use corio::streams::{open_connection, start_server, StreamReader, StreamWriter};
///
/// # corio::run(async {
/// let server = start_server(|_reader: StreamReader, writer: StreamWriter| async move {
///     writer.write(b"hi\n");
///     writer.drain().await
/// }, "127.0.0.1:0").await?;
/// let port = server.local_addrs()[0].port().unwrap();
/// let (mut reader, _writer) = open_connection("127.0.0.1", port).await?;
/// assert_eq!(reader.readline().await?, b"hi\n");
/// server.close();
/// server.wait_closed().await;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct Server {
    inner: Arc<Inner>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.lock();
        f.debug_struct("Server")
            .field("addrs", &self.inner.addrs)
            .field("serving", &!st.closed)
            .field("connections", &st.conns.len())
            .finish()
    }
}

impl Server {
    fn start<H, F>(
        listeners: Vec<Listener>,
        unix_file: Option<SocketFile>,
        handler: H,
        options: &ServerOptions,
    ) -> io::Result<Server>
    where
        H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
        F: Future + Send + 'static,
        F::Output: HandlerOutput,
    {
        let addrs = listeners
            .iter()
            .map(|l| match l {
                Listener::Tcp(l) => l.local_addr().map(Address::Inet),
                Listener::Unix(l) => l.local_addr().map(Address::Unix),
            })
            .collect::<io::Result<Vec<_>>>()?;
        let inner = Arc::new(Inner {
            state: Mutex::new(State::default()),
            addrs,
        });
        let handler = Arc::new(handler);
        let max = options.max_connections.map(|n| Arc::new(Semaphore::new(n)));
        let mut st = inner.lock();
        for listener in listeners {
            st.accepting += 1;
            let accepting = Accepting {
                listener: Some(listener),
                unix_file: unix_file.clone(),
                inner: inner.clone(),
            };
            let task = corio_executor::spawn(accept_loop(
                accepting,
                handler.clone(),
                options.limit,
                max.clone(),
            ));
            st.accept_tasks.push(task);
        }
        drop(st);
        Ok(Server { inner })
    }

    /// The addresses the server listens on (asyncio's `server.sockets`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{start_server, StreamReader, StreamWriter};
    /// # corio::run(async {
    /// let server = start_server(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0").await?;
    /// let addr = server.local_addrs()[0].as_inet().unwrap();
    /// assert!(addr.ip().is_loopback() && addr.port() != 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn local_addrs(&self) -> Vec<Address> {
        self.inner.addrs.clone()
    }

    /// Whether the server still accepts connections.
    ///
    /// Equivalent to `asyncio.Server.is_serving()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{start_server, StreamReader, StreamWriter};
    /// # corio::run(async {
    /// let server = start_server(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0").await?;
    /// assert!(server.is_serving());
    /// server.close();
    /// assert!(!server.is_serving());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn is_serving(&self) -> bool {
        !self.inner.lock().closed
    }

    /// The number of connections whose handler is still running.
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{start_server, StreamReader, StreamWriter};
    /// # corio::run(async {
    /// let server = start_server(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0").await?;
    /// assert_eq!(server.active_connections(), 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn active_connections(&self) -> usize {
        self.inner.lock().conns.len()
    }

    /// Stops listening: the listening sockets close (a Unix socket's file
    /// is removed if it is still the one this server created); connections
    /// already accepted go on.
    ///
    /// Equivalent to `asyncio.Server.close()`. Does not wait; see
    /// [`wait_closed`](Self::wait_closed).
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{start_server, StreamReader, StreamWriter};
    /// # corio::run(async {
    /// let server = start_server(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0").await?;
    /// let port = server.local_addrs()[0].port().unwrap();
    /// server.close();
    /// server.wait_closed().await;
    /// assert!(corio::streams::open_connection("127.0.0.1", port).await.is_err());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn close(&self) {
        let mut st = self.inner.lock();
        if st.closed {
            return;
        }
        st.closed = true;
        let tasks = std::mem::take(&mut st.accept_tasks);
        // Wake `serve_forever` (and `wait_closed` if nothing else is left).
        self.inner.wake_if(st, true);
        for task in tasks {
            task.cancel();
        }
    }

    /// Closes every live connection: its socket is shut down in both
    /// directions and its handler task cancelled.
    ///
    /// Equivalent to `asyncio.Server.abort_clients()` (Python 3.13).
    /// Listening goes on unless [`close`](Self::close) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{open_connection, start_server, StreamReader, StreamWriter};
    /// # corio::run(async {
    /// let server = start_server(|mut r: StreamReader, _w: StreamWriter| async move {
    ///     let _ = r.read_to_end().await;
    /// }, "127.0.0.1:0").await?;
    /// let port = server.local_addrs()[0].port().unwrap();
    /// let (mut reader, writer) = open_connection("127.0.0.1", port).await?;
    /// writer.write(b"x");
    /// writer.drain().await?;
    /// while server.active_connections() == 0 { corio::yield_now().await; }
    /// server.abort_clients();
    /// assert_eq!(reader.read(10).await?, b""); // the server hung up
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn abort_clients(&self) {
        let st = self.inner.lock();
        for conn in st.conns.values() {
            conn.aborter.abort();
            if let Some(task) = &conn.task {
                task.cancel();
            }
        }
    }

    /// Waits until the server is closed and every connection has ended.
    ///
    /// Equivalent to `asyncio.Server.wait_closed()` (3.12 semantics): it
    /// waits for [`close`](Self::close) to be called first. When it
    /// returns, the listening sockets are closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: it only observes the server.
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{start_server, StreamReader, StreamWriter};
    /// # corio::run(async {
    /// let server = start_server(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0").await?;
    /// server.close();
    /// server.wait_closed().await;
    /// assert_eq!(server.active_connections(), 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn wait_closed(&self) {
        std::future::poll_fn(|cx| self.poll_until(cx, State::finished)).await
    }

    fn poll_until(&self, cx: &mut Context<'_>, cond: fn(&State) -> bool) -> Poll<()> {
        let mut st = self.inner.lock();
        if cond(&st) {
            return Poll::Ready(());
        }
        if !st.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            st.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// Serves until the server is closed (by [`close`](Self::close) from
    /// another task, say); dropping the future closes the server.
    ///
    /// Equivalent to `asyncio.Server.serve_forever()`, where cancelling it
    /// closes the server.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the server (connections go on).
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{start_server, StreamReader, StreamWriter};
    /// # corio::run(async {
    /// let server = start_server(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0").await?;
    /// let stopped = corio::timeout(std::time::Duration::from_millis(20), server.serve_forever()).await;
    /// assert!(stopped.is_err()); // timed out, and the server is closed
    /// assert!(!server.is_serving());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn serve_forever(&self) {
        struct CloseOnDrop<'a>(&'a Server);
        impl Drop for CloseOnDrop<'_> {
            fn drop(&mut self) {
                self.0.close();
            }
        }
        let _close = CloseOnDrop(self);
        std::future::poll_fn(|cx| self.poll_until(cx, |st| st.closed)).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.close();
    }
}

/// Starts a TCP server on `addr`: each connection runs
/// `handler(reader, writer)` in its own task.
///
/// Equivalent to `asyncio.start_server(client_connected_cb, host, port)`.
/// When `addr` resolves to several addresses (`"localhost"` often gives
/// `::1` and `127.0.0.1`), the server listens on each. Serving starts at
/// once. A handler that returns an error or panics ends its own connection
/// only (the error is reported on standard error). When `accept` fails for
/// lack of file descriptors (`EMFILE`, `ENFILE`), the server reports it,
/// pauses 100 ms and goes on; it never stops serving or spins. Failures
/// that repeat are reported once, then counted: a line with the count
/// follows every 10 s while they go on and once when they end.
///
/// # Examples
///
/// ```
/// use corio::streams::{open_connection, start_server, StreamReader, StreamWriter};
///
/// async fn echo(mut reader: StreamReader, writer: StreamWriter) -> std::io::Result<()> {
///     loop {
///         let line = reader.readline().await?;
///         if line.is_empty() {
///             return Ok(());
///         }
///         writer.write(&line);
///         writer.drain().await?;
///     }
/// }
///
/// # corio::run(async {
/// let server = start_server(echo, "127.0.0.1:0").await?;
/// let port = server.local_addrs()[0].port().unwrap();
/// let (mut reader, writer) = open_connection("127.0.0.1", port).await?;
/// writer.write(b"ping\n");
/// assert_eq!(reader.readline().await?, b"ping\n");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// Resolver errors, or the error of an address that cannot be bound
/// (`AddrInUse`, …) naming it.
///
/// # Panics
///
/// Panics outside a corio runtime.
pub async fn start_server<H, F>(handler: H, addr: impl ToAddrs) -> io::Result<Server>
where
    H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
    F: Future + Send + 'static,
    F::Output: HandlerOutput,
{
    start_server_with(handler, addr, &ServerOptions::new()).await
}

/// [`start_server`] with [`ServerOptions`].
///
/// # Examples
///
/// ```
/// use corio::streams::{start_server_with, ServerOptions, StreamReader, StreamWriter};
///
/// # corio::run(async {
/// let options = ServerOptions::new().max_connections(2);
/// let server = start_server_with(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0", &options).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// As [`start_server`].
///
/// # Panics
///
/// Panics outside a corio runtime.
pub async fn start_server_with<H, F>(
    handler: H,
    addr: impl ToAddrs,
    options: &ServerOptions,
) -> io::Result<Server>
where
    H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
    F: Future + Send + 'static,
    F::Output: HandlerOutput,
{
    let TargetAddrs(target) = addr.target()?;
    let mut listeners = Vec::new();
    for addr in resolve(target).await? {
        let listener = TcpListener::bind_with(addr, &options.listen).await?;
        listeners.push(Listener::Tcp(listener));
    }
    Server::start(listeners, None, handler, options)
}

/// Starts a Unix socket server at `path`: each connection runs
/// `handler(reader, writer)` in its own task.
///
/// Equivalent to `asyncio.start_unix_server(client_connected_cb, path)`.
/// As asyncio does, a stale socket file at `path` is removed first (any
/// other kind of file is left alone and binding fails), and the file is
/// removed again when the server closes, unless the path by then names
/// another file (say, the socket of a newer server started at the same
/// path): the server recognises its own file by device and inode.
///
/// # Examples
///
/// ```
/// use corio::streams::{open_unix_connection, start_unix_server, StreamReader, StreamWriter};
///
/// # corio::run(async {
/// let path = std::env::temp_dir().join(format!("corio-doc-srv-{}.sock", std::process::id()));
/// let server = start_unix_server(|_r: StreamReader, w: StreamWriter| async move {
///     w.write(b"hello\n");
///     w.drain().await
/// }, &path).await?;
/// let (mut reader, _writer) = open_unix_connection(&path).await?;
/// assert_eq!(reader.readline().await?, b"hello\n");
/// server.close();
/// server.wait_closed().await;
/// assert!(!path.exists());
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// The error from binding, naming the path.
///
/// # Panics
///
/// Panics outside a corio runtime.
pub async fn start_unix_server<H, F>(handler: H, path: impl AsRef<Path>) -> io::Result<Server>
where
    H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
    F: Future + Send + 'static,
    F::Output: HandlerOutput,
{
    start_unix_server_with(handler, path, &ServerOptions::new()).await
}

/// [`start_unix_server`] with [`ServerOptions`] (the reuse options do not
/// apply).
///
/// # Examples
///
/// ```
/// use corio::streams::{start_unix_server_with, ServerOptions, StreamReader, StreamWriter};
///
/// # corio::run(async {
/// let path = std::env::temp_dir().join(format!("corio-doc-srvw-{}.sock", std::process::id()));
/// let options = ServerOptions::new().limit(512);
/// let server = start_unix_server_with(|_r: StreamReader, _w: StreamWriter| async {}, &path, &options).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// As [`start_unix_server`].
///
/// # Panics
///
/// Panics outside a corio runtime.
pub async fn start_unix_server_with<H, F>(
    handler: H,
    path: impl AsRef<Path>,
    options: &ServerOptions,
) -> io::Result<Server>
where
    H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
    F: Future + Send + 'static,
    F::Output: HandlerOutput,
{
    use std::os::unix::fs::FileTypeExt;
    let path = path.as_ref().to_path_buf();
    if let Ok(meta) = std::fs::symlink_metadata(&path) {
        if meta.file_type().is_socket() {
            let _ = std::fs::remove_file(&path);
        }
    }
    let listener = UnixListener::bind_with(&path, &options.listen)?;
    let file = SocketFile::created_at(path)?;
    Server::start(vec![Listener::Unix(listener)], Some(file), handler, options)
}
