//! [`StreamReader`]: asyncio's buffered, cancel-safe reader.
//!
//! The reader pulls from its source only when an operation needs more bytes
//! than it holds, into one buffer that it owns. Every read future borrows the
//! reader and works on that buffer in place; it removes bytes only in the
//! poll that returns them. So a future dropped half-way (a timeout, a
//! `select`) leaves every byte it saw in the buffer for the next call, which
//! is what makes each read cancel-safe.
//!
//! Memory is bounded by the limit: a read towards a separator stops with
//! [`LimitOverrun`](crate::LimitOverrun) well before the buffer passes
//! 2 × limit, and no operation reads more from the socket once the buffer
//! holds 2 × limit, except `readexactly(n)` for a larger `n` and
//! `read_to_end`, which asked for that much.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncBufRead, AsyncRead};

use crate::error::{IncompleteRead, LimitOverrun, ReadError};
use crate::futures::{Lines, Read, ReadExactly, ReadLine, ReadToEnd, ReadUntil};
use crate::tcp::TcpStream;
use crate::unix::UnixStream;

/// The default line limit, as in asyncio: 64 KiB.
pub(crate) const DEFAULT_LIMIT: usize = 64 * 1024;
const FIRST_CHUNK: usize = 4 * 1024;
const MAX_CHUNK: usize = 64 * 1024;
/// An empty buffer larger than this is released instead of kept.
const KEEP_BUFFER: usize = 1024 * 1024;
/// How far an over-long line's readline looks past the buffer for the
/// line's end: about what asyncio's transport takes in one receive.
const LOOKAHEAD: usize = 256 * 1024;

pub(crate) enum ReadIo {
    Tcp(TcpStream),
    Unix(UnixStream),
    Other(Box<dyn AsyncRead + Send + Unpin>),
}

impl ReadIo {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match self {
            ReadIo::Tcp(s) => Pin::new(&mut &*s).poll_read(cx, buf),
            ReadIo::Unix(s) => Pin::new(&mut &*s).poll_read(cx, buf),
            ReadIo::Other(r) => Pin::new(r).poll_read(cx, buf),
        }
    }
}

/// A buffered reader over a byte stream, with asyncio's `StreamReader` API.
///
/// Equivalent to `asyncio.StreamReader`: [`read`](Self::read),
/// [`read_to_end`](Self::read_to_end) (`read(-1)`),
/// [`readline`](Self::readline), [`readexactly`](Self::readexactly),
/// [`readuntil`](Self::readuntil), [`at_eof`](Self::at_eof) and
/// [`lines`](Self::lines) (`async for line in reader`). It also implements
/// [`AsyncRead`] and [`AsyncBufRead`], so `futures-lite`'s extension methods
/// work on it and share its buffer.
///
/// Get one from [`open_connection`](crate::open_connection), a server's
/// handler, [`TcpStream::into_split`], or wrap any `AsyncRead` with
/// [`new`](Self::new).
///
/// # Limit
///
/// [`readuntil`](Self::readuntil) and [`readline`](Self::readline) refuse
/// to buffer more than `limit` bytes before the separator (64 KiB unless set
/// with [`with_limit`](Self::with_limit)); the limit does not count the
/// separator, so with `limit = 7` the line `b"1234567\n"` is accepted and
/// `b"12345678\n"` is not. [`readexactly`](Self::readexactly) is not bounded
/// by it.
///
/// # Cancel safety
///
/// Every read is cancel-safe: bytes are removed from the buffer only when a
/// call returns them, so dropping a pending read loses nothing.
///
/// # Examples
///
/// ```
/// use corio::streams::StreamReader;
///
/// # corio::run(async {
/// let data = b"hello\nworld\n12345".to_vec();
/// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(data));
/// assert_eq!(reader.readline().await?, b"hello\n");
/// assert_eq!(reader.readuntil(b"ld").await?, b"world");
/// assert_eq!(reader.readexactly(2).await?, b"\n1");
/// assert_eq!(reader.read(100).await?, b"2345");
/// assert_eq!(reader.read(100).await?, b"");
/// assert!(reader.at_eof());
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// A failure of the source is sticky, as an exception set on asyncio's
/// reader is: once a read has returned an I/O error such as
/// `ConnectionReset`, the reader never reads from the source again, and
/// every later call that needs more bytes than are buffered returns an
/// equivalent error (same kind, same OS error), never an end of stream.
/// Bytes that arrived before the failure stay buffered and are still
/// returned first. The limit errors
/// ([`LimitOverrun`](crate::LimitOverrun)) and
/// [`IncompleteRead`](crate::IncompleteRead) are not failures of the source
/// and are not sticky.
///
/// ```
/// use std::io;
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
///
/// /// A source that fails once, then would read as end of stream.
/// struct ResetOnce(bool);
///
/// impl futures_lite::AsyncRead for ResetOnce {
///     fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, _: &mut [u8]) -> Poll<io::Result<usize>> {
///         if std::mem::replace(&mut self.0, true) {
///             return Poll::Ready(Ok(0));
///         }
///         Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()))
///     }
/// }
///
/// # corio::run(async {
/// let mut reader = corio::streams::StreamReader::new(ResetOnce(false));
/// assert_eq!(reader.readline().await.unwrap_err().kind(), io::ErrorKind::ConnectionReset);
/// assert_eq!(reader.read(10).await.unwrap_err().kind(), io::ErrorKind::ConnectionReset);
/// # });
/// ```
pub struct StreamReader {
    io: ReadIo,
    /// Zero-initialised storage; the data is `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// How the source failed, once it has: every later read that needs the
    /// source fails the same way instead of reading on.
    failed: Option<Failure>,
    limit: usize,
    chunk: usize,
}

/// What is kept of a read error so that it can be given again.
#[derive(Debug)]
struct Failure {
    kind: io::ErrorKind,
    os: Option<i32>,
    message: String,
}

impl Failure {
    fn of(e: &io::Error) -> Failure {
        Failure {
            kind: e.kind(),
            os: e.raw_os_error(),
            message: e.to_string(),
        }
    }

    /// An error equivalent to the first: the same OS error where there was
    /// one, else the same kind and message.
    fn error(&self) -> io::Error {
        match self.os {
            Some(code) => io::Error::from_raw_os_error(code),
            None => io::Error::new(self.kind, self.message.clone()),
        }
    }
}

/// Reads once from `io` into `dst`, retrying on `Interrupted`. A failure is
/// recorded in `failed`, and once one is, no read reaches the source again:
/// a reset socket reads as end of stream the second time, and that must not
/// pass for a clean close.
fn poll_source(
    io: &mut ReadIo,
    failed: &mut Option<Failure>,
    cx: &mut Context<'_>,
    dst: &mut [u8],
) -> Poll<io::Result<usize>> {
    if let Some(f) = failed {
        return Poll::Ready(Err(f.error()));
    }
    loop {
        match ready!(io.poll_read(cx, dst)) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                if e.kind() != io::ErrorKind::WouldBlock {
                    *failed = Some(Failure::of(&e));
                }
                return Poll::Ready(Err(e));
            }
            Ok(n) => return Poll::Ready(Ok(n)),
        }
    }
}

impl fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.io {
            ReadIo::Tcp(s) => format!("{:?}", s.peer_addr().ok()),
            ReadIo::Unix(_) => "unix".to_owned(),
            ReadIo::Other(_) => "reader".to_owned(),
        };
        f.debug_struct("StreamReader")
            .field("source", &source)
            .field("buffered", &(self.end - self.start))
            .field("eof", &self.eof)
            .field("failed", &self.failed.as_ref().map(|f| f.kind))
            .field("limit", &self.limit)
            .finish()
    }
}

impl StreamReader {
    /// Wraps any byte source with the default limit (64 KiB).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"a\n".to_vec()));
    /// assert_eq!(reader.readline().await?, b"a\n");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn new(io: impl AsyncRead + Send + Unpin + 'static) -> StreamReader {
        StreamReader::with_limit(io, DEFAULT_LIMIT)
    }

    /// Wraps any byte source with the given limit (asyncio's `limit=`).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let data = b"1234567\n12345678\n".to_vec();
    /// let mut reader = corio::streams::StreamReader::with_limit(futures_lite::io::Cursor::new(data), 7);
    /// assert_eq!(reader.readline().await?, b"1234567\n");
    /// assert!(reader.readline().await.is_err());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `limit` is 0, as asyncio raises `ValueError`: pass at
    /// least 1.
    #[track_caller]
    pub fn with_limit(io: impl AsyncRead + Send + Unpin + 'static, limit: usize) -> StreamReader {
        StreamReader::from_io(ReadIo::Other(Box::new(io)), limit)
    }

    #[track_caller]
    pub(crate) fn from_io(io: ReadIo, limit: usize) -> StreamReader {
        assert!(limit > 0, "StreamReader limit must be at least 1");
        StreamReader {
            io,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            failed: None,
            limit,
            chunk: FIRST_CHUNK,
        }
    }

    /// The line limit.
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(Vec::new()));
    /// assert_eq!(reader.limit(), 64 * 1024);
    /// ```
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The bytes read from the source and not yet returned.
    ///
    /// After an error this shows exactly what the next read will see.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let data = b"abc".to_vec();
    /// let mut reader = corio::streams::StreamReader::with_limit(futures_lite::io::Cursor::new(data), 1);
    /// assert!(reader.readuntil(b"\n").await.is_err());
    /// assert_eq!(reader.buffer(), b"ab"); // readuntil keeps what it saw
    /// # });
    /// ```
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Whether the source ended and the buffer is empty.
    ///
    /// Equivalent to `asyncio.StreamReader.at_eof()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"x".to_vec()));
    /// assert!(!reader.at_eof());
    /// reader.read_to_end().await?;
    /// assert!(reader.at_eof());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn at_eof(&self) -> bool {
        self.eof && self.start == self.end
    }

    /// Reads up to `n` bytes: what is buffered, or else what the next read
    /// from the source gives. An empty result means end of stream (or
    /// `n == 0`).
    ///
    /// Equivalent to `asyncio.StreamReader.read(n)`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: nothing is lost if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"abcdef".to_vec()));
    /// assert_eq!(reader.read(4).await?, b"abcd");
    /// assert_eq!(reader.read(4).await?, b"ef");
    /// assert_eq!(reader.read(4).await?, b"");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The source's error; the buffer is untouched by it.
    pub fn read(&mut self, n: usize) -> Read<'_> {
        Read::new(self, n)
    }

    /// Reads until end of stream and returns everything.
    ///
    /// Equivalent to `asyncio.StreamReader.read()` (`read(-1)`). Not bounded
    /// by the limit.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: what was read so far stays in the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"all of it".to_vec()));
    /// assert_eq!(reader.read_to_end().await?, b"all of it");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The source's error; the bytes read before it stay buffered.
    pub fn read_to_end(&mut self) -> ReadToEnd<'_> {
        ReadToEnd::new(self)
    }

    /// Reads one line, up to and including `\n`.
    ///
    /// Equivalent to `asyncio.StreamReader.readline()`. At end of stream it
    /// returns the partial last line (without `\n`), then empty vectors.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the line is removed from the buffer only when returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"one\ntwo".to_vec()));
    /// assert_eq!(reader.readline().await?, b"one\n");
    /// assert_eq!(reader.readline().await?, b"two");
    /// assert_eq!(reader.readline().await?, b"");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReadError::LimitOverrun`] when the line is longer than the limit.
    /// As in asyncio, the over-long line is discarded before returning,
    /// through its `\n` when the `\n` has already arrived (it is buffered,
    /// or the source has it ready without waiting, up to 256 KiB further
    /// on), so the next read starts at the next line. When the `\n` has not
    /// arrived yet, what arrived is discarded and the rest of that line
    /// comes with the next read. [`ReadError::Io`] when the source fails;
    /// the buffer is untouched.
    pub fn readline(&mut self) -> ReadLine<'_> {
        ReadLine::new(self)
    }

    /// Reads exactly `n` bytes.
    ///
    /// Equivalent to `asyncio.StreamReader.readexactly(n)`; not bounded by
    /// the limit.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no byte leaves the buffer until all `n` are there.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"\x00\x03abc".to_vec()));
    /// let header = reader.readexactly(2).await?;
    /// let len = u16::from_be_bytes([header[0], header[1]]) as usize;
    /// assert_eq!(reader.readexactly(len).await?, b"abc");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReadError::Incomplete`] when the stream ends first; it carries the
    /// bytes that arrived, and the buffer is then empty.
    /// [`ReadError::Io`] when the source fails; the bytes received so far
    /// stay in the buffer.
    pub fn readexactly(&mut self, n: usize) -> ReadExactly<'_> {
        ReadExactly::new(self, n)
    }

    /// Reads up to and including `separator`.
    ///
    /// Equivalent to `asyncio.StreamReader.readuntil(separator)`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: nothing leaves the buffer until the separator is found.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"a\r\nb\r\n".to_vec()));
    /// assert_eq!(reader.readuntil(b"\r\n").await?, b"a\r\n");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ReadError::LimitOverrun`] when the separator starts beyond the
    ///   limit, or more than `limit` bytes were searched without finding it.
    ///   The buffer is kept as it was, so the caller can
    ///   [`readexactly`](Self::readexactly) its way past the data
    ///   ([`consumed`](crate::LimitOverrun::consumed) says how far).
    /// - [`ReadError::Incomplete`] when the stream ends without the
    ///   separator; it carries everything that was buffered, and the buffer
    ///   is then empty.
    /// - [`ReadError::Io`] when the source fails; the buffer is untouched.
    ///   An empty separator is an `InvalidInput` error.
    pub fn readuntil<'a>(&'a mut self, separator: &'a [u8]) -> ReadUntil<'a> {
        ReadUntil::new(self, separator)
    }

    /// The lines of the stream, as a [`Stream`](futures_lite::Stream) of
    /// [`readline`](Self::readline) results that ends at end of stream.
    ///
    /// Equivalent to `async for line in reader`. An error is yielded once;
    /// iteration may go on after it, with what the error left in the buffer.
    /// Where `futures_lite::AsyncBufReadExt` is in scope, `reader.lines()`
    /// picks that trait's method (it takes the reader by value and yields
    /// `String`s); write `StreamReader::lines(&mut reader)` there.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`readline`](Self::readline).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_lite::StreamExt;
    ///
    /// # corio::run(async {
    /// let mut reader = corio::streams::StreamReader::new(futures_lite::io::Cursor::new(b"a\nb\n".to_vec()));
    /// let lines: Vec<_> = reader.lines().try_collect().await?;
    /// assert_eq!(lines, [b"a\n".to_vec(), b"b\n".to_vec()]);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn lines(&mut self) -> Lines<'_> {
        Lines::new(self)
    }

    fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Removes and returns the first `n` buffered bytes.
    fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.buf[self.start..self.start + n].to_vec();
        self.discard(n);
        out
    }

    fn discard(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            if self.buf.len() > KEEP_BUFFER {
                self.buf = Vec::new();
            }
        }
    }

    /// Reads once from the source into the buffer. `want` is how many bytes
    /// the current operation needs buffered in all; the buffer does not grow
    /// past `max(want, 2 × limit)`. Sets `eof` when the source ends.
    fn poll_fill(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<io::Result<()>> {
        if let Some(f) = &self.failed {
            return Poll::Ready(Err(f.error()));
        }
        let cap = want.max(self.limit.saturating_mul(2));
        let room = cap.saturating_sub(self.buffered()).max(1);
        let chunk = room.min(self.chunk);
        if self.buf.len() - self.end < chunk {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.buf.len() - self.end < chunk {
                self.buf.resize(self.end + chunk, 0);
            }
        }
        let space = (self.buf.len() - self.end).min(room);
        let dst = &mut self.buf[self.end..self.end + space];
        let n = ready!(poll_source(&mut self.io, &mut self.failed, cx, dst))?;
        if n == 0 {
            self.eof = true;
        } else {
            self.end += n;
            if n == space && self.chunk < MAX_CHUNK {
                self.chunk *= 2;
            }
        }
        Poll::Ready(Ok(()))
    }

    pub(crate) fn poll_read_n(
        &mut self,
        cx: &mut Context<'_>,
        n: usize,
    ) -> Poll<io::Result<Vec<u8>>> {
        if n == 0 {
            return Poll::Ready(Ok(Vec::new()));
        }
        loop {
            if self.buffered() > 0 {
                let k = n.min(self.buffered());
                return Poll::Ready(Ok(self.take(k)));
            }
            if self.eof {
                return Poll::Ready(Ok(Vec::new()));
            }
            ready!(self.poll_fill(cx, 0))?;
        }
    }

    pub(crate) fn poll_read_to_end(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Vec<u8>>> {
        while !self.eof {
            ready!(self.poll_fill(cx, usize::MAX))?;
        }
        Poll::Ready(Ok(self.take(self.buffered())))
    }

    pub(crate) fn poll_readexactly(
        &mut self,
        cx: &mut Context<'_>,
        n: usize,
    ) -> Poll<Result<Vec<u8>, ReadError>> {
        loop {
            if self.buffered() >= n {
                return Poll::Ready(Ok(self.take(n)));
            }
            if self.eof {
                let partial = self.take(self.buffered());
                return Poll::Ready(Err(ReadError::Incomplete(IncompleteRead::new(
                    partial,
                    Some(n),
                ))));
            }
            ready!(self.poll_fill(cx, n))?;
        }
    }

    pub(crate) fn poll_readuntil(
        &mut self,
        cx: &mut Context<'_>,
        sep: &[u8],
    ) -> Poll<Result<Vec<u8>, ReadError>> {
        if sep.is_empty() {
            return Poll::Ready(Err(ReadError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "readuntil: the separator must not be empty",
            ))));
        }
        // Where the search resumes: bytes before it cannot start a match.
        let mut offset = 0;
        loop {
            let data = self.buffer();
            if data.len() >= offset + sep.len() {
                if let Some(i) = find(&data[offset..], sep) {
                    let isep = offset + i;
                    if isep > self.limit {
                        let e = LimitOverrun::new(isep, true, self.limit);
                        return Poll::Ready(Err(ReadError::LimitOverrun(e)));
                    }
                    return Poll::Ready(Ok(self.take(isep + sep.len())));
                }
                offset = data.len() + 1 - sep.len();
                if offset > self.limit {
                    let e = LimitOverrun::new(offset, false, self.limit);
                    return Poll::Ready(Err(ReadError::LimitOverrun(e)));
                }
            }
            if self.eof {
                let partial = self.take(self.buffered());
                let e = IncompleteRead::new(partial, None);
                return Poll::Ready(Err(ReadError::Incomplete(e)));
            }
            let want = self.limit.saturating_add(sep.len());
            ready!(self.poll_fill(cx, want))?;
        }
    }

    pub(crate) fn poll_readline(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Vec<u8>, ReadError>> {
        match ready!(self.poll_readuntil(cx, b"\n")) {
            Ok(line) => Poll::Ready(Ok(line)),
            Err(ReadError::Incomplete(e)) => Poll::Ready(Ok(e.into_partial())),
            Err(ReadError::LimitOverrun(e)) => {
                if self.buffer().get(e.consumed()) == Some(&b'\n') {
                    self.discard(e.consumed() + 1);
                } else {
                    self.discard_rest_of_line(cx);
                }
                Poll::Ready(Err(ReadError::LimitOverrun(e)))
            }
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// After a line overran the limit with no `\n` in the buffer: discards
    /// the buffer and then what the source has ready at once, through the
    /// first `\n` if one turns up, and stops as soon as the source would
    /// wait, ends or fails.
    ///
    /// asyncio's transport hands the reader everything that has arrived, so
    /// its readline finds a separator the peer already sent and discards
    /// through it; this reader holds at most 2 × limit, so it looks at what
    /// is ready now to decide the same way. It never waits, so the readline
    /// that calls it still returns in this poll and stays cancel-safe. The
    /// look-ahead is bounded by [`LOOKAHEAD`]; a failure is not reported
    /// here but kept for the next read.
    fn discard_rest_of_line(&mut self, cx: &mut Context<'_>) {
        let mut budget = LOOKAHEAD;
        loop {
            if let Some(i) = self.buffer().iter().position(|&b| b == b'\n') {
                self.discard(i + 1);
                return;
            }
            let n = self.buffered();
            self.discard(n);
            budget = budget.saturating_sub(n);
            if self.eof || budget == 0 {
                return;
            }
            match self.poll_fill(cx, 0) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) | Poll::Pending => return,
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if let [byte] = needle {
        return haystack.iter().position(|b| b == byte);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl AsyncRead for StreamReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.buffered() == 0 && !this.eof {
            if out.len() >= this.chunk {
                // Large reads bypass the buffer.
                let n = ready!(poll_source(&mut this.io, &mut this.failed, cx, out))?;
                if n == 0 && !out.is_empty() {
                    this.eof = true;
                }
                return Poll::Ready(Ok(n));
            }
            ready!(this.poll_fill(cx, 0))?;
        }
        let n = out.len().min(this.buffered());
        out[..n].copy_from_slice(&this.buf[this.start..this.start + n]);
        this.discard(n);
        Poll::Ready(Ok(n))
    }
}

impl AsyncBufRead for StreamReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.buffered() == 0 && !this.eof {
            ready!(this.poll_fill(cx, 0))?;
        }
        Poll::Ready(Ok(this.buffer()))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        let amt = amt.min(this.buffered());
        this.discard(amt);
    }
}
