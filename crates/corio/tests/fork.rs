//! `fork()` without `exec`: a child that drops what it inherited leaves the
//! parent's registrations alone, any use of an inherited runtime panics
//! with one clear message, dropping an inherited runtime returns at once,
//! and a new runtime in the child works.
//!
//! Each test forks the test binary itself. The harness is multi-threaded,
//! so a child does only what its test needs and ends with `_exit` (never
//! returning into the harness); the parent bounds its wait for the child
//! and kills a child that hangs, so a regression fails rather than hangs.

use std::io;
use std::net::UdpSocket;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use corio::Runner;
use corio::reactor::{Async, Reactor, Timer};
use corio::streams::{TcpListener, TcpStream};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

/// The panic message of every use of an inherited runtime.
const AFTER_FORK: &str = "a corio runtime cannot be used after fork; start a new one in the child";

/// How long a child may take before the parent calls it hung.
const CHILD_LIMIT: Duration = Duration::from_secs(30);

/// How long the parent waits for readiness that must come.
const READINESS: Duration = Duration::from_secs(10);

/// The exit code of a child whose code panicked.
const CHILD_PANICKED: i32 = 101;

/// Forks one test at a time: a child then inherits no half-done work of
/// another fork test (a lock held by one of its runtime's threads).
fn serial() -> MutexGuard<'static, ()> {
    static FORKS: Mutex<()> = Mutex::new(());
    FORKS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Forks; the child runs `child` and exits with the code it returns
/// (`CHILD_PANICKED` if it panics). In the parent, returns the child's exit
/// code once it has exited; panics if it was killed by a signal or is still
/// running after `CHILD_LIMIT` (then it is killed).
fn in_child(child: impl FnOnce() -> i32) -> i32 {
    // SAFETY: in the child, only `child` runs (and allocates, which glibc's
    // `fork` makes safe), then `_exit` ends the process without running the
    // harness's exit handlers or returning into it.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed: {}", io::Error::last_os_error());
    if pid == 0 {
        let code = catch_unwind(AssertUnwindSafe(child)).unwrap_or(CHILD_PANICKED);
        // SAFETY: ends the child at once; nothing of it is needed any more.
        unsafe { libc::_exit(code) };
    }
    wait_bounded(pid)
}

fn wait_bounded(pid: libc::pid_t) -> i32 {
    let deadline = Instant::now() + CHILD_LIMIT;
    loop {
        let mut status = 0;
        // SAFETY: waits for our own child without blocking.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if rc == pid {
            assert!(
                libc::WIFEXITED(status),
                "the child was killed by signal {}",
                libc::WTERMSIG(status)
            );
            return libc::WEXITSTATUS(status);
        }
        if rc < 0 {
            let err = io::Error::last_os_error();
            assert_eq!(err.kind(), io::ErrorKind::Interrupted, "waitpid: {err}");
        }
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

/// Whether `f` panics with the after-fork message.
fn refused(f: impl FnOnce()) -> bool {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => false,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
            message == Some(AFTER_FORK)
        }
    }
}

/// The first failed step's number, or 0: the child's exit code.
fn first_failure(steps: &[bool]) -> i32 {
    steps
        .iter()
        .position(|ok| !ok)
        .map_or(0, |failed| failed as i32 + 1)
}

/// A connected pair on loopback: (client, server).
async fn tcp_pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

#[test]
fn a_child_dropping_inherited_sockets_leaves_the_parent_its_readiness() {
    let _serial = serial();
    let runner = Runner::builder().workers(1).build().unwrap();
    runner.run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (mut client, server) = tcp_pair(&listener).await;
        let mut server = Some(server);
        let mut listener = Some(listener);
        // Nothing to read or accept yet: both see `WouldBlock`, so what
        // comes next reaches them only through an epoll event.
        let mut buf = [0; 4];
        let reading = server.as_mut().unwrap().read(&mut buf);
        assert!(
            corio::timeout(Duration::from_millis(20), reading)
                .await
                .is_err()
        );
        let accepting = listener.as_ref().unwrap().accept();
        assert!(
            corio::timeout(Duration::from_millis(20), accepting)
                .await
                .is_err()
        );

        let code = in_child(|| {
            drop(server.take());
            drop(listener.take());
            0
        });
        assert_eq!(code, 0);

        let (server, listener) = (server.unwrap(), listener.unwrap());
        client.write_all(b"ping").await.unwrap();
        let mut server = server;
        let read = corio::timeout(READINESS, server.read_exact(&mut buf)).await;
        assert!(
            read.is_ok(),
            "the parent's connection lost its registration to the child's drop"
        );
        assert_eq!(&buf, b"ping");
        let addr = listener.local_addr().unwrap();
        let _second = std::net::TcpStream::connect(addr).unwrap();
        let accepted = corio::timeout(READINESS, listener.accept()).await;
        assert!(
            accepted.is_ok(),
            "the parent's listener lost its registration to the child's drop"
        );
    });
}

#[test]
fn an_inherited_runtime_refuses_every_use_in_the_child() {
    let _serial = serial();
    let runner = Runner::builder().workers(2).build().unwrap();
    let handle = runner.handle();
    assert_eq!(runner.run(async { 1 }), 1);
    let code = in_child(|| {
        first_failure(&[
            refused(|| drop(handle.spawn(async {}))),
            refused(|| drop(handle.call_soon(|| ()))),
            refused(|| drop(handle.spawn_blocking(|| ()))),
            refused(|| runner.run(async {})),
        ])
    });
    assert_eq!(
        code, 0,
        "step {code} did not panic with the after-fork message"
    );
    // The parent's runtime is unaffected.
    assert_eq!(
        runner.run(async { handle.spawn(async { 2 }).await.unwrap() }),
        2
    );
}

#[test]
fn a_child_forked_inside_a_task_cannot_use_its_runtime() {
    let _serial = serial();
    let runner = Runner::builder().workers(2).build().unwrap();
    let code = runner.run(async {
        corio::spawn(async {
            in_child(|| {
                first_failure(&[
                    refused(|| drop(corio::spawn(async {}))),
                    refused(|| drop(corio::spawn_local(async {}))),
                    refused(|| drop(corio::to_thread(|| ()))),
                    refused(|| {
                        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
                        drop(Async::new(socket));
                    }),
                    refused(|| {
                        let timer = Timer::after(Duration::from_secs(3600));
                        let poll = futures_lite::future::poll_once(timer);
                        let _ = futures_lite::future::block_on(poll);
                    }),
                    refused(|| {
                        let reactor = Reactor::current().unwrap();
                        drop(reactor.try_lock_driver());
                    }),
                ])
            })
        })
        .await
        .unwrap()
    });
    assert_eq!(
        code, 0,
        "step {code} did not panic with the after-fork message"
    );
}

#[test]
fn dropping_an_inherited_runtime_in_the_child_returns_and_leaves_the_parent_alone() {
    let _serial = serial();
    let runner = Runner::builder().workers(2).build().unwrap();
    let handle = runner.handle();
    let (mut client, reader) = runner.run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (client, mut server) = tcp_pair(&listener).await;
        corio::to_thread(|| ()).await.unwrap();
        // A task owning a connection, waiting on it: a normal drop of the
        // runtime would cancel it and close the connection.
        let reader = corio::spawn(async move {
            let mut buf = [0; 4];
            server.read_exact(&mut buf).await.map(|()| buf)
        });
        // A task waiting on a timer.
        drop(corio::spawn(corio::sleep(Duration::from_secs(3600))));
        corio::sleep(Duration::from_millis(20)).await;
        (client, reader)
    });
    let mut runner = Some(runner);

    let code = in_child(|| {
        drop(runner.take());
        0
    });
    assert_eq!(code, 0);

    let runner = runner.unwrap();
    runner.run(async {
        client.write_all(b"ping").await.unwrap();
        let read = corio::timeout(READINESS, reader).await;
        let read = read.expect("the parent's connection lost its registration");
        assert_eq!(read.unwrap().unwrap(), *b"ping");
        assert_eq!(handle.spawn(async { 3 }).await.unwrap(), 3);
        corio::sleep(Duration::from_millis(1)).await;
    });
}

/// What a child's new runtime is asked to do: a timer and an echo over
/// loopback TCP. Returns the failed step's number, or 0.
async fn timer_and_echo() -> i32 {
    let before = Instant::now();
    corio::sleep(Duration::from_millis(20)).await;
    if before.elapsed() < Duration::from_millis(20) {
        return 1;
    }
    let Ok(listener) = TcpListener::bind("127.0.0.1:0").await else {
        return 2;
    };
    let Ok(addr) = listener.local_addr() else {
        return 3;
    };
    let echo = corio::spawn(async move {
        let (mut stream, _) = listener.accept().await?;
        let mut buf = [0; 4];
        stream.read_exact(&mut buf).await?;
        stream.write_all(&buf).await?;
        io::Result::Ok(())
    });
    let Ok(mut client) = TcpStream::connect(addr).await else {
        return 4;
    };
    let mut buf = [0; 4];
    if client.write_all(b"ping").await.is_err() || client.read_exact(&mut buf).await.is_err() {
        return 5;
    }
    if &buf != b"ping" {
        return 6;
    }
    match echo.await {
        Ok(Ok(())) => 0,
        _ => 7,
    }
}

#[test]
fn a_new_runtime_works_in_the_child() {
    let _serial = serial();
    // Forked from inside a task of a multi-worker runtime: the child's only
    // thread is a copy of that worker, still inside the inherited runtime.
    let code = corio::run(async {
        corio::spawn(async {
            in_child(|| {
                corio::run(async {
                    corio::timeout(READINESS, timer_and_echo())
                        .await
                        .unwrap_or(8)
                })
            })
        })
        .await
        .unwrap()
    });
    assert_eq!(code, 0, "step {code} of the child's new runtime failed");
}

#[test]
fn a_new_runtime_works_in_a_child_forked_outside_any_runtime() {
    let _serial = serial();
    let runner = Runner::builder().workers(2).build().unwrap();
    runner.run(corio::sleep(Duration::from_millis(1)));
    let code = in_child(|| {
        let code = corio::run(async {
            corio::timeout(READINESS, timer_and_echo())
                .await
                .unwrap_or(8)
        });
        // The inherited runner, dropped after the new one is gone.
        drop(runner);
        code
    });
    assert_eq!(code, 0, "step {code} of the child's new runtime failed");
}
