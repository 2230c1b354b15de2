//! The typed errors of the stream reader and of connection attempts.
//!
//! Each converts into [`io::Error`] (keeping itself as the inner error), so
//! `?` works in functions returning `io::Result`, and a caller that needs the
//! details gets them back with `err.get_ref()` and `downcast_ref`.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::SocketAddr;

/// The stream ended before a read was complete.
///
/// Equivalent to `asyncio.IncompleteReadError`. It carries the bytes that
/// did arrive ([`partial`](Self::partial)); the reader's buffer no longer
/// holds them, so nothing is lost and nothing is read twice.
///
/// # Examples
///
/// ```
/// use corio::streams::{ReadError, StreamReader};
///
/// # corio::run(async {
/// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(b"abc".to_vec()));
/// match reader.readexactly(5).await {
///     Err(ReadError::Incomplete(e)) => {
///         assert_eq!(e.partial(), b"abc");
///         assert_eq!(e.expected(), Some(5));
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncompleteRead {
    partial: Vec<u8>,
    expected: Option<usize>,
}

impl IncompleteRead {
    pub(crate) fn new(partial: Vec<u8>, expected: Option<usize>) -> IncompleteRead {
        IncompleteRead { partial, expected }
    }

    /// The bytes read before the end of the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"ab".to_vec()));
    /// let err = reader.readuntil(b"\n").await.unwrap_err();
    /// assert_eq!(err.incomplete().unwrap().partial(), b"ab");
    /// # });
    /// ```
    pub fn partial(&self) -> &[u8] {
        &self.partial
    }

    /// Takes the partial bytes out of the error.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"ab".to_vec()));
    /// let err = reader.readexactly(3).await.unwrap_err();
    /// assert_eq!(err.incomplete().unwrap().clone().into_partial(), b"ab".to_vec());
    /// # });
    /// ```
    pub fn into_partial(self) -> Vec<u8> {
        self.partial
    }

    /// How many bytes were asked for: `Some(n)` for `readexactly(n)`, `None`
    /// for `readuntil`, which waited for a separator.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(Vec::new()));
    /// let err = reader.readexactly(3).await.unwrap_err();
    /// assert_eq!(err.incomplete().unwrap().expected(), Some(3));
    /// # });
    /// ```
    pub fn expected(&self) -> Option<usize> {
        self.expected
    }
}

impl fmt::Display for IncompleteRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expected {
            Some(n) => write!(
                f,
                "stream ended after {} of {n} expected bytes",
                self.partial.len()
            ),
            None => write!(
                f,
                "stream ended after {} bytes without the separator",
                self.partial.len()
            ),
        }
    }
}

impl Error for IncompleteRead {}

/// No separator within the reader's limit.
///
/// Equivalent to `asyncio.LimitOverrunError`. [`consumed`](Self::consumed)
/// is how many bytes would have to be consumed to get past the problem; what
/// stays in the reader's buffer depends on the call and is documented on
/// [`readuntil`](crate::StreamReader::readuntil) and
/// [`readline`](crate::StreamReader::readline).
///
/// # Examples
///
/// ```
/// use corio::streams::StreamReader;
///
/// # corio::run(async {
/// let data = b"12345678\n".to_vec();
/// let mut reader = StreamReader::with_limit(futures_lite::io::Cursor::new(data), 7);
/// let err = reader.readuntil(b"\n").await.unwrap_err();
/// let overrun = err.limit_overrun().unwrap();
/// assert_eq!(overrun.consumed(), 8);
/// assert!(overrun.separator_found());
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitOverrun {
    consumed: usize,
    found: bool,
    limit: usize,
}

impl LimitOverrun {
    pub(crate) fn new(consumed: usize, found: bool, limit: usize) -> LimitOverrun {
        LimitOverrun {
            consumed,
            found,
            limit,
        }
    }

    /// The offset in the buffer where the separator starts (when it was
    /// found) or the number of bytes searched without finding it.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let data = b"abcdefgh".to_vec();
    /// let mut reader = corio::streams::StreamReader::with_limit(futures_lite::io::Cursor::new(data), 4);
    /// let err = reader.readuntil(b"\n").await.unwrap_err();
    /// assert!(err.limit_overrun().unwrap().consumed() > 4);
    /// # });
    /// ```
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// Whether the separator was in the buffer, beyond the limit.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let data = b"abcdefgh".to_vec();
    /// let mut reader = corio::streams::StreamReader::with_limit(futures_lite::io::Cursor::new(data), 4);
    /// let err = reader.readuntil(b"\n").await.unwrap_err();
    /// assert!(!err.limit_overrun().unwrap().separator_found());
    /// # });
    /// ```
    pub fn separator_found(&self) -> bool {
        self.found
    }

    /// The reader's limit at the time of the error.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let data = b"abcdefgh".to_vec();
    /// let mut reader = corio::streams::StreamReader::with_limit(futures_lite::io::Cursor::new(data), 4);
    /// let err = reader.readline().await.unwrap_err();
    /// assert_eq!(err.limit_overrun().unwrap().limit(), 4);
    /// # });
    /// ```
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl fmt::Display for LimitOverrun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.found {
            write!(
                f,
                "separator found at offset {}, beyond the limit of {} bytes",
                self.consumed, self.limit
            )
        } else {
            write!(
                f,
                "separator not found in {} bytes, more than the limit of {} bytes",
                self.consumed, self.limit
            )
        }
    }
}

impl Error for LimitOverrun {}

/// Why a [`StreamReader`](crate::StreamReader) read failed.
///
/// Converts into [`io::Error`] (`UnexpectedEof` for
/// [`Incomplete`](ReadError::Incomplete), `InvalidData` for
/// [`LimitOverrun`](ReadError::LimitOverrun), the error itself for
/// [`Io`](ReadError::Io)), so `?` works in functions returning `io::Result`.
///
/// # Examples
///
/// ```
/// use corio::streams::StreamReader;
///
/// async fn first_line(reader: &mut StreamReader) -> std::io::Result<Vec<u8>> {
///     Ok(reader.readuntil(b"\n").await?)
/// }
/// # corio::run(async {
/// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(b"hi\n".to_vec()));
/// assert_eq!(first_line(&mut reader).await.unwrap(), b"hi\n");
/// # });
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The stream ended first; the partial bytes are in the error.
    Incomplete(IncompleteRead),
    /// No separator within the limit.
    LimitOverrun(LimitOverrun),
    /// The underlying read failed (a reset, for instance).
    Io(io::Error),
}

impl ReadError {
    /// The [`IncompleteRead`] inside, if that is what this is.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(Vec::new()));
    /// assert!(reader.readexactly(1).await.unwrap_err().incomplete().is_some());
    /// # });
    /// ```
    pub fn incomplete(&self) -> Option<&IncompleteRead> {
        match self {
            ReadError::Incomplete(e) => Some(e),
            _ => None,
        }
    }

    /// The [`LimitOverrun`] inside, if that is what this is.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let data = b"too long\n".to_vec();
    /// let mut reader = corio::streams::StreamReader::with_limit(futures_lite::io::Cursor::new(data), 2);
    /// assert!(reader.readline().await.unwrap_err().limit_overrun().is_some());
    /// # });
    /// ```
    pub fn limit_overrun(&self) -> Option<&LimitOverrun> {
        match self {
            ReadError::LimitOverrun(e) => Some(e),
            _ => None,
        }
    }

    /// The kind of the equivalent [`io::Error`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(Vec::new()));
    /// let err = reader.readexactly(1).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    /// # });
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            ReadError::Incomplete(_) => io::ErrorKind::UnexpectedEof,
            ReadError::LimitOverrun(_) => io::ErrorKind::InvalidData,
            ReadError::Io(e) => e.kind(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Incomplete(e) => e.fmt(f),
            ReadError::LimitOverrun(e) => e.fmt(f),
            ReadError::Io(e) => e.fmt(f),
        }
    }
}

impl Error for ReadError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ReadError::Incomplete(e) => Some(e),
            ReadError::LimitOverrun(e) => Some(e),
            ReadError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> io::Error {
        match e {
            ReadError::Incomplete(e) => io::Error::new(io::ErrorKind::UnexpectedEof, e),
            ReadError::LimitOverrun(e) => io::Error::new(io::ErrorKind::InvalidData, e),
            ReadError::Io(e) => e,
        }
    }
}

/// Every attempt to connect to a host failed; one entry per address tried.
///
/// Returned inside an [`io::Error`] (of the first attempt's kind) by
/// [`open_connection`](crate::open_connection) and
/// [`TcpStream::connect`](crate::TcpStream::connect); its message lists each
/// address and why it failed.
///
/// # Examples
///
/// ```
/// use corio::streams::{ConnectError, TcpListener, TcpStream};
///
/// # corio::run(async {
/// // A port that was just free is very likely closed.
/// let port = TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
/// let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
/// let details = err.get_ref().and_then(|e| e.downcast_ref::<ConnectError>()).unwrap();
/// assert_eq!(details.attempts().len(), 1);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct ConnectError {
    target: String,
    attempts: Vec<(SocketAddr, io::Error)>,
}

impl ConnectError {
    pub(crate) fn new(target: String, attempts: Vec<(SocketAddr, io::Error)>) -> ConnectError {
        ConnectError { target, attempts }
    }

    /// What was being connected to, as the caller named it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{ConnectError, TcpListener, TcpStream};
    /// # corio::run(async {
    /// # let port = TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
    /// let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
    /// let details = err.get_ref().and_then(|e| e.downcast_ref::<ConnectError>()).unwrap();
    /// assert_eq!(details.target(), format!("127.0.0.1:{port}"));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Each address tried, in order, with its error.
    ///
    /// # Examples
    ///
    /// ```
    /// # use corio::streams::{ConnectError, TcpListener, TcpStream};
    /// # corio::run(async {
    /// # let port = TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
    /// let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
    /// let details = err.get_ref().and_then(|e| e.downcast_ref::<ConnectError>()).unwrap();
    /// let (addr, error) = &details.attempts()[0];
    /// assert_eq!(addr.port(), port);
    /// assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn attempts(&self) -> &[(SocketAddr, io::Error)] {
        &self.attempts
    }

    pub(crate) fn into_io(self) -> io::Error {
        let kind = self
            .attempts
            .first()
            .map_or(io::ErrorKind::NotFound, |(_, e)| e.kind());
        io::Error::new(kind, self)
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.attempts.is_empty() {
            return write!(f, "cannot connect to {}: no address to try", self.target);
        }
        write!(f, "cannot connect to {}:", self.target)?;
        for (i, (addr, e)) in self.attempts.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            write!(f, "{sep}{addr}: {e}")?;
        }
        Ok(())
    }
}

impl Error for ConnectError {}

/// Wraps `e` in an error whose message starts with `context` (an address,
/// a path), keeping its kind.
pub(crate) fn with_context(e: io::Error, context: impl fmt::Display) -> io::Error {
    io::Error::new(e.kind(), format!("{context}: {e}"))
}
