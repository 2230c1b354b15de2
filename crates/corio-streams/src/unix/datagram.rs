//! [`UnixDatagram`]: a Unix datagram socket.

use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use corio_reactor::Async;

use crate::error::with_context;

/// A Unix datagram socket: messages with boundaries, between paths.
///
/// asyncio's `loop.create_datagram_endpoint(family=AF_UNIX)` as plain
/// methods. Clones share the socket.
///
/// # Examples
///
/// ```
/// use corio::streams::UnixDatagram;
///
/// # corio::run(async {
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"one message").await?;
/// let mut buf = [0; 64];
/// let n = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"one message");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct UnixDatagram {
    io: Arc<Async<std::os::unix::net::UnixDatagram>>,
}

impl UnixDatagram {
    /// Creates a socket bound to `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-d-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let socket = corio::streams::UnixDatagram::bind(&path)?;
    /// # drop(socket); let _ = std::fs::remove_file(&path);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `AddrInUse` when a file exists at `path`; the message names it.
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let path = path.as_ref();
        std::os::unix::net::UnixDatagram::bind(path)
            .and_then(UnixDatagram::from_std)
            .map_err(|e| with_context(e, format!("cannot bind {}", path.display())))
    }

    /// Creates a socket bound to no path (it can send, and receive replies
    /// only when connected).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::streams::UnixDatagram::unbound()?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `socket`.
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime.
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(std::os::unix::net::UnixDatagram::unbound()?)
    }

    /// A connected pair of sockets (`socketpair`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, b) = corio::streams::UnixDatagram::pair()?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `socketpair`.
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = std::os::unix::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_std(a)?, UnixDatagram::from_std(b)?))
    }

    /// Wraps a `std::os::unix::net::UnixDatagram` (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::streams::UnixDatagram::from_std(std::os::unix::net::UnixDatagram::unbound()?)?;
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
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: Arc::new(Async::new(socket)?),
        })
    }

    /// Sets the default destination for [`send`](Self::send) and the only
    /// source [`recv`](Self::recv) accepts.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-c-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = corio::streams::UnixDatagram::bind(&path)?;
    /// let client = corio::streams::UnixDatagram::unbound()?;
    /// client.connect(&path)?;
    /// client.send(b"hi").await?;
    /// # drop(server); let _ = std::fs::remove_file(&path);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotFound`/`ConnectionRefused` when nothing is bound at `path`.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        self.io
            .get_ref()
            .connect(path)
            .map_err(|e| with_context(e, format!("cannot connect to {}", path.display())))
    }

    /// Sends one message to the connected peer.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a message is sent whole or not at all.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, _b) = corio::streams::UnixDatagram::pair()?;
    /// assert_eq!(a.send(b"abc").await?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` without [`connect`](Self::connect); other OS errors.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| s.send(buf)).await
    }

    /// Receives one message from the connected peer; the rest of a message
    /// longer than `buf` is discarded.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no message is taken unless returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, b) = corio::streams::UnixDatagram::pair()?;
    /// a.send(b"abc").await?;
    /// let mut buf = [0; 8];
    /// assert_eq!(b.recv(&mut buf).await?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `recv`.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.recv(buf)).await
    }

    /// Sends one message to the socket bound at `path`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a message is sent whole or not at all.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-t-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = corio::streams::UnixDatagram::bind(&path)?;
    /// corio::streams::UnixDatagram::unbound()?.send_to(b"hi", &path).await?;
    /// # drop(server); let _ = std::fs::remove_file(&path);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `sendto`, with the path in the message.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io
            .write_with(|s| s.send_to(buf, path))
            .await
            .map_err(|e| with_context(e, format!("cannot send to {}", path.display())))
    }

    /// Receives one message and the address it came from.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no message is taken unless returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, b) = corio::streams::UnixDatagram::pair()?;
    /// a.send(b"x").await?;
    /// let mut buf = [0; 8];
    /// let (n, _from) = b.recv_from(&mut buf).await?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `recvfrom`.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.recv_from(buf)).await
    }

    /// The address this socket is bound to.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// assert!(corio::streams::UnixDatagram::unbound()?.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address of the connected peer.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, _b) = corio::streams::UnixDatagram::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` without [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down sending, receiving, or both.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let (a, _b) = corio::streams::UnixDatagram::pair()?;
    /// a.shutdown(std::net::Shutdown::Both)?;
    /// assert!(a.send(b"x").await.is_err());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `shutdown`.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }
}
