//! [`UnixListener`]: a Unix stream socket listening at a path.

use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use corio_reactor::Async;
use socket2::{Domain, SockAddr, Socket, Type};

use crate::error::with_context;
use crate::tcp::ListenOptions;
use crate::unix::UnixStream;

/// A Unix stream socket listening for connections.
///
/// The listening half of asyncio's `loop.create_unix_server`; servers with
/// one task per connection are
/// [`start_unix_server`](crate::start_unix_server).
///
/// # Examples
///
/// ```
/// use corio::streams::{UnixListener, UnixStream};
///
/// # corio::run(async {
/// let path = std::env::temp_dir().join(format!("corio-doc-l-{}.sock", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let listener = UnixListener::bind(&path)?;
/// let _client = UnixStream::connect(&path).await?;
/// let (_stream, _peer) = listener.accept().await?;
/// # drop(listener); let _ = std::fs::remove_file(&path);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct UnixListener {
    io: Async<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Creates a socket at `path` and listens on it (backlog 1024).
    ///
    /// The file stays after the listener is dropped, as with
    /// `std::os::unix::net::UnixListener`; remove it when done
    /// ([`start_unix_server`](crate::start_unix_server) does).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-b-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = corio::streams::UnixListener::bind(&path)?;
    /// assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    /// # drop(listener); let _ = std::fs::remove_file(&path);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `AddrInUse` when a file exists at `path`; other OS errors; the
    /// message names the path.
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::bind_with(path, &ListenOptions::new())
    }

    /// Like [`bind`](UnixListener::bind), with the backlog of `options`
    /// (the reuse options do not apply to Unix sockets).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-w-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let options = corio::streams::ListenOptions::new().backlog(8);
    /// let listener = corio::streams::UnixListener::bind_with(&path, &options)?;
    /// # drop(listener); let _ = std::fs::remove_file(&path);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// As [`bind`](UnixListener::bind).
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime.
    #[track_caller]
    pub fn bind_with(path: impl AsRef<Path>, options: &ListenOptions) -> io::Result<UnixListener> {
        let path = path.as_ref();
        let listen = || -> io::Result<std::os::unix::net::UnixListener> {
            let socket = Socket::new(Domain::UNIX, Type::STREAM.nonblocking(), None)?;
            socket.bind(&SockAddr::unix(path)?)?;
            socket.listen(options.backlog)?;
            Ok(socket.into())
        };
        let listener = listen()
            .and_then(Async::new)
            .map_err(|e| with_context(e, format!("cannot listen on {}", path.display())))?;
        Ok(UnixListener { io: listener })
    }

    /// Wraps a listening `std::os::unix::net::UnixListener`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-s-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = corio::streams::UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path)?)?;
    /// # drop(listener); let _ = std::fs::remove_file(&path);
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
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: Async::new(listener)?,
        })
    }

    /// Waits for a connection and accepts it.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a connection is only taken off the queue when returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-a-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = corio::streams::UnixListener::bind(&path)?;
    /// let _client = corio::streams::UnixStream::connect(&path).await?;
    /// let (stream, peer) = listener.accept().await?;
    /// assert!(peer.is_unnamed());
    /// # drop(listener); let _ = std::fs::remove_file(&path);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `accept4`, notably `EMFILE`/`ENFILE` when out of
    /// file descriptors (the connection stays queued).
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (socket, _) = self
            .io
            .read_with(|l| {
                socket2::SockRef::from(l).accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)
            })
            .await?;
        let stream = std::os::unix::net::UnixStream::from(socket);
        let peer = stream.peer_addr()?;
        Ok((UnixStream::from_std(stream)?, peer))
    }

    /// The address the listener is bound to.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let path = std::env::temp_dir().join(format!("corio-doc-n-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = corio::streams::UnixListener::bind(&path)?;
    /// assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    /// # drop(listener); let _ = std::fs::remove_file(&path);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }
}

impl std::os::fd::AsFd for UnixListener {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
