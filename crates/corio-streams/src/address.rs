//! [`Address`]: either end of a TCP or Unix connection.

use std::fmt;
use std::net::SocketAddr;

/// The address of one end of a connection: an IP socket address or a Unix
/// socket address.
///
/// What [`StreamWriter::peer_addr`](crate::StreamWriter::peer_addr) and
/// [`Server::local_addrs`](crate::Server::local_addrs) return, so TCP and
/// Unix connections share one writer type (asyncio's `peername` and
/// `sockname` extra info).
///
/// # Examples
///
/// ```
/// use corio::streams::Address;
///
/// let addr = Address::Inet("127.0.0.1:80".parse().unwrap());
/// assert_eq!(addr.to_string(), "127.0.0.1:80");
/// assert_eq!(addr.port(), Some(80));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Address {
    /// An IPv4 or IPv6 socket address.
    Inet(SocketAddr),
    /// A Unix domain socket address (a path, or unnamed).
    Unix(std::os::unix::net::SocketAddr),
}

impl Address {
    /// The IP socket address, if this is one.
    ///
    /// # Examples
    ///
    /// ```
    /// let addr = corio::streams::Address::Inet("[::1]:9".parse().unwrap());
    /// assert!(addr.as_inet().unwrap().is_ipv6());
    /// ```
    pub fn as_inet(&self) -> Option<SocketAddr> {
        match self {
            Address::Inet(a) => Some(*a),
            Address::Unix(_) => None,
        }
    }

    /// The port, for an IP address.
    ///
    /// # Examples
    ///
    /// ```
    /// let addr = corio::streams::Address::Inet("127.0.0.1:8080".parse().unwrap());
    /// assert_eq!(addr.port(), Some(8080));
    /// ```
    pub fn port(&self) -> Option<u16> {
        self.as_inet().map(|a| a.port())
    }

    /// The filesystem path, for a Unix socket bound to one.
    ///
    /// # Examples
    ///
    /// ```
    /// let addr = corio::streams::Address::Inet("127.0.0.1:8080".parse().unwrap());
    /// assert!(addr.as_path().is_none());
    /// ```
    pub fn as_path(&self) -> Option<&std::path::Path> {
        match self {
            Address::Unix(a) => a.as_pathname(),
            Address::Inet(_) => None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Inet(a) => a.fmt(f),
            Address::Unix(a) => match a.as_pathname() {
                Some(path) => path.display().fmt(f),
                None => f.write_str("(unnamed)"),
            },
        }
    }
}

impl From<SocketAddr> for Address {
    fn from(a: SocketAddr) -> Address {
        Address::Inet(a)
    }
}
