//! Name resolution off the event loop, and the [`ToAddrs`] trait that every
//! `bind` and `connect` takes.
//!
//! Literal addresses (`"127.0.0.1:80"`, `("::1", 80)`, a `SocketAddr`) are
//! parsed on the spot; anything else goes through the system resolver
//! (`getaddrinfo`, which blocks) on the blocking pool, as asyncio's
//! `loop.getaddrinfo` does with its default executor.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::error::with_context;

/// What an address argument turned into: addresses, or a name to look up.
#[derive(Debug)]
pub(crate) enum Target {
    Resolved(Vec<SocketAddr>),
    Lookup(String, u16),
}

mod sealed {
    pub trait Sealed {}
}

/// Something that names socket addresses: a [`SocketAddr`], an `(ip, port)`
/// or `(host, port)` pair, or a `"host:port"` string.
///
/// Host names are resolved on the blocking pool, so the event loop never
/// waits for DNS. The trait is sealed: it is implemented for the types above
/// and for slices and vectors of `SocketAddr`.
///
/// # Examples
///
/// ```
/// use corio::streams::lookup_host;
///
/// # corio::run(async {
/// let addrs = lookup_host(("127.0.0.1", 8080)).await?;
/// assert_eq!(addrs, ["127.0.0.1:8080".parse().unwrap()]);
/// let addrs = lookup_host("[::1]:53").await?;
/// assert_eq!(addrs[0].port(), 53);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub trait ToAddrs: sealed::Sealed {
    #[doc(hidden)]
    fn target(&self) -> io::Result<TargetAddrs>;
}

/// Opaque carrier for [`ToAddrs`]; not part of the API.
#[doc(hidden)]
#[derive(Debug)]
pub struct TargetAddrs(pub(crate) Target);

fn resolved(addrs: Vec<SocketAddr>) -> io::Result<TargetAddrs> {
    Ok(TargetAddrs(Target::Resolved(addrs)))
}

fn host_port(host: &str, port: u16) -> io::Result<TargetAddrs> {
    // `[::1]` is how IPv6 literals are written in URLs; accept it too.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => resolved(vec![SocketAddr::new(ip, port)]),
        Err(_) => Ok(TargetAddrs(Target::Lookup(host.to_owned(), port))),
    }
}

fn host_colon_port(s: &str) -> io::Result<TargetAddrs> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return resolved(vec![addr]);
    }
    let invalid = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid socket address {s:?}: expected \"host:port\""),
        )
    };
    let (host, port) = s.rsplit_once(':').ok_or_else(invalid)?;
    let port: u16 = port.parse().map_err(|_| invalid())?;
    host_port(host, port)
}

macro_rules! impl_resolved {
    ($($ty:ty => |$v:ident| $e:expr;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl ToAddrs for $ty {
            fn target(&self) -> io::Result<TargetAddrs> {
                let $v = self;
                resolved($e)
            }
        }
    )*};
}

impl_resolved! {
    SocketAddr => |a| vec![*a];
    SocketAddrV4 => |a| vec![SocketAddr::V4(*a)];
    SocketAddrV6 => |a| vec![SocketAddr::V6(*a)];
    (IpAddr, u16) => |a| vec![SocketAddr::new(a.0, a.1)];
    (Ipv4Addr, u16) => |a| vec![SocketAddr::new(IpAddr::V4(a.0), a.1)];
    (Ipv6Addr, u16) => |a| vec![SocketAddr::new(IpAddr::V6(a.0), a.1)];
    [SocketAddr] => |a| a.to_vec();
    Vec<SocketAddr> => |a| a.clone();
}

impl<const N: usize> sealed::Sealed for [SocketAddr; N] {}
impl<const N: usize> ToAddrs for [SocketAddr; N] {
    fn target(&self) -> io::Result<TargetAddrs> {
        resolved(self.to_vec())
    }
}

impl sealed::Sealed for str {}
impl ToAddrs for str {
    fn target(&self) -> io::Result<TargetAddrs> {
        host_colon_port(self)
    }
}

impl sealed::Sealed for String {}
impl ToAddrs for String {
    fn target(&self) -> io::Result<TargetAddrs> {
        host_colon_port(self)
    }
}

impl sealed::Sealed for (&str, u16) {}
impl ToAddrs for (&str, u16) {
    fn target(&self) -> io::Result<TargetAddrs> {
        host_port(self.0, self.1)
    }
}

impl sealed::Sealed for (String, u16) {}
impl ToAddrs for (String, u16) {
    fn target(&self) -> io::Result<TargetAddrs> {
        host_port(&self.0, self.1)
    }
}

impl<T: ToAddrs + ?Sized> sealed::Sealed for &T {}
impl<T: ToAddrs + ?Sized> ToAddrs for &T {
    fn target(&self) -> io::Result<TargetAddrs> {
        (**self).target()
    }
}

/// How an address argument is written in error messages.
pub(crate) struct Described<'a>(pub(crate) &'a Target);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Target::Lookup(host, port) => write!(f, "{host}:{port}"),
            Target::Resolved(addrs) => match addrs.as_slice() {
                [one] => write!(f, "{one}"),
                many => {
                    write!(f, "[")?;
                    for (i, a) in many.iter().enumerate() {
                        if i > 0 {
                            write!(f, ", ")?;
                        }
                        write!(f, "{a}")?;
                    }
                    write!(f, "]")
                }
            },
        }
    }
}

/// Resolves `target` to addresses, running the system resolver on the
/// blocking pool when it is a host name.
pub(crate) async fn resolve(target: Target) -> io::Result<Vec<SocketAddr>> {
    match target {
        Target::Resolved(addrs) => Ok(addrs),
        Target::Lookup(host, port) => {
            let name = format!("{host}:{port}");
            let task = corio_executor::to_thread(move || {
                use std::net::ToSocketAddrs;
                (host.as_str(), port)
                    .to_socket_addrs()
                    .map(|it| it.collect::<Vec<_>>())
            });
            let addrs = match task.await {
                Ok(result) => result.map_err(|e| with_context(e, format!("resolving {name}")))?,
                Err(e) => {
                    return Err(io::Error::other(format!(
                        "resolving {name}: the resolver thread failed: {e}"
                    )));
                }
            };
            if addrs.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("resolving {name}: no addresses found"),
                ));
            }
            Ok(addrs)
        }
    }
}

/// Resolves a host name and port to socket addresses without blocking the
/// event loop.
///
/// Equivalent to asyncio's `loop.getaddrinfo(host, port)` (the addresses
/// only). Literal IP addresses are returned as they are; names go to the
/// system resolver on the blocking pool, in the order it gives them.
///
/// # Cancel safety
///
/// Dropping the future abandons the lookup; a resolver call already running
/// on a pool thread finishes there and its result is discarded.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let addrs = corio::streams::lookup_host(("localhost", 80)).await?;
/// assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// `InvalidInput` for a malformed `"host:port"` string; the resolver's error
/// (with the name in the message) when the name cannot be resolved;
/// `NotFound` when it resolves to nothing.
pub async fn lookup_host(addr: impl ToAddrs) -> io::Result<Vec<SocketAddr>> {
    let TargetAddrs(target) = addr.target()?;
    resolve(target).await
}
