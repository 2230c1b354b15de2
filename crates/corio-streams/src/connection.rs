//! `open_connection` and `open_unix_connection`: a connected socket as
//! asyncio's reader and writer.

use std::io;
use std::path::Path;
use std::time::Duration;

use crate::reader::{DEFAULT_LIMIT, ReadIo, StreamReader};
use crate::tcp::{HAPPY_EYEBALLS_DELAY, TcpStream};
use crate::unix::UnixStream;
use crate::writer::{StreamWriter, WriteIo};

pub(crate) fn split_tcp(stream: TcpStream, limit: usize) -> (StreamReader, StreamWriter) {
    let reader = StreamReader::from_io(ReadIo::Tcp(stream.clone()), limit);
    (reader, StreamWriter::from_io(WriteIo::Tcp(stream)))
}

pub(crate) fn split_unix(stream: UnixStream, limit: usize) -> (StreamReader, StreamWriter) {
    let reader = StreamReader::from_io(ReadIo::Unix(stream.clone()), limit);
    (reader, StreamWriter::from_io(WriteIo::Unix(stream)))
}

/// Options for [`open_connection_with`] and [`open_unix_connection_with`]:
/// the reader's limit and the Happy Eyeballs delay.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use corio::streams::ConnectOptions;
///
/// let options = ConnectOptions::new().limit(1024).happy_eyeballs_delay(Duration::from_millis(100));
/// ```
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    limit: usize,
    delay: Duration,
}

impl Default for ConnectOptions {
    fn default() -> ConnectOptions {
        ConnectOptions::new()
    }
}

impl ConnectOptions {
    /// The defaults: a 64 KiB reader limit, a 250 ms Happy Eyeballs delay.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ConnectOptions::new();
    /// ```
    pub fn new() -> ConnectOptions {
        ConnectOptions {
            limit: DEFAULT_LIMIT,
            delay: HAPPY_EYEBALLS_DELAY,
        }
    }

    /// The [`StreamReader`] limit (asyncio's `limit=`).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ConnectOptions::new().limit(1 << 20);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `limit` is 0.
    #[track_caller]
    pub fn limit(mut self, limit: usize) -> ConnectOptions {
        assert!(limit > 0, "StreamReader limit must be at least 1");
        self.limit = limit;
        self
    }

    /// The delay between two connection attempts (asyncio's
    /// `happy_eyeballs_delay`).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = corio::streams::ConnectOptions::new()
    ///     .happy_eyeballs_delay(std::time::Duration::from_millis(300));
    /// ```
    pub fn happy_eyeballs_delay(mut self, delay: Duration) -> ConnectOptions {
        self.delay = delay;
        self
    }
}

/// Connects to `host:port` and returns the connection's reader and writer.
///
/// Equivalent to `asyncio.open_connection(host, port)`. The host is
/// resolved on the blocking pool, every address is tried with Happy
/// Eyeballs (see [`TcpStream::connect`]), and `TCP_NODELAY` is set.
///
/// # Cancel safety
///
/// Dropping the future closes every socket it opened.
///
/// # Examples
///
/// ```
/// use corio::streams::{open_connection, TcpListener};
///
/// # corio::run(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let port = listener.local_addr()?.port();
/// let (mut reader, writer) = open_connection("localhost", port).await?;
/// let (server, _) = listener.accept().await?;
/// let (_server_reader, server_writer) = server.into_split();
/// server_writer.write(b"welcome\n");
/// assert_eq!(reader.readline().await?, b"welcome\n");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// When every address fails, an error whose inner error is a
/// [`ConnectError`](crate::ConnectError) listing each address and why;
/// resolver errors naming the host.
pub async fn open_connection(host: &str, port: u16) -> io::Result<(StreamReader, StreamWriter)> {
    open_connection_with(host, port, &ConnectOptions::new()).await
}

/// [`open_connection`] with [`ConnectOptions`].
///
/// # Cancel safety
///
/// Dropping the future closes every socket it opened.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// # let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
/// let options = corio::streams::ConnectOptions::new().limit(100);
/// let (reader, _writer) =
///     corio::streams::open_connection_with("127.0.0.1", listener.local_addr()?.port(), &options).await?;
/// assert_eq!(reader.limit(), 100);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// As [`open_connection`].
pub async fn open_connection_with(
    host: &str,
    port: u16,
    options: &ConnectOptions,
) -> io::Result<(StreamReader, StreamWriter)> {
    let stream = TcpStream::connect_with_delay((host, port), options.delay).await?;
    Ok(split_tcp(stream, options.limit))
}

/// Connects to the Unix socket at `path` and returns the connection's
/// reader and writer.
///
/// Equivalent to `asyncio.open_unix_connection(path)`.
///
/// # Cancel safety
///
/// Dropping the future closes the socket it opened.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let path = std::env::temp_dir().join(format!("corio-doc-o-{}.sock", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let listener = corio::streams::UnixListener::bind(&path)?;
/// let (_reader, writer) = corio::streams::open_unix_connection(&path).await?;
/// writer.write(b"hi");
/// # drop(listener); let _ = std::fs::remove_file(&path);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// As [`UnixStream::connect`], naming the path.
pub async fn open_unix_connection(
    path: impl AsRef<Path>,
) -> io::Result<(StreamReader, StreamWriter)> {
    open_unix_connection_with(path, &ConnectOptions::new()).await
}

/// [`open_unix_connection`] with [`ConnectOptions`] (only the limit applies).
///
/// # Cancel safety
///
/// Dropping the future closes the socket it opened.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let path = std::env::temp_dir().join(format!("corio-doc-u-{}.sock", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let listener = corio::streams::UnixListener::bind(&path)?;
/// let options = corio::streams::ConnectOptions::new().limit(10);
/// let (reader, _writer) = corio::streams::open_unix_connection_with(&path, &options).await?;
/// assert_eq!(reader.limit(), 10);
/// # drop(listener); let _ = std::fs::remove_file(&path);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// As [`UnixStream::connect`].
pub async fn open_unix_connection_with(
    path: impl AsRef<Path>,
    options: &ConnectOptions,
) -> io::Result<(StreamReader, StreamWriter)> {
    let stream = UnixStream::connect(path).await?;
    Ok(split_unix(stream, options.limit))
}
