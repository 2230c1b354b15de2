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
    Read { n: usize } -> io::Result<Vec<u8>> = |this, cx| this.reader.poll_read_n(cx, this.n)
}

reader_future! {
    /// Future returned by [`StreamReader::read_to_end`].
    ReadToEnd {} -> io::Result<Vec<u8>> = |this, cx| this.reader.poll_read_to_end(cx)
}

reader_future! {
    /// Future returned by [`StreamReader::readline`].
    ReadLine {} -> Result<Vec<u8>, ReadError> = |this, cx| this.reader.poll_readline(cx)
}

reader_future! {
    /// Future returned by [`StreamReader::readexactly`].
    ReadExactly { n: usize } -> Result<Vec<u8>, ReadError> =
        |this, cx| this.reader.poll_readexactly(cx, this.n)
}

reader_future! {
    /// Future returned by [`StreamReader::readuntil`].
    ReadUntil { separator: &'a [u8] } -> Result<Vec<u8>, ReadError> =
        |this, cx| this.reader.poll_readuntil(cx, this.separator)
}

/// Stream returned by [`StreamReader::lines`]: each item is a
/// [`readline`](StreamReader::readline) result; it ends at end of stream.
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
