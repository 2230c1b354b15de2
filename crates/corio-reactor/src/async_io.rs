//! `Async<T>`: a non-blocking file descriptor driven by the reactor.

use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncRead, AsyncWrite};

use crate::coop;
use crate::reactor::Reactor;
use crate::source::{READ, Source, WRITE};

/// An I/O object (a socket, a pipe, anything with a file descriptor) whose
/// operations wait for readiness instead of blocking the thread.
///
/// `Async::new` switches the descriptor to non-blocking mode and registers it
/// with the current reactor; dropping the `Async` deregisters it and then
/// closes it, so no descriptor is ever leaked or left registered.
/// In the child of a `fork()`, dropping an inherited `Async` only closes
/// the child's copy of the descriptor: the epoll instance is the parent's,
/// and the parent's registration of the same socket stays in place.
///
/// The usual way to use it is [`read_with`](Async::read_with) and
/// [`write_with`](Async::write_with): they run a non-blocking operation and,
/// when it reports `WouldBlock`, wait for the reactor and try again. When
/// `T` implements [`Read`] or [`Write`], `Async<T>` implements the
/// `futures-io` traits [`AsyncRead`] and [`AsyncWrite`].
///
/// # Examples
///
/// ```
/// use std::net::{TcpListener, TcpStream};
/// use corio::reactor::Async;
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// corio::run(async {
///     let listener = Async::new(TcpListener::bind("127.0.0.1:0")?)?;
///     let addr = listener.get_ref().local_addr()?;
///     let mut client = Async::new(TcpStream::connect(addr)?)?;
///     let (server, _) = listener.read_with(|l| l.accept()).await?;
///     let mut server = Async::new(server)?;
///
///     client.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug)]
pub struct Async<T: AsFd> {
    source: Arc<Source>,
    reactor: Arc<Reactor>,
    io: Option<T>,
}

impl<T: AsFd> Unpin for Async<T> {}

fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    let raw = fd.as_raw_fd();
    // SAFETY: `raw` is a valid, open descriptor for the duration of the
    // borrow; F_GETFL and F_SETFL only read and write its status flags.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    if flags & libc::O_NONBLOCK == 0 {
        // SAFETY: as above.
        if unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

impl<T: AsFd> Async<T> {
    /// Makes `io` non-blocking and registers it with the current reactor.
    ///
    /// # Errors
    ///
    /// Fails if the descriptor cannot be made non-blocking or registered
    /// (for instance a regular file, which epoll does not accept).
    ///
    /// # Panics
    ///
    /// Panics when called outside a corio runtime: create I/O objects inside
    /// `corio::run` or a task spawned there.
    /// Panics as well in the child of a `fork()` whose current reactor was
    /// inherited from the parent: start a new runtime in the child.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::UdpSocket;
    /// use corio::reactor::Async;
    ///
    /// corio::run(async {
    ///     let socket = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    ///     assert!(socket.get_ref().local_addr()?.port() > 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    #[track_caller]
    pub fn new(io: T) -> io::Result<Async<T>> {
        let reactor = Reactor::expect_current("Async::new");
        set_nonblocking(io.as_fd())?;
        let fd = io.as_fd().as_raw_fd();
        let source = reactor.register_source(fd)?;
        Ok(Async {
            source,
            reactor,
            io: Some(io),
        })
    }

    /// The inner I/O object.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// let addr = socket.get_ref().local_addr()?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn get_ref(&self) -> &T {
        self.io.as_ref().expect("io is present until into_inner")
    }

    /// The inner I/O object, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// socket.get_mut().set_ttl(16)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.io.as_mut().expect("io is present until into_inner")
    }

    /// Deregisters the descriptor and returns the inner I/O object (still in
    /// non-blocking mode).
    ///
    /// # Errors
    ///
    /// Returns the OS error if deregistration fails; the object is closed then.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// let socket: std::net::UdpSocket = socket.into_inner()?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_inner(mut self) -> io::Result<T> {
        let io = self.io.take().expect("io is present until into_inner");
        self.deregister(&io)?;
        Ok(io)
    }

    fn deregister(&self, io: &T) -> io::Result<()> {
        self.reactor.deregister_source(&self.source, io.as_fd())
    }

    /// Waits until the descriptor may be readable.
    ///
    /// It returns at once if no operation through this `Async` has reported
    /// `WouldBlock` since the last readiness event; otherwise it waits for the
    /// next one. Prefer [`read_with`](Async::read_with), which also records
    /// a `WouldBlock`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping it loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// socket.writable().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn readable(&self) -> Readiness<'_, T> {
        Readiness {
            inner: self,
            dir: READ,
        }
    }

    /// Waits until the descriptor may be writable; see [`readable`](Async::readable).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping it loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// socket.writable().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn writable(&self) -> Readiness<'_, T> {
        Readiness {
            inner: self,
            dir: WRITE,
        }
    }

    /// Polls for read readiness; see [`readable`](Async::readable).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// std::future::poll_fn(|cx| socket.poll_writable(cx)).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.source.poll_ready(READ, cx).map(Ok)
    }

    /// Polls for write readiness; see [`writable`](Async::writable).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// std::future::poll_fn(|cx| socket.poll_writable(cx)).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.source.poll_ready(WRITE, cx).map(Ok)
    }

    /// Runs a non-blocking read-side operation until it stops reporting
    /// `WouldBlock`, waiting for readiness in between.
    ///
    /// `op` is called at least once; any result other than `WouldBlock`
    /// (success or another error) is returned.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe as long as `op` does nothing before it would block.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::UdpSocket;
    /// use corio::reactor::Async;
    ///
    /// corio::run(async {
    ///     let a = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    ///     let b = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    ///     let to = b.get_ref().local_addr()?;
    ///     a.write_with(|s| s.send_to(b"hi", to)).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, _) = b.read_with(|s| s.recv_from(&mut buf)).await?;
    ///     assert_eq!(&buf[..n], b"hi");
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        let io = self.get_ref();
        std::future::poll_fn(|cx| self.poll_io(READ, cx, || op(io))).await
    }

    /// As [`read_with`](Async::read_with), with mutable access.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe as long as `op` does nothing before it would block.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// let addr = socket.read_with_mut(|s| s.local_addr()).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn read_with_mut<R>(
        &mut self,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let source = self.source.clone();
        let io = self.io.as_mut().expect("io is present until into_inner");
        std::future::poll_fn(|cx| poll_io(&source, READ, cx, || op(io))).await
    }

    /// Runs a non-blocking write-side operation until it stops reporting
    /// `WouldBlock`; see [`read_with`](Async::read_with).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe as long as `op` does nothing before it would block.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// let to = socket.get_ref().local_addr()?;
    /// socket.write_with(|s| s.send_to(b"self", to)).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        let io = self.get_ref();
        std::future::poll_fn(|cx| self.poll_io(WRITE, cx, || op(io))).await
    }

    /// As [`write_with`](Async::write_with), with mutable access.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe as long as `op` does nothing before it would block.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// socket.write_with_mut(|s| s.set_ttl(8)).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn write_with_mut<R>(
        &mut self,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let source = self.source.clone();
        let io = self.io.as_mut().expect("io is present until into_inner");
        std::future::poll_fn(|cx| poll_io(&source, WRITE, cx, || op(io))).await
    }

    /// Polls a non-blocking operation in direction `dir`; the building block
    /// of every I/O method here and of the socket types built on `Async`.
    fn poll_io<R>(
        &self,
        dir: usize,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        poll_io(&self.source, dir, cx, op)
    }

    /// Polls a read-side operation: runs `op` while the source is readable,
    /// waits for readiness after `WouldBlock`.
    ///
    /// This is the primitive the `futures-io` impls and higher-level socket
    /// types are written with.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// let to = socket.get_ref().local_addr()?;
    /// socket.get_ref().send_to(b"x", to)?;
    /// let mut buf = [0; 1];
    /// let n = std::future::poll_fn(|cx| socket.poll_read_with(cx, |s| s.recv(&mut buf))).await?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let io = self.get_ref();
        poll_io(&self.source, READ, cx, || op(io))
    }

    /// Polls a write-side operation; see [`poll_read_with`](Async::poll_read_with).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let socket = corio::reactor::Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// let to = socket.get_ref().local_addr()?;
    /// let n = std::future::poll_fn(|cx| socket.poll_write_with(cx, |s| s.send_to(b"x", to))).await?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let io = self.get_ref();
        poll_io(&self.source, WRITE, cx, || op(io))
    }

    /// Polls a read from a byte stream: like
    /// [`poll_read_with`](Async::poll_read_with), but a read that returns
    /// more than zero and fewer than `len` bytes (the buffer's length) proves
    /// the kernel buffer empty, so readiness is cleared at once instead of
    /// after one more system call that reports `WouldBlock`. This is the rule
    /// the `AsyncRead` impls follow; only use it where `op` reads a stream
    /// (a datagram shorter than the buffer proves nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// # corio::run(async {
    /// let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// let b = corio::reactor::Async::new(b)?;
    /// (&a).write_all(b"hello")?;
    /// let mut buf = [0; 16];
    /// let n = std::future::poll_fn(|cx| {
    ///     b.poll_read_stream_with(cx, buf.len(), |mut s| s.read(&mut buf))
    /// })
    /// .await?;
    /// assert_eq!(&buf[..n], b"hello");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_read_stream_with(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let io = self.get_ref();
        poll_stream_read(&self.source, cx, len, || op(io))
    }

    /// Polls a write to a byte stream: like
    /// [`poll_write_with`](Async::poll_write_with), but a write that takes
    /// more than zero and fewer than `len` bytes proves the kernel buffer
    /// full, so writability is cleared at once; see
    /// [`poll_read_stream_with`](Async::poll_read_stream_with).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// # corio::run(async {
    /// let (a, b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = corio::reactor::Async::new(a)?;
    /// let n = std::future::poll_fn(|cx| {
    ///     a.poll_write_stream_with(cx, 5, |mut s| s.write(b"hello"))
    /// })
    /// .await?;
    /// assert_eq!(n, 5);
    /// let mut buf = [0; 5];
    /// (&b).read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"hello");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn poll_write_stream_with(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let io = self.get_ref();
        poll_stream_write(&self.source, WRITE, cx, len, || op(io))
    }
}

fn poll_io<R>(
    source: &Source,
    dir: usize,
    cx: &mut Context<'_>,
    op: impl FnMut() -> io::Result<R>,
) -> Poll<io::Result<R>> {
    poll_op(source, dir, cx, op, |_, _| false)
}

/// Runs `op` while the source is ready in `dir`, waiting for readiness
/// after `WouldBlock`. `drained(result, snapshot)` says when a successful
/// result already proves the kernel buffer empty (or full), so readiness can
/// be cleared right away instead of paying one more system call to learn
/// `WouldBlock`.
fn poll_op<R>(
    source: &Source,
    dir: usize,
    cx: &mut Context<'_>,
    mut op: impl FnMut() -> io::Result<R>,
    drained: impl Fn(&R, usize) -> bool,
) -> Poll<io::Result<R>> {
    ready!(coop::poll_proceed(cx));
    loop {
        let snapshot = source.snapshot();
        if Source::is_ready(snapshot, dir) {
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => source.clear(snapshot, dir),
                Ok(value) if drained(&value, snapshot) => {
                    source.clear(snapshot, dir);
                    return Poll::Ready(Ok(value));
                }
                result => return Poll::Ready(result),
            }
        }
        ready!(source.poll_ready(dir, cx));
    }
}

/// Reads from a byte stream: a short read means the kernel buffer is
/// drained, and the next arrival is a new edge. The exception is a stream
/// whose peer already shut down (`EPOLLRDHUP` seen): a short read may stop
/// just before the end of stream, whose edge is already consumed, so
/// readiness stays set and the next read returns at once.
fn poll_stream_read(
    source: &Source,
    cx: &mut Context<'_>,
    want: usize,
    op: impl FnMut() -> io::Result<usize>,
) -> Poll<io::Result<usize>> {
    poll_op(source, READ, cx, op, |&n, snapshot| {
        n > 0 && n < want && !Source::is_read_closed(snapshot)
    })
}

/// Writes to a byte stream: a short write means the kernel buffer is full;
/// the next edge reports free space.
fn poll_stream_write(
    source: &Source,
    dir: usize,
    cx: &mut Context<'_>,
    want: usize,
    op: impl FnMut() -> io::Result<usize>,
) -> Poll<io::Result<usize>> {
    poll_op(source, dir, cx, op, |&n, _| n > 0 && n < want)
}

impl<T: AsFd> Drop for Async<T> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            // Deregistration can only fail if the descriptor is already gone;
            // either way it is closed right after, when `io` drops.
            let _ = self.deregister(&io);
        }
    }
}

impl<T: AsFd> AsFd for Async<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.get_ref().as_fd()
    }
}

impl<T: AsFd> AsRawFd for Async<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.source.fd
    }
}

/// Future returned by [`Async::readable`] and [`Async::writable`].
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Readiness<'a, T: AsFd> {
    inner: &'a Async<T>,
    dir: usize,
}

impl<T: AsFd> std::fmt::Debug for Readiness<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readiness")
            .field("writable", &(self.dir == WRITE))
            .finish_non_exhaustive()
    }
}

impl<T: AsFd> Future for Readiness<'_, T> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.source.poll_ready(self.dir, cx).map(Ok)
    }
}

fn io_slices_len(bufs: &[IoSlice<'_>]) -> usize {
    bufs.iter().map(|b| b.len()).sum()
}

impl<T: AsFd + Read> AsyncRead for Async<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let io = this.io.as_mut().expect("io is present until into_inner");
        poll_stream_read(&this.source, cx, buf.len(), || io.read(buf))
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let io = this.io.as_mut().expect("io is present until into_inner");
        let want = bufs.iter().map(|b| b.len()).sum();
        poll_stream_read(&this.source, cx, want, || io.read_vectored(bufs))
    }
}

impl<T: AsFd> AsyncRead for &Async<T>
where
    for<'a> &'a T: Read,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_stream_with(cx, buf.len(), |mut io| io.read(buf))
    }
}

impl<T: AsFd + Write> AsyncWrite for Async<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let io = this.io.as_mut().expect("io is present until into_inner");
        poll_stream_write(&this.source, WRITE, cx, buf.len(), || io.write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let io = this.io.as_mut().expect("io is present until into_inner");
        let want = io_slices_len(bufs);
        poll_stream_write(&this.source, WRITE, cx, want, || io.write_vectored(bufs))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let io = this.io.as_mut().expect("io is present until into_inner");
        poll_io(&this.source, WRITE, cx, || io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl<T: AsFd> AsyncWrite for &Async<T>
where
    for<'a> &'a T: Write,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_stream_with(cx, buf.len(), |mut io| io.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = *self;
        let mut io = this.get_ref();
        poll_io(&this.source, WRITE, cx, || io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}
