//! Tasks woken by reactor events stay on the worker that collected the
//! events: a ping-pong over a socket pair on two workers must not wake the
//! idle worker for every event, whichever path polled the reactor (a worker
//! that ran out of tasks, or the periodic check of a busy one).
//!
//! It counts the voluntary context switches of the idle worker thread (the
//! one of the two that switched less): each needless wake-up costs it one
//! (it goes back to sleep), while the worker running the ping-pong may block
//! in epoll now and then for reasons of its own, which is not counted.

use std::os::unix::net::UnixStream;

use corio::reactor::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

/// Voluntary context switches so far of the thread `tid` of this process.
fn switches_of(tid: i64) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/self/task/{tid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap()
}

/// The thread id of the runner's second worker, once it took its name.
fn second_worker() -> Option<i64> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .find_map(|entry| {
            let dir = entry.ok()?.path();
            let name = std::fs::read_to_string(dir.join("comm")).ok()?;
            (name.trim() == "corio-worker-1").then(|| dir.file_name()?.to_str()?.parse().ok())?
        })
}

/// Runs `ROUNDS` round trips on a fresh two-worker runner; returns how
/// many times the less busy of its two worker threads (this one, worker 0,
/// and `corio-worker-1`) switched meanwhile: the one that should sleep.
fn idle_worker_switches_over_a_ping_pong() -> u64 {
    let runner = corio::Runner::builder().workers(2).build().unwrap();
    // SAFETY: `gettid` has no preconditions.
    let first = i64::from(unsafe { libc::gettid() });
    // A new thread takes its name once it first runs: wait for it.
    let start = std::time::Instant::now();
    let second = loop {
        if let Some(tid) = second_worker() {
            break tid;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    runner.run(async move {
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
            let before = [switches_of(first), switches_of(second)];
            for i in 0..ROUNDS {
                a.write_all(&[i as u8]).await.unwrap();
                a.read_exact(&mut byte).await.unwrap();
                assert_eq!(byte[0], i as u8);
            }
            let after = [switches_of(first), switches_of(second)];
            (after[0] - before[0]).min(after[1] - before[1])
        });
        let switches = client.await.unwrap();
        echo.cancel();
        switches
    })
}

const ROUNDS: usize = 6_000;

#[test]
fn a_socket_ping_pong_on_two_workers_does_not_wake_the_idle_one_per_event() {
    // One wake-up per periodic reactor check would be about
    // ROUNDS * 2 / 61 ≈ 200 every time. A loaded machine can add switches
    // of its own to one attempt (a preempted worker, tasks that moved), so
    // the median of three attempts is judged.
    let mut seen: Vec<u64> = (0..3)
        .map(|_| idle_worker_switches_over_a_ping_pong())
        .collect();
    seen.sort_unstable();
    if seen[1] < 50 {
        return;
    }
    panic!("the idle worker switched {seen:?} times over {ROUNDS} round trips");
}
