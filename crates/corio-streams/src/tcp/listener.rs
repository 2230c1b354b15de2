//! [`TcpListener`] and the [`ListenOptions`] it is bound with.

use std::io;
use std::net::SocketAddr;

use corio_reactor::Async;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::error::with_context;
use crate::resolve::{Described, TargetAddrs, ToAddrs, resolve};
use crate::tcp::TcpStream;

/// How a listening socket is set up: backlog and address reuse.
///
/// The defaults follow asyncio's `loop.create_server` on Linux:
/// `SO_REUSEADDR` on, `SO_REUSEPORT` off, IPv6 sockets `IPV6_V6ONLY`; the
/// backlog is 1024 (tokio's default) rather than asyncio's 100, since a busy
/// server overflowing a short backlog drops connection attempts.
///
/// # Examples
///
/// ```
/// use corio::streams::{ListenOptions, TcpListener};
///
/// # corio::run(async {
/// let options = ListenOptions::new().backlog(64).reuse_port(true);
/// let listener = TcpListener::bind_with("127.0.0.1:0", &options).await?;
/// assert!(listener.local_addr()?.port() > 0);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ListenOptions {
    pub(crate) backlog: i32,
    pub(crate) reuse_address: bool,
    pub(crate) reuse_port: bool,
}

impl Default for ListenOptions {
    fn default() -> ListenOptions {
        ListenOptions::new()
    }
}

impl ListenOptions {
    /// The defaults: backlog 1024, `SO_REUSEADDR` on, `SO_REUSEPORT` off.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ListenOptions::new();
    /// ```
    pub fn new() -> ListenOptions {
        ListenOptions {
            backlog: 1024,
            reuse_address: true,
            reuse_port: false,
        }
    }

    /// The length of the queue of connections not yet accepted (asyncio's
    /// `backlog`); the kernel caps it at `net.core.somaxconn`.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ListenOptions::new().backlog(4096);
    /// ```
    pub fn backlog(mut self, backlog: u32) -> ListenOptions {
        self.backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        self
    }

    /// Sets `SO_REUSEADDR` (asyncio's `reuse_address`): bind even while old
    /// connections to the port linger in `TIME_WAIT`.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ListenOptions::new().reuse_address(false);
    /// ```
    pub fn reuse_address(mut self, reuse: bool) -> ListenOptions {
        self.reuse_address = reuse;
        self
    }

    /// Sets `SO_REUSEPORT` (asyncio's `reuse_port`): several sockets may
    /// listen on the same port and the kernel spreads connections over them.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ListenOptions::new().reuse_port(true);
    /// ```
    pub fn reuse_port(mut self, reuse: bool) -> ListenOptions {
        self.reuse_port = reuse;
        self
    }

    pub(crate) fn listen_tcp(&self, addr: SocketAddr) -> io::Result<std::net::TcpListener> {
        let domain = Domain::for_address(addr);
        let socket = Socket::new(domain, Type::STREAM.nonblocking(), Some(Protocol::TCP))?;
        if self.reuse_address {
            socket.set_reuse_address(true)?;
        }
        if self.reuse_port {
            socket.set_reuse_port(true)?;
        }
        if domain == Domain::IPV6 {
            socket.set_only_v6(true)?;
        }
        socket.bind(&SockAddr::from(addr))?;
        socket.listen(self.backlog)?;
        Ok(socket.into())
    }
}

/// A TCP socket listening for connections.
///
/// The listening half of asyncio's `loop.create_server`; servers with one
/// task per connection are [`start_server`](crate::start_server).
///
/// # Examples
///
/// ```
/// use corio::streams::{TcpListener, TcpStream};
///
/// # corio::run(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let client = TcpStream::connect(listener.local_addr()?).await?;
/// let (server, peer) = listener.accept().await?;
/// assert_eq!(peer, client.local_addr()?);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct TcpListener {
    io: Async<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` with the default [`ListenOptions`] and starts
    /// listening.
    ///
    /// When `addr` names several addresses, the first that binds is used.
    /// Port 0 picks a free port; read it back with
    /// [`local_addr`](TcpListener::local_addr).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind(("::1", 0)).await?;
    /// assert!(listener.local_addr()?.is_ipv6());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The last address's error (`AddrInUse`, `PermissionDenied`, …) with
    /// the address in the message; resolver errors for a host name.
    pub async fn bind(addr: impl ToAddrs) -> io::Result<TcpListener> {
        TcpListener::bind_with(addr, &ListenOptions::new()).await
    }

    /// Binds to `addr` with `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let options = corio::streams::ListenOptions::new().backlog(16);
    /// let listener = corio::streams::TcpListener::bind_with("127.0.0.1:0", &options).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// As [`bind`](TcpListener::bind).
    pub async fn bind_with(addr: impl ToAddrs, options: &ListenOptions) -> io::Result<TcpListener> {
        let TargetAddrs(target) = addr.target()?;
        let described = Described(&target).to_string();
        let addrs = resolve(target).await?;
        let mut last = None;
        for addr in addrs {
            match options.listen_tcp(addr).and_then(Async::new) {
                Ok(io) => return Ok(TcpListener { io }),
                Err(e) => last = Some(with_context(e, format!("cannot listen on {addr}"))),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot listen on {described}: no address to bind"),
            )
        }))
    }

    /// Wraps a listening `std::net::TcpListener` (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let listener = corio::streams::TcpListener::from_std(std_listener)?;
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
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: Async::new(listener)?,
        })
    }

    /// Waits for a connection and accepts it; `TCP_NODELAY` is set on it.
    ///
    /// The accepted socket is created non-blocking and close-on-exec in one
    /// system call (`accept4`).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a connection is only taken off the queue when the call
    /// returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// let _client = corio::streams::TcpStream::connect(listener.local_addr()?).await?;
    /// let (stream, peer) = listener.accept().await?;
    /// assert!(peer.ip().is_loopback());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `accept4`: notably `EMFILE`/`ENFILE` when the
    /// process or system is out of file descriptors (the pending connection
    /// stays queued), and `ConnectionAborted` when a peer gave up first.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (socket, addr) = self
            .io
            .read_with(|l| {
                socket2::SockRef::from(l).accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)
            })
            .await?;
        let peer = addr.as_socket().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "accepted a non-IP peer address")
        })?;
        let stream = TcpStream::from_std(socket.into())?;
        stream.set_nodelay(true)?;
        Ok((stream, peer))
    }

    /// The address the listener is bound to.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// assert_ne!(listener.local_addr()?.port(), 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Sets the IP time-to-live of accepted connections' packets.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// listener.set_ttl(10)?;
    /// assert_eq!(listener.ttl()?, 10);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `setsockopt`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live set on the listener.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
    /// assert!(listener.ttl()? > 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockopt`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }
}

impl std::os::fd::AsFd for TcpListener {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
