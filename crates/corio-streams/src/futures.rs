//! The named futures and streams returned by [`StreamReader`] and
//! [`StreamWriter`] methods.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_lite::Stream;

use crate::error::ReadError;
use crate::reader::StreamReader;
use crate::writer::StreamWriter;

macro_rules! reader_future {
    (
        $(#[$doc:meta])*
        $name:ident { $($field:ident: $ty:ty),* } -> $out:ty = |$this:ident, $cx:ident| $poll:expr
    ) => {
        $(#[$doc])*
        #[must_use = "futures do nothing unless you .await or poll them"]
        pub struct $name<'a> {
            reader: &'a mut StreamReader,
            $($field: $ty,)*
        }

        impl<'a> $name<'a> {
            pub(crate) fn new(reader: &'a mut StreamReader $(, $field: $ty)*) -> Self {
                $name { reader $(, $field)* }
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }

        impl Future for $name<'_> {
            type Output = $out;

            fn poll(self: Pin<&mut Self>, $cx: &mut Context<'_>) -> Poll<$out> {
                let $this = self.get_mut();
                $poll
            }
        }
    };
}

reader_future! {
    /// Future returned by [`StreamReader::read`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// use corio::streams::{StreamReader, futures::Read};
    ///
    /// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(b"abcdef".to_vec()));
    /// let first: Read<'_> = reader.read(4);
    /// assert_eq!(first.await?, b"abcd");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    Read { n: usize } -> io::Result<Vec<u8>> = |this, cx| this.reader.poll_read_n(cx, this.n)
}

reader_future! {
    /// Future returned by [`StreamReader::read_to_end`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// use corio::streams::{StreamReader, futures::ReadToEnd};
    ///
    /// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(b"all".to_vec()));
    /// let rest: ReadToEnd<'_> = reader.read_to_end();
    /// assert_eq!(rest.await?, b"all");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    ReadToEnd {} -> io::Result<Vec<u8>> = |this, cx| this.reader.poll_read_to_end(cx)
}

reader_future! {
    /// Future returned by [`StreamReader::readline`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// use corio::streams::{StreamReader, futures::ReadLine};
    ///
    /// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(b"one\ntwo".to_vec()));
    /// let line: ReadLine<'_> = reader.readline();
    /// assert_eq!(line.await?, b"one\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    ReadLine {} -> Result<Vec<u8>, ReadError> = |this, cx| this.reader.poll_readline(cx)
}

reader_future! {
    /// Future returned by [`StreamReader::readexactly`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// use corio::streams::{StreamReader, futures::ReadExactly};
    ///
    /// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(b"abc".to_vec()));
    /// let two: ReadExactly<'_> = reader.readexactly(2);
    /// assert_eq!(two.await?, b"ab");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    ReadExactly { n: usize } -> Result<Vec<u8>, ReadError> =
        |this, cx| this.reader.poll_readexactly(cx, this.n)
}

reader_future! {
    /// Future returned by [`StreamReader::readuntil`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// use corio::streams::{StreamReader, futures::ReadUntil};
    ///
    /// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(b"key=value".to_vec()));
    /// let key: ReadUntil<'_> = reader.readuntil(b"=");
    /// assert_eq!(key.await?, b"key=");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    ReadUntil { separator: &'a [u8] } -> Result<Vec<u8>, ReadError> =
        |this, cx| this.reader.poll_readuntil(cx, this.separator)
}

/// Stream returned by [`StreamReader::lines`]: each item is a
/// [`readline`](StreamReader::readline) result; it ends at end of stream.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// use corio::streams::{StreamReader, futures::Lines};
/// use futures_lite::StreamExt;
///
/// let mut reader = StreamReader::new(futures_lite::io::Cursor::new(b"a\nb".to_vec()));
/// let mut lines: Lines<'_> = reader.lines();
/// assert_eq!(lines.next().await.transpose()?, Some(b"a\n".to_vec()));
/// assert_eq!(lines.next().await.transpose()?, Some(b"b".to_vec()));
/// assert_eq!(lines.next().await.transpose()?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct Lines<'a> {
    reader: &'a mut StreamReader,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(reader: &'a mut StreamReader) -> Lines<'a> {
        Lines { reader }
    }
}

impl fmt::Debug for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lines").finish_non_exhaustive()
    }
}

impl Stream for Lines<'_> {
    type Item = Result<Vec<u8>, ReadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match this.reader.poll_readline(cx) {
            Poll::Ready(Ok(line)) if line.is_empty() => Poll::Ready(None),
            Poll::Ready(result) => Poll::Ready(Some(result)),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Future returned by [`StreamWriter::drain`].
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// use corio::streams::{StreamWriter, futures::Drain};
///
/// let writer = StreamWriter::new(Vec::<u8>::new());
/// writer.write(b"hello");
/// let drained: Drain<'_> = writer.drain();
/// drained.await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Drain<'a> {
    writer: &'a StreamWriter,
}

impl<'a> Drain<'a> {
    pub(crate) fn new(writer: &'a StreamWriter) -> Drain<'a> {
        Drain { writer }
    }
}

impl fmt::Debug for Drain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").finish_non_exhaustive()
    }
}

impl Future for Drain<'_> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.writer.poll_drain(cx)
    }
}

/// Future returned by [`StreamWriter::wait_closed`].
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// use corio::streams::{StreamWriter, futures::WaitClosed};
///
/// let writer = StreamWriter::new(Vec::<u8>::new());
/// writer.write(b"last words");
/// writer.close();
/// let closed: WaitClosed<'_> = writer.wait_closed();
/// closed.await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct WaitClosed<'a> {
    writer: &'a StreamWriter,
}

impl<'a> WaitClosed<'a> {
    pub(crate) fn new(writer: &'a StreamWriter) -> WaitClosed<'a> {
        WaitClosed { writer }
    }
}

impl fmt::Debug for WaitClosed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitClosed").finish_non_exhaustive()
    }
}

impl Future for WaitClosed<'_> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.writer.poll_wait_closed(cx)
    }
}
