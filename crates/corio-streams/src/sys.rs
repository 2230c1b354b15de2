//! Reads and writes of the byte-stream sockets, made as system calls
//! directly (through `rustix`), not through glibc.
//!
//! glibc's `recv` and `send` (what `std`'s socket reads and writes call) are
//! thread-cancellation points: once a process has a second thread, each call
//! switches the thread's cancellation state on and off around the system
//! call, two atomic updates and about fifty instructions that corio, which
//! never cancels a thread, has no use for. The calls made are the ones
//! `std` makes: `recv` with no flags, and `send` with `MSG_NOSIGNAL`, so a
//! write to a closed connection reports `EPIPE` instead of raising
//! `SIGPIPE`.

use std::io;
use std::os::fd::BorrowedFd;

use rustix::net::{RecvFlags, SendFlags};

/// `recv(2)` on a connected socket, without flags.
pub(crate) fn recv(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    match rustix::net::recv(fd, buf, RecvFlags::empty()) {
        Ok((n, _)) => Ok(n),
        Err(e) => Err(e.into()),
    }
}

/// `send(2)` on a connected socket, with `MSG_NOSIGNAL`.
pub(crate) fn send(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    rustix::net::send(fd, buf, SendFlags::NOSIGNAL).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn bytes_go_both_ways_and_errors_keep_their_code() {
        let (a, mut b) = UnixStream::pair().unwrap();
        assert_eq!(send(a.as_fd(), b"ping").unwrap(), 4);
        let mut buf = [0; 8];
        assert_eq!(b.read(&mut buf).unwrap(), 4);
        assert_eq!(&buf[..4], b"ping");

        b.write_all(b"pong").unwrap();
        assert_eq!(recv(a.as_fd(), &mut buf).unwrap(), 4);
        assert_eq!(&buf[..4], b"pong");

        a.set_nonblocking(true).unwrap();
        let empty = recv(a.as_fd(), &mut buf).unwrap_err();
        assert_eq!(empty.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(empty.raw_os_error(), Some(libc::EAGAIN));

        // A closed peer: end of stream on read, EPIPE (not SIGPIPE) on write.
        drop(b);
        assert_eq!(recv(a.as_fd(), &mut buf).unwrap(), 0);
        let closed = send(a.as_fd(), b"late").unwrap_err();
        assert_eq!(closed.kind(), io::ErrorKind::BrokenPipe);

        // Not a socket at all: the kernel's error, as std would report it.
        let file = std::fs::File::open("/dev/null").unwrap();
        let wrong = recv(file.as_fd(), &mut buf).unwrap_err();
        assert_eq!(wrong.raw_os_error(), Some(libc::ENOTSOCK));
    }
}
