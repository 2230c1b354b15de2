//! Tasks woken by reactor events stay on the worker that collected the
//! events: a ping-pong over a socket pair on two workers must not wake the
//! idle worker for every event, whichever path polled the reactor (a worker
//! that ran out of tasks, or the periodic check of a busy one).
//!
//! This is its own test binary so that no other test's threads add to the
//! process's context-switch count.

use std::os::unix::net::UnixStream;

use corio::reactor::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

/// Voluntary context switches of every thread of this process so far.
fn voluntary_switches() -> i64 {
    // SAFETY: `getrusage` fills the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0);
    usage.ru_nvcsw
}

#[test]
fn a_socket_ping_pong_on_two_workers_does_not_wake_the_idle_one_per_event() {
    const ROUNDS: usize = 6_000;
    let runner = corio::Runner::builder().workers(2).build().unwrap();
    let switches = runner.run(async {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut a, mut b) = (Async::new(a).unwrap(), Async::new(b).unwrap());
        let echo = corio::spawn(async move {
            let mut byte = [0u8; 1];
            while b.read(&mut byte).await.unwrap() == 1 {
                b.write_all(&byte).await.unwrap();
            }
        });
        let client = corio::spawn(async move {
            let mut byte = [0u8; 1];
            // Warm up: both tasks settle on a worker.
            for _ in 0..100 {
                a.write_all(&[1]).await.unwrap();
                a.read_exact(&mut byte).await.unwrap();
            }
            let before = voluntary_switches();
            for i in 0..ROUNDS {
                a.write_all(&[i as u8]).await.unwrap();
                a.read_exact(&mut byte).await.unwrap();
                assert_eq!(byte[0], i as u8);
            }
            voluntary_switches() - before
        });
        let switches = client.await.unwrap();
        echo.cancel();
        switches
    });
    // Each needless wake-up of the idle worker costs it one voluntary
    // switch (it goes back to sleep); one per periodic reactor check would
    // be about ROUNDS * 2 / 61 ≈ 200 here.
    assert!(
        switches < 50,
        "{switches} voluntary context switches over {ROUNDS} round trips"
    );
}
