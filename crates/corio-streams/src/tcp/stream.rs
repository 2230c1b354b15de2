//! [`TcpStream`]: a connected TCP socket.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use corio_reactor::Async;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::error::ConnectError;
use crate::happy_eyeballs;
use crate::resolve::{Described, TargetAddrs, ToAddrs, resolve};

/// The delay between two connection attempts (RFC 8305's recommended
/// "Connection Attempt Delay"), also asyncio's usual `happy_eyeballs_delay`.
pub(crate) const HAPPY_EYEBALLS_DELAY: Duration = Duration::from_millis(250);

/// A TCP connection.
///
/// The socket API under asyncio's streams (`loop.sock_connect`,
/// `sock_recv`, `sock_sendall`) in the shape of `std::net::TcpStream`,
/// implementing [`AsyncRead`](futures_io::AsyncRead) and [`AsyncWrite`](futures_io::AsyncWrite). Clones share the socket,
/// so one task can read while another writes; the socket closes when the
/// last clone is dropped. For asyncio's buffered line-oriented API, use
/// [`open_connection`](crate::open_connection) or
/// [`into_split`](TcpStream::into_split).
///
/// # Examples
///
/// ```
/// use corio::streams::{TcpListener, TcpStream};
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// # corio::run(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = TcpStream::connect(listener.local_addr()?).await?;
/// let (mut server, _) = listener.accept().await?;
/// client.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// server.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct TcpStream {
    io: Arc<Async<std::net::TcpStream>>,
}

impl TcpStream {
    /// Connects to `addr`, trying every address it resolves to with Happy
    /// Eyeballs (RFC 8305).
    ///
    /// Equivalent to the connection half of `asyncio.open_connection(host,
    /// port)`. Host names are resolved on the blocking pool. Addresses are
    /// tried in the resolver's order, alternating between IPv6 and IPv4; a
    /// new attempt starts every 250 ms or as soon as the previous one fails,
    /// the first connection made wins and the other attempts are dropped.
    /// `TCP_NODELAY` is set on the result, as asyncio does.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes every socket it opened.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let port = listener.local_addr()?.port();
    /// let stream = corio::streams::TcpStream::connect(("127.0.0.1", port)).await?;
    /// assert_eq!(stream.peer_addr()?.port(), port);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// When every attempt fails, an error of the first attempt's kind whose
    /// inner error is a [`ConnectError`] listing each address and its error;
    /// a resolver error when the name does not resolve.
    pub async fn connect(addr: impl ToAddrs) -> io::Result<TcpStream> {
        TcpStream::connect_with_delay(addr, HAPPY_EYEBALLS_DELAY).await
    }

    /// As [`connect`](TcpStream::connect), with another delay between
    /// attempts (asyncio's `happy_eyeballs_delay`).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes every socket it opened.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let addr = listener.local_addr()?;
    /// let stream = corio::streams::TcpStream::connect_with_delay(addr, Duration::from_millis(50)).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// As [`connect`](TcpStream::connect).
    pub async fn connect_with_delay(addr: impl ToAddrs, delay: Duration) -> io::Result<TcpStream> {
        let TargetAddrs(target) = addr.target()?;
        let described = Described(&target).to_string();
        let addrs = resolve(target).await?;
        match happy_eyeballs::connect(addrs, delay).await {
            Ok(stream) => Ok(stream),
            Err(attempts) => Err(ConnectError::new(described, attempts).into_io()),
        }
    }

    /// Connects to one address, without Happy Eyeballs.
    pub(crate) async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let socket = Socket::new(
            Domain::for_address(addr),
            Type::STREAM.nonblocking(),
            Some(Protocol::TCP),
        )?;
        match socket.connect(&SockAddr::from(addr)) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        let io = Async::new(std::net::TcpStream::from(socket))?;
        // The connection is made when the socket turns writable; an error
        // turns it writable too, with the reason in SO_ERROR.
        io.write_with(|s| match s.take_error()? {
            Some(e) => Err(e),
            None => match s.peer_addr() {
                Ok(_) => Ok(()),
                Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {
                    Err(io::ErrorKind::WouldBlock.into())
                }
                Err(e) => Err(e),
            },
        })
        .await?;
        let stream = TcpStream { io: Arc::new(io) };
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    /// Wraps a connected `std::net::TcpStream` (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let stream = corio::streams::TcpStream::from_std(std_stream)?;
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
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: Arc::new(Async::new(stream)?),
        })
    }

    /// The local address of the connection (asyncio's
    /// `get_extra_info("sockname")`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(stream.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error, if the socket has none.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The remote address of the connection (asyncio's
    /// `get_extra_info("peername")`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets `TCP_NODELAY` (on by default for streams corio connects or
    /// accepts): small writes go out at once instead of waiting to coalesce.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(stream.nodelay()?);
    /// stream.set_nodelay(false)?;
    /// assert!(!stream.nodelay()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `setsockopt`.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(stream.nodelay()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockopt`.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets the IP time-to-live of outgoing packets.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_ttl(42)?;
    /// assert_eq!(stream.ttl()?, 42);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `setsockopt`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing packets.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(stream.ttl()? > 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockopt`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Shuts down the read half, the write half, or both. Shutting down the
    /// write half sends end-of-stream to the peer (asyncio's `write_eof`).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::AsyncReadExt;
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let client = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// let (mut server, _) = listener.accept().await?;
    /// client.shutdown(std::net::Shutdown::Write)?;
    /// let mut rest = Vec::new();
    /// assert_eq!(server.read_to_end(&mut rest).await?, 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` if the connection is already gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Receives data without removing it from the socket's queue.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: nothing is consumed.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::AsyncWriteExt;
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"hey").await?;
    /// let mut buf = [0; 3];
    /// let n = server.peek(&mut buf).await?;
    /// assert_eq!(&buf[..n], &b"hey"[..n]);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `recv`.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.peek(buf)).await
    }

    /// Splits the stream into asyncio's buffered reader and writer.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let client = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// let (mut reader, mut writer) = client.into_split();
    /// let (server, _) = listener.accept().await?;
    /// let (_server_reader, mut server_writer) = server.into_split();
    /// server_writer.write(b"hello\n");
    /// server_writer.drain().await?;
    /// assert_eq!(reader.readline().await?, b"hello\n");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_split(self) -> (crate::StreamReader, crate::StreamWriter) {
        crate::connection::split_tcp(self, crate::reader::DEFAULT_LIMIT)
    }

    pub(crate) fn inner(&self) -> &Arc<Async<std::net::TcpStream>> {
        &self.io
    }
}

crate::stream_io::impl_stream_io!(TcpStream);

impl std::os::fd::AsFd for TcpStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
