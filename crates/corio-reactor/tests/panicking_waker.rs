//! A waker that panics when its timer or its source fires is user code
//! misbehaving, not the reactor's problem: every other waker is still
//! woken, the poll returns normally, and a runtime driving the reactor
//! keeps running on one worker and on two.

use std::future::Future;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

use corio::reactor::{Async, Reactor, Timer};

/// Counts its wakes, and panics in each if `panics` is set.
struct Counted {
    wakes: AtomicUsize,
    panics: bool,
}

impl Wake for Counted {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        if self.panics {
            panic!("waker woken");
        }
    }
}

fn counted(panics: bool) -> (Arc<Counted>, Waker) {
    let count = Arc::new(Counted {
        wakes: AtomicUsize::new(0),
        panics,
    });
    (count.clone(), Waker::from(count))
}

fn wakes(count: &Counted) -> usize {
    count.wakes.load(Ordering::SeqCst)
}

/// Three timers due at once, the middle one's waker panicking.
fn three_timers() -> (Vec<Timer>, [Arc<Counted>; 3]) {
    let when = Instant::now() + Duration::from_millis(1);
    let counts = [counted(false), counted(true), counted(false)];
    let timers = counts
        .iter()
        .map(|(_, waker)| {
            let mut timer = Timer::at(when);
            let polled = Pin::new(&mut timer).poll(&mut Context::from_waker(waker));
            assert!(polled.is_pending());
            timer
        })
        .collect();
    (timers, counts.map(|(count, _)| count))
}

#[test]
fn fire_timers_wakes_past_a_panicking_waker() {
    let reactor = Reactor::new().unwrap();
    let _entered = reactor.enter();
    let (_timers, counts) = three_timers();
    std::thread::sleep(Duration::from_millis(5));
    assert_eq!(reactor.fire_timers(), 3);
    assert_eq!(counts.each_ref().map(|c| wakes(c)), [1, 1, 1]);
}

#[test]
fn driver_poll_wakes_timers_past_a_panicking_waker() {
    let reactor = Reactor::new().unwrap();
    let _entered = reactor.enter();
    let (_timers, counts) = three_timers();
    let mut driver = reactor.try_lock_driver().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut woken = 0;
    while woken < 3 && Instant::now() < deadline {
        woken += driver.poll(Some(Duration::from_millis(50))).unwrap();
    }
    assert_eq!(woken, 3);
    assert_eq!(counts.each_ref().map(|c| wakes(c)), [1, 1, 1]);
}

#[test]
fn driver_poll_wakes_readers_past_a_panicking_waker() {
    let reactor = Reactor::new().unwrap();
    let _entered = reactor.enter();
    let (ours, mut theirs) = UnixStream::pair().unwrap();
    let ours = Async::new(ours).unwrap();
    let counts = [counted(true), counted(false), counted(true), counted(false)];
    for (_, waker) in &counts {
        // A read that would block forgets the optimistic readiness a new
        // source starts with, then stores the waker.
        let mut buf = [0; 1];
        let polled = ours.poll_read_with(&mut Context::from_waker(waker), |mut s| s.read(&mut buf));
        assert!(polled.is_pending());
    }
    theirs.write_all(b"x").unwrap();
    let mut driver = reactor.try_lock_driver().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut woken = 0;
    while woken < counts.len() && Instant::now() < deadline {
        woken += driver.poll(Some(Duration::from_millis(50))).unwrap();
    }
    assert_eq!(woken, counts.len());
    assert!(counts.iter().all(|(c, _)| wakes(c) == 1));
}

/// A timer whose waker panics fires inside a running runtime; other timers
/// still fire afterwards and the runtime finishes its main future.
fn runtime_scenario(workers: usize) {
    let runner = corio::Runner::builder().workers(workers).build().unwrap();
    runner.run(async {
        let (panicking, waker) = counted(true);
        let mut timer = Timer::after(Duration::from_millis(5));
        let polled = Pin::new(&mut timer).poll(&mut Context::from_waker(&waker));
        assert!(polled.is_pending());
        drop(waker);
        // Sleepers spread over the workers, each due after the bad timer.
        let sleepers: Vec<_> = (0..8)
            .map(|i| {
                corio::spawn(async move {
                    corio::sleep(Duration::from_millis(20 + i)).await;
                    i
                })
            })
            .collect();
        for (i, sleeper) in (0..).zip(sleepers) {
            assert_eq!(sleeper.await.unwrap(), i);
        }
        assert_eq!(wakes(&panicking), 1);
        // The timer stays registered until here, so it really fired.
        drop(timer);
        corio::sleep(Duration::from_millis(1)).await;
    });
}

const CHILD: &str = "CORIO_REACTOR_PANICKING_WAKER_WORKERS";

/// Runs `runtime_scenario` in a child process so that a hang (a worker
/// killed by the panic) or an abort fails the test instead of the binary.
fn in_child(test: &str, workers: usize) {
    if let Some(n) = std::env::var_os(CHILD) {
        runtime_scenario(n.to_str().unwrap().parse().unwrap());
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, workers.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{test}: the runtime hung after a waker panicked");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{test}: the child failed ({status})");
}

#[test]
fn runtime_survives_a_panicking_timer_waker_on_one_worker() {
    in_child("runtime_survives_a_panicking_timer_waker_on_one_worker", 1);
}

#[test]
fn runtime_survives_a_panicking_timer_waker_on_two_workers() {
    in_child("runtime_survives_a_panicking_timer_waker_on_two_workers", 2);
}
