//! Timers inserted from another thread reach a driver that is blocked with
//! no timer at all (the poll that finds no timers skips the timers lock and
//! the clock, so the insertion must still wake it).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use corio::reactor::{Reactor, Timer};

struct Flag(AtomicU64);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_timer_from_another_thread_wakes_a_driver_blocked_without_timers() {
    let reactor = Reactor::new().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let driver = {
        let (reactor, stop) = (reactor.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut driver = reactor.try_lock_driver().unwrap();
            while !stop.load(Ordering::SeqCst) {
                driver.poll(None).unwrap();
            }
        })
    };
    let _entered = reactor.enter();
    let flag = Arc::new(Flag(AtomicU64::new(0)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fired = 0;
    for round in 0..2_000u64 {
        let mut timer = Timer::after(Duration::from_micros(round % 40 + 1));
        if Pin::new(&mut timer).poll(&mut cx).is_ready() {
            continue;
        }
        let start = Instant::now();
        while flag.0.load(Ordering::SeqCst) == fired {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "round {round}: the blocked driver never fired the timer"
            );
            std::hint::spin_loop();
        }
        fired = flag.0.load(Ordering::SeqCst);
        assert!(matches!(Pin::new(&mut timer).poll(&mut cx), Poll::Ready(_)));
    }
    assert!(fired > 0, "every timer was already due when first polled");
    assert_eq!(reactor.timer_count(), 0);
    stop.store(true, Ordering::SeqCst);
    reactor.notify();
    driver.join().unwrap();
}

struct Panics;

impl Wake for Panics {
    fn wake(self: Arc<Self>) {
        panic!("a waker that panics");
    }
}

#[test]
fn a_waker_panicking_during_a_poll_leaves_the_reactor_drivable() {
    let reactor = Reactor::new().unwrap();
    let _entered = reactor.enter();
    let waker = Waker::from(Arc::new(Panics));
    let mut timer = Timer::after(Duration::from_millis(1));
    assert!(
        Pin::new(&mut timer)
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    // The waker's panic is swallowed (the panic hook reported it): the
    // poll that fires the timer returns normally and counts the wake.
    let mut driver = reactor.try_lock_driver().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut woken = 0;
    while woken == 0 && Instant::now() < deadline {
        woken += driver.poll(Some(Duration::from_millis(5))).unwrap();
    }
    assert_eq!(woken, 1);
    drop(driver);
    let mut driver = reactor
        .try_lock_driver()
        .expect("the driver released the reactor");
    assert_eq!(driver.poll(Some(Duration::ZERO)).unwrap(), 0);
}
