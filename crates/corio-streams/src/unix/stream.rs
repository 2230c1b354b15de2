//! [`UnixStream`]: a connected Unix stream socket.

use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use corio_reactor::Async;
use socket2::{Domain, SockAddr, Socket, Type};

use crate::error::with_context;

/// How long `connect` keeps retrying while the listener's backlog is full.
const CONNECT_PATIENCE: Duration = Duration::from_secs(10);

/// A Unix stream socket connection.
///
/// Like [`TcpStream`](crate::TcpStream) for local sockets: [`AsyncRead`](futures_io::AsyncRead),
/// [`AsyncWrite`](futures_io::AsyncWrite), clones that share the socket, and
/// [`into_split`](UnixStream::into_split) for asyncio's reader and writer.
///
/// # Examples
///
/// ```
/// use corio::streams::UnixStream;
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// # corio::run(async {
/// let (mut a, mut b) = UnixStream::pair()?;
/// a.write_all(b"over the pair").await?;
/// let mut buf = [0; 13];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"over the pair");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct UnixStream {
    io: Arc<Async<std::os::unix::net::UnixStream>>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// The connection half of `asyncio.open_unix_connection(path)`. While
    /// the listener's backlog is full the attempt is retried with a short,
    /// growing delay (for up to 10 seconds) instead of blocking the thread.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the socket it opened.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = corio::streams::UnixListener::bind(&path)?;
    /// let stream = corio::streams::UnixStream::connect(&path).await?;
    /// let (_server, _) = listener.accept().await?;
    /// # drop(listener); let _ = std::fs::remove_file(&path);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotFound` when nothing exists at `path`, `ConnectionRefused` when
    /// nothing listens there, `WouldBlock` when the backlog stays full;
    /// the message names the path.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let path = path.as_ref();
        let context = |e| with_context(e, format!("cannot connect to {}", path.display()));
        let addr = SockAddr::unix(path).map_err(context)?;
        let socket =
            Socket::new(Domain::UNIX, Type::STREAM.nonblocking(), None).map_err(context)?;
        let mut delay = Duration::from_millis(1);
        let started = std::time::Instant::now();
        loop {
            match socket.connect(&addr) {
                Ok(()) => break,
                Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => break,
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        && started.elapsed() < CONNECT_PATIENCE =>
                {
                    corio_time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_millis(50));
                }
                Err(e) => return Err(context(e)),
            }
        }
        let io = Async::new(std::os::unix::net::UnixStream::from(socket)).map_err(context)?;
        Ok(UnixStream { io: Arc::new(io) })
    }

    /// A connected pair of sockets (`socketpair`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, b) = corio::streams::UnixStream::pair()?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `socketpair` (out of file descriptors, say).
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Wraps a connected `std::os::unix::net::UnixStream` (made
    /// non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = corio::streams::UnixStream::from_std(a)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// Fails if the socket cannot be registered with the reactor.
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime.
    #[track_caller]
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: Arc::new(Async::new(stream)?),
        })
    }

    /// The address of this end.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, _b) = corio::streams::UnixStream::pair()?;
    /// assert!(a.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address of the other end.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, _b) = corio::streams::UnixStream::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getpeername`.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down the read half, the write half, or both.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::AsyncReadExt;
    /// # corio::run(async {
    /// let (a, mut b) = corio::streams::UnixStream::pair()?;
    /// a.shutdown(std::net::Shutdown::Write)?;
    /// let mut rest = Vec::new();
    /// assert_eq!(b.read_to_end(&mut rest).await?, 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` if the connection is gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Splits the stream into asyncio's buffered reader and writer.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, b) = corio::streams::UnixStream::pair()?;
    /// let (_ra, wa) = a.into_split();
    /// let (mut rb, _wb) = b.into_split();
    /// wa.write(b"line\n");
    /// assert_eq!(rb.readline().await?, b"line\n");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_split(self) -> (crate::StreamReader, crate::StreamWriter) {
        crate::connection::split_unix(self, crate::reader::DEFAULT_LIMIT)
    }

    pub(crate) fn inner(&self) -> &Arc<Async<std::os::unix::net::UnixStream>> {
        &self.io
    }
}

crate::stream_io::impl_stream_io!(UnixStream);

impl std::os::fd::AsFd for UnixStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
