//! [`UdpSocket`]: UDP datagrams.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use corio_reactor::Async;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::error::with_context;
use crate::resolve::{Described, TargetAddrs, ToAddrs, resolve};

/// A UDP socket.
///
/// asyncio's `loop.create_datagram_endpoint` as plain methods
/// (`sock_sendto`/`sock_recvfrom`). Clones share the socket.
///
/// # Examples
///
/// ```
/// use corio::streams::UdpSocket;
///
/// # corio::run(async {
/// let a = UdpSocket::bind("127.0.0.1:0").await?;
/// let b = UdpSocket::bind("127.0.0.1:0").await?;
/// a.send_to(b"ping", b.local_addr()?).await?;
/// let mut buf = [0; 16];
/// let (n, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct UdpSocket {
    io: Arc<Async<std::net::UdpSocket>>,
}

impl UdpSocket {
    /// Creates a socket bound to `addr` (the first of its addresses that
    /// binds). Port 0 picks a free port.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::streams::UdpSocket::bind(("::1", 0)).await?;
    /// assert!(socket.local_addr()?.is_ipv6());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The last address's error, with the address in the message.
    pub async fn bind(addr: impl ToAddrs) -> io::Result<UdpSocket> {
        UdpSocket::bind_with(addr, false).await
    }

    /// Like [`bind`](Self::bind), with `SO_REUSEPORT` set when `reuse_port`
    /// is true (asyncio's `reuse_port`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::streams::UdpSocket::bind_with("127.0.0.1:0", true).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// As [`bind`](Self::bind).
    pub async fn bind_with(addr: impl ToAddrs, reuse_port: bool) -> io::Result<UdpSocket> {
        let TargetAddrs(target) = addr.target()?;
        let described = Described(&target).to_string();
        let mut last = None;
        for addr in resolve(target).await? {
            let open = || -> io::Result<UdpSocket> {
                let domain = Domain::for_address(addr);
                let socket = Socket::new(domain, Type::DGRAM.nonblocking(), Some(Protocol::UDP))?;
                if reuse_port {
                    socket.set_reuse_port(true)?;
                }
                if domain == Domain::IPV6 {
                    socket.set_only_v6(true)?;
                }
                socket.bind(&SockAddr::from(addr))?;
                UdpSocket::from_std(socket.into())
            };
            match open() {
                Ok(socket) => return Ok(socket),
                Err(e) => last = Some(with_context(e, format!("cannot bind {addr}"))),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot bind {described}: no address"),
            )
        }))
    }

    /// Wraps a `std::net::UdpSocket` (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::streams::UdpSocket::from_std(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
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
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: Arc::new(Async::new(socket)?),
        })
    }

    /// Sets the default destination for [`send`](Self::send) and the only
    /// source [`recv`](Self::recv) accepts (asyncio's `remote_addr`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// assert_eq!(a.peer_addr()?, b.local_addr()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// Resolver errors, or the OS error from `connect` naming the address.
    pub async fn connect(&self, addr: impl ToAddrs) -> io::Result<()> {
        let TargetAddrs(target) = addr.target()?;
        let described = Described(&target).to_string();
        let mut last = None;
        for addr in resolve(target).await? {
            match self.io.get_ref().connect(addr) {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(with_context(e, format!("cannot connect to {addr}"))),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot connect to {described}: no address"),
            )
        }))
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a datagram is sent whole or not at all.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(a.local_addr()?).await?;
    /// assert_eq!(a.send(b"self").await?, 4);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` without [`connect`](Self::connect);
    /// `ConnectionRefused` after an ICMP port-unreachable from the peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| s.send(buf)).await
    }

    /// Receives one datagram from the connected peer; the rest of a
    /// datagram longer than `buf` is discarded.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no datagram is taken unless returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(a.local_addr()?).await?;
    /// a.send(b"loop").await?;
    /// let mut buf = [0; 8];
    /// assert_eq!(a.recv(&mut buf).await?, 4);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `recv`.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.recv(buf)).await
    }

    /// Sends one datagram to `addr`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a datagram is sent whole or not at all.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.send_to(b"x", a.local_addr()?).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `sendto`, naming the address.
    pub async fn send_to(&self, buf: &[u8], addr: SocketAddr) -> io::Result<usize> {
        self.io
            .write_with(|s| s.send_to(buf, addr))
            .await
            .map_err(|e| with_context(e, format!("cannot send to {addr}")))
    }

    /// Receives one datagram and the address it came from.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no datagram is taken unless returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.send_to(b"x", a.local_addr()?).await?;
    /// let mut buf = [0; 8];
    /// let (n, from) = a.recv_from(&mut buf).await?;
    /// assert_eq!((n, from), (1, a.local_addr()?));
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
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_ne!(a.local_addr()?.port(), 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(a.peer_addr().is_err());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` without [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Allows sending to broadcast addresses (`SO_BROADCAST`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.set_broadcast(true)?;
    /// assert!(a.broadcast()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `setsockopt`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(!a.broadcast()?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `getsockopt`.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Sets the IP time-to-live of outgoing datagrams.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.set_ttl(3)?;
    /// assert_eq!(a.ttl()?, 3);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error from `setsockopt`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing datagrams.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let a = corio::streams::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(a.ttl()? > 0);
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
