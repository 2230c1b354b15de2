//! Pipes between parent and child: creating a close-on-exec pair, and the
//! write end of a child's stdin, which closing really closes.
//!
//! # Invariants
//!
//! - [`pair`] hands out descriptors that it just created and nobody else
//!   owns; both are close-on-exec, so no child inherits them unless they
//!   are passed to it as a standard stream (where `dup2` clears the flag).
//!
//! `Async<ChildStdin>`'s `poll_close` only flushes; a child reading its
//! stdin waits for end of file, which comes only when the descriptor is
//! closed. [`StdinPipe`] drops the descriptor on `poll_close`, so
//! `StreamWriter::close` and `write_eof` end the child's input.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::pin::Pin;
use std::process::ChildStdin;
use std::task::{Context, Poll};

use corio_reactor::Async;
use futures_io::AsyncWrite;

/// A new pipe, `(read end, write end)`, both close-on-exec, and both
/// non-blocking if asked.
pub(crate) fn pair(nonblocking: bool) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut flags = libc::O_CLOEXEC;
    if nonblocking {
        flags |= libc::O_NONBLOCK;
    }
    let mut fds = [-1; 2];
    // SAFETY: `fds` is a writable array of two descriptors, as pipe2 needs.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), flags) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by
    // nobody else (see the invariants).
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

#[derive(Debug)]
pub(crate) struct StdinPipe {
    io: Option<Async<ChildStdin>>,
    program: String,
}

impl StdinPipe {
    pub(crate) fn new(io: Async<ChildStdin>, program: String) -> StdinPipe {
        StdinPipe {
            io: Some(io),
            program,
        }
    }

    fn io(&mut self) -> io::Result<&mut Async<ChildStdin>> {
        let program = &self.program;
        self.io.as_mut().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!("stdin of `{program}` is closed"),
            )
        })
    }
}

impl AsyncWrite for StdinPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let program = this.program.clone();
        match this.io() {
            Ok(io) => Pin::new(io).poll_write(cx, buf).map_err(|e| {
                io::Error::new(e.kind(), format!("writing to stdin of `{program}`: {e}"))
            }),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().io.as_mut() {
            Some(io) => Pin::new(io).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A pipe has nothing to flush: dropping the descriptor is the close.
        self.get_mut().io = None;
        Poll::Ready(Ok(()))
    }
}
