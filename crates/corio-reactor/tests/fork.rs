//! A forked child that notifies, deregisters and drops an inherited reactor
//! leaves the parent's epoll set and eventfd as they were: the parent is
//! not woken by the child, keeps its sources' readiness and can still be
//! woken by its own threads.

use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use corio::reactor::{Async, Reactor};

/// How long a child may take before the parent calls it hung.
const CHILD_LIMIT: Duration = Duration::from_secs(30);

/// Counts its wakes.
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Waits for `pid` to exit and returns its exit code; kills it and panics
/// after `CHILD_LIMIT`.
fn wait_bounded(pid: libc::pid_t) -> i32 {
    let deadline = Instant::now() + CHILD_LIMIT;
    loop {
        let mut status = 0;
        // SAFETY: waits for our own child without blocking.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if rc == pid {
            assert!(libc::WIFEXITED(status), "the child was killed");
            return libc::WEXITSTATUS(status);
        }
        assert!(rc == 0 || io::Error::last_os_error().kind() == io::ErrorKind::Interrupted);
        if Instant::now() > deadline {
            // SAFETY: kills and reaps our own, hung child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            panic!("the child still ran after {CHILD_LIMIT:?}: it hung");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_child_leaves_the_parents_epoll_set_and_eventfd_alone() {
    let reactor = Reactor::new().unwrap();
    let entered = reactor.enter();
    let (ours, mut peer) = UnixStream::pair().unwrap();
    let ours = Async::new(ours).unwrap();
    let counter = Arc::new(Counter(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    // Nothing to read: the read sees `WouldBlock` and waits for an event.
    let mut buf = [0; 1];
    let polled = ours.poll_read_with(&mut Context::from_waker(&waker), |mut s| {
        io::Read::read(&mut s, &mut buf)
    });
    assert!(polled.is_pending());
    // The events of the registration itself (the socket is writable) are
    // taken now, so that a later wait wakes only for what comes next.
    reactor
        .try_lock_driver()
        .unwrap()
        .poll(Some(Duration::ZERO))
        .unwrap();

    // SAFETY: the child only uses the reactor's own code on its copies, then
    // `_exit`s without returning into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed: {}", io::Error::last_os_error());
    if pid == 0 {
        reactor.notify();
        drop(ours);
        drop(entered);
        // The last reference: the reactor's own `Drop` runs here.
        drop(reactor);
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(0) };
    }
    assert_eq!(wait_bounded(pid), 0);

    let mut driver = reactor.try_lock_driver().unwrap();
    // The child's notify did not reach the parent's eventfd: nothing wakes
    // this wait early.
    let start = Instant::now();
    assert_eq!(driver.poll(Some(Duration::from_millis(200))).unwrap(), 0);
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "the child's notify woke the parent"
    );

    // The source is still registered: data from the peer is an event.
    peer.write_all(b"x").unwrap();
    let start = Instant::now();
    while counter.0.load(Ordering::SeqCst) == 0 && start.elapsed() < Duration::from_secs(10) {
        driver.poll(Some(Duration::from_secs(10))).unwrap();
    }
    assert_eq!(
        counter.0.load(Ordering::SeqCst),
        1,
        "the child's drop deregistered the parent's source"
    );

    // The reactor's eventfd is still registered: a notify from another
    // thread ends a long wait.
    let notifier = {
        let reactor = reactor.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            reactor.notify();
        })
    };
    let start = Instant::now();
    driver.poll(Some(Duration::from_secs(10))).unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the child's drop of the reactor deregistered the parent's eventfd"
    );
    notifier.join().unwrap();
    drop(driver);
    let Poll::Ready(read) = ours.poll_read_with(&mut Context::from_waker(&waker), |mut s| {
        io::Read::read(&mut s, &mut buf)
    }) else {
        panic!("readable after the event");
    };
    assert_eq!(read.unwrap(), 1);
}
