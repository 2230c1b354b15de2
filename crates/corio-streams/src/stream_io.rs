//! The `futures-io` impls shared by the byte-stream sockets (TCP and Unix),
//! for the socket and for a shared reference to it.

/// Implements `AsyncRead` and `AsyncWrite` for `$ty` and `&$ty`, where `$ty`
/// has an `io: Arc<Async<_>>` field and a `shutdown(Shutdown)` method.
macro_rules! impl_stream_io {
    ($ty:ty) => {
        $crate::stream_io::impl_stream_io!(@one $ty);
        $crate::stream_io::impl_stream_io!(@one &$ty);
    };
    (@one $ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                // A stream read clears readiness after a short read instead
                // of paying for one more `WouldBlock`.
                let len = buf.len();
                self.io.poll_read_stream_with(cx, len, |s| {
                    $crate::sys::recv(std::os::fd::AsFd::as_fd(s), buf)
                })
            }
        }

        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_write_stream_with(cx, buf.len(), |s| {
                    $crate::sys::send(std::os::fd::AsFd::as_fd(s), buf)
                })
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io
                    .poll_write_with(cx, |mut s| std::io::Write::write_vectored(&mut s, bufs))
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(self.shutdown(std::net::Shutdown::Write))
            }
        }
    };
}

pub(crate) use impl_stream_io;
