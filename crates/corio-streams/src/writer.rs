//! [`StreamWriter`]: asyncio's buffered writer with flow control.
//!
//! `write` never waits: it sends what the socket takes at once and keeps the
//! rest in a buffer, which a small task (started on demand, one per writer
//! at most) flushes in the background, as asyncio's transport does from the
//! event loop. `drain` is the flow control: it waits while the buffer is
//! above the high-water mark, until the flusher brings it down to the low
//! one. Everything a waiter needs is in one mutex-protected state; whoever
//! makes progress (the flusher, or a waiter when no flusher runs) wakes the
//! waiters when the buffer falls to the low mark, empties, or fails.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker, ready};

use futures_io::AsyncWrite;

use crate::address::Address;
use crate::futures::{Drain, WaitClosed};
use crate::tcp::TcpStream;
use crate::unix::UnixStream;

/// asyncio's default high-water mark: 64 KiB (the low mark is a quarter).
const DEFAULT_HIGH: usize = 64 * 1024;

pub(crate) enum WriteIo {
    Tcp(TcpStream),
    Unix(UnixStream),
    Other(Box<dyn AsyncWrite + Send + Unpin>),
}

impl WriteIo {
    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self {
            WriteIo::Tcp(s) => Pin::new(&mut &*s).poll_write(cx, buf),
            WriteIo::Unix(s) => Pin::new(&mut &*s).poll_write(cx, buf),
            WriteIo::Other(w) => Pin::new(w).poll_write(cx, buf),
        }
    }

    fn poll_shutdown(&mut self, cx: &mut Context<'_>, how: Shutdown) -> Poll<io::Result<()>> {
        let result = match self {
            WriteIo::Tcp(s) => s.shutdown(how),
            WriteIo::Unix(s) => s.shutdown(how),
            WriteIo::Other(w) => return Pin::new(w).poll_close(cx),
        };
        // The peer may have closed first; the connection is down either way.
        match result {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
            other => Poll::Ready(other),
        }
    }

    fn describe(&self) -> String {
        match self {
            WriteIo::Tcp(s) => match s.peer_addr() {
                Ok(addr) => format!("connection to {addr}"),
                Err(_) => "TCP connection".to_owned(),
            },
            WriteIo::Unix(s) => match s
                .peer_addr()
                .ok()
                .and_then(|a| a.as_pathname().map(|p| p.display().to_string()))
            {
                Some(path) => format!("connection to {path}"),
                None => "Unix connection".to_owned(),
            },
            WriteIo::Other(_) => "stream".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Open,
    /// `write_eof` was called; the write half shuts down once flushed.
    EofRequested,
    EofDone,
    /// `close` was called; the connection shuts down once flushed.
    Closing,
    Closed,
}

struct State {
    io: WriteIo,
    buf: Vec<u8>,
    head: usize,
    high: usize,
    low: usize,
    paused: bool,
    flusher: bool,
    phase: Phase,
    error: Option<(io::ErrorKind, String)>,
    waiters: Vec<Waker>,
}

impl State {
    fn pending(&self) -> usize {
        self.buf.len() - self.head
    }

    fn fail(&mut self, e: &io::Error) {
        if self.error.is_none() {
            self.error = Some((e.kind(), e.to_string()));
        }
        self.buf = Vec::new();
        self.head = 0;
        self.paused = false;
    }

    /// Whether work is left for a flusher: data, or a pending shutdown.
    fn has_work(&self) -> bool {
        self.error.is_none()
            && (self.pending() > 0 || matches!(self.phase, Phase::EofRequested | Phase::Closing))
    }

    /// Writes buffered data and performs a requested shutdown. Ready when
    /// nothing is left to do (or the connection failed).
    fn poll_progress(&mut self, cx: &mut Context<'_>, wake: &mut Vec<Waker>) -> Poll<()> {
        while self.error.is_none() && self.pending() > 0 {
            match self.io.poll_write(cx, &self.buf[self.head..]) {
                Poll::Ready(Ok(0)) => {
                    self.fail(&io::ErrorKind::WriteZero.into());
                }
                Poll::Ready(Ok(n)) => {
                    self.head += n;
                    if self.head == self.buf.len() {
                        self.buf.clear();
                        self.head = 0;
                    } else if self.head > self.buf.len() / 2 {
                        self.buf.drain(..self.head);
                        self.head = 0;
                    }
                    if self.paused && self.pending() <= self.low {
                        self.paused = false;
                        wake.append(&mut self.waiters);
                    }
                }
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => self.fail(&e),
                Poll::Pending => return Poll::Pending,
            }
        }
        if self.error.is_none() {
            let (how, done) = match self.phase {
                Phase::EofRequested => (Shutdown::Write, Phase::EofDone),
                Phase::Closing => (Shutdown::Both, Phase::Closed),
                _ => {
                    wake.append(&mut self.waiters);
                    return Poll::Ready(());
                }
            };
            match ready!(self.io.poll_shutdown(cx, how)) {
                Ok(()) => self.phase = done,
                Err(e) => self.fail(&e),
            }
        }
        if self.phase == Phase::Closing {
            self.phase = Phase::Closed;
        }
        wake.append(&mut self.waiters);
        Poll::Ready(())
    }
}

struct Shared {
    state: Mutex<State>,
    what: String,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lost(&self, (kind, msg): &(io::ErrorKind, String)) -> io::Error {
        io::Error::new(*kind, format!("{} lost: {msg}", self.what))
    }
}

/// The writing half of a connection, with asyncio's `StreamWriter` API.
///
/// Equivalent to `asyncio.StreamWriter`: [`write`](Self::write) and
/// [`writelines`](Self::writelines) buffer without waiting,
/// [`drain`](Self::drain) applies flow control and reports a lost
/// connection, [`write_eof`](Self::write_eof), [`close`](Self::close),
/// [`wait_closed`](Self::wait_closed), [`is_closing`](Self::is_closing),
/// [`peer_addr`](Self::peer_addr) and [`local_addr`](Self::local_addr)
/// (`get_extra_info("peername")`, `"sockname"`). It also implements
/// [`AsyncWrite`] (with flow control in `poll_write`).
///
/// Methods take `&self`, so one writer can be shared between tasks in an
/// `Arc`. Buffered data is sent in the background even if nobody awaits
/// `drain`. Dropping the writer does not discard it either: the connection
/// closes once the data is out and the reader is dropped too.
///
/// # Examples
///
/// ```
/// use corio::streams::{open_connection, start_server, StreamReader, StreamWriter};
///
/// # corio::run(async {
/// let server = start_server(|mut reader: StreamReader, writer: StreamWriter| async move {
///     while let Ok(line) = reader.readline().await {
///         if line.is_empty() { break; }
///         writer.write(&line);
///         writer.drain().await?;
///     }
///     std::io::Result::Ok(())
/// }, "127.0.0.1:0").await?;
///
/// let (mut reader, writer) = open_connection("127.0.0.1", server.local_addrs()[0].port().unwrap()).await?;
/// writer.write(b"echo me\n");
/// writer.drain().await?;
/// assert_eq!(reader.readline().await?, b"echo me\n");
/// writer.close();
/// writer.wait_closed().await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct StreamWriter {
    shared: Arc<Shared>,
}

impl fmt::Debug for StreamWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("StreamWriter")
            .field("to", &self.shared.what)
            .field("buffered", &st.pending())
            .field("phase", &st.phase)
            .finish()
    }
}

impl StreamWriter {
    /// Wraps any byte sink, with asyncio's default marks (high 64 KiB, low
    /// 16 KiB). `write_eof` and `close` close it (`poll_close`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let writer = corio::streams::StreamWriter::new(Vec::<u8>::new());
    /// writer.write(b"into a vector");
    /// writer.drain().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn new(io: impl AsyncWrite + Send + Unpin + 'static) -> StreamWriter {
        StreamWriter::from_io(WriteIo::Other(Box::new(io)))
    }

    pub(crate) fn from_io(io: WriteIo) -> StreamWriter {
        let what = io.describe();
        StreamWriter {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    io,
                    buf: Vec::new(),
                    head: 0,
                    high: DEFAULT_HIGH,
                    low: DEFAULT_HIGH / 4,
                    paused: false,
                    flusher: false,
                    phase: Phase::Open,
                    error: None,
                    waiters: Vec::new(),
                }),
                what,
            }),
        }
    }

    /// Sends `data`, or buffers what the socket does not take at once;
    /// never waits.
    ///
    /// Equivalent to `asyncio.StreamWriter.write(data)`. Follow a run of
    /// writes with [`drain`](Self::drain) so a slow peer cannot make the
    /// buffer grow without bound. Data written after
    /// [`write_eof`](Self::write_eof), [`close`](Self::close) or a lost
    /// connection is discarded; `drain` reports the lost connection.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// # let (_reader, writer) = corio::streams::open_connection("127.0.0.1", listener.local_addr()?.port()).await?;
    /// writer.write(b"GET / HTTP/1.0\r\n\r\n");
    /// writer.drain().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn write(&self, data: &[u8]) {
        let mut data = data;
        let mut st = self.shared.lock();
        if data.is_empty() || st.phase != Phase::Open || st.error.is_some() {
            return;
        }
        if st.pending() == 0 {
            // Nothing queued: try the socket directly, as asyncio does.
            let mut cx = Context::from_waker(Waker::noop());
            match st.io.poll_write(&mut cx, data) {
                Poll::Ready(Ok(n)) => data = &data[n.min(data.len())..],
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => {
                    st.fail(&e);
                    let waiters = std::mem::take(&mut st.waiters);
                    drop(st);
                    waiters.into_iter().for_each(Waker::wake);
                    return;
                }
                Poll::Pending => {}
            }
            if data.is_empty() {
                return;
            }
        }
        st.buf.extend_from_slice(data);
        if st.pending() > st.high {
            st.paused = true;
        }
        self.ensure_flusher(st);
    }

    /// Writes each buffer in turn; see [`write`](Self::write).
    ///
    /// Equivalent to `asyncio.StreamWriter.writelines(data)`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let writer = corio::streams::StreamWriter::new(Vec::<u8>::new());
    /// writer.writelines([&b"a\n"[..], b"b\n"]);
    /// writer.drain().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn writelines<I>(&self, data: I)
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        for chunk in data {
            self.write(chunk.as_ref());
        }
    }

    /// Starts the background flusher if there is work and none runs.
    fn ensure_flusher(&self, mut st: MutexGuard<'_, State>) {
        if st.flusher || !st.has_work() {
            return;
        }
        let Some(handle) = corio_executor::Handle::try_current() else {
            // Outside a runtime: `drain`, `wait_closed` and `poll_flush`
            // flush by themselves.
            return;
        };
        st.flusher = true;
        drop(st);
        let shared = self.shared.clone();
        handle
            .spawn(async move {
                std::future::poll_fn(|cx| {
                    let mut wake = Vec::new();
                    let mut st = shared.lock();
                    let done = st.poll_progress(cx, &mut wake).is_ready();
                    if done {
                        st.flusher = false;
                    }
                    drop(st);
                    wake.into_iter().for_each(Waker::wake);
                    if done { Poll::Ready(()) } else { Poll::Pending }
                })
                .await;
            })
            .detach();
    }

    /// Polls `ready` on the state, making progress inline when no flusher
    /// runs, and registers the waker otherwise.
    fn poll_until(
        &self,
        cx: &mut Context<'_>,
        ready: impl Fn(&State) -> bool,
    ) -> Poll<io::Result<()>> {
        let mut wake = Vec::new();
        let mut st = self.shared.lock();
        if !st.flusher && st.has_work() {
            let _ = st.poll_progress(cx, &mut wake);
        }
        let result = if let Some(err) = &st.error {
            Poll::Ready(Err(self.shared.lost(err)))
        } else if ready(&st) {
            Poll::Ready(Ok(()))
        } else {
            if !st.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                st.waiters.push(cx.waker().clone());
            }
            Poll::Pending
        };
        drop(st);
        wake.into_iter().for_each(Waker::wake);
        result
    }

    pub(crate) fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_until(cx, |st| !st.paused)
    }

    pub(crate) fn poll_wait_closed(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_until(cx, |st| st.phase == Phase::Closed)
    }

    /// Waits until the buffer is back under the high-water mark.
    ///
    /// Equivalent to `asyncio.StreamWriter.drain()`. Returns at once while
    /// the buffer is at or under the high mark; once it went over, waits
    /// until it is down to the low mark, so a writer that drains after each
    /// write keeps at most the high mark plus one write in memory.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the buffered data keeps going out.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let writer = corio::streams::StreamWriter::new(Vec::<u8>::new());
    /// for _ in 0..100 {
    ///     writer.write(&[0; 1000]);
    ///     writer.drain().await?;
    ///     assert!(writer.buffer_size() <= 64 * 1024 + 1000);
    /// }
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The connection was lost (reset, broken pipe, …): an error of that
    /// kind naming the peer. Once lost, every later `drain` fails the same
    /// way.
    pub fn drain(&self) -> Drain<'_> {
        Drain::new(self)
    }

    /// The number of bytes buffered and not yet sent.
    ///
    /// Equivalent to `transport.get_write_buffer_size()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let writer = corio::streams::StreamWriter::new(Vec::<u8>::new());
    /// assert_eq!(writer.buffer_size(), 0);
    /// # });
    /// ```
    pub fn buffer_size(&self) -> usize {
        self.shared.lock().pending()
    }

    /// Sets the flow-control marks: [`drain`](Self::drain) waits once the
    /// buffer is over `high`, until it is down to `low`.
    ///
    /// Equivalent to `transport.set_write_buffer_limits(high, low)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let writer = corio::streams::StreamWriter::new(Vec::<u8>::new());
    /// writer.set_write_buffer_limits(4096, 1024);
    /// assert_eq!(writer.write_buffer_limits(), (1024, 4096));
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `low > high`, as asyncio raises `ValueError`.
    #[track_caller]
    pub fn set_write_buffer_limits(&self, high: usize, low: usize) {
        assert!(
            low <= high,
            "write buffer limits: low ({low}) must not exceed high ({high})"
        );
        let mut st = self.shared.lock();
        st.high = high;
        st.low = low;
        if st.pending() > high {
            st.paused = true;
        } else if st.paused && st.pending() <= low {
            st.paused = false;
            let waiters = std::mem::take(&mut st.waiters);
            drop(st);
            waiters.into_iter().for_each(Waker::wake);
        }
    }

    /// The flow-control marks, `(low, high)`.
    ///
    /// Equivalent to `transport.get_write_buffer_limits()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let writer = corio::streams::StreamWriter::new(Vec::<u8>::new());
    /// assert_eq!(writer.write_buffer_limits(), (16 * 1024, 64 * 1024));
    /// ```
    pub fn write_buffer_limits(&self) -> (usize, usize) {
        let st = self.shared.lock();
        (st.low, st.high)
    }

    /// Closes the write half once the buffer is flushed (a TCP `FIN`); the
    /// peer reads to end of stream while this side can still read.
    ///
    /// Equivalent to `asyncio.StreamWriter.write_eof()`. Later writes are
    /// discarded.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_reader, writer) = corio::streams::open_connection("127.0.0.1", listener.local_addr()?.port()).await?;
    /// let (server, _) = listener.accept().await?;
    /// let (mut server_reader, _server_writer) = server.into_split();
    /// writer.write(b"last words");
    /// writer.write_eof();
    /// assert_eq!(server_reader.read_to_end().await?, b"last words");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn write_eof(&self) {
        let mut st = self.shared.lock();
        if st.phase == Phase::Open {
            st.phase = Phase::EofRequested;
            self.kick(st);
        }
    }

    /// Whether the stream supports [`write_eof`](Self::write_eof): true for
    /// sockets and for wrapped writers (where it closes them).
    ///
    /// Equivalent to `asyncio.StreamWriter.can_write_eof()`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio::streams::StreamWriter::new(Vec::<u8>::new()).can_write_eof());
    /// ```
    pub fn can_write_eof(&self) -> bool {
        true
    }

    /// Makes progress at once on a shutdown request, then leaves the rest to
    /// a flusher.
    fn kick(&self, mut st: MutexGuard<'_, State>) {
        if !st.flusher {
            let mut wake = Vec::new();
            let mut cx = Context::from_waker(Waker::noop());
            let _ = st.poll_progress(&mut cx, &mut wake);
            if st.has_work() {
                self.ensure_flusher(st);
            } else {
                drop(st);
            }
            wake.into_iter().for_each(Waker::wake);
        }
    }

    /// Starts closing: the buffered data is sent, then the connection is
    /// shut down in both directions (the reader sees end of stream too).
    /// Does not wait; [`wait_closed`](Self::wait_closed) does.
    ///
    /// Equivalent to `asyncio.StreamWriter.close()`. The socket's file
    /// descriptor is released when the reader and writer are both dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let writer = corio::streams::StreamWriter::new(Vec::<u8>::new());
    /// writer.close();
    /// assert!(writer.is_closing());
    /// writer.wait_closed().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn close(&self) {
        let mut st = self.shared.lock();
        if matches!(st.phase, Phase::Open | Phase::EofRequested | Phase::EofDone) {
            st.phase = Phase::Closing;
            self.kick(st);
        }
    }

    /// Whether [`close`](Self::close) was called (or the connection was
    /// lost).
    ///
    /// Equivalent to `asyncio.StreamWriter.is_closing()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let writer = corio::streams::StreamWriter::new(Vec::<u8>::new());
    /// assert!(!writer.is_closing());
    /// writer.close();
    /// assert!(writer.is_closing());
    /// ```
    pub fn is_closing(&self) -> bool {
        let st = self.shared.lock();
        matches!(st.phase, Phase::Closing | Phase::Closed) || st.error.is_some()
    }

    /// Waits until [`close`](Self::close) has flushed the buffer and shut
    /// the connection down.
    ///
    /// Equivalent to `asyncio.StreamWriter.wait_closed()`; like it, it waits
    /// for `close` to be called first.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: closing goes on without it.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_reader, writer) = corio::streams::open_connection("127.0.0.1", listener.local_addr()?.port()).await?;
    /// writer.write(b"bye");
    /// writer.close();
    /// writer.wait_closed().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The connection was lost before the buffer was flushed.
    pub fn wait_closed(&self) -> WaitClosed<'_> {
        WaitClosed::new(self)
    }

    /// The address of the other end (asyncio's `get_extra_info("peername")`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let addr = listener.local_addr()?;
    /// let (_reader, writer) = corio::streams::open_connection("127.0.0.1", addr.port()).await?;
    /// assert_eq!(writer.peer_addr()?.as_inet(), Some(addr));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone; `Unsupported` for a
    /// writer made with [`new`](Self::new).
    pub fn peer_addr(&self) -> io::Result<Address> {
        match &self.shared.lock().io {
            WriteIo::Tcp(s) => s.peer_addr().map(Address::Inet),
            WriteIo::Unix(s) => s.peer_addr().map(Address::Unix),
            WriteIo::Other(_) => Err(not_a_socket()),
        }
    }

    /// The address of this end (asyncio's `get_extra_info("sockname")`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_reader, writer) = corio::streams::open_connection("127.0.0.1", listener.local_addr()?.port()).await?;
    /// assert!(writer.local_addr()?.as_inet().unwrap().ip().is_loopback());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error; `Unsupported` for a writer made with [`new`](Self::new).
    pub fn local_addr(&self) -> io::Result<Address> {
        match &self.shared.lock().io {
            WriteIo::Tcp(s) => s.local_addr().map(Address::Inet),
            WriteIo::Unix(s) => s.local_addr().map(Address::Unix),
            WriteIo::Other(_) => Err(not_a_socket()),
        }
    }
}

fn not_a_socket() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "this StreamWriter does not write to a socket",
    )
}

impl AsyncWrite for StreamWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_drain(cx))?;
        let st = self.shared.lock();
        if st.phase != Phase::Open {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!("{}: writing after write_eof or close", self.shared.what),
            )));
        }
        drop(st);
        self.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_until(cx, |st| st.pending() == 0)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.close();
        self.poll_wait_closed(cx)
    }
}
